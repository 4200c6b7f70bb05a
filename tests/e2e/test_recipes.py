"""A member builds a recipe from the nutrition page: refused input at its field, nutrients per serving as
they go, saving, finding and logging it by the serving, editing it as it was written, deleting it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _sign_in_as_member(page, live_app):
    page.goto("/login")
    page.get_by_label("Email").fill("member@adaptivefit.example")
    page.get_by_label("Password").fill(live_app.demo_password("member@adaptivefit.example"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Account menu").locator("visible=true")).to_contain_text("Maya")


def _add(page, query: str, name: str):
    page.get_by_label("Add an ingredient").fill(query)
    page.get_by_role("button", name=f"Add {name}", exact=True).click()
    return page.get_by_role("group", name=f"Ingredient {name}")


def test_build_log_edit_and_delete_a_recipe(page, live_app, viewport):
    recipe = f"Maya's porridge ({'phone' if viewport['width'] < 600 else 'desktop'})"
    _sign_in_as_member(page, live_app)
    page.goto("/nutrition")
    page.get_by_role("link", name="Recipes").click()
    expect(page.get_by_role("heading", name="Recipes", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="New recipe")).to_be_visible()

    # Nothing filled in: each reason stands at its field.
    page.get_by_role("button", name="Save recipe").click()
    expect(page.get_by_role("alert").filter(has_text="Enter a name.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Add at least one ingredient.")).to_be_visible()

    page.get_by_label("Recipe name").fill(recipe)
    page.get_by_label("Servings").fill("0")
    expect(page.get_by_role("alert").filter(has_text="whole number from 1 to 100")).to_be_visible()
    page.get_by_label("Servings").fill("2")
    expect(page.get_by_role("alert").filter(has_text="whole number from 1 to 100")).to_have_count(0)

    oats = _add(page, "oats rolled", "Oats, rolled, dry")
    oats.get_by_label("Amount").fill("80")
    milk = _add(page, "milk whole", "Milk, whole (3.25%)")
    milk.get_by_label("Unit").select_option("ml")
    milk.get_by_label("Amount").fill("-5")
    expect(milk.get_by_role("alert")).to_have_text("Enter an amount above zero.")
    per_serving = page.get_by_role("status", name="Per serving")
    expect(per_serving).to_contain_text("fields marked in red")
    milk.get_by_label("Amount").fill("300")
    expect(milk.get_by_role("alert")).to_have_count(0)
    # 80 g oats at 379 kcal and 300 ml (309 g) of milk at 61 kcal per 100 g, in two servings: 246 kcal.
    expect(per_serving).to_contain_text("246 kcal")
    expect(per_serving).to_contain_text("weighs 389 g")
    page.get_by_role("button", name="Save recipe").click()
    expect(page.get_by_text(f"Saved {recipe}.")).to_be_visible()
    saved = page.get_by_role("group", name=recipe)
    expect(saved).to_contain_text("246 kcal a serving")
    expect(saved).to_contain_text("makes 2 of 19")

    # In food search like any other food, logged by the serving.
    page.get_by_role("link", name="Back to nutrition").click()
    page.get_by_label("Search foods").fill(recipe[:14])
    page.get_by_role("button", name=re.compile(re.escape(recipe))).first.click()
    expect(page.get_by_text("Source: Your recipe")).to_be_visible()
    expect(page.get_by_label("Unit")).to_have_value("1 serving")
    page.get_by_label("Quantity").fill("1.5")
    page.get_by_label("Meal").select_option("dinner")
    page.get_by_role("button", name="Add to diary").click()
    dinner = page.locator('[aria-label="Dinner"]')
    expect(dinner.get_by_text("1.5 × 1 serving", exact=False).first).to_be_visible()
    expect(dinner.get_by_text("369 kcal").first).to_be_visible()

    # Edited as it was written: the milk is still in millilitres.
    page.goto("/nutrition/recipes")
    page.get_by_role("group", name=recipe).get_by_role("button", name=f"Edit {recipe}").click()
    expect(page.get_by_role("heading", name="Edit recipe")).to_be_visible()
    expect(page.get_by_label("Recipe name")).to_have_value(recipe)
    milk = page.get_by_role("group", name="Ingredient Milk, whole (3.25%)")
    expect(milk.get_by_label("Amount")).to_have_value("300")
    expect(milk.get_by_label("Unit")).to_have_value("ml")
    page.get_by_label("Servings").fill("3")
    expect(per_serving).to_contain_text("164 kcal")
    oats = page.get_by_role("group", name="Ingredient Oats, rolled, dry")
    oats.get_by_role("button", name="Remove Oats, rolled, dry").click()
    expect(per_serving).to_contain_text("63 kcal")
    page.get_by_role("button", name="Save recipe").click()
    expect(page.get_by_role("group", name=recipe)).to_contain_text("63 kcal a serving")

    page.get_by_role("button", name=f"Delete {recipe}").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Food you already logged from it stays in your diary.")
    confirm.get_by_role("button", name="Delete recipe").click()
    expect(page.get_by_text(f"Deleted {recipe}.")).to_be_visible()
    expect(page.get_by_role("group", name=recipe)).to_have_count(0)
    page.goto("/nutrition")
    expect(page.locator('[aria-label="Dinner"]').get_by_text(recipe).first).to_be_visible()
