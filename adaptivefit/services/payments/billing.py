"""What a member has paid for: the Pro tier and the programs their purchases give them now.

Prices always come from the database (checkout.py), never from the browser. Starting a checkout
grants nothing: access comes only from the webhook (webhook_events.py), the same for Stripe and the
simulator. Which purchase rows grant access, and when, is marketplace/entitlements.py's rule;
purchases are judged at the purchase clock (real time, or the simulator's clock without Stripe keys).

The rest of payments, by what it holds: checkout.py (starting a purchase), subscriptions.py
(cancel, resume, update), purchases.py (a member's purchases as their pages show them), connect.py
(trainers' Stripe Connect), refunds.py and payments_admin.py (the admin's side).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from adaptivefit.models import Purchase, TrainingProgram, User
from adaptivefit.services.core import app_settings
from adaptivefit.services.marketplace import entitlements

PRO_NAME = "Adaptive Fit Pro"


def test_mode() -> bool:
    """No Stripe secret key configured: the built-in simulator takes the payments."""
    return app_settings.payments_test_mode()


def now(session: Session) -> datetime:
    """The moment purchases are judged at (the simulator's clock while it is active)."""
    return app_settings.purchase_clock(session)


def program_access(session: Session, user_id: int, program_id: int) -> Purchase | None:
    """The purchase that gives this member the program now, if any."""
    return entitlements.program_access(session, user_id, program_id)


def pro_purchase(session: Session, user_id: int) -> Purchase | None:
    return entitlements.first_granting(entitlements.user_purchases(session, user_id, product="pro"), now(session))


def is_pro(session: Session, user: User) -> bool:
    """The coach's ai_powered tier: an admin's grant, or a Pro subscription that gives access now."""
    return bool(user.coach_ai) or pro_purchase(session, user.id) is not None


def product_title(session: Session, purchase: Purchase, missing: str = "a program no longer listed") -> str:
    """What was bought, as the member and the admin read it."""
    if purchase.product == "pro":
        return PRO_NAME
    program = session.get(TrainingProgram, purchase.program_id) if purchase.program_id else None
    return program.name if program else missing
