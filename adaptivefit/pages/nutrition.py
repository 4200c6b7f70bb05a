"""Nutrition: today's rings and meals, quick logging, targets, bodyweight trend and expenditure."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import field_label, page_header, tag
from adaptivefit.components.forms import field_error, form_field, section
from adaptivefit.components.layout import app_page
from adaptivefit.services.nutrition.photos import MAX_PHOTO_BYTES
from adaptivefit.state.nutrition import NutritionState as N

SELECT_STYLE = {"padding": "0.5em", "width": "100%", "font_size": "16px", "border_radius": "var(--radius-2)",
                "border": "1px solid var(--gray-7)", "background": "var(--color-surface)"}
COLOURS = ["#1f9e77", "#3a6ec4", "#d67a28"]
WEIGH_IN = "#7b8794"
# A line's own dots take its stroke width, so a dots-only line (width 0) needs its dots drawn solid.
WEIGH_IN_DOT = {"r": 3, "fill": WEIGH_IN, "stroke": WEIGH_IN, "strokeWidth": 1}
PHOTO_UPLOAD = "food-photo"
BARCODE_FORM = "barcode-form"
# assets/barcode_scan.js marks <html data-barcode-scanner> where the browser can scan with the camera.
SCANNER_ONLY = {"display": "none", "html[data-barcode-scanner] &": {"display": "inline-flex"}}


def _photo_upload() -> rx.Component:
    """A button that opens the rear camera on a phone (a file picker elsewhere) for the entry being edited."""
    upload = rx.upload.root(
        rx.button(rx.icon("camera", size=16), "Take or choose a photo", type="button", variant="soft", size="2"),
        id=PHOTO_UPLOAD, accept={"image/*": []}, max_files=1, multiple=False, max_size=MAX_PHOTO_BYTES,
        on_drop=N.upload_photo(rx.upload_files(upload_id=PHOTO_UPLOAD)), border="none", padding="0",
    )
    # rx.upload has no prop for it: `capture` asks a phone for its camera rather than the gallery.
    upload.children[0].children[0].custom_attrs["capture"] = "environment"
    return upload


def _entry_photo(e, size: str) -> rx.Component:
    return rx.image(src=e["photo"], alt="Photo of " + e["name"], width=size, height=size, object_fit="cover",
                    border_radius="var(--radius-2)", flex_shrink="0")


def _editor(e) -> rx.Component:
    return rx.vstack(
        rx.form(rx.hstack(
            rx.text(e["name"]), rx.spacer(),
            rx.input(name="quantity", default_value=e["amount"].split(" ")[0], aria_label="New quantity",
                     input_mode="decimal", width="6em"),
            rx.button("Save", size="1", type="submit"),
            field_error(N.errors.get("edit", "")), width="100%", align="center"),
            on_submit=N.save_entry, reset_on_submit=False, no_validate=True, width="100%"),
        rx.hstack(
            rx.cond(e["photo"] != "", _entry_photo(e, "6em")),
            rx.vstack(
                _photo_upload(),
                rx.cond(e["photo"] != "", rx.button("Remove photo", type="button", variant="ghost", color_scheme="red",
                                                    size="1", on_click=N.remove_photo(e["id"]))),
                rx.text("Only you can see it.", size="1", color_scheme="gray"),
                spacing="1", align="start",
            ),
            align="center", spacing="3", wrap="wrap",
        ),
        field_error(N.errors.get("photo", "")),
        width="100%", spacing="2", align="start",
    )


def _ring(ring) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(ring["label"], weight="medium"), rx.spacer(),
                  rx.text(ring["value"], rx.cond(ring["target"] != "", " / " + ring["target"], ""), " ", ring["unit"],
                          size="2"), width="100%"),
        rx.el.progress(value=ring["percent"], max="100", aria_label=ring["label"],
                       style={"width": "100%", "height": "0.7em", "accent_color": "var(--accent-9)"}),
        rx.text(ring["left"], size="1", color_scheme="gray"),
        width="100%", spacing="1",
    )


def _meal(meal) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(meal["label"], size="4", as_="h3"), rx.text(meal["kcal"], " kcal", size="2"),
                      rx.spacer(),
                      rx.button("Copy yesterday's ", meal["label"].to(str).lower(), size="1", variant="ghost",
                                on_click=N.copy_yesterday(meal["meal"].to(str))),
                      width="100%", align="center", wrap="wrap"),
            rx.foreach(meal["entries"].to(list[dict[str, str]]), lambda e: rx.cond(
                N.editing == e["id"],
                _editor(e),
                rx.hstack(
                    rx.cond(e["photo"] != "", _entry_photo(e, "2.5em")),
                    rx.vstack(rx.text(e["name"]), rx.text(e["amount"], " · ", e["macros"], size="1", color_scheme="gray"),
                              spacing="0", align="start"),
                    rx.spacer(), rx.text(e["kcal"], " kcal", size="2"),
                    rx.icon_button(rx.icon("pencil", size=14), size="1", variant="ghost",
                                   aria_label="Edit " + e["name"], on_click=N.edit_entry(e["id"])),
                    rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                                   aria_label="Delete " + e["name"], on_click=N.delete_entry(e["id"])),
                    width="100%", align="center"))),
            width="100%", align="start", spacing="2",
        ),
        width="100%", aria_label=meal["label"],
    )


def _logger() -> rx.Component:
    unit_options = rx.foreach(N.chosen.get("units", "g").to(str).split("|"), lambda u: rx.el.option(u, value=u))
    return section(
        "Log food",
        rx.grid(
            rx.vstack(
                field_label("Search foods", "food-search"),
                rx.input(id="food-search", placeholder="Oats, chicken, banana…", value=N.query, type="search",
                         on_change=N.search.debounce(200), width="100%", size="3"),
                rx.vstack(rx.foreach(N.results, lambda r: rx.button(
                    rx.text(r["name"]), rx.spacer(), rx.text(r["kcal"], " kcal/100 g", size="1"),
                    rx.cond(r["tag"] != "", tag(r["tag"], "green")),
                    variant="soft", width="100%", on_click=N.choose(r["id"]))), width="100%", spacing="1"),
                width="100%", spacing="1",
            ),
            rx.form(
                rx.vstack(
                    form_field("Barcode", "barcode", errors=N.errors, input_mode="numeric",
                               hint="Type the number under the bars."),
                    rx.hstack(
                        rx.button("Find by barcode", type="submit", variant="soft"),
                        # The scanner fills in the field and submits this form: the server checks a
                        # scanned code exactly as a typed one.
                        rx.button(rx.icon("scan-barcode", size=16), "Scan with camera", type="button", variant="soft",
                                  style=SCANNER_ONLY,
                                  on_click=rx.call_script(f"window.adaptivefitBarcode?.scan('{BARCODE_FORM}')")),
                        spacing="2", wrap="wrap",
                    ),
                    width="100%", align="start",
                ),
                id=BARCODE_FORM, on_submit=N.find_barcode, reset_on_submit=False, no_validate=True, width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
        rx.cond(N.recents.length() > 0, rx.hstack(
            rx.text("Recent:", size="2", color_scheme="gray"),
            rx.foreach(N.recents, lambda r: rx.button(r["name"], size="1", variant="outline", on_click=N.choose(r["id"]))),
            wrap="wrap")),
        rx.cond(
            N.chosen.get("id", "") != "",
            rx.form(
                rx.vstack(
                    rx.text(rx.text.strong(N.chosen.get("name", "")), " · ", N.chosen.get("kcal", ""), " kcal per 100 g"),
                    rx.cond(N.chosen.get("attribution", "") != "",
                            rx.text("Source: ", N.chosen.get("attribution", ""), size="1", color_scheme="gray")),
                    rx.grid(
                        form_field("Quantity", "quantity", errors=N.errors, input_mode="decimal",
                                   default_value=N.chosen.get("quantity", "100"), key=N.chosen.get("id", "")),
                        rx.vstack(field_label("Unit", "food-unit"),
                                  rx.el.select(unit_options, id="food-unit", name="unit", style=SELECT_STYLE),
                                  field_error(N.errors.get("unit", "")), spacing="1", width="100%"),
                        rx.vstack(field_label("Meal", "food-meal"),
                                  rx.el.select(*[rx.el.option(label, value=value) for value, label in
                                                 (("breakfast", "Breakfast"), ("lunch", "Lunch"), ("dinner", "Dinner"),
                                                  ("snack", "Snack"))], id="food-meal", name="meal", style=SELECT_STYLE),
                                  spacing="1", width="100%"),
                        columns="3", spacing="2", width="100%",
                    ),
                    rx.foreach(N.errors.values(), lambda e: rx.text(e, color_scheme="red", size="2", role="alert")),
                    rx.button("Add to diary", type="submit", size="3"),
                    width="100%", align="start",
                ),
                on_submit=N.log, reset_on_submit=False, no_validate=True, width="100%",
            ),
        ),
    )


def _custom_food() -> rx.Component:
    return rx.cond(
        N.custom_open,
        section(
            "Your own food",
            rx.text("Values per 100 g, from the label.", size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.grid(
                        form_field("Food name", "name", errors=N.errors, field_id="custom-name", max_length=200),
                        form_field("Brand", "brand", errors=N.errors, field_id="custom-brand"),
                        form_field("Barcode (optional)", "barcode", errors=N.errors, field_id="custom-barcode",
                                   input_mode="numeric"),
                        form_field("Energy (kcal)", "kcal", errors=N.errors, field_id="custom-kcal", input_mode="decimal"),
                        form_field("Protein (g)", "protein_g", errors=N.errors, field_id="custom-protein",
                                   input_mode="decimal"),
                        form_field("Carbohydrate (g)", "carbs_g", errors=N.errors, field_id="custom-carbs",
                                   input_mode="decimal"),
                        form_field("Fat (g)", "fat_g", errors=N.errors, field_id="custom-fat", input_mode="decimal"),
                        form_field("Fibre (g)", "fibre_g", errors=N.errors, field_id="custom-fibre", input_mode="decimal"),
                        form_field("Serving name", "serving_name", errors=N.errors, field_id="custom-serving",
                                   placeholder="1 bar"),
                        form_field("Serving (g)", "serving_grams", errors=N.errors, field_id="custom-serving-grams",
                                   input_mode="decimal"),
                        columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%",
                    ),
                    rx.button("Save my food", type="submit"),
                    width="100%", align="start",
                ),
                on_submit=N.add_custom_food, reset_on_submit=False, no_validate=True, width="100%",
            ),
        ),
        rx.hstack(
            rx.button(rx.icon("plus", size=16), "Add your own food", variant="soft", on_click=N.toggle_custom),
            rx.button(rx.link(rx.icon("chef-hat", size=16), "Recipes", href="/nutrition/recipes", underline="none"),
                      as_child=True, variant="soft"),
            spacing="2", wrap="wrap",
        ),
    )


def _targets() -> rx.Component:
    return section(
        "Targets",
        rx.text("Calories from the Mifflin-St Jeor equation and your activity, adjusted for your goal; you can "
                "override any number.", size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                rx.grid(
                    rx.vstack(field_label("Goal", "n-goal"),
                              rx.el.select(rx.el.option("Lose weight", value="lose"), rx.el.option("Maintain", value="maintain"),
                                           rx.el.option("Gain weight", value="gain"), id="n-goal", name="goal",
                                           default_value="maintain", style=SELECT_STYLE), spacing="1", width="100%"),
                    form_field("Rate (kg per week)", "rate_kg_per_week", errors=N.errors, input_mode="decimal",
                               default_value="0.25"),
                    rx.vstack(field_label("Activity", "n-activity"),
                              rx.el.select(*[rx.el.option(label, value=value) for value, label in (
                                  ("sedentary", "Sedentary"), ("light", "Lightly active"), ("moderate", "Moderately active"),
                                  ("active", "Very active"), ("very_active", "Extremely active"))],
                                  id="n-activity", name="activity", default_value="moderate", style=SELECT_STYLE),
                              spacing="1", width="100%"),
                    form_field("Weight (" + N.units + ")", "weight_kg", errors=N.errors, input_mode="decimal",
                               hint="Leave empty to use your latest weigh-in."),
                    form_field("Extra kcal on training days", "training_day_extra_kcal", errors=N.errors,
                               input_mode="numeric", default_value="0"),
                    form_field("Calories (override)", "calories", errors=N.errors, input_mode="numeric"),
                    form_field("Protein g (override)", "protein_g", errors=N.errors, input_mode="numeric",
                               field_id="target-protein"),
                    form_field("Carbohydrate g (override)", "carbs_g", errors=N.errors, input_mode="numeric",
                               field_id="target-carbs"),
                    form_field("Fat g (override)", "fat_g", errors=N.errors, input_mode="numeric",
                               field_id="target-fat"),
                    columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
                ),
                rx.foreach(N.errors.values(), lambda e: rx.text(e, color_scheme="red", size="2", role="alert")),
                rx.button("Set targets", type="submit"),
                width="100%", align="start",
            ),
            on_submit=N.set_goal, reset_on_submit=False, no_validate=True, width="100%",
        ),
    )


def _body() -> rx.Component:
    return section(
        "Bodyweight and expenditure",
        rx.form(
            rx.hstack(form_field("Today's weight (" + N.units + ")", "weight", errors=N.errors, input_mode="decimal",
                                 field_id="body-weight"),
                      rx.button("Log weight", type="submit"), align="end", width="100%"),
            on_submit=N.log_weight, reset_on_submit=True, no_validate=True, width="100%",
        ),
        rx.cond(N.trend.length() > 0,
                rx.box(rx.recharts.line_chart(
                    # Weigh-ins as dots only; the trend as the line to read.
                    rx.recharts.line(data_key="weight", stroke=WEIGH_IN, stroke_width=0, dot=WEIGH_IN_DOT,
                                     name="Weigh-in"),
                    rx.recharts.line(data_key="trend", stroke=COLOURS[0], dot=False, name="Trend", stroke_width=2,
                                     connect_nulls=True),
                    rx.recharts.x_axis(data_key="date"), rx.recharts.y_axis(domain=["auto", "auto"]),
                    rx.recharts.graphing_tooltip(), rx.recharts.legend(),
                    data=N.trend, width="100%", height=240), width="100%", role="img",
                    aria_label="Bodyweight trend chart"),
                rx.text("Log your weight most mornings to see the trend.", color_scheme="gray")),
        rx.text("The trend is an exponentially weighted average (α = 0.1) of your daily weigh-ins.", size="1",
                color_scheme="gray"),
        rx.cond(
            N.suggestion.get("suggested", "") != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("flame")),
                rx.callout.text("From your intake and weight trend you burn about ",
                                rx.text.strong(N.suggestion.get("expenditure", ""), " kcal a day"),
                                ". To stay on your goal, eat about ",
                                rx.text.strong(N.suggestion.get("suggested", ""), " kcal"),
                                " a day instead of ", N.suggestion.get("current", ""), "."),
                rx.button("Update my calorie target", size="2", on_click=N.apply_suggestion),
                color_scheme="orange", width="100%", role="status", aria_label="Expenditure suggestion",
            ),
        ),
        rx.cond(N.estimates.length() > 0, rx.vstack(
            rx.text("Estimated expenditure", size="2", weight="medium"),
            rx.foreach(N.estimates, lambda e: rx.text(e["date"], ": ", e["kcal"], " kcal/day ", e["applied"], size="1")),
            spacing="0")),
    )


def _charts() -> rx.Component:
    return section(
        "Intake",
        rx.el.select(rx.el.option("Last 7 days", value="7"), rx.el.option("Last 30 days", value="30"),
                     value=N.period, on_change=N.set_period, aria_label="Period", style=SELECT_STYLE),
        rx.grid(
            rx.recharts.composed_chart(
                rx.recharts.bar(data_key="kcal", fill=COLOURS[1], name="Eaten (kcal)"),
                rx.recharts.line(data_key="target", stroke=COLOURS[2], dot=False, name="Target"),
                rx.recharts.x_axis(data_key="date"), rx.recharts.y_axis(), rx.recharts.graphing_tooltip(),
                rx.recharts.legend(), data=N.week, width="100%", height=240),
            rx.recharts.pie_chart(
                rx.recharts.pie(rx.foreach(N.split, lambda d, i: rx.recharts.cell(
                    fill=rx.Var.create(COLOURS)[i % len(COLOURS)])),
                    data=N.split, data_key="kcal", name_key="name", label=True, outer_radius=80),
                rx.recharts.graphing_tooltip(), rx.recharts.legend(), width="100%", height=240),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
        _weight_and_energy(),
    )


def _weight_and_energy() -> rx.Component:
    """Trend weight and weigh-ins on the left axis; intake and estimated expenditure on the right."""
    return rx.vstack(
        rx.heading("Weight and energy", size="4", as_="h3"),
        rx.box(
            rx.recharts.composed_chart(
                rx.recharts.line(data_key="intake", y_axis_id="kcal", stroke=COLOURS[1], stroke_width=1.5,
                                 dot={"r": 2, "fill": COLOURS[1], "stroke": COLOURS[1]}, name="Eaten (kcal)"),
                rx.recharts.line(data_key="expenditure", y_axis_id="kcal", stroke=COLOURS[2], dot=False,
                                 stroke_width=2.5, connect_nulls=True, name="Expenditure (kcal)"),
                rx.recharts.line(data_key="weight", y_axis_id="weight", stroke=WEIGH_IN, stroke_width=0,
                                 dot=WEIGH_IN_DOT, name="Weigh-in (" + N.units + ")"),
                rx.recharts.line(data_key="trend", y_axis_id="weight", stroke=COLOURS[0], stroke_width=2, dot=False,
                                 connect_nulls=True, name="Trend weight (" + N.units + ")"),
                rx.recharts.x_axis(data_key="date"),
                # Weight on the left, energy on the right; the legend names each line's unit.
                rx.recharts.y_axis(y_axis_id="weight", orientation="left", domain=["auto", "auto"], width=40),
                rx.recharts.y_axis(y_axis_id="kcal", orientation="right", domain=["auto", "auto"], width=48),
                rx.recharts.graphing_tooltip(), rx.recharts.legend(),
                data=N.energy, width="100%", height=280,
            ),
            width="100%", role="img", aria_label="Weight trend and expenditure chart",
        ),
        rx.text("Expenditure is estimated each morning from the four weeks before: what you ate, against how your "
                "trend weight moved. It needs two weeks of food and weigh-ins to appear.", size="1",
                color_scheme="gray"),
        width="100%", spacing="2",
    )


@app_page("/nutrition", "Nutrition", nav="Nutrition", icon="utensils", order=8, audience="signed_in", on_load=N.load)
def nutrition_page() -> rx.Component:
    return rx.vstack(
        rx.script(src="/barcode_scan.js"),
        page_header("Nutrition", "What you ate, against what you need."),
        rx.hstack(
            rx.icon_button(rx.icon("chevron-left"), variant="soft", aria_label="Previous day", on_click=N.shift_day(-1)),
            rx.heading(N.day_label, size="5", as_="h2"),
            rx.icon_button(rx.icon("chevron-right"), variant="soft", aria_label="Next day", on_click=N.shift_day(1)),
            rx.spacer(),
            rx.button("Copy all of yesterday", variant="ghost", size="2", on_click=N.copy_yesterday("day")),
            align="center", width="100%",
        ),
        rx.card(rx.grid(rx.foreach(N.rings, _ring), columns=rx.breakpoints(initial="1", sm="2", md="4"), spacing="4",
                        width="100%"), width="100%", aria_label="Today's totals"),
        rx.cond(N.hints.length() > 0, rx.callout.root(
            rx.callout.icon(rx.icon("lightbulb")),
            rx.vstack(rx.foreach(N.hints, lambda h: rx.text(h, size="2")), spacing="1"),
            color_scheme="blue", width="100%")),
        _logger(),
        _custom_food(),
        rx.grid(rx.foreach(N.meals, _meal), columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
        _charts(),
        _body(),
        _targets(),
        spacing="4", width="100%",
    )
