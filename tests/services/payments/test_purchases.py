"""A member's purchases as their pages show them, and the one money format every page shares."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from adaptivefit.services.core.money import format_money
from adaptivefit.services.marketplace import pricing
from adaptivefit.services.payments import payments_admin, purchases
from adaptivefit.services.payments.purchases import PurchaseRow
from adaptivefit.services.payments.refunds import RefundPreview

START = datetime(2026, 3, 1, 9, tzinfo=UTC)
END = datetime(2026, 4, 1, 9, tzinfo=UTC)


def _row(**changes) -> PurchaseRow:
    fields = dict(id=7, title="Strength", product="program", kind="one_time", status="active", amount_cents=1200,
                  currency="chf", refunded_cents=0, start_at=START, end_at=None, cancel_at_period_end=False,
                  has_access=True, can_cancel=False, can_resume=False, program_id=3, version=1, latest_version=1,
                  plan_id=11)
    return PurchaseRow(**{**fields, **changes})


def test_one_amount_reads_the_same_on_the_program_page_my_purchases_and_the_admin_pages():
    program = SimpleNamespace(price_kind="one_time", price_cents=1200, currency="chf")
    admin = payments_admin.AdminRow(id=7, buyer="b@example.com", title="Strength", kind="one_time", status="refunded",
                                    amount_cents=1200, refunded_cents=1200, refundable_cents=0, currency="chf",
                                    created_at=START)
    preview = RefundPreview(7, 1200, "chf", True, False, "b@example.com", "Strength")
    shown = {
        "program page": pricing.price_text(program),
        "my purchases": purchases.purchase_view(_row())["price"],
        "refunded on my purchases": purchases.purchase_view(_row(refunded_cents=1200))["refunded"],
        "admin amount": payments_admin.admin_row_view(admin)["amount"],
        "admin refunded": payments_admin.admin_row_view(admin)["refunded"],
        "refund question": preview.question.split(" to ")[0].removeprefix("Refund "),
    }
    assert set(shown.values()) == {format_money(1200, "chf")} == {"12.00 CHF"}, shown


def test_a_monthly_price_reads_as_the_program_page_reads_it_plus_its_period():
    program = SimpleNamespace(price_kind="subscription", price_cents=999, currency="usd")
    assert pricing.price_text(program).startswith("$9.99")
    assert purchases.purchase_view(_row(kind="subscription", amount_cents=999, currency="usd"))["price"] == \
        "$9.99/month"
    assert purchases.purchase_view(_row(kind="free", amount_cents=0))["price"] == "Free"


def test_a_subscription_says_when_it_renews_or_ends():
    live = _row(kind="subscription", end_at=END)
    assert purchases.purchase_view(live)["when"] == "Renews on Apr 01, 2026"
    assert purchases.purchase_view(_row(kind="subscription", end_at=END, cancel_at_period_end=True))["when"] == \
        "Access ends on Apr 01, 2026"
    assert purchases.purchase_view(_row(kind="subscription", end_at=END, status="canceled"))["when"] == \
        "Access ended on Apr 01, 2026"
    assert purchases.purchase_view(_row(kind="subscription", end_at=END, status="refunded"))["when"] == ""


def test_a_newer_version_is_offered_only_while_the_purchase_gives_access():
    newer = _row(latest_version=2)
    assert purchases.purchase_view(newer)["update_label"] == "Update to version 2"
    assert purchases.purchase_view(_row(latest_version=2, has_access=False))["update_label"] == ""
    assert purchases.purchase_view(newer)["plan_href"] == "/plans?plan=11"
