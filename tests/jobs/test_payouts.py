"""The scheduled payouts job: last month's payouts by the payments rules, Stripe's transfers when keys are set."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from adaptivefit import db
from adaptivefit.config import get_settings
from adaptivefit.jobs import payouts, registry
from adaptivefit.models import JobRun, LedgerEntry, Payout
from tests.jobs.ledger_rows import at, entry, make_trainer
from tests.services.payments.billing_fixtures import FakeGateway

MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))


def test_the_job_pays_out_last_month_and_says_when_there_is_nothing(database, monkeypatch):
    with Session(db.get_engine()) as session:
        trainer = make_trainer(session, "Job")
        entry(session, trainer, 2000, at(2026, 3, 5))
        entry(session, trainer, 2000, at(2026, 4, 2))
        session.commit()
        trainer_id = trainer.id
    notes = []
    run_id = registry.run_job("payouts", triggered_by="manual", now=datetime(2026, 4, 1, 7, tzinfo=UTC),
                              progress=lambda done, total, note="": notes.append((done, total)))
    with Session(db.get_engine()) as session:
        job = session.get(JobRun, run_id)
        assert job.status == "success" and job.counts["created"] == 1 and job.counts["pending"] == 1
        [payout] = session.exec(select(Payout).where(Payout.trainer_id == trainer_id)).all()
        assert payout.period_start == MARCH[0] and payout.entries_count == 1
        assert session.exec(select(LedgerEntry).where(LedgerEntry.payout_id.is_(None))).one().occurred_at.month == 4
    assert notes[-1] == (1, 1)
    again = registry.run_job("payouts", triggered_by="manual", now=datetime(2026, 4, 1, 8, tzinfo=UTC))
    with Session(db.get_engine()) as session:
        job = session.get(JobRun, again)
        assert job.status == "skipped" and "March 2026" in job.counts["reason"]


def test_the_job_uses_the_gateway_for_transfers(database, monkeypatch):
    gateway = FakeGateway()
    monkeypatch.setattr(payouts, "payout_gateway", lambda settings: gateway)
    with Session(db.get_engine()) as session:
        trainer = make_trainer(session, "Gia", account="acct_gia", enabled=True)
        entry(session, trainer, 2000, at(2026, 3, 5))
        session.commit()
    registry.run_job("payouts", triggered_by="manual", now=datetime(2026, 4, 1, 7, tzinfo=UTC))
    assert [t["amount"] for t in gateway.transfers] == [1700]


def test_without_stripe_keys_the_job_sends_nothing(env):
    assert payouts.payout_gateway(get_settings()) is None
