"""Stripe Connect for trainers: the Express account their buyers' payments reach, and its status."""

from __future__ import annotations

from sqlmodel import Session

from adaptivefit.config import get_settings
from adaptivefit.models import Trainer, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.marketplace import trainers
from adaptivefit.services.payments.billing import test_mode
from adaptivefit.services.payments.gateway import gateway
from adaptivefit.services.payments.provider import GatewayError

STATUS_TEXT = {
    "none": "Not connected: connect a Stripe account so buyers' payments reach you directly.",
    "incomplete": "Onboarding incomplete: finish the Stripe form to receive payouts.",
    "enabled": "Payouts enabled: your share of each sale goes to your Stripe account.",
}


def connect_status(trainer: Trainer | None) -> str:
    """"none", "incomplete" (onboarding started, charges not enabled) or "enabled"."""
    if trainer is None or not trainer.stripe_account_id:
        return "none"
    return "enabled" if trainer.stripe_charges_enabled and trainer.stripe_payouts_enabled else "incomplete"


def connect_onboarding_url(session: Session, user: User, return_path: str = "/studio/earnings") -> str:
    """Stripe Connect Express onboarding for an approved trainer (the simulator's page without keys)."""
    trainer = trainers.trainer_for_user(session, user.id)
    if trainer is None or trainer.status != "approved":
        raise PermissionDenied("Only approved trainers can connect a payout account.")
    gw = gateway(session)
    try:
        if not trainer.stripe_account_id:
            trainer.stripe_account_id = gw.create_express_account(user.email, f"connect-trainer-{trainer.id}")
            trainer.updated_at = utcnow()
            session.add(trainer)
            session.flush()
        base = "" if test_mode() else get_settings().public_url
        return gw.account_link(trainer.stripe_account_id, f"{base}{return_path}", f"{base}{return_path}")
    except GatewayError as failed:
        raise ValidationFailed({"connect": str(failed)}) from None
