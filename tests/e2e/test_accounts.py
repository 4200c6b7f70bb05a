"""Account journeys as a new user takes them: register, sign in, two-factor, throttling,
password reset, avatar, data export, account deletion, and an admin's moderation."""

from __future__ import annotations

import io
import json
import re
import secrets
import time
import zipfile

import pyotp
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import sign_out

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def _new_email() -> str:
    return f"user-{secrets.token_hex(4)}@example.com"


def _register(page, email: str, name: str = "Robin Runner") -> None:
    page.goto("/register")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()


def _account_menu(page):
    return page.get_by_role("button", name="Account menu").locator("visible=true")




def _sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _enter_code(page, code: str) -> None:
    page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Verify").click()


def _enable_two_factor(page) -> tuple[str, list[str]]:
    page.goto("/settings/security")
    page.get_by_role("button", name="Set up two-factor authentication").click()
    secret = page.get_by_label("Setup key").inner_text().strip()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor").click()
    codes_list = page.get_by_role("list", name="Recovery codes")
    expect(codes_list.get_by_role("listitem")).to_have_count(10)
    codes = [c.strip() for c in codes_list.get_by_role("listitem").all_inner_texts()]
    page.get_by_role("button", name="I have saved them").click()
    return secret, codes


def test_register_sign_out_and_in_again(page, viewport):
    email = _new_email()
    _register(page, email, name="<b>Robin</b> Zoë")
    # The name is shown as text, never as HTML.
    expect(_account_menu(page)).to_contain_text("<b>Robin</b> Zoë")
    sign_out(page)
    _sign_in(page, email)
    expect(_account_menu(page)).to_contain_text("Robin")


def test_registration_explains_bad_input_at_each_field(page):
    page.goto("/register")
    page.get_by_label("Name").fill("Sam")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Enter an email address like name@example.com.")).to_be_visible()
    expect(page.get_by_text("This password is one of the most common ones")).to_be_visible()


def test_two_factor_sign_in_with_a_code_and_a_single_use_recovery_code(page, live_app):
    email = _new_email()
    _register(page, email)
    secret, codes = _enable_two_factor(page)
    expect(page.get_by_text("10 unused recovery codes left.")).to_be_visible()
    sign_out(page)

    # Password alone is not enough: the second step asks for a code.
    _sign_in(page, email)
    expect(page.get_by_label("Authentication code")).to_be_visible()
    # The code that turned 2FA on is spent (no replay); the next step's code is within the allowed drift.
    _enter_code(page, pyotp.TOTP(secret).at(time.time() + 30))
    expect(_account_menu(page)).to_contain_text("Robin")
    sign_out(page)

    _sign_in(page, email)
    _enter_code(page, codes[0])
    expect(_account_menu(page)).to_contain_text("Robin")
    sign_out(page)

    _sign_in(page, email)
    _enter_code(page, codes[0])
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    expect(page.get_by_role("button", name="Account menu").locator("visible=true")).to_have_count(0)
    assert any("Two-factor" in (m["Subject"] or "") or "two-factor" in m.get_body().get_content()
               for m in live_app.emails_to(email))


def test_repeated_wrong_passwords_lock_sign_in_with_a_clear_message(page):
    email = _new_email()
    _register(page, email)
    sign_out(page)
    for _ in range(4):
        _sign_in(page, email, "wrong password " + secrets.token_hex(2))
        expect(page.get_by_text("That email and password do not match an account.")).to_be_visible()
    _sign_in(page, email, "wrong password again")
    expect(page.get_by_text(re.compile(r"Too many failed attempts\. Sign-in is locked for \d+ minutes?"))).to_be_visible()
    # Even the right password waits until the lock ends.
    _sign_in(page, email)
    expect(page.get_by_text(re.compile(r"Too many failed attempts"))).to_be_visible()


def test_password_reset_through_the_outbox(page, live_app):
    email = _new_email()
    _register(page, email)
    sign_out(page)
    page.goto("/forgot-password")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("status").filter(has_text="a link to reset")).to_be_visible()
    body = live_app.emails_to(email)[-1].get_body().get_content()
    reset_path = re.search(r"/reset-password\?token=\S+", body).group(0)
    page.goto(reset_path)
    page.get_by_label("New password", exact=True).fill("a completely new passphrase")
    page.get_by_label("Repeat the new password").fill("a completely new passphrase")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    _sign_in(page, email, PASSWORD)
    expect(page.get_by_text("That email and password do not match an account.")).to_be_visible()
    _sign_in(page, email, "a completely new passphrase")
    expect(_account_menu(page)).to_contain_text("Robin")
    # The link works once.
    page.goto(reset_path)
    expect(page.get_by_text("This reset link is not valid any more.")).to_be_visible()


def _png_bytes(colour=(200, 40, 40), size=(640, 400)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_change_avatar_then_export_and_delete_the_account(page, live_app, tmp_path):
    email = _new_email()
    _register(page, email)
    expect(page.get_by_role("img", name="No profile picture yet")).to_be_visible()
    page.locator("input[type=file]").set_input_files(
        {"name": "../../etc/passwd.png", "mimeType": "image/png", "buffer": _png_bytes()})
    expect(page.get_by_text("Your new picture is saved.")).to_be_visible()
    expect(page.get_by_role("img", name="Your profile picture")).to_have_attribute("src", re.compile(r"/_upload/[0-9a-f]{32}\.(png|webp)$"))

    page.get_by_label("Height (cm)").fill("181")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export my data").click()
    archive = zipfile.ZipFile(download_info.value.path())
    names = archive.namelist()
    assert "profile.json" in names and any(n.startswith("uploads/") for n in names)
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == email and profile["height_cm"] == 181
    everything = b"".join(archive.read(n) for n in names)
    assert b"password_hash" not in everything and b"$2b$" not in everything

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account and your data are deleted.")).to_be_visible()
    _sign_in(page, email)
    expect(page.get_by_text("That email and password do not match an account.")).to_be_visible()


def test_pages_for_a_role_you_lack_redirect_with_a_message(page):
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    _register(page, _new_email())
    page.goto("/admin/users")
    expect(page.get_by_text("That page is for moderators and admins.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")).to_have_count(0)


def test_admin_suspends_a_member_whose_session_ends_at_once(browser, live_app):
    member_context = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 800})
    member = member_context.new_page()
    email = _new_email()
    _register(member, email, name="Sus Pended")

    admin_context = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 800})
    admin = admin_context.new_page()
    _sign_in(admin, "admin@adaptivefit.example", live_app.demo_password("admin@adaptivefit.example"))
    expect(_account_menu(admin)).to_contain_text("Ada Admin")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    admin.get_by_label("Search users").fill(email)
    row = admin.get_by_role("row", name=email)
    expect(row).to_be_visible()
    row.get_by_label("Reason for suspension").fill("Spam in reviews")
    row.get_by_role("button", name="Suspend").click()
    expect(admin.get_by_text("User suspended; their sessions ended.")).to_be_visible()
    expect(row.get_by_text("suspended")).to_be_visible()

    member.goto("/profile")
    expect(member.get_by_role("heading", name="Sign in")).to_be_visible()

    admin.goto("/admin/audit")
    admin.get_by_label("User", exact=True).fill(email)
    admin.get_by_label("Event").select_option("suspended")
    entries = admin.get_by_role("row").filter(has_text=email)
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text("Spam in reviews")
    member_context.close()
    admin_context.close()
