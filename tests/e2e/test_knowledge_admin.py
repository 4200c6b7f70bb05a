"""A moderator's round trip: find a coaching phrase, hide it from training with a reason, find it under
hidden with who hid it and why, and bring it back."""

from __future__ import annotations

from collections import Counter

import pytest
from playwright.sync_api import expect

from adaptivefit.coach.phrases import load_phrases
from adaptivefit.jobs import curated
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

ADMIN = "admin@adaptivefit.example"


def _sign_in(page, live_app, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(live_app.demo_password(email))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Account menu").locator("visible=true")).to_be_visible()


def _phrase_for(viewport: dict) -> str:
    """A phrase no other phrase contains, a different one per screen size, so the two runs do not meet."""
    counts = Counter(p.text for p in load_phrases())
    unique = [text for text, n in counts.items() if n == 1 and not any(text in other for other in counts if other != text)]
    return unique[0 if viewport["width"] > 800 else 1]


def test_a_moderator_hides_a_phrase_and_brings_it_back(page, viewport, live_app):
    seeded = live_app.command("adaptivefit", "library")
    assert "coaching phrases in the knowledge base" in seeded.stdout
    phrase = _phrase_for(viewport)

    _sign_in(page, live_app, ADMIN)
    page.goto("/admin/users")
    page.get_by_role("link", name="Knowledge base moderation →").click()
    expect(page.get_by_role("heading", name="Knowledge base", exact=True)).to_be_visible()
    counts = page.get_by_role("region", name="Records per source")
    shipped = len({curated.phrase_id(p) for p in load_phrases()})
    expect(counts.get_by_role("group", name="Curated phrases")).to_contain_text(str(shipped))
    expect(counts.get_by_role("group", name="PubMed")).to_be_visible()

    page.get_by_label("Search records").fill(phrase)
    record = page.get_by_role("article").filter(has_text=phrase)
    expect(record).to_have_count(1)
    expect(page.get_by_text("1 record", exact=True)).to_be_visible()
    expect(record).to_contain_text("Curated phrases")

    # The reason is required: the browser refuses an empty one before anything is sent.
    reason = record.get_by_label("Reason for hiding")
    record.get_by_role("button", name="Hide").click()
    assert reason.evaluate("input => input.validity.valueMissing")
    reason.fill("Too pushy for beginners.")
    record.get_by_role("button", name="Hide").click()
    expect(page.get_by_text("Record hidden from training.")).to_be_visible()
    expect(record).to_have_count(0)
    expect(page.get_by_text("No records here")).to_be_visible()

    page.get_by_label("Show", exact=True).select_option("hidden")
    expect(record).to_have_count(1)
    expect(record).to_contain_text("Hidden by Ada Admin on")
    expect(record).to_contain_text("Reason: Too pushy for beginners.")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-knowledge-hidden-{viewport['width']}.png"), full_page=True)

    record.get_by_role("button", name="Unhide").click()
    expect(page.get_by_text("Record visible to training again.")).to_be_visible()
    expect(record).to_have_count(0)
    page.get_by_label("Show", exact=True).select_option("visible")
    expect(record).to_have_count(1)
    expect(record.get_by_role("button", name="Hide")).to_be_visible()

    page.get_by_label("Search records").fill("")
    expect(page.get_by_role("article")).to_have_count(25)
    expect(page.get_by_text("Page 1 of")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(ARTIFACTS / f"admin-knowledge-{viewport['width']}.png"), full_page=True)


def test_a_member_cannot_open_the_knowledge_base(page, live_app):
    _sign_in(page, live_app, "member@adaptivefit.example")
    page.goto("/admin/knowledge")
    expect(page.get_by_text("That page is for moderators and admins.")).to_be_visible()
    expect(page.get_by_role("heading", name="Knowledge base", exact=True)).to_have_count(0)
