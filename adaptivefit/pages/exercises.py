"""The exercise library: search by name, filter by muscle, category and equipment."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, field_label, page_header, tag
from adaptivefit.components.layout import app_page
from adaptivefit.state.catalog import ALL, ExerciseLibraryState as S


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
            spacing="2",
            align="start",
        ),
        width="100%",
    )


@app_page("/exercises", "Exercises", nav="Exercises", icon="dumbbell", order=10, on_load=S.load)
def exercises() -> rx.Component:
    return rx.vstack(
        page_header("Exercise library", "Every exercise with the muscles it trains and the equipment it needs."),
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
