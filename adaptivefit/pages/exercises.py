"""The exercise library: search by name, filter by muscle, category and equipment."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, field_label, page_header, tag
from adaptivefit.components.layout import app_page
from adaptivefit.components.forms import form_field, section
from adaptivefit.state.auth import AuthState
from adaptivefit.state.catalog import ALL, ExerciseLibraryState as S
from adaptivefit.state.training import ExerciseEditorState as E

CATEGORIES = ["chest", "back", "shoulders", "arms", "legs", "glutes", "core", "full body", "cardio", "mobility"]
MUSCLES = ["chest", "upper chest", "lats", "upper back", "traps", "lower back", "front delts", "side delts",
           "rear delts", "biceps", "triceps", "forearms", "quadriceps", "hamstrings", "glutes", "adductors",
           "abductors", "calves", "abs", "obliques", "hip flexors", "neck", "cardiovascular"]
SELECT_STYLE = {"padding": "0.5em", "width": "100%", "font_size": "16px"}


def _filter(label: str, name: str, value, options) -> rx.Component:
    return rx.vstack(
        field_label(label, f"filter-{name}"),
        rx.select.root(
            rx.select.trigger(id=f"filter-{name}", aria_label=label, width="100%"),
            rx.select.content(
                rx.select.item("All", value=ALL),
                rx.foreach(options, lambda option: rx.select.item(option.capitalize(), value=option)),
            ),
            value=value,
            on_change=lambda v: S.set_filter(name, v),
        ),
        spacing="1",
        width="100%",
    )


def _exercise_card(row) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(row["name"], size="4", as_="h3"),
            rx.hstack(
                tag(row["category"], "blue"),
                tag(row["primary_muscle"], "orange"),
                wrap="wrap",
                spacing="2",
            ),
            rx.text(rx.text.strong("Equipment: "), row["equipment"], size="2"),
            rx.cond(
                row["secondary"] != "",
                rx.text(rx.text.strong("Also works: "), row["secondary"], size="2", color_scheme="gray"),
            ),
            rx.text(row["instructions"], size="2", color_scheme="gray"),
            rx.cond(
                (row["custom"] != "") | AuthState.can_edit_library,
                rx.cond(AuthState.signed_in,
                        rx.button("Edit", size="1", variant="ghost", on_click=E.edit(row["id"].to(str)),
                                  aria_label="Edit " + row["name"].to(str))),
            ),
            rx.cond(row["custom"] != "", tag("your exercise", "purple")),
            rx.cond(row["attribution"] != "", rx.text("Source: ", row["attribution"], size="1", color_scheme="gray")),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


def _editor() -> rx.Component:
    def choice(label, name, options):
        return rx.vstack(
            rx.el.label(label, html_for=f"exercise-{name}", font_size="var(--font-size-2)", font_weight="500"),
            rx.el.select(*[rx.el.option(o.capitalize(), value=o) for o in options], id=f"exercise-{name}", name=name,
                         default_value=E.form.get(name, options[0]), key=E.form.get(name, "") + "-" + name,
                         style=SELECT_STYLE),
            rx.cond(E.errors.get(name, "") != "", rx.text(E.errors.get(name, ""), color_scheme="red", size="2")),
            spacing="1", width="100%", align="start",
        )

    return section(
        rx.cond(E.form.get("exercise_id", "") != "", "Edit exercise", "New exercise"),
        rx.text(rx.cond(AuthState.can_edit_library, "Exercises you add here join the shared library.",
                        "Exercises you add here are private to you."), size="2", color_scheme="gray"),
        rx.form(
            rx.el.input(type="hidden", name="exercise_id", value=E.form.get("exercise_id", "")),
            rx.vstack(
                form_field("Exercise name", "name", errors=E.errors, default_value=E.form.get("name", ""),
                           key=E.form.get("exercise_id", "") + "n", max_length=120),
                rx.grid(choice("Exercise category", "category", CATEGORIES), choice("Primary muscle", "primary_muscle", MUSCLES),
                        columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
                form_field("Secondary muscles", "secondary_muscles", errors=E.errors,
                           default_value=E.form.get("secondary_muscles", ""), key=E.form.get("exercise_id", "") + "s",
                           hint="Comma-separated, e.g. triceps, front delts"),
                form_field("Equipment needed", "equipment", errors=E.errors, default_value=E.form.get("equipment", ""),
                           key=E.form.get("exercise_id", "") + "e", hint="Comma-separated names from the catalog; "
                           "empty for bodyweight"),
                form_field("Instructions", "instructions", errors=E.errors, default_value=E.form.get("instructions", ""),
                           key=E.form.get("exercise_id", "") + "i", max_length=4000),
                rx.hstack(rx.button("Save exercise", type="submit"),
                          rx.button("Cancel", type="button", variant="ghost", on_click=E.hide)),
                spacing="3", width="100%", align="start",
            ),
            on_submit=E.save, reset_on_submit=False, no_validate=True, width="100%",
        ),
    )


@app_page("/exercises", "Exercises", nav="Exercises", icon="dumbbell", order=10, on_load=S.load)
def exercises() -> rx.Component:
    return rx.vstack(
        page_header("Exercise library", "Every exercise with the muscles it trains and the equipment it needs."),
        rx.cond(AuthState.signed_in,
                rx.cond(E.open, _editor(), rx.button(rx.icon("plus", size=16), "New exercise", variant="soft",
                                                     on_click=E.show))),
        rx.vstack(
            field_label("Search exercises", "exercise-search"),
            rx.input(
                id="exercise-search",
                placeholder="Squat, row, curl…",
                value=S.query,
                on_change=S.set_query.debounce(250),
                type="search",
                size="3",
                width="100%",
                max_length=100,
            ),
            spacing="1",
            width="100%",
        ),
        rx.grid(
            _filter("Muscle", "muscle", S.muscle, S.muscles),
            _filter("Category", "category", S.category, S.categories),
            _filter("Equipment", "equipment", S.equipment, S.equipment_names),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="3",
            width="100%",
        ),
        rx.hstack(
            rx.text(S.total, " exercises", size="2", color_scheme="gray", role="status"),
            rx.button("Clear filters", variant="ghost", size="1", on_click=S.clear_filters),
            justify="between",
            width="100%",
        ),
        rx.cond(
            S.loaded & (S.total == 0),
            empty_state("search-x", "No exercise matches", "Try another name, or clear the filters."),
            rx.grid(
                rx.foreach(S.rows, _exercise_card),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
        ),
        rx.cond(
            S.pages > 1,
            rx.hstack(
                rx.button("Previous", variant="soft", disabled=S.page <= 1, on_click=S.go_to_page(S.page - 1)),
                rx.text("Page ", S.page, " of ", S.pages, size="2"),
                rx.button("Next", variant="soft", disabled=S.page >= S.pages, on_click=S.go_to_page(S.page + 1)),
                justify="center",
                align="center",
                width="100%",
                spacing="4",
            ),
        ),
        spacing="4",
        width="100%",
    )
