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
