"""A trainer reads their earnings and payouts; an admin sets the commission and reads revenue.

The trainer is one of this test's own (not the demo's, whose sales other tests add to), with
three months of ledger rows as the webhooks would have written them.
"""

from __future__ import annotations

import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.e2e

TRAINER = "earner@example.com"
ADMIN = "admin@adaptivefit.example"

# Sales and refunds the webhooks would have written, in the live app's own database: three
# months of the demo trainer's sales (the oldest two paid out), a refund, and Pro subscriptions.
SEED = """
from datetime import UTC, datetime, timedelta
from sqlmodel import select
from adaptivefit.db import session_scope
from adaptivefit.services.payments.payouts import make_payouts, previous_month
from adaptivefit.models import LedgerEntry, Role, Trainer, User
from adaptivefit.services.accounts.passwords import hash_password

now = datetime.now(UTC)
this_month = previous_month(now)[1]
last = previous_month(now)
before = previous_month(last[0])
with session_scope() as session:
    if session.exec(select(LedgerEntry).where(LedgerEntry.source_id == "e2e-sale-0")).first() is None:
        user = User(email="earner@example.com", name="Erin Earner", role=Role.TRAINER,
                    password_hash=hash_password("correct horse battery staple"))
        session.add(user)
        session.flush()
        trainer = Trainer(user_id=user.id, status="approved", certification_verified=True, bio="Sells programs.")
        session.add(trainer)
        session.flush()
        rows = [
            ("e2e-sale-0", trainer.id, 2900, 117, 318, 2465, before[0] + timedelta(days=3)),
            ("e2e-sale-1", trainer.id, 2900, 117, 318, 2465, before[0] + timedelta(days=9)),
            ("e2e-sale-2", trainer.id, 2900, 117, 318, 2465, last[0] + timedelta(days=4)),
            ("e2e-refund-2", trainer.id, -1450, -59, -159, -1232, last[0] + timedelta(days=6)),
            ("e2e-sale-3", trainer.id, 2900, 117, 318, 2465, this_month + timedelta(hours=1)),
            ("e2e-pro-1", None, 999, 59, 940, 0, last[0] + timedelta(days=2)),
            ("e2e-pro-2", None, 999, 59, 940, 0, this_month + timedelta(hours=2)),
        ]
        for source, trainer_id, gross, fee, platform, share, when in rows:
            assert gross == fee + platform + share
            session.add(LedgerEntry(kind="refund" if gross < 0 else "sale", source_id=source, trainer_id=trainer_id,
                                    gross_cents=gross, fee_cents=fee, platform_cents=platform, trainer_cents=share,
                                    currency="usd", occurred_at=min(when, now)))
        session.commit()
        make_payouts(session, period_start=before[0], period_end=before[1])
        make_payouts(session, period_start=last[0], period_end=last[1])
"""


@pytest.fixture(scope="module")
def seeded(live_app):
    live_app.command(sys.executable, "-c", SEED)
    return live_app


def _sign_in(page, live_app, email: str, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD if email == TRAINER else live_app.demo_password(email))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Account menu").locator("visible=true")).to_contain_text(name)


def test_the_trainer_sees_earnings_and_payouts(page, viewport, seeded):
    _sign_in(page, seeded, TRAINER, "Erin Earner")
    if viewport["width"] >= 1000:
        page.get_by_role("link", name="Earnings").locator("visible=true").first.click()
    else:  # not in the phone's tab bar: a desk task
        page.goto("/studio/earnings")
    expect(page.get_by_role("heading", name="Earnings", exact=True)).to_be_visible()
    expect(page.get_by_text("Not connected")).to_be_visible()
    expect(page.get_by_role("button", name="Connect payouts with Stripe")).to_be_visible()
    expect(page.get_by_text("15%", exact=True)).to_be_visible()
    expect(page.get_by_role("group", name="Earned in total")).to_contain_text("$86.28")  # 4 x 24.65 - 12.32
    expect(page.get_by_role("group", name="This month")).to_contain_text("$24.65")
    expect(page.get_by_role("group", name="Awaiting payout")).to_contain_text("$86.28")  # never connected
    chart = page.get_by_role("img", name="Net earnings by month, USD")
    expect(chart).to_be_visible()
    expect(chart.locator(".recharts-bar-rectangle").first).to_be_attached()
    payouts = page.get_by_role("region", name="Payouts table")
    rows = payouts.get_by_role("row")
    expect(rows).to_have_count(3)  # a header and two months, newest first
    expect(rows.nth(1)).to_contain_text("$12.33")
    expect(rows.nth(1)).to_contain_text("pending")
    expect(rows.nth(2)).to_contain_text("$49.30")
    # Never a Stripe account id, and nothing wider than the screen.
    assert "acct_" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"earnings-{viewport['width']}.png"), full_page=True)


def test_the_admin_sets_the_commission_and_reads_revenue(page, viewport, seeded):
    _sign_in(page, seeded, ADMIN, "Ada Admin")
    page.goto("/admin/revenue")
    expect(page.get_by_role("heading", name="Revenue", exact=True)).to_be_visible()
    field = page.get_by_label("Commission (%)")
    expect(field).to_have_value("15.00")
    field.fill("150")
    page.get_by_role("button", name="Save commission").click()
    expect(page.get_by_text("The commission must be from 0 to 100 percent.")).to_be_visible()
    page.get_by_label("Commission (%)").fill("12.5")
    page.get_by_role("button", name="Save commission").click()
    expect(page.get_by_text("Now 12.5% of each sale.")).to_be_visible()
    expect(page.get_by_text("The commission must be from 0 to 100 percent.")).to_have_count(0)

    expect(page.get_by_role("img", name="Platform revenue by month, USD")).to_be_visible()
    expect(page.get_by_role("group", name="Pro subscriptions")).to_contain_text("$18.80")
    # 4 x 3.18 - 1.59 from the seeded rows, and 3.21 from the demo member's purchase (29.00 less 15%
    # commission 4.35, of which Stripe's simulated fee took 1.14).
    expect(page.get_by_role("group", name="Program commission")).to_contain_text("$14.34")
    rates = page.get_by_role("region", name="Trainer commissions")
    expect(rates.get_by_role("row", name="Trainer Erin Earner")).to_contain_text("12.5% (default)")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"revenue-{viewport['width']}.png"), full_page=True)
    page.get_by_label("Commission (%)").fill("15")  # as the other viewport's run expects it
    page.get_by_role("button", name="Save commission").click()
    expect(page.get_by_text("Now 15% of each sale.")).to_be_visible()
