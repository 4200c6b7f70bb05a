"""The whole marketplace journey with new people only (no demo program): a member applies to be a
trainer, a moderator approves, the trainer connects Stripe (test onboarding), builds and publishes a
program; a member finds it by filter, pays with 4242 and trains it; another member's card fails for
insufficient funds and gets nothing; an admin refunds the buyer in full and access ends; the
trainer's earnings show the sale and the refund."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, PASSWORD, register, sign_in, sign_out

pytestmark = pytest.mark.e2e

ADMIN = "admin@adaptivefit.example"
BIO = "Ten years of kettlebell and barbell coaching for busy adults. StrongFirst and NSCA certified."








def _pay(page, card: str) -> None:
    expect(page.get_by_text("TEST MODE")).to_be_visible()
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiry (MM / YY)").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Test Buyer")
    page.get_by_role("button", name="Pay").click()


def _find(page, title: str) -> None:
    """As a member would: filter the marketplace down to the program, then open it."""
    page.goto("/marketplace")
    page.get_by_label("Goal").select_option(label="Strength")
    page.get_by_label("Level").select_option(label="Advanced")
    programs = page.get_by_role("list", name="Programs")
    expect(programs.get_by_role("listitem", name="Strong in 12 Hours")).to_have_count(0)
    card = programs.get_by_role("listitem", name=title)
    expect(card.get_by_text("$25.00")).to_be_visible()
    card.click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_apply_approve_build_sell_decline_and_refund(page, live_app):
    coach = f"Kara Bell {secrets.token_hex(2)}"
    title = f"Kettlebell Strength {secrets.token_hex(3)}"

    # A member applies to be a trainer; a moderator approves.
    coach_email = register(page, coach, "coach")
    page.goto("/become-a-trainer")
    page.get_by_label("Headline").fill("Kettlebell strength for busy adults")
    page.get_by_label("About you").fill(BIO)
    page.get_by_label("Specialties").fill("kettlebells, strength")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text("Under review.")).to_be_visible()
    sign_out(page)
    sign_in(page, ADMIN, live_app.demo_password(ADMIN))
    page.goto("/admin/trainers")
    page.get_by_role("article", name=coach).get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved. They are now a verified trainer.")).to_be_visible()
    sign_out(page)

    # The new trainer connects payouts through the (test) Stripe onboarding.
    sign_in(page, coach_email, PASSWORD)
    page.goto("/studio/earnings")
    expect(page.get_by_text(re.compile("^Not connected"))).to_be_visible()
    page.get_by_role("button", name="Connect payouts with Stripe").click()
    page.get_by_role("button", name="Complete test onboarding").click()
    expect(page).to_have_url(re.compile(r"/studio/earnings"))
    expect(page.get_by_text(re.compile("^Payouts enabled"))).to_be_visible()

    # ... builds the program: details, then a day of exercises in the plan editor, then publishes.
    page.goto("/studio")
    page.get_by_label("Program title").fill(title)
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_role("heading", name="Program builder")).to_be_visible()
    page.get_by_label("Description").fill("Four weeks of kettlebell swings and presses, three days a week.")
    page.get_by_label("Goal").select_option(label="Strength")
    page.get_by_label("Level").select_option(label="Advanced")
    page.get_by_label("Duration (weeks)").fill("4")
    page.get_by_label("One-time price").check()
    page.get_by_label("Price", exact=True).fill("25")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Details saved.")).to_be_visible()
    page.get_by_role("link", name="Edit weeks and exercises").click()
    page.get_by_label("Day name").fill("Swing day")
    page.get_by_role("button", name="Add day").click()
    day = page.locator('[aria-label="Swing day"]')
    day.get_by_label("Exercise", exact=True).select_option(label="Push-Up")
    day.get_by_label("Sets", exact=True).fill("5")
    day.get_by_label("Reps", exact=True).fill("10")
    day.get_by_role("button", name="Add to day").click()
    expect(day.get_by_role("list", name="Planned exercises").get_by_text("Push-Up")).to_be_visible()
    page.get_by_role("link", name="back to the builder").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published: the program is on the marketplace.")).to_be_visible()
    sign_out(page)

    # A member finds it by filter, pays with 4242, and the webhook gives them the plan.
    buyer_email = register(page, "Bea Buyer", "buyer")
    _find(page, title)
    page.get_by_role("button", name="Buy for $25.00").click()
    expect(page).to_have_url(re.compile(r"/api/test-pay/checkout/cs_test_"))
    expect(page.get_by_text("$25.00", exact=True)).to_be_visible()
    _pay(page, "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name="You're in")).to_be_visible(timeout=25_000)
    page.goto("/plans")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("heading", name="Swing day")).to_be_visible()
    page.goto("/purchases")
    bought = page.get_by_role("article", name=title)
    expect(bought.get_by_text("Active", exact=True)).to_be_visible()

    # As a buyer they review it once, then edit that same review.
    _find(page, title)
    page.get_by_label("Rating").select_option(label="4 stars")
    page.get_by_label("Your review").fill("Short sessions that still leave me tired in a good way.")
    page.get_by_role("button", name="Save review").click()
    reviews = page.get_by_role("list", name="Reviews")
    expect(reviews.get_by_text("Short sessions that still leave me tired in a good way.")).to_be_visible()
    expect(page.get_by_role("heading", name="Edit your review")).to_be_visible()
    page.get_by_label("Rating").select_option(label="5 stars")
    page.get_by_label("Your review").fill("Six weeks in: my swing went from 16 to 24 kg.")
    page.get_by_role("button", name="Save review").click()
    expect(reviews.get_by_text("Six weeks in: my swing went from 16 to 24 kg.")).to_be_visible()
    expect(reviews.get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_text("★★★★★ 5.0 (1)").first).to_be_visible()
    sign_out(page)

    # Another member's card fails for insufficient funds: the message shows, nothing is granted.
    register(page, "Nell Nofunds", "broke")
    _find(page, title)
    page.get_by_role("button", name="Buy for $25.00").click()
    expect(page).to_have_url(re.compile(r"/api/test-pay/checkout/cs_test_"))
    _pay(page, "4000 0000 0000 9995")
    expect(page.get_by_text("Your card has insufficient funds.")).to_be_visible()
    page.goto("/purchases")
    expect(page.get_by_text("No purchases yet")).to_be_visible()
    sign_out(page)

    # A moderator (the admin) takes the review down; a reason is required.
    sign_in(page, ADMIN, live_app.demo_password(ADMIN))
    _find(page, title)
    review = page.get_by_role("listitem", name="Review by Bea")
    review.get_by_role("button", name="Remove review").click()
    expect(review.get_by_text("Say why the review is removed.")).to_be_visible()
    review.get_by_label("Reason for removing").fill("Test of moderation")
    review.get_by_role("button", name="Remove review").click()
    expect(page.get_by_text("No reviews yet.")).to_be_visible()

    # The admin refunds the buyer in full.
    page.goto("/admin/payments")
    page.get_by_label("Search by buyer email").fill(buyer_email)
    row = page.get_by_role("row", name=re.compile(re.escape(title)))
    expect(row).to_be_visible()
    row.get_by_role("button", name="Refund").click()
    row.get_by_role("button", name="Confirm refund").click()
    expect(row.get_by_text("Refunded", exact=True)).to_be_visible()
    sign_out(page)

    # The buyer's access has ended: the purchase says so and the program is for sale to them again.
    sign_in(page, buyer_email, PASSWORD)
    page.goto("/purchases")
    refunded = page.get_by_role("article", name=title)
    expect(refunded.get_by_text("Refunded", exact=True)).to_be_visible()
    expect(refunded.get_by_role("link", name="Open the plan")).to_have_count(0)
    _find(page, title)
    expect(page.get_by_role("button", name="Buy for $25.00")).to_be_visible()
    sign_out(page)

    # The trainer's earnings show the sale and the refund, money that went through Stripe's transfer.
    sign_in(page, coach_email, PASSWORD)
    page.goto("/studio/earnings")
    expect(page.get_by_role("img", name=re.compile("^Net earnings by month"))).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey-trainer-earnings-1280.png"), full_page=True)
