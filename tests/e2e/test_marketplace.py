"""The marketplace journey: the demo trainer builds and publishes a program, a member finds it by
filter and reads the week-1 preview, a moderator hides it with a reason the trainer then sees."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, sign_out

pytestmark = pytest.mark.e2e

TRAINER = "trainer@adaptivefit.example"
ADMIN = "admin@adaptivefit.example"
PASSWORD = "correct horse battery staple"


def _shot(page, viewport, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"marketplace-{name}-{viewport['width']}.png"), full_page=True)


def _sign_in(page, live_app, email: str, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(live_app.demo_password(email))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Account menu").locator("visible=true")).to_contain_text(name)




def test_build_publish_find_preview_and_hide(page, viewport, live_app):
    title = f"Press Power {secrets.token_hex(3)}"

    # The demo trainer starts a program in the studio.
    _sign_in(page, live_app, TRAINER, "Theo Trainer")
    page.goto("/studio")
    expect(page.get_by_role("article", name="Strong in 12 Hours")).to_be_visible()
    page.get_by_label("Program title").fill(title)
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_role("heading", name="Program builder")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value(title)

    # Details: description, goal, level, length and a one-time price.
    page.get_by_label("Description").fill("Six weeks of pressing for advanced lifters, at home.")
    page.get_by_label("Goal").select_option(label="Powerlifting")
    page.get_by_label("Level").select_option(label="Advanced")
    page.get_by_label("Duration (weeks)").fill("6")
    page.get_by_label("One-time price").check()
    page.get_by_label("Price", exact=True).fill("19")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Details saved.")).to_be_visible()

    # Publishing an empty program says what is missing.
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Add at least one day with an exercise").first).to_be_visible()

    # Weeks and exercises are edited in the plan editor.
    page.get_by_role("link", name="Edit weeks and exercises").click()
    expect(page).to_have_url(re.compile(r"/plans\?plan=\d+"))
    expect(page.get_by_text("Program draft:")).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    page.get_by_label("Day name").fill("Press day")
    page.get_by_role("button", name="Add day").click()
    day = page.locator('[aria-label="Press day"]')
    expect(day).to_be_visible()
    day.get_by_label("Exercise", exact=True).select_option(label="Push-Up")
    day.get_by_label("Sets", exact=True).fill("4")
    day.get_by_label("Reps", exact=True).fill("8-12")
    day.get_by_label("Target RPE").fill("8")
    day.get_by_role("button", name="Add to day").click()
    expect(day.get_by_role("list", name="Planned exercises").get_by_text("Push-Up")).to_be_visible()
    page.get_by_role("link", name="back to the builder").click()

    expect(page.get_by_text("1 week, 1 day, 1 exercise")).to_be_visible()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published: the program is on the marketplace.")).to_be_visible()
    expect(page.get_by_role("list", name="Versions").get_by_text("Version 1")).to_be_visible()
    _shot(page, viewport, "builder")
    sign_out(page)

    # A new member finds it by filter and reads the first week.
    page.goto("/register")
    page.get_by_label("Name").fill("Mia Member")
    page.get_by_label("Email").fill(f"buyer-{secrets.token_hex(4)}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    page.goto("/marketplace")
    programs = page.get_by_role("list", name="Programs")
    expect(programs.get_by_role("listitem", name="Strong in 12 Hours")).to_be_visible()
    page.get_by_label("Goal").select_option(label="Powerlifting")
    page.get_by_label("Level").select_option(label="Advanced")
    expect(programs.get_by_role("listitem", name="Strong in 12 Hours")).to_have_count(0)
    card = programs.get_by_role("listitem", name=title)
    expect(card).to_be_visible()
    expect(card.get_by_text("$19.00")).to_be_visible()
    _shot(page, viewport, "browse")
    page.get_by_label("Goal").select_option(label="Hypertrophy")
    expect(page.get_by_text("No programs match")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    page.get_by_label("Search programs").fill(title)
    programs.get_by_role("listitem", name=title).click()

    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("link", name="Theo Trainer")).to_have_attribute("href", re.compile(r"/trainers/\d+"))
    preview = page.get_by_role("list", name="Press day")
    expect(preview.get_by_text("Push-Up")).to_be_visible()
    expect(preview.get_by_text("4 × 8-12 · RPE 8 · rest 120 s")).to_be_visible()
    expect(page.get_by_role("button", name="Buy for $19.00")).to_be_visible()
    _shot(page, viewport, "program")
    sign_out(page)

    # Anonymous visitors browse too, and are asked to sign in to buy.
    page.goto(page.url)
    expect(page.get_by_role("link", name="Sign in to buy")).to_be_visible()

    # A moderator (the admin) hides it with a reason.
    _sign_in(page, live_app, ADMIN, "Ada Admin")
    page.goto("/admin/programs")
    page.get_by_label("Search programs").fill(title)
    row = page.get_by_role("article", name=title)
    expect(row).to_be_visible()
    row.get_by_label("Reason for hiding").fill("Claims in the description need a source.")
    row.get_by_role("button", name="Hide", exact=True).click()
    expect(row.get_by_text("Claims in the description need a source.")).to_be_visible()
    _shot(page, viewport, "moderation")
    sign_out(page)

    # Gone from the marketplace; the trainer sees why in the studio.
    page.goto("/marketplace")
    page.get_by_label("Search programs").fill(title)
    expect(page.get_by_text("No programs match")).to_be_visible()
    _sign_in(page, live_app, TRAINER, "Theo Trainer")
    page.goto("/studio")
    mine = page.get_by_role("article", name=title)
    expect(mine.get_by_text("hidden by moderator")).to_be_visible()
    expect(mine.get_by_text("Claims in the description need a source.")).to_be_visible()
    _shot(page, viewport, "studio")
