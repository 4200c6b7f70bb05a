"""A member's food day: targets, logging by search and by barcode, copying yesterday's lunch,
the rings, weighing in against seeded history, the trend chart and the expenditure suggestion."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import SHARED_DATA, shared_data_missing

PRODUCT = SHARED_DATA / "food" / "openfoodfacts" / "robotoff" / "3228857000852.json"
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shared_data_missing(PRODUCT), reason=f"{PRODUCT} not found")]


def _sign_in_as_member(page, live_app):
    page.goto("/login")
    page.get_by_label("Email").fill("member@adaptivefit.example")
    page.get_by_label("Password").fill(live_app.demo_password("member@adaptivefit.example"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Account menu").locator("visible=true")).to_contain_text("Maya")


def test_food_day_with_targets_barcode_copy_weight_and_expenditure(page, live_app):
    # An Open Food Facts product, imported the way an operator would, so its barcode is known.
    imported = live_app.command(str(Path(sys.executable).parent / "adaptivefit"), "import-foods", str(PRODUCT))
    assert "1 added" in imported.stdout or "1 merged" in imported.stdout

    _sign_in_as_member(page, live_app)
    page.goto("/nutrition")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    page.get_by_label("Goal", exact=True).select_option("lose")
    page.get_by_label("Rate (kg per week)").fill("0.25")
    page.get_by_role("button", name="Set targets").click()
    expect(page.get_by_text("Targets set.")).to_be_visible()
    calories = page.get_by_role("progressbar", name="Calories")
    before = int(calories.get_attribute("value") or 0)

    page.get_by_label("Search foods").fill("oats")
    page.get_by_role("button", name=re.compile(r"^Oats", re.I)).first.click()
    page.get_by_label("Quantity").fill("80")
    page.get_by_label("Meal").select_option("breakfast")
    page.get_by_role("button", name="Add to diary").click()
    expect(page.get_by_text(re.compile(r"^Logged Oats", re.I))).to_be_visible()
    breakfast = page.locator('[aria-label="Breakfast"]')
    expect(breakfast.get_by_text(re.compile(r"80 g"))).to_be_visible()

    breakfast.get_by_role("button", name=re.compile(r"^Edit Oats", re.I)).click()
    breakfast.get_by_label("New quantity").fill("60")
    breakfast.get_by_role("button", name="Save").click()
    expect(breakfast.get_by_text(re.compile(r"60 g"))).to_be_visible()

    # A food of my own from its label, found again by its barcode.
    page.get_by_role("button", name="Add your own food").click()
    page.get_by_label("Food name").fill("Gran's flapjack")
    page.get_by_label("Barcode (optional)").fill("4006381333931")
    for label, value in (("Energy (kcal)", "450"), ("Protein (g)", "6"), ("Carbohydrate (g)", "60"), ("Fat (g)", "20")):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save my food").click()
    expect(page.get_by_text("Source: Your own food")).to_be_visible()

    page.get_by_label("Barcode", exact=True).fill("3228857000852")
    page.get_by_role("button", name="Find by barcode").click()
    # As a person would, wait for the food to show before typing its amount.
    expect(page.get_by_text(re.compile(r"^Pain 100% mie nature.*kcal per 100 g$", re.I))).to_be_visible()
    page.get_by_label("Quantity").fill("30")
    page.get_by_label("Meal").select_option("snack")
    page.get_by_role("button", name="Add to diary").click()
    expect(page.locator('[aria-label="Snacks"]').get_by_text("30 g", exact=False)).to_be_visible()

    lunch = page.locator('[aria-label="Lunch"]')
    lunch.get_by_role("button", name="Copy yesterday's lunch").click()
    expect(page.get_by_text(re.compile(r"Copied \d+ items? from yesterday"))).to_be_visible()
    expect(lunch.get_by_role("button", name=re.compile(r"^Delete "))).not_to_have_count(0)
    expect(calories).not_to_have_attribute("value", str(before))

    # Bad input is refused at the field.
    page.get_by_label("Search foods").fill("banana")
    page.get_by_role("button", name=re.compile(r"^Banana", re.I)).first.click()
    page.get_by_label("Quantity").fill("-5")
    page.get_by_role("button", name="Add to diary").click()
    expect(page.get_by_role("alert").first).to_be_visible()

    page.get_by_label(re.compile(r"^Today's weight")).fill("66.4")
    page.get_by_role("button", name="Log weight").click()
    expect(page.get_by_text("Weight logged.")).to_be_visible()
    trend_chart = page.get_by_role("img", name="Bodyweight trend chart")
    expect(trend_chart.locator("path.recharts-line-curve").last).to_be_visible()
    expect(trend_chart.locator(".recharts-line-dot").first).to_be_attached()
    suggestion = page.get_by_role("status", name="Expenditure suggestion")
    expect(suggestion).to_contain_text("kcal a day")
    suggestion.get_by_role("button", name="Update my calorie target").click()
    expect(page.get_by_text("Calorie target updated from your expenditure.")).to_be_visible()


# A camera and a barcode detector for a browser that has neither: the detector reads the product's
# code once the preview is playing, the camera is a canvas that keeps changing colour.
SCANNER_STUB = """
(() => {
  const code = "__CODE__";
  window.__camera = { constraints: null, stream: null };
  window.BarcodeDetector = class {
    static async getSupportedFormats() { return ["ean_13", "ean_8", "upc_a", "upc_e", "qr_code"]; }
    constructor(options) { window.__camera.formats = options.formats; }
    async detect(source) {
      if (!(source instanceof HTMLVideoElement) || !source.srcObject) {
        throw new DOMException("The video is not ready.", "InvalidStateError");
      }
      return [{ rawValue: code, format: "ean_13", boundingBox: {}, cornerPoints: [] }];
    }
  };
  if (!navigator.mediaDevices) Object.defineProperty(navigator, "mediaDevices", { value: {} });
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const canvas = document.createElement("canvas");
    canvas.width = 320;
    canvas.height = 240;
    const context = canvas.getContext("2d");
    let hue = 0;
    setInterval(() => {
      context.fillStyle = `hsl(${hue = (hue + 40) % 360}, 60%, 50%)`;
      context.fillRect(0, 0, 320, 240);
    }, 50);
    window.__camera.constraints = constraints;
    window.__camera.stream = canvas.captureStream(10);
    return window.__camera.stream;
  };
})();
"""


def test_scanning_a_barcode_with_the_camera_logs_the_food(page, live_app):
    live_app.command(str(Path(sys.executable).parent / "adaptivefit"), "import-foods", str(PRODUCT))
    # Without the BarcodeDetector API the button is not there; typing the number stays the way in.
    plain = page.context.new_page()
    _sign_in_as_member(plain, live_app)
    plain.goto("/nutrition")
    expect(plain.get_by_role("button", name="Find by barcode")).to_be_visible()
    expect(plain.get_by_role("button", name="Scan with camera")).to_be_hidden()
    plain.close()

    page.add_init_script(SCANNER_STUB.replace("__CODE__", "3228857000852"))
    page.goto("/nutrition")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.get_by_role("button", name="Scan with camera").click()
    # The code read goes into the field and through the same check as a typed one.
    expect(page.get_by_label("Barcode", exact=True)).to_have_value("3228857000852")
    expect(page.get_by_text(re.compile(r"^Pain 100% mie nature.*kcal per 100 g$", re.I))).to_be_visible()
    expect(page.get_by_role("dialog", name="Scan a barcode")).to_have_count(0)
    camera = page.evaluate("""() => ({
        facing: window.__camera.constraints.video.facingMode,
        formats: window.__camera.formats,
        stopped: window.__camera.stream.getTracks().every((track) => track.readyState === "ended"),
    })""")
    assert camera == {"facing": "environment", "formats": ["ean_13", "ean_8", "upc_a", "upc_e"], "stopped": True}
    page.get_by_label("Quantity").fill("45")
    page.get_by_label("Meal").select_option("breakfast")
    page.get_by_role("button", name="Add to diary").click()
    expect(page.locator('[aria-label="Breakfast"]').get_by_text("45 g", exact=False)).to_be_visible()

    # Cancelling stops the camera and changes nothing.
    page.get_by_label("Barcode", exact=True).fill("")
    page.evaluate("() => { window.BarcodeDetector.prototype.detect = async () => []; }")
    page.get_by_role("button", name="Scan with camera").click()
    dialog = page.get_by_role("dialog", name="Scan a barcode")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel scan").click()
    expect(dialog).to_have_count(0)
    assert page.evaluate("() => window.__camera.stream.getTracks().every((t) => t.readyState === 'ended')")
    expect(page.get_by_label("Barcode", exact=True)).to_have_value("")


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (210, 150, 40)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_a_photo_on_an_entry_is_shown_only_through_a_signed_link(page, live_app):
    _sign_in_as_member(page, live_app)
    page.goto("/nutrition")
    page.get_by_label("Search foods").fill("banana")
    page.get_by_role("button", name=re.compile(r"^Banana, raw", re.I)).first.click()
    page.get_by_label("Quantity").fill("120")
    page.get_by_label("Meal").select_option("snack")
    page.get_by_role("button", name="Add to diary").click()
    snacks = page.locator('[aria-label="Snacks"]')
    snacks.get_by_role("button", name=re.compile(r"^Edit Banana, raw", re.I)).first.click()

    camera = snacks.locator("input[type=file]")
    expect(camera).to_have_attribute("capture", "environment")
    expect(camera).to_have_attribute("accept", re.compile(r"image/\*"))
    camera.set_input_files({"name": "lunch.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()})
    expect(page.get_by_text("Photo saved.")).to_be_visible()
    photo = snacks.get_by_role("img", name=re.compile(r"^Photo of Banana, raw", re.I)).first
    expect(photo).to_have_attribute("src", re.compile(r"^/api/private/[0-9a-f]{32}\.webp\?exp=\d+&sig=[0-9a-f]{64}$"))
    # The picture really loads (a broken image has no natural width).
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    src = photo.get_attribute("src")
    name = src.split("?")[0].rsplit("/", 1)[1]
    signed = page.request.get(src)
    assert signed.status == 200 and signed.headers["content-type"] == "image/webp"
    assert signed.headers["cache-control"].startswith("private")
    # Neither the public upload folder nor an unsigned or altered link gives it away.
    assert page.request.get(f"/_upload/{name}").status == 404
    unsigned = page.request.get(f"/api/private/{name}")
    assert unsigned.status == 403 and unsigned.json()["error"]
    assert page.request.get(src[:-1] + ("0" if src[-1] != "0" else "1")).status == 403

    snacks.get_by_role("button", name="Remove photo").click()
    expect(page.get_by_text("Photo removed.")).to_be_visible()
    expect(snacks.get_by_role("img", name=re.compile(r"^Photo of Banana", re.I))).to_have_count(0)
    assert page.request.get(src).status == 404


def test_weight_trend_and_expenditure_share_one_chart_with_two_axes(page, live_app, viewport):
    _sign_in_as_member(page, live_app)
    page.goto("/nutrition")
    chart = page.get_by_role("img", name="Weight trend and expenditure chart")
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".recharts-yAxis")).to_have_count(2)
    expect(chart.locator(".recharts-legend-item-text", has_text="Trend weight (kg)")).to_be_visible()
    expect(chart.locator(".recharts-legend-item-text", has_text="Expenditure (kcal)")).to_be_visible()
    # The demo's six weeks of food and weigh-ins give every line: intake, expenditure, weigh-ins, trend.
    expect(chart.locator(".recharts-line")).to_have_count(4)
    for line in chart.locator(".recharts-line").all():
        expect(line.locator("path.recharts-line-curve")).to_be_attached()
    expect(chart.locator(".recharts-line-dot").first).to_be_attached()
    page.get_by_label("Period").select_option("30")
    expect(chart.locator(".recharts-xAxis .recharts-cartesian-axis-tick").first).to_be_attached()
    expect(chart.locator("path.recharts-line-curve")).not_to_have_count(0)
