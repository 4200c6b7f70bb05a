"""Trainers and ledger rows for the payouts and earnings tests, written the way the webhooks write them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from adaptivefit.models import LedgerEntry, Role, Trainer, User

_ids = itertools.count(1)


def make_trainer(session, name: str, *, account: str | None = None, enabled: bool = False) -> Trainer:
    user = User(email=f"{name.lower()}-{next(_ids)}@example.com", name=name, role=Role.TRAINER)
    session.add(user)
    session.flush()
    trainer = Trainer(user_id=user.id, status="approved", stripe_account_id=account,
                      stripe_charges_enabled=enabled, stripe_payouts_enabled=enabled)
    session.add(trainer)
    session.flush()
    return trainer


def at(year: int, month: int, day: int = 15, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def entry(session, trainer: Trainer | None, gross: int, when: datetime, *, currency: str = "usd",
          percent: int = 15, fee: int | None = None, destination: bool = False) -> LedgerEntry:
    """A sale (gross > 0) or refund (gross < 0): commission `percent`, Stripe's fee ~3% (paid by the platform)."""
    fee = round(abs(gross) * 3 / 100) * (1 if gross > 0 else -1) if fee is None else fee
    if trainer is None:  # the Pro plan: all of it the platform's
        platform, share = gross - fee, 0
    else:
        commission = round(gross * percent / 100)
        platform, share = commission - fee, gross - commission
    row = LedgerEntry(kind="sale" if gross > 0 else "refund", source_id=f"src_{next(_ids)}",
                      trainer_id=None if trainer is None else trainer.id, gross_cents=gross, fee_cents=fee,
                      platform_cents=platform, trainer_cents=share, currency=currency,
                      destination=destination, occurred_at=when)
    assert row.gross_cents == row.fee_cents + row.platform_cents + row.trainer_cents
    session.add(row)
    session.flush()
    return row
