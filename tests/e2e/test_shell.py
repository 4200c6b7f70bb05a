"""The first things a person sees: the landing page, the navigation, a wrong address, health."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_landing_page_says_what_adaptive_fit_is(page, viewport):
    page.goto("/")
    expect(page.get_by_role("heading", name="Training that adapts to you, set by set")).to_be_visible()
    expect(page.get_by_text("never suggests anything unsafe")).to_be_visible()
    expect(page).to_have_title("Adaptive Fit")
    # One navigation for the width: a sidebar on desktop, a bottom tab bar on phones.
    sidebar = page.get_by_role("navigation", name="Main")
    tabs = page.get_by_role("navigation", name="Tabs")
    if viewport["width"] >= 1024:
        expect(sidebar).to_be_visible()
        expect(tabs).to_be_hidden()
    else:
        expect(tabs).to_be_visible()
        expect(sidebar).to_be_hidden()
        box = tabs.bounding_box()
        assert box["y"] + box["height"] == pytest.approx(viewport["height"], abs=1)
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def _nav(page, viewport):
    return page.get_by_role("navigation", name="Main" if viewport["width"] >= 1024 else "Tabs")


def test_navigation_reaches_each_page(page, viewport):
    page.goto("/")
    nav = _nav(page, viewport)
    nav.get_by_role("link", name="Exercises", exact=True).click()
    expect(page).to_have_url(re.compile(r"/exercises/?$"))
    expect(page.get_by_role("heading", name="Exercise library")).to_be_visible()
    expect(nav.get_by_role("link", name="Exercises", exact=True)).to_have_attribute("aria-current", "page")

    if viewport["width"] >= 1024:
        nav.get_by_role("link", name="Equipment", exact=True).click()
    else:
        # The phone tab bar keeps to the daily tabs; the catalog is a link on the home page.
        nav.get_by_role("link", name="Home", exact=True).click()
        page.get_by_role("link", name="See the equipment").click()
    expect(page).to_have_url(re.compile(r"/equipment/?$"))
    expect(page.get_by_role("heading", name="Equipment", exact=True)).to_be_visible()
    picture = page.get_by_role("img", name="Barbell", exact=True)
    expect(picture).to_be_visible()
    # The picture really loads from the upload folder (waits for it; fails on a broken image).
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())

    nav.get_by_role("link", name="Home", exact=True).click()
    expect(page.get_by_role("heading", name="Training that adapts to you, set by set")).to_be_visible()


def test_navigation_lists_only_pages_that_exist(page, live_app):
    page.goto("/")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    hrefs = {href for href in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")}
    for href in hrefs:
        with urllib.request.urlopen(live_app.url + href) as response:
            assert response.status == 200, href


def test_exercise_library_searches_and_filters(page):
    page.goto("/exercises")
    count = page.get_by_role("status")
    expect(count).to_have_text(re.compile(r"^\d{3} exercises$"))
    page.get_by_label("Search exercises").fill("back squat")
    expect(page.get_by_role("heading", name="Barbell Back Squat")).to_be_visible()
    expect(page.get_by_role("heading", name="Barbell Bench Press")).to_have_count(0)

    page.get_by_role("button", name="Clear filters").click()
    page.get_by_label("Category").click()
    page.get_by_role("option", name="Core").click()
    expect(page.get_by_role("heading", name="Plank", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Barbell Back Squat")).to_have_count(0)

    page.get_by_label("Search exercises").fill("no such exercise at all")
    expect(page.get_by_role("heading", name="No exercise matches")).to_be_visible()


def test_unknown_address_shows_a_real_404_page(page, viewport, live_app):
    response = page.goto("/no/such/page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_role("link", name="Go to the home page").click()
    expect(page.get_by_role("heading", name="Training that adapts to you, set by set")).to_be_visible()


def test_health_endpoint_answers_json(live_app):
    with urllib.request.urlopen(f"{live_app.url}/api/health") as response:
        assert response.status == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["x-request-id"]
        body = json.load(response)
    assert body["status"] in ("healthy", "degraded") and body["database"] is True


def test_the_app_is_installable_as_a_progressive_web_app(page, live_app):
    page.goto("/")
    manifest_href = page.locator("link[rel=manifest]").get_attribute("href")
    with urllib.request.urlopen(live_app.url + manifest_href) as response:
        manifest = json.load(response)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    for icon in manifest["icons"]:
        with urllib.request.urlopen(live_app.url + icon["src"]) as response:
            assert response.headers["content-type"] == "image/png"


def test_demo_command_printed_the_accounts(live_app):
    for email in ("member@adaptivefit.example", "trainer@adaptivefit.example", "admin@adaptivefit.example"):
        assert email in live_app.demo_output


def test_sign_in_shows_the_user_menu_and_sign_out_ends_the_session(page, viewport, live_app):
    page.goto("/login")
    page.get_by_label("Email").fill("member@adaptivefit.example")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That email and password do not match an account.")

    page.get_by_label("Password").fill(live_app.demo_password("member@adaptivefit.example"))
    page.get_by_role("button", name="Sign in").click()
    menu = page.get_by_role("button", name="Account menu").locator("visible=true")
    expect(menu).to_contain_text("Maya Member")
    token = page.evaluate("localStorage.getItem('af_session')")
    assert token and len(token) >= 43

    page.reload()
    expect(menu).to_contain_text("Maya Member")
    menu.click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").locator("visible=true")).to_be_visible()

    # The old token is dead on the server, not just forgotten by the browser.
    page.evaluate(f"localStorage.setItem('af_session', {json.dumps(token)})")
    page.reload()
    expect(page.get_by_role("link", name="Sign in").locator("visible=true")).to_be_visible()
