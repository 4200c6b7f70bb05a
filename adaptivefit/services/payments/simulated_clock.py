"""The simulator's clock: an admin or the CLI moves it forward, and subscriptions renew, fail or end
at each period end as Stripe's would. Where the clock stands is read through core.app_settings.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from adaptivefit.models import AppSetting, Role, TestPaymentObject
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import Actor, ValidationFailed, require
from adaptivefit.services.core.app_settings import SIMULATED_CLOCK_KEY, payments_test_mode
from adaptivefit.services.payments import simulated_objects as objects
from adaptivefit.services.payments.simulator import SimulatedGateway

MAX_DAYS = 3660


def _end(gw, sub: dict[str, Any], end: int) -> None:
    sub.update(status="canceled", ended_at=end, canceled_at=sub.get("canceled_at") or end)
    gw.put(sub)
    gw.emit("customer.subscription.deleted", sub)


def _fail_renewal(gw, sub: dict[str, Any]) -> None:
    sub["status"] = "past_due"
    gw.put(sub)
    gw.emit("invoice.payment_failed", objects.failed_invoice(gw, sub))
    gw.emit("customer.subscription.updated", sub, {"status": "active"})


def _renew(gw, sub: dict[str, Any]) -> None:
    item = sub["items"]["data"][0]
    end = item["current_period_end"]
    new_end = objects.add_month(end)
    previous = {"current_period_start": item["current_period_start"], "current_period_end": end}
    item.update(current_period_start=end, current_period_end=new_end)
    sub.update(current_period_start=end, current_period_end=new_end, status="active")
    paid = objects.invoice(gw, sub, item["price"]["unit_amount"], end, new_end, "subscription_cycle")
    sub["latest_invoice"] = paid["id"]
    gw.put(sub)
    gw.emit("invoice.paid", paid)
    gw.emit("customer.subscription.updated", sub, previous)


def _settle(gw, sub: dict[str, Any], now: int, counts: dict[str, int]) -> None:
    """Every period end of one subscription up to `now`: renew, or end it, or fail and stop."""
    while sub["status"] in ("active", "past_due") and sub["items"]["data"][0]["current_period_end"] <= now:
        if sub["cancel_at_period_end"]:
            _end(gw, sub, sub["items"]["data"][0]["current_period_end"])
            counts["ended"] += 1
            return
        if sub.get("_fail_renewals"):
            _fail_renewal(gw, sub)
            counts["failed"] += 1
            return
        _renew(gw, sub)
        counts["renewed"] += 1


def advance_clock(gw: SimulatedGateway, days: int) -> dict[str, int]:
    """Move the simulator's time forward and do what Stripe would at each period end."""
    if not 0 < days <= MAX_DAYS:
        raise ValidationFailed({"days": f"Advance the clock by 1 to {MAX_DAYS} days."})
    row = gw.session.get(AppSetting, SIMULATED_CLOCK_KEY) or AppSetting(key=SIMULATED_CLOCK_KEY, value="0")
    row.value, row.updated_at = str(int(row.value) + days * 86400), utcnow()
    gw.session.add(row)
    gw.session.flush()
    now = gw.now()
    counts = {"renewed": 0, "ended": 0, "failed": 0}
    rows = gw.session.exec(select(TestPaymentObject).where(TestPaymentObject.type == "subscription")
                           .order_by(TestPaymentObject.created_at)).all()
    for row_ in rows:
        _settle(gw, dict(row_.data), now, counts)
    return counts


def advance_test_clock(session: Session, actor: Actor | None, days: int) -> dict[str, int]:
    """Move the simulator's clock (CLI or an admin in test mode) and let it renew or end subscriptions."""
    if actor is not None:
        require(actor, Role.ADMIN)
    if not payments_test_mode():
        raise ValidationFailed({"days": "The test clock exists only while the test payment provider is active."})
    counts = advance_clock(SimulatedGateway(session), int(days))
    audit.record(session, "test_clock_advanced", actor_id=actor.id if actor else None,
                 ip_address=actor.ip_address if actor else "", days=int(days), **counts)
    session.flush()
    return counts


def advanced_text(counts: dict[str, int]) -> str:
    """What the admin page says after the clock moved."""
    return f"Clock advanced: {counts['renewed']} renewed, {counts['ended']} ended."
