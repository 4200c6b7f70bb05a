"""The coach in the workout logger: a struggled set brings a suggestion with its reason; accepting
it changes the next set. Without a model the coach still answers, and /api/health says so."""

from __future__ import annotations

import json
import re
import secrets
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def _register(page) -> None:
    page.goto("/register")
    page.get_by_label("Name").fill("Casey Coached")
    page.get_by_label("Email").fill(f"coached-{secrets.token_hex(4)}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()


def _log(block, reps: str, load: str, rpe: str) -> None:
    block.get_by_label("Reps").fill(reps)
    block.get_by_label(re.compile(r"^Load")).fill(load)
    block.get_by_label("RPE").fill(rpe)
    block.get_by_role("button", name="Log set").click()


def test_a_struggled_set_brings_a_tweak_that_changes_the_next_set(page, live_app, viewport):
    _register(page)
    page.goto("/plans")
    page.get_by_label("New plan name").fill("Coached strength")
    page.get_by_role("button", name="Create plan").click()
    page.get_by_label("Day name").fill("Squat day")
    page.get_by_role("button", name="Add day").click()
    day = page.locator('[aria-label="Squat day"]')
    day.get_by_label("Exercise", exact=True).select_option(label="Barbell Back Squat")
    day.get_by_label("Sets", exact=True).fill("4")
    day.get_by_label("Reps", exact=True).fill("8")
    day.get_by_label("Load", exact=True).fill("60")
    day.get_by_role("button", name="Add to day").click()
    expect(day.get_by_role("list", name="Planned exercises").get_by_text("Barbell Back Squat")).to_be_visible()
    day.get_by_role("button", name="Start this day").click()

    block = page.locator('[aria-label="Barbell Back Squat"]')
    expect(block).to_be_visible()
    # Seven of eight reps at RPE 10: a struggle. The coach asks for more rest first.
    _log(block, "7", "60", "10")
    card = page.get_by_role("region", name="Coach suggestion")
    expect(card).to_be_visible()
    expect(card.get_by_role("heading", name="Rest a little longer")).to_be_visible()
    expect(card).to_contain_text("A tough set")
    expect(card.get_by_label("Coach message")).not_to_be_empty()
    # The studies behind it, each a link to PubMed.
    studies = card.get_by_label("Evidence").get_by_role("link")
    expect(studies).to_have_count(2)
    assert studies.first.get_attribute("href").startswith("https://pubmed.ncbi.nlm.nih.gov/")
    page.screenshot(path=str(ARTIFACTS / f"coach-card-{viewport['width']}.png"))
    card.get_by_role("button", name="Accept").click()
    expect(card).to_have_count(0)
    expect(block.get_by_label("Coach target")).to_contain_text("8 @ 60 kg")

    # A second struggle: now the coach takes weight off, and the next set starts from it.
    _log(block, "7", "60", "10")
    card = page.get_by_role("region", name="Coach suggestion")
    expect(card.get_by_role("heading", name="Go a little lighter")).to_be_visible()
    change = card.get_by_text(re.compile(r"^Next set: "))
    lighter = re.search(r"× 8 @ ([\d.]+) kg", change.inner_text()).group(1)
    assert float(lighter) < 60
    card.get_by_role("button", name="Accept").click()
    expect(block.get_by_label("Coach target")).to_contain_text(f"× 8 @ {lighter} kg")
    expect(block.get_by_label(re.compile(r"^Load"))).to_have_value(lighter)
    expect(block.get_by_label("Reps")).to_have_value("8")

    # Skipping a set trims the volume; dismissing leaves the targets alone.
    block.get_by_role("button", name="Skip set").click()
    card = page.get_by_role("region", name="Coach suggestion")
    expect(card.get_by_role("heading", name="One set fewer")).to_be_visible()
    card.get_by_role("button", name="Dismiss").click()
    expect(card).to_have_count(0)
    expect(block.get_by_label("Coach target")).to_contain_text(f"× 8 @ {lighter} kg")

    # No model here: the coach answered on its templates, and health says so.
    with urllib.request.urlopen(f"{live_app.url}/api/health", timeout=10) as response:
        health = json.load(response)
    assert health["model_available"] is False and health["fallback_enabled"] is True
    assert health["message_path"] == "templates" and health["status"] == "degraded"
