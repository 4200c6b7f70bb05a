"""Recipes: build a dish from foods, see what a serving holds as you go, save it to log by the serving."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import field_label, page_header
from adaptivefit.components.forms import field_error, section
from adaptivefit.components.layout import app_page
from adaptivefit.state.recipes import RecipeState as R

BUILDER_ID = "recipe-builder"
FORM_ID = "recipe-form"
SELECT_STYLE = {"padding": "0.5em", "width": "100%", "font_size": "16px", "border_radius": "var(--radius-2)",
                "border": "1px solid var(--gray-7)", "background": "var(--color-surface)"}


def _macros(values) -> rx.Component:
    return rx.text("P ", values["protein"], " g · C ", values["carbs"], " g · F ", values["fat"], " g", size="2",
                   color_scheme="gray")


def _recipe_row(recipe) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(recipe["name"], weight="medium"),
                rx.text(recipe["kcal"], " kcal a serving · makes ", recipe["servings"], " of ",
                        recipe["serving_grams"], " g", size="2"),
                _macros(recipe),
                spacing="1", align="start",
            ),
            rx.spacer(),
            rx.button("Edit", variant="soft", size="2", aria_label="Edit " + recipe["name"],
                      on_click=R.edit(recipe["id"])),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(rx.button("Delete", variant="soft", color_scheme="red", size="2",
                                                  aria_label="Delete " + recipe["name"])),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Delete ", recipe["name"], "?"),
                    rx.alert_dialog.description("Food you already logged from it stays in your diary."),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(rx.button("Delete recipe", color_scheme="red",
                                                         on_click=R.delete(recipe["id"]))),
                        justify="end", spacing="3", margin_top="1em",
                    ),
                ),
            ),
            align="center", width="100%", wrap="wrap", spacing="2",
        ),
        width="100%", role="group", aria_label=recipe["name"],
    )


def _your_recipes() -> rx.Component:
    return rx.cond(
        R.recipes.length() > 0,
        section("Your recipes", rx.vstack(rx.foreach(R.recipes, _recipe_row), width="100%", spacing="2")),
    )


def _line(line) -> rx.Component:
    key = line["key"]
    amount_id, unit_id = "amount-" + key, "unit-" + key
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(line["name"], weight="medium"),
                rx.spacer(),
                rx.icon_button(rx.icon("x", size=16), type="button", variant="ghost", color_scheme="gray", size="1",
                               aria_label="Remove " + line["name"], on_click=R.remove_ingredient(key)),
                width="100%", align="center",
            ),
            rx.grid(
                rx.vstack(
                    rx.el.label("Amount", html_for=amount_id, font_size="var(--font-size-2)", font_weight="500"),
                    rx.input(id=amount_id, name="quantity-" + key, value=line["quantity"], input_mode="decimal",
                             size="3", width="100%", on_change=lambda value: R.set_quantity(key, value)),
                    field_error(R.errors.get("quantity-" + key, "")),
                    spacing="1", width="100%",
                ),
                rx.vstack(
                    rx.el.label("Unit", html_for=unit_id, font_size="var(--font-size-2)", font_weight="500"),
                    rx.el.select(
                        rx.foreach(line["units"].split("|"), lambda unit: rx.el.option(unit, value=unit)),
                        id=unit_id, name="unit-" + key, value=line["unit"], style=SELECT_STYLE,
                        on_change=lambda value: R.set_unit(key, value),
                    ),
                    field_error(R.errors.get("unit-" + key, "")),
                    spacing="1", width="100%",
                ),
                columns="2", spacing="2", width="100%",
            ),
            field_error(R.errors.get("food-" + key, "")),
            spacing="2", width="100%",
        ),
        padding="0.75em", border=f"1px solid {rx.color('gray', 5)}", border_radius="var(--radius-3)", width="100%",
        role="group", aria_label="Ingredient " + line["name"],
    )


def _per_serving() -> rx.Component:
    return rx.card(
        rx.cond(
            R.per_serving.get("kcal", "") != "",
            rx.vstack(
                rx.text("Per serving", weight="medium"),
                rx.heading(R.per_serving.get("kcal", ""), " kcal", size="6", as_="p"),
                rx.text("Protein ", R.per_serving.get("protein", ""), " g · Carbohydrate ",
                        R.per_serving.get("carbs", ""), " g · Fat ", R.per_serving.get("fat", ""), " g",
                        rx.cond(R.per_serving.get("fibre", "") != "",
                                " · Fibre " + R.per_serving.get("fibre", "") + " g", ""), size="2"),
                rx.text("The whole recipe weighs ", R.total_grams, " g.", size="1", color_scheme="gray"),
                spacing="1", align="start",
            ),
            rx.text(rx.cond(R.errors.length() > 0, "Put right the fields marked in red to see what a serving holds.",
                            "Add ingredients and the number of servings to see what a serving holds."),
                    size="2", color_scheme="gray"),
        ),
        width="100%", role="status", aria_label="Per serving",
        background=rx.color("accent", 2),
    )


def _builder() -> rx.Component:
    # The search sits outside the form, so Enter in it searches rather than saves; the Save button
    # belongs to the form by its `form` attribute.
    return rx.card(
        rx.vstack(
            rx.heading(rx.cond(R.recipe_id != "", "Edit recipe", "New recipe"), size="5", as_="h2",
                       id=BUILDER_ID),
            rx.cond(R.recipes.length() == 0,
                    rx.text("Name it, add what goes in (in grams, ounces, millilitres or the food's own servings) "
                            "and say how many servings it makes. Then log it by the serving from the nutrition page.",
                            size="2", color_scheme="gray")),
            field_error(R.errors.get("recipe", "")),
            rx.form(
                rx.vstack(
                    rx.grid(
                        rx.vstack(
                            field_label("Recipe name", "recipe-name"),
                            rx.input(id="recipe-name", name="name", value=R.name, on_change=R.set_name, max_length=200,
                                     size="3", width="100%", placeholder="Overnight oats"),
                            field_error(R.errors.get("name", "")),
                            spacing="1", width="100%",
                        ),
                        rx.vstack(
                            field_label("Servings", "recipe-servings"),
                            rx.input(id="recipe-servings", name="servings", value=R.servings, on_change=R.set_servings,
                                     input_mode="numeric", size="3", width="100%"),
                            rx.text("How many portions the whole recipe makes.", size="1", color_scheme="gray"),
                            field_error(R.errors.get("servings", "")),
                            spacing="1", width="100%",
                        ),
                        columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                    ),
                    rx.heading("Ingredients", size="4", as_="h3"),
                    rx.cond(R.lines.length() > 0,
                            rx.vstack(rx.foreach(R.lines, _line), width="100%", spacing="2"),
                            rx.text("No ingredients yet: search for them below.", size="2", color_scheme="gray")),
                    field_error(R.errors.get("ingredients", "")),
                    width="100%", spacing="3", align="start",
                ),
                id=FORM_ID, on_submit=R.save, reset_on_submit=False, no_validate=True, width="100%",
            ),
            rx.vstack(
                field_label("Add an ingredient", "ingredient-search"),
                rx.input(id="ingredient-search", placeholder="Oats, milk, banana…", value=R.query, type="search",
                         on_change=R.search.debounce(200), size="3", width="100%"),
                rx.vstack(rx.foreach(R.results, lambda r: rx.button(
                    rx.icon("plus", size=14), rx.text(r["name"]), rx.spacer(),
                    rx.text(r["kcal"], " kcal/100 g", size="1"), type="button", variant="soft", width="100%",
                    aria_label="Add " + r["name"], on_click=R.add_ingredient(r["id"]))),
                    width="100%", spacing="1"),
                width="100%", spacing="1",
            ),
            _per_serving(),
            rx.hstack(
                rx.button("Save recipe", type="submit", size="3", custom_attrs={"form": FORM_ID}),
                rx.cond(R.recipe_id != "",
                        rx.button("Cancel", type="button", variant="soft", color_scheme="gray", size="3",
                                  on_click=R.new_recipe)),
                spacing="3",
            ),
            width="100%", spacing="3", align="start",
        ),
        width="100%", size="3",
    )


@app_page("/nutrition/recipes", "Recipes", audience="signed_in", on_load=R.load)
def recipes_page() -> rx.Component:
    return rx.vstack(
        page_header("Recipes", "Build a dish from foods once, then log it by the serving."),
        rx.button(rx.link(rx.icon("arrow-left", size=16), "Back to nutrition", href="/nutrition", underline="none"),
                  as_child=True, variant="ghost"),
        _builder(),
        _your_recipes(),
        spacing="4", width="100%",
    )
