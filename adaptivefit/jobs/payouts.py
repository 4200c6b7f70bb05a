"""The scheduled payouts job: last month's trainer payouts, by the rules in services/payments/payouts.py.

Transfers go through Stripe when keys are set; with the simulator they stay pending, since it has no
money to send.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adaptivefit.config import Settings
from adaptivefit.db import session_scope
from adaptivefit.services.core.app_settings import payments_test_mode
from adaptivefit.services.payments import payouts
from adaptivefit.services.payments.gateway import StripeGateway


class NothingToPay(Exception):
    """No new earnings for the period; the message says which."""


def payout_gateway(settings: Settings) -> payouts.TransferGateway | None:
    """Stripe sends the transfers the platform owes; in test mode (no keys) they stay pending."""
    if payments_test_mode(settings):
        return None
    return StripeGateway(settings)


def pay_last_month(settings: Settings, *, now: datetime, progress) -> dict[str, Any]:
    """Make (and send) the payouts of the month before `now`; NothingToPay when there were none."""
    start, end = payouts.previous_month(now)
    with session_scope() as session:
        summary = payouts.make_payouts(session, period_start=start, period_end=end,
                                       gateway=payout_gateway(settings), progress=progress)
    if not (summary.created or summary.paid or summary.errors):
        raise NothingToPay(f"No new earnings to pay out for {start:%B %Y}.")
    return summary.counts()
