"""A real 404 page inside the shell, with a way back."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.layout import app_page


@app_page("404", "Page not found")
def not_found() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("map-pin-off", size=48, color=rx.color("gray", 9)),
            rx.heading("Page not found", size="8", as_="h1"),
            rx.text("There is no page at this address. It may have moved, or the link may be mistyped.",
                    color_scheme="gray", text_align="center"),
            rx.button(rx.link("Go to the home page", href="/", underline="none"), as_child=True, size="3"),
            align="center",
            spacing="4",
            max_width="32em",
        ),
        padding_y="4em",
    )
