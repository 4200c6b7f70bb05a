"""The browser-test harness: the real app in production mode, driven through Debian's Chromium.

`live_app` builds and starts `reflex run --env prod --single-port` once per test session on a
free loopback port with its own database and upload folder (migrated, then filled with the
demo). Each test gets a fresh browser page; a failing test leaves a screenshot in
test-artifacts/, and any error in the browser console fails the test.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BUILD_TIMEOUT_S = 900


@dataclass(frozen=True)
class LiveApp:
    url: str
    env: dict[str, str]
    log: Path
    demo_output: str
    outbox: Path

    def emails_to(self, address: str) -> list:
        """Messages the app wrote to its outbox for this address, oldest first."""
        import email
        from email import policy

        files = sorted(self.outbox.glob("*.eml")) if self.outbox.exists() else []
        messages = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
        return [m for m in messages if m["To"] == address]

    def demo_password(self, email: str) -> str:
        for line in self.demo_output.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == email:
                return parts[1]
        raise AssertionError(f"the demo did not print a password for {email}")

    def command(self, *args: str) -> subprocess.CompletedProcess:
        """Run a project command against the app's own database."""
        return subprocess.run(args, cwd=PROJECT_ROOT, env=self.env, capture_output=True, text=True, timeout=300, check=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def pytest_runtest_makereport(item, call):
    if call.when == "call" and call.excinfo is not None:
        page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
        if page is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            name = item.nodeid.replace("/", "_").replace("::", "__").replace("[", "_").replace("]", "")
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            except Exception:  # the page may be gone; the test's own error is what matters
                pass


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> LiveApp:
    home = tmp_path_factory.mktemp("live-app")
    port = _free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": f"sqlite:///{home / 'app.db'}",
        "UPLOAD_DIR": str(home / "uploads"),
        "OUTBOX_DIR": str(home / "outbox"),
        "ADAPTIVEFIT_HOME": str(home),
        "SECRET_KEY": "e2e-" + "x" * 40,
        "PORT": str(port),
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "LOG_FORMAT": "json",
        # No scheduled job may fire (and reach PubMed or YouTube) during a test; "Run now" still works.
        "SCHEDULER_ENABLED": "false",
    }
    env.pop("REDIS_URL", None)
    subprocess.run([_bin("reflex"), "db", "migrate"], cwd=PROJECT_ROOT, env=env, check=True, timeout=300)
    demo = subprocess.run([_bin("adaptivefit"), "demo"], cwd=PROJECT_ROOT, env=env, check=True, timeout=300,
                          capture_output=True, text=True)
    log = home / "app.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [_bin("reflex"), "run", "--env", "prod", "--single-port", "--backend-host", "127.0.0.1"],
            cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + BUILD_TIMEOUT_S
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the app stopped while starting:\n{log.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start in {BUILD_TIMEOUT_S} s:\n{log.read_text()[-4000:]}")
            time.sleep(1)
        yield LiveApp(url=url, env=env, log=log, demo_output=demo.stdout, outbox=home / "outbox")
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop the app and everything it started (the build server, the backend workers)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=30)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed: run scripts/test, which installs it from Debian")
    with sync_playwright() as playwright:
        browser_ = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser_
        browser_.close()


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def viewport(request) -> dict:
    return request.param


@pytest.fixture
def page(browser, live_app, request):
    size = request.getfixturevalue("viewport") if "viewport" in request.fixturenames else DESKTOP
    context = browser.new_context(viewport=size, base_url=live_app.url)
    page_ = context.new_page()
    page_.set_default_timeout(15_000)
    errors: list[str] = []
    page_.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page_.on("console", lambda message: message.type == "error" and not _expected(message.text)
             and errors.append(f"console error: {message.text}"))
    yield page_
    context.close()
    assert errors == [], "the browser reported errors"


def _expected(text: str) -> bool:
    # A 404 page is served with status 404 on purpose; Chromium logs that as a failed load.
    return "404 (Not Found)" in text


# -- what people do on many pages ---------------------------------------------------------------

PASSWORD = "correct horse battery staple"


def register(page, name: str, prefix: str = "member") -> str:
    """Create an account through the form; returns its new, unique email address."""
    from playwright.sync_api import expect

    email = f"{prefix}-{os.urandom(4).hex()}@example.com"
    page.goto("/register")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    return email


def sign_in(page, email: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Account menu").locator("visible=true")).to_be_visible()


def sign_out(page) -> None:
    """Through the account menu, by keyboard (a long staff sidebar may run past the window's bottom).

    A press that lands while the page is still settling after a navigation (a sign-in's redirect)
    finds the menu shut or re-drawn, so it is tried again, as a person would.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    menu = page.get_by_role("button", name="Account menu").locator("visible=true")
    item = page.get_by_role("menuitem", name="Sign out")
    for _ in range(5):
        try:
            menu.press("Enter", timeout=5_000)
            item.press("Enter", timeout=3_000)
            expect(page.get_by_role("button", name="Account menu")).to_have_count(0, timeout=5_000)
            return
        except (PlaywrightTimeout, AssertionError):
            if page.get_by_role("button", name="Account menu").count() == 0:
                return
            page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Account menu")).to_have_count(0)
