"""The monthly payouts: one `Payout` per trainer per currency per period, made from the ledger.

The scheduled job (jobs/payouts.py) runs `make_payouts` for last month; the earnings pages read
what is owed through `owed_part` and `carried_in`.

The rule, in one place:

- A payout takes every ledger entry of its trainer and currency that occurred before the
  period's end and is not in a payout yet: the period's own entries, and any that arrived late
  for a period already paid out (a webhook Stripe retried). Entries from the period's end on are
  left for the next run.
- ``net`` is the sum of the entries' ``trainer_cents``. Destination charges (``destination``) were
  already moved to the trainer's Connect account by Stripe, sales and their reversals alike; the
  rest the platform holds and owes: ``owed = net - destination share + carried``, where
  ``carried`` is the deficit (negative) of the trainer's previous payout when it was carried.
- ``owed < 0``: status "carried", amount = ``owed``; the deficit is set against the next payout.
- ``owed == 0``: "transferred" when every entry was a destination charge (Stripe paid it all),
  else "paid" (a carried deficit absorbed it, nothing to send). Amount = ``net + carried``.
- ``owed > 0``: amount = ``net + carried``; the job sends ``owed`` with a Stripe Transfer when it
  has a gateway and the trainer's account is charges-enabled ("paid"), else "pending". A pending
  payout is paid by a later run once the trainer is connected; the transfer's idempotency key is
  ``payout-<id>``, so a retry never pays twice.

Each trainer is one transaction: the payout row and its entries commit together, and the
transfer is sent only after that commit (so its idempotency key names a payout that exists).
Re-running a period creates nothing new: the payout of a (trainer, period, currency) is unique.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from adaptivefit.models import LedgerEntry, Payout, Trainer

log = logging.getLogger("adaptivefit.payments.payouts")

TRANSFERRED, PENDING, PAID, CARRIED = "transferred", "pending", "paid", "carried"


class TransferGateway(Protocol):
    """What making payouts needs from the payments gateway (gateway.py): Stripe's transfers."""

    def create_transfer(self, amount_cents: int, currency: str, destination: str, *,
                        idempotency_key: str) -> str: ...


@dataclass
class PayoutSummary:
    created: int = 0
    entries: int = 0
    transferred: int = 0
    paid: int = 0
    pending: int = 0
    carried: int = 0
    already_made: int = 0  # trainers and currencies whose payout for the period exists
    errors: int = 0

    def counts(self) -> dict[str, int]:
        return asdict(self)


def previous_month(now: datetime) -> tuple[datetime, datetime]:
    """The calendar month (UTC) before the one `now` falls in: [start, end)."""
    now = now.astimezone(UTC)
    end = datetime(now.year, now.month, 1, tzinfo=UTC)
    start = datetime(end.year - 1, 12, 1, tzinfo=UTC) if end.month == 1 else datetime(end.year, end.month - 1, 1, tzinfo=UTC)
    return start, end


def connected(trainer: Trainer) -> bool:
    """May the platform send this trainer money through Stripe now?"""
    return bool(trainer.stripe_account_id) and trainer.stripe_charges_enabled


def destination_share(session: Session, payout_id: int) -> int:
    """The part of a payout Stripe moved itself (destination charges and their reversals)."""
    return int(session.exec(
        select(func.coalesce(func.sum(LedgerEntry.trainer_cents), 0))
        .where(LedgerEntry.payout_id == payout_id, LedgerEntry.destination == True)  # noqa: E712
    ).one())


def owed_part(session: Session, payout: Payout) -> int:
    """What the platform itself must send for a payout (zero for carried ones)."""
    if payout.status == CARRIED:
        return 0
    return payout.amount_cents - destination_share(session, payout.id)


def carried_in(session: Session, trainer_id: int, currency: str, before: datetime) -> int:
    """The deficit the trainer's latest earlier payout in this currency carried forward, or 0."""
    latest = session.exec(
        select(Payout).where(Payout.trainer_id == trainer_id, Payout.currency == currency)
        .order_by(col(Payout.period_start).desc()).limit(1)
    ).first()
    if latest is None or latest.status != CARRIED or latest.period_start >= before:
        return 0
    return latest.amount_cents


def _check_period(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    if start is None and end is None:
        return previous_month(datetime.now(UTC))
    if start is None or end is None or start.tzinfo is None or end.tzinfo is None:
        raise ValueError("give both ends of the period as timezone-aware datetimes")
    if not start < end:
        raise ValueError("the period must end after it starts")
    return start.astimezone(UTC), end.astimezone(UTC)


def make_payouts(session: Session, *, period_start: datetime | None = None, period_end: datetime | None = None,
                 gateway: TransferGateway | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> PayoutSummary:
    """Make the period's payouts (default: last calendar month, UTC); see the module docstring.

    Commits once per trainer and currency; a failure there is rolled back, counted in `errors`
    and logged, and the other trainers go on.
    """
    start, end = _check_period(period_start, period_end)
    summary = PayoutSummary()
    groups = session.exec(
        select(LedgerEntry.trainer_id, LedgerEntry.currency)
        .where(col(LedgerEntry.trainer_id).is_not(None), col(LedgerEntry.payout_id).is_(None),
               LedgerEntry.occurred_at < end)
        .group_by(LedgerEntry.trainer_id, LedgerEntry.currency)
        .order_by(LedgerEntry.trainer_id, LedgerEntry.currency)
    ).all()
    total = len(groups)
    attempted: set[int] = set()
    for done, (trainer_id, currency) in enumerate(groups):
        if progress is not None:
            progress(done, total, f"trainer {trainer_id}, {currency.upper()}")
        try:
            payout = _make_one(session, trainer_id, currency, start, end, summary)
        except IntegrityError:  # another run made it a moment ago
            session.rollback()
            summary.already_made += 1
            continue
        except Exception:
            session.rollback()
            log.exception("Could not make the payout of trainer %s in %s", trainer_id, currency)
            summary.errors += 1
            continue
        if payout is not None and payout.status == PENDING:
            if gateway is None:
                summary.pending += 1
            else:
                attempted.add(payout.id)
                _send(session, payout, gateway, summary)
    if gateway is not None:
        _retry_pending(session, gateway, summary, skip=attempted)
    if progress is not None:
        progress(total, total, "payouts made")
    return summary


def _make_one(session: Session, trainer_id: int, currency: str, start: datetime, end: datetime,
              summary: PayoutSummary) -> Payout | None:
    exists = session.exec(select(Payout.id).where(
        Payout.trainer_id == trainer_id, Payout.period_start == start, Payout.currency == currency)).first()
    if exists is not None:
        summary.already_made += 1
        return None
    entries = session.exec(select(LedgerEntry).where(
        LedgerEntry.trainer_id == trainer_id, LedgerEntry.currency == currency,
        col(LedgerEntry.payout_id).is_(None), LedgerEntry.occurred_at < end)).all()
    if not entries:
        return None
    net = sum(e.trainer_cents for e in entries)
    by_stripe = sum(e.trainer_cents for e in entries if e.destination)
    carried = carried_in(session, trainer_id, currency, start)
    owed = net - by_stripe + carried
    if owed < 0:
        status, amount = CARRIED, owed
    elif owed == 0:
        status, amount = (TRANSFERRED if carried == 0 and all(e.destination for e in entries) else PAID), net + carried
    else:
        status, amount = PENDING, net + carried
    payout = Payout(trainer_id=trainer_id, amount_cents=amount, currency=currency, period_start=start,
                    period_end=end, status=status, entries_count=len(entries))
    session.add(payout)
    session.flush()
    claimed = session.exec(
        update(LedgerEntry)
        .where(col(LedgerEntry.id).in_([e.id for e in entries]), col(LedgerEntry.payout_id).is_(None))
        .values(payout_id=payout.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != len(entries):
        raise RuntimeError(f"{len(entries) - claimed} ledger entries were taken by another payout meanwhile")
    session.commit()
    summary.created += 1
    summary.entries += len(entries)
    if status != PENDING:
        setattr(summary, status, getattr(summary, status) + 1)
    return payout


def _send(session: Session, payout: Payout, gateway: TransferGateway, summary: PayoutSummary,
          *, count_pending: bool = True) -> None:
    """Pay a pending payout by a Stripe Transfer when the trainer is connected; else leave it pending."""
    trainer = session.get(Trainer, payout.trainer_id)
    owed = owed_part(session, payout)
    if trainer is None or not connected(trainer) or owed <= 0:
        if count_pending:
            summary.pending += 1
        return
    try:
        transfer_id = gateway.create_transfer(owed, payout.currency, trainer.stripe_account_id,
                                              idempotency_key=f"payout-{payout.id}")
    except Exception:
        log.exception("The transfer for payout %s failed; it stays pending for the next run", payout.id)
        summary.errors += 1
        if count_pending:
            summary.pending += 1
        return
    payout.status, payout.stripe_payout_id = PAID, str(transfer_id)[:64]
    session.add(payout)
    session.commit()
    summary.paid += 1


def _retry_pending(session: Session, gateway: TransferGateway, summary: PayoutSummary, *, skip: set[int]) -> None:
    """Pending payouts made by earlier runs, of trainers who have connected since (or whose transfer failed)."""
    waiting = session.exec(
        select(Payout).join(Trainer, Trainer.id == Payout.trainer_id)
        .where(Payout.status == PENDING, col(Payout.id).not_in(skip),
               col(Trainer.stripe_account_id).is_not(None), Trainer.stripe_charges_enabled == True)  # noqa: E712
        .order_by(Payout.id)
    ).all()
    for payout in waiting:
        _send(session, payout, gateway, summary, count_pending=False)
