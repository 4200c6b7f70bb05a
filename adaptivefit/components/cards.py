"""Small reusable pieces: page headers, empty states, badges."""

from __future__ import annotations

import reflex as rx


def page_header(title: str, subtitle: str | None = None) -> rx.Component:
    children = [rx.heading(title, size="7", as_="h1")]
    if subtitle:
        children.append(rx.text(subtitle, color_scheme="gray", size="3"))
    return rx.vstack(
        *children,
        spacing="1",
        margin_bottom="1.25em",
    )


def empty_state(icon: str, title: str, hint: str) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=36, color=rx.color("gray", 9)),
            rx.heading(title, size="4"),
            rx.text(hint, color_scheme="gray", text_align="center"),
            align="center",
            spacing="2",
        ),
        padding="3em",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-4)",
        width="100%",
    )


def tag(text, color: str = "gray") -> rx.Component:
    return rx.badge(text, color_scheme=color, variant="soft", radius="full")


def field_label(text: str, html_for: str) -> rx.Component:
    """A visible label tied to its input, so people and tests find the field by its name."""
    return rx.el.label(text, html_for=html_for, font_size="var(--font-size-2)", font_weight="500")
