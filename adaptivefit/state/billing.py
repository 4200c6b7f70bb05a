"""Buying, the Pro plan, subscriptions and Stripe Connect: thin handlers over services/billing.py.

Owned by the payments work (issue #7). Other pages call these handlers by name:
- `BillingState.buy(program_id)`: start a Checkout for a paid program and redirect to it.
- `BillingState.get_free(program_id)`: take a free program (no payment) and open its plan.
- `BillingState.subscribe_pro()`: start the Pro plan's Checkout.
- `BillingState.connect_stripe()`: a trainer's Stripe Connect Express onboarding link.
"""

from __future__ import annotations

import reflex as rx

from adaptivefit.state.guard import require_role


class BillingState(rx.State):
    error: str = ""

    @rx.event
    @require_role()
    async def buy(self, program_id: str):
        raise NotImplementedError  # filled in by the payments work in this change

    @rx.event
    @require_role()
    async def get_free(self, program_id: str):
        raise NotImplementedError

    @rx.event
    @require_role()
    async def subscribe_pro(self):
        raise NotImplementedError

    @rx.event
    @require_role()
    async def connect_stripe(self):
        raise NotImplementedError
