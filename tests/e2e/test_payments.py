"""Paying, as members do without Stripe keys: the built-in test provider's checkout page, the webhook
granting access, a declined card granting nothing, a subscription cancelled and ended by the test
clock, and an admin's refund."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, PHONE, register, sign_in, sign_out

pytestmark = pytest.mark.e2e

ADMIN = "admin@adaptivefit.example"
ONE_TIME = "Strong in 12 Hours"
MONTHLY = "Dumbbell Hypertrophy Club"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"payments-{name}-1280.png"), full_page=True)
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / f"payments-{name}-390.png"), full_page=True)
    page.set_viewport_size(desktop)






def _open_program(page, title: str) -> None:
    page.goto("/marketplace")
    page.get_by_role("listitem", name=title).click()
    expect(page.get_by_role("heading", name=title).first).to_be_visible()


def _pay(page, card: str) -> None:
    expect(page.get_by_text("TEST MODE")).to_be_visible()
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiry (MM / YY)").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Test Buyer")
    page.get_by_role("button", name=re.compile("^(Pay|Subscribe)$")).click()


def test_buy_decline_cancel_and_refund(page, live_app):
    # A member buys a one-time program with 4242 and the webhook gives it to them.
    first = register(page, "Paula Payer", "buyer")
    _open_program(page, ONE_TIME)
    page.get_by_role("button", name=re.compile(r"^Buy for")).click()
    expect(page).to_have_url(re.compile(r"/api/test-pay/checkout/cs_test_"))
    expect(page.get_by_text("$29.00")).to_be_visible()
    _shot(page, "checkout")
    _pay(page, "4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/checkout/complete/?\?checkout=co_"))
    expect(page.get_by_role("heading", name="You're in")).to_be_visible(timeout=25_000)
    page.get_by_role("link", name="Open your plans").click()
    expect(page.get_by_role("heading", name=ONE_TIME).first).to_be_visible()
    page.goto("/purchases")
    bought = page.get_by_role("article", name=ONE_TIME)
    expect(bought.get_by_text("Active", exact=True)).to_be_visible()
    expect(bought.get_by_role("link", name="Open the plan")).to_be_visible()
    sign_out(page)

    # A second member's card is declined: the message shows and nothing is granted.
    register(page, "Dean Declined", "buyer")
    _open_program(page, ONE_TIME)
    page.get_by_role("button", name=re.compile(r"^Buy for")).click()
    _pay(page, "4000 0000 0000 0002")
    expect(page.get_by_text("Your card was declined.")).to_be_visible()
    _shot(page, "declined")
    page.goto("/purchases")
    expect(page.get_by_text("No purchases yet")).to_be_visible()
    _open_program(page, ONE_TIME)
    expect(page.get_by_role("button", name=re.compile(r"^Buy for"))).to_be_visible()

    # The same member subscribes to a monthly program, cancels, and access ends at period end.
    _open_program(page, MONTHLY)
    page.get_by_role("button", name=re.compile(r"^Subscribe for")).click()
    expect(page.get_by_role("button", name="Subscribe")).to_be_visible()
    _pay(page, "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name="You're in")).to_be_visible(timeout=25_000)
    page.goto("/purchases")
    subscription = page.get_by_role("article", name=MONTHLY)
    expect(subscription.get_by_text(re.compile(r"^Renews on"))).to_be_visible()
    subscription.get_by_role("button", name="Cancel at period end").click()
    page.get_by_role("button", name="Cancel subscription").click()
    expect(subscription.get_by_text(re.compile(r"^Access ends on"))).to_be_visible()
    expect(subscription.get_by_role("button", name="Resume subscription")).to_be_visible()
    _shot(page, "purchases")
    live_app.command("adaptivefit", "payments", "advance-clock", "32")
    page.reload()
    subscription = page.get_by_role("article", name=MONTHLY)
    expect(subscription.get_by_text("Canceled", exact=True)).to_be_visible()
    expect(subscription.get_by_role("link", name="Open the plan")).to_have_count(0)
    _open_program(page, MONTHLY)
    expect(page.get_by_role("button", name=re.compile(r"^Subscribe for"))).to_be_visible()
    sign_out(page)

    # An admin refunds the first member: a too-large amount is refused at the field, then a full refund.
    sign_in(page, ADMIN, live_app.demo_password(ADMIN))
    page.goto("/admin/payments")
    expect(page.get_by_text("TEST MODE")).to_be_visible()
    page.get_by_label("Search by buyer email").fill(first)
    row = page.get_by_role("row", name=f"{first} {ONE_TIME}")
    expect(row).to_be_visible()
    row.get_by_label("Refund amount").fill("500")
    row.get_by_role("button", name="Refund").click()
    expect(row.get_by_text("At most $29.00 is left to refund.")).to_be_visible()
    row.get_by_label("Refund amount").fill("")
    row.get_by_role("button", name="Refund").click()
    # Nothing moves until the admin confirms what the refund will do.
    expect(row.get_by_role("alert")).to_contain_text(f"Refund $29.00 to {first} for {ONE_TIME}? Their access ends.")
    row.get_by_role("button", name="Keep the payment").click()
    expect(row.get_by_text("Active", exact=True)).to_be_visible()
    row.get_by_role("button", name="Refund").click()
    row.get_by_role("button", name="Confirm refund").click()
    expect(row.get_by_text("Refunded", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="charge.refunded").first).to_be_visible()
    _shot(page, "admin")
