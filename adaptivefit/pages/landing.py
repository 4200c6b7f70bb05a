"""The landing page: what Adaptive Fit is, in a person's words."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.layout import app_page

FEATURES = [
    ("activity", "Log every set in seconds",
     "Start today's workout, tap in reps, load and effort, and see last time's numbers beside each set. "
     "A set is saved the moment you enter it."),
    ("brain", "A coach that adapts as you lift",
     "Struggled on set three? The coach trims the rest of the session or adds rest; breezed through? "
     "It nudges the load next time, never past safe steps."),
    ("utensils", "Nutrition that learns your metabolism",
     "Quick food logging with macros, targets from your goal, and an energy estimate that adapts to "
     "your real intake and bodyweight trend."),
    ("store", "Programs from verified trainers",
     "Browse programs by goal, level and the equipment you have; a bought program becomes your plan "
     "and the coach adapts it to you."),
]


def _feature(icon: str, title: str, text: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=26, color=rx.color("accent", 10)),
            rx.heading(title, size="4", as_="h3"),
            rx.text(text, color_scheme="gray", size="2"),
            spacing="2",
        ),
        size="3",
    )


@app_page("/", "Adaptive Fit", nav="Home", icon="house", order=0)
def landing() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.badge("Adaptive strength coaching", variant="soft", radius="full", size="2"),
            rx.heading(
                "Training that adapts to you, set by set",
                size="9",
                as_="h1",
                line_height="1.1",
            ),
            rx.text(
                "Adaptive Fit is your training log, nutrition tracker and coach in one place. "
                "It watches how each set goes and adjusts the rest of your session and the next "
                "one, the way a good trainer would, and it never suggests anything unsafe.",
                size="4",
                color_scheme="gray",
                max_width="42em",
            ),
            rx.hstack(
                rx.button(rx.link("Browse exercises", href="/exercises", underline="none"), as_child=True, size="3"),
                rx.button(rx.link("See the equipment", href="/equipment", underline="none"), as_child=True, size="3",
                          variant="soft"),
                spacing="3",
                wrap="wrap",
            ),
            spacing="4",
            padding_y=["1em", "2em", "3em"],
        ),
        rx.grid(
            *[_feature(*feature) for feature in FEATURES],
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        spacing="6",
        width="100%",
    )
