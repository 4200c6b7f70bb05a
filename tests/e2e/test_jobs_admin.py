"""An admin opens the scheduled jobs, runs the knowledge export now and sees the run succeed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

ADMIN = "admin@adaptivefit.example"
JOB_TITLES = ("PubMed articles", "YouTube channel feeds", "YouTube search", "Knowledge export", "Coach retraining")


def _sign_in_as_admin(page, live_app) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(live_app.demo_password(ADMIN))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Account menu").locator("visible=true")).to_contain_text("Ada Admin")


def test_admin_runs_the_knowledge_export_now(page, viewport, live_app):
    _sign_in_as_admin(page, live_app)
    page.goto("/admin/users")
    page.get_by_role("link", name="Scheduled jobs →").click()
    expect(page.get_by_role("heading", name="Scheduled jobs")).to_be_visible()
    for title in JOB_TITLES:
        expect(page.get_by_role("region", name=title)).to_be_visible()
    # The browser tests run the app with SCHEDULER_ENABLED=false, and the page says what that means.
    expect(page.get_by_text("No scheduler is running")).to_be_visible()
    expect(page.get_by_role("region", name="PubMed articles")).to_contain_text("weekly on Sunday at 03:00 UTC")

    export = page.get_by_role("region", name="Knowledge export")
    expect(export).to_contain_text("daily at 06:00 UTC")
    export.get_by_role("button", name="Run now").click()
    expect(page.get_by_text("Knowledge export: success.")).to_be_visible()
    expect(export).to_contain_text("success")
    expect(export.get_by_role("button", name="Run now")).to_be_enabled()

    newest = page.get_by_role("region", name="Recent runs").get_by_role("row").nth(1)
    expect(newest).to_contain_text("Knowledge export")
    expect(newest).to_contain_text("success")
    expect(newest).to_contain_text("Ada Admin")  # who pressed Run now
    # Nothing wider than the screen: the runs table scrolls inside its box on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-jobs-{viewport['width']}.png"), full_page=True)


def test_a_member_cannot_open_the_jobs_page(page, live_app):
    page.goto("/login")
    page.get_by_label("Email").fill("member@adaptivefit.example")
    page.get_by_label("Password").fill(live_app.demo_password("member@adaptivefit.example"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Account menu").locator("visible=true")).to_be_visible()
    page.goto("/admin/jobs")
    expect(page.get_by_text("That page is for admins.")).to_be_visible()
    expect(page.get_by_role("region", name="Knowledge export")).to_have_count(0)
