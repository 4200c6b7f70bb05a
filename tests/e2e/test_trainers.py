"""Becoming a trainer, as people do it: a member applies with a certificate, a moderator opens the
certificate and approves; the new trainer finds the studio and a public profile with the verified badge.
A rejection needs a reason, which the applicant then reads."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, PASSWORD, register, sign_in, sign_out

pytestmark = pytest.mark.e2e

MODERATOR = "admin@adaptivefit.example"  # the demo has no moderator; admins review too
BIO = "Twelve years coaching barbell strength for beginners and masters lifters. NSCA certified."
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
       b"endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")








def _apply(page, headline: str) -> None:
    page.goto("/become-a-trainer")
    expect(page.get_by_role("heading", name="Become a trainer")).to_be_visible()
    page.get_by_label("Headline").fill(headline)
    page.get_by_label("About you").fill(BIO)
    page.get_by_label("Specialties").fill("strength, masters lifting")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text("Under review.")).to_be_visible()


def _shot(page, name: str, viewport: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
    page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport['width']}.png"), full_page=True)


def test_a_member_applies_and_a_moderator_approves(page, viewport, live_app):
    name = f"Tara Coach {secrets.token_hex(2)}"
    email = register(page, name, "coach")

    page.goto("/become-a-trainer")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text("Write a headline")).to_be_visible()
    expect(page.get_by_text("Tell members about your experience")).to_be_visible()
    expect(page.get_by_text("Name at least one specialty")).to_be_visible()
    _apply(page, "Strength coach for masters lifters")

    # A text file called .pdf is refused by its content; the real PDF is kept.
    upload = page.locator("input[type=file]")
    page.get_by_label("Certificate title").fill("NSCA CSCS")
    upload.set_input_files({"name": "cscs.pdf", "mimeType": "application/pdf", "buffer": b"just text, honest\n"})
    expect(page.get_by_text("Choose a PDF, JPEG, PNG or WebP file.").first).to_be_visible()
    upload.set_input_files({"name": "cscs.pdf", "mimeType": "application/pdf", "buffer": PDF})
    expect(page.get_by_text("Certificate added.")).to_be_visible()
    mine = page.get_by_role("list", name="Your certificates").get_by_role("group", name="NSCA CSCS")
    expect(mine).to_be_visible()
    _shot(page, "become-a-trainer-pending", viewport)
    sign_out(page)

    sign_in(page, MODERATOR, live_app.demo_password(MODERATOR))
    page.goto("/admin/trainers")
    expect(page.get_by_role("heading", name="Trainer applications")).to_be_visible()
    card = page.get_by_role("article", name=name)
    expect(card).to_contain_text("Strength coach for masters lifters")
    expect(card).to_contain_text(email)
    link = card.get_by_role("link", name="NSCA CSCS")
    expect(link).to_have_attribute("target", "_blank")
    href = link.get_attribute("href")
    assert re.fullmatch(r"/api/private/[0-9a-f]{32}\.pdf\?exp=\d+&sig=[0-9a-f]{64}", href)
    opened = page.request.get(href)
    assert opened.status == 200 and opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"].startswith("inline") and opened.body() == PDF
    _shot(page, "admin-trainers-pending", viewport)
    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved. They are now a verified trainer.")).to_be_visible()
    expect(card).to_have_count(0)
    page.get_by_role("tab", name=re.compile(r"^Approved")).click()
    expect(page.get_by_role("article", name=name)).to_contain_text("Approved by Ada Admin on")
    sign_out(page)

    sign_in(page, email, PASSWORD)
    page.goto("/become-a-trainer")
    expect(page.get_by_text("You are a verified trainer.")).to_be_visible()
    expect(page.get_by_role("link", name="Open the studio")).to_have_attribute("href", "/studio")
    page.get_by_role("link", name="View your public profile").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("Verified trainer")).to_be_visible()
    expect(page.get_by_text("Strength coach for masters lifters")).to_be_visible()
    expect(page.get_by_text("No published programs yet.")).to_be_visible()
    _shot(page, "trainer-profile", viewport)

    # Signed out, the profile is public; the certificate is not.
    profile_url = page.url
    sign_out(page)
    page.goto(profile_url)
    expect(page.get_by_text("Verified trainer")).to_be_visible()
    expect(page.get_by_role("link", name="NSCA CSCS")).to_have_count(0)


def test_a_rejection_needs_a_reason_the_applicant_then_reads(page, live_app):
    name = f"Rex Hopeful {secrets.token_hex(2)}"
    email = register(page, name, "coach")
    _apply(page, "Bootcamp instructor")
    sign_out(page)

    sign_in(page, MODERATOR, live_app.demo_password(MODERATOR))
    page.goto("/admin/trainers")
    card = page.get_by_role("article", name=name)
    expect(card).to_contain_text("None uploaded.")
    card.get_by_role("button", name="Reject").click()
    expect(card.get_by_role("alert")).to_have_text("Say why, so the applicant knows what to change.")
    card.get_by_label("Reason for rejecting").fill("Please upload a certificate from an accredited body.")
    card.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Rejected. The applicant sees your reason.")).to_be_visible()
    expect(card).to_have_count(0)
    sign_out(page)

    sign_in(page, email, PASSWORD)
    page.goto("/become-a-trainer")
    expect(page.get_by_text("Your application was not approved.")).to_be_visible()
    expect(page.get_by_text("Please upload a certificate from an accredited body.")).to_be_visible()
    page.get_by_role("button", name="Apply again").click()
    expect(page.get_by_text("Under review.")).to_be_visible()
