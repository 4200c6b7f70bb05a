"""Buying, the Pro plan, subscriptions and Stripe Connect: thin handlers over services/payments/.

Other pages call these handlers by name:
- `BillingState.buy(program_id)`: start a Checkout for a paid program and go to the payment page.
- `BillingState.get_free(program_id)`: take a free program (no payment) and open its plan.
- `BillingState.subscribe_pro()`: start the Pro plan's Checkout.
- `BillingState.connect_stripe()`: a trainer's Stripe Connect Express onboarding link.

Nothing here grants access: that is the webhook's alone. The browser never sees a Stripe id, a
price it could send back, or anyone else's purchases.
"""

from __future__ import annotations

import asyncio
import json

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.models import Role, User
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.core.paging import requested_page
from adaptivefit.services.payments import (
    billing,
    checkout,
    connect,
    payments_admin,
    purchases,
    refunds,
    simulated_clock,
    subscriptions,
)
from adaptivefit.services.payments.simulated_delivery import deliver_test_events
from adaptivefit.state.guard import actor, public, refusal_text, require_role, with_user

POLL_SECONDS = 1
POLL_TRIES = 20


def _go(url: str):
    """A full page load: the payment page is served outside the app's own router."""
    return rx.call_script(f"window.location.assign({json.dumps(url)})")


def _as_user(fn, user_id: int):
    """A page view for the acting user's own row (None once the account is gone), in one transaction."""
    with session_scope() as session:
        return fn(session, session.get(User, user_id))


def _refusal(refused: Exception) -> str:
    if isinstance(refused, ValidationFailed):
        return refusal_text(refused)
    return str(refused)


class BillingState(rx.State):
    error: str = ""
    test_mode: bool = True
    purchases: list[dict[str, str]] = []
    portal_available: bool = False
    loaded: bool = False
    pro_price: str = ""
    pro_status: str = ""
    checkout_state: str = "waiting"  # waiting | granted | failed | unknown | slow
    checkout_title: str = ""
    checkout_product: str = ""
    _poll_user_id: int | None = None
    _poll_checkout: str = ""
    _polling: bool = False

    async def _start(self, fn, *args):
        me = actor()
        try:
            url = await asyncio.to_thread(with_user, fn, me.id, *args)
        except (ValidationFailed, PermissionDenied) as refused:
            self.error = _refusal(refused)
            return rx.toast.error(self.error)
        self.error = ""
        return _go(url)

    @rx.event
    @require_role()
    async def buy(self, program_id: str):
        try:
            pid = int(str(program_id)[:12])
        except ValueError:
            return rx.toast.error("No such program.")
        return await self._start(checkout.start_program_checkout, pid)

    @rx.event
    @require_role()
    async def get_free(self, program_id: str):
        try:
            pid = int(str(program_id)[:12])
        except ValueError:
            return rx.toast.error("No such program.")
        try:
            purchase = await asyncio.to_thread(with_user, checkout.get_free, actor().id, pid)
        except (ValidationFailed, PermissionDenied) as refused:
            self.error = _refusal(refused)
            return rx.toast.error(self.error)
        self.error = ""
        return [rx.toast.success("The program is now your plan."), rx.redirect(f"/plans?plan={purchase.plan_id}")]

    @rx.event
    @require_role()
    async def subscribe_pro(self):
        return await self._start(checkout.start_pro_checkout)

    @rx.event
    @require_role(Role.TRAINER, Role.ADMIN)
    async def connect_stripe(self):
        return await self._start(connect.connect_onboarding_url)

    # -- /purchases ---------------------------------------------------------------------------

    async def _refresh_purchases(self) -> None:
        view = await asyncio.to_thread(_as_user, purchases.purchases_page, actor().id)
        self.purchases, self.portal_available = view["rows"], view["portal"]
        self.test_mode, self.loaded = billing.test_mode(), True

    @rx.event
    @require_role()
    async def load_purchases(self):
        await self._refresh_purchases()

    async def _change(self, fn, purchase_id: str, done: str):
        try:
            pid = int(str(purchase_id)[:12])
            await asyncio.to_thread(with_user, fn, actor().id, pid)
        except ValueError:
            return rx.toast.error("No such purchase.")
        except (ValidationFailed, PermissionDenied) as refused:
            return rx.toast.error(_refusal(refused))
        await asyncio.to_thread(deliver_test_events)
        await self._refresh_purchases()
        return rx.toast.success(done)

    @rx.event
    @require_role()
    async def cancel(self, purchase_id: str):
        return await self._change(subscriptions.cancel_subscription, purchase_id,
                                  "Your subscription will end at the close of this period.")

    @rx.event
    @require_role()
    async def resume(self, purchase_id: str):
        return await self._change(subscriptions.resume_subscription, purchase_id, "Your subscription will renew as before.")

    @rx.event
    @require_role()
    async def update_version(self, purchase_id: str):
        return await self._change(subscriptions.update_to_latest_version, purchase_id,
                                  "Updated: the newest version is now your plan.")

    @rx.event
    @require_role()
    async def open_portal(self):
        try:
            url = await asyncio.to_thread(with_user, subscriptions.portal_url, actor().id)
        except (ValidationFailed, PermissionDenied) as refused:
            return rx.toast.error(_refusal(refused))
        return _go(url)

    # -- /pro ---------------------------------------------------------------------------------

    @rx.event
    @require_role()
    async def load_pro(self):
        view = await asyncio.to_thread(_as_user, purchases.pro_page, actor().id)
        self.pro_price, self.pro_status, self.test_mode = view["price"], view["status"], billing.test_mode()

    # -- /checkout/complete -------------------------------------------------------------------

    @rx.event
    @require_role()
    async def load_checkout(self):
        public_id = str(self.router.url.query_parameters.get("checkout", ""))[:40]
        me = actor()

        target, status = await asyncio.to_thread(with_user, checkout.checkout_page, me.id, public_id)
        self.checkout_title, self.checkout_product = target["title"], target["product"]
        self.checkout_state, self.test_mode = status, billing.test_mode()
        self._poll_user_id, self._poll_checkout = me.id, public_id
        if status == "waiting":
            return BillingState.poll_checkout

    @rx.event(background=True)
    @public
    async def poll_checkout(self):
        """Waits for the webhook, once a second for up to ~20 s. Open to call, but it only reads the
        status of the checkout a guarded load recorded, for the member who loaded it."""
        async with self:
            if self._polling or self._poll_user_id is None:
                return
            self._polling = True
            user_id, public_id = self._poll_user_id, self._poll_checkout

        def status() -> str:
            with session_scope() as session:
                user = session.get(User, user_id)
                return checkout.checkout_status(session, user, public_id) if user else "unknown"

        try:
            for _ in range(POLL_TRIES):
                await asyncio.sleep(POLL_SECONDS)
                current = await asyncio.to_thread(status)
                async with self:
                    self.checkout_state = current
                if current != "waiting":
                    return
            async with self:
                self.checkout_state = "slow"
        finally:
            async with self:
                self._polling = False


class PaymentsAdminState(rx.State):
    query: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    rows: list[dict[str, str]] = []
    events: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    test_mode: bool = True
    clock: str = ""
    clock_error: str = ""
    # A refund waiting for the admin's confirmation: which row, and what it will do in words.
    confirm_id: str = ""
    confirm_text: str = ""
    _pending_refund: tuple[int, int | None] | None = None

    async def _refresh(self) -> None:
        me = actor()

        query, page = self.query, self.page

        def view():
            with session_scope() as session:
                return payments_admin.admin_view(session, me, query=query, page=page)

        shown = await asyncio.to_thread(view)
        self.rows, self.total, self.page, self.pages = shown.rows, shown.total, shown.page, shown.pages
        self.events, self.clock, self.test_mode = shown.events, shown.clock, billing.test_mode()

    @rx.event
    @require_role(Role.ADMIN)
    async def load(self):
        self.errors, self.clock_error = {}, ""
        await self._refresh()

    @rx.event
    @require_role(Role.ADMIN)
    async def search(self, value: str):
        self.query, self.page = str(value)[:254], 1
        await self._refresh()

    @rx.event
    @require_role(Role.ADMIN)
    async def go_to_page(self, page: int):
        self.page = requested_page(page)
        await self._refresh()

    @rx.event
    @require_role(Role.ADMIN)
    async def ask_refund(self, form: dict):
        """First step: check the amount and say what the refund will do; nothing is refunded yet."""
        raw_id = str(form.get("purchase_id", ""))[:12]
        me = actor()

        def run():
            amount = refunds.parse_amount(str(form.get("amount", ""))[:20])
            with session_scope() as session:
                return amount, refunds.refund_preview(session, me, int(raw_id), amount)

        try:
            amount, preview = await asyncio.to_thread(run)
        except ValueError:
            return rx.toast.error("No such purchase.")
        except ValidationFailed as refused:
            self.errors = {raw_id: refusal_text(refused)}
            return
        except PermissionDenied as refused:
            return rx.toast.error(str(refused))
        self.errors = {}
        self._pending_refund = (preview.purchase_id, amount)
        self.confirm_id, self.confirm_text = str(preview.purchase_id), preview.question

    @rx.event
    @require_role(Role.ADMIN)
    def keep_refund(self):
        self.confirm_id, self.confirm_text, self._pending_refund = "", "", None

    @rx.event
    @require_role(Role.ADMIN)
    async def confirm_refund(self):
        if self._pending_refund is None:
            return
        purchase_id, amount = self._pending_refund
        self.confirm_id, self.confirm_text, self._pending_refund = "", "", None
        me = actor()

        def run():
            with session_scope() as session:
                return refunds.confirmed_refund(session, me, purchase_id, amount)

        try:
            done = await asyncio.to_thread(run)
        except ValidationFailed as refused:
            self.errors = {str(purchase_id): refusal_text(refused)}
            return
        except PermissionDenied as refused:
            return rx.toast.error(str(refused))
        self.errors = {}
        await asyncio.to_thread(deliver_test_events)
        await self._refresh()
        return rx.toast.success(done)

    @rx.event
    @require_role(Role.ADMIN)
    async def advance_clock(self, form: dict):
        me = actor()
        raw = str(form.get("days", "")).strip()[:5]
        if not raw.isdigit():
            self.clock_error = "Enter a whole number of days, like 32."
            return

        def run():
            with session_scope() as session:
                return simulated_clock.advance_test_clock(session, me, int(raw))

        try:
            counts = await asyncio.to_thread(run)
        except ValidationFailed as refused:
            self.clock_error = refusal_text(refused)
            return
        self.clock_error = ""
        await asyncio.to_thread(deliver_test_events)
        await self._refresh()
        return rx.toast.success(simulated_clock.advanced_text(counts))
