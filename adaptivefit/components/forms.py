"""Form pieces: a labelled field with its error next to it, a form card, a submit button."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import field_label


def field_error(message) -> rx.Component:
    return rx.cond(message != "", rx.text(message, color_scheme="red", size="2", role="alert"))


def form_field(label: str, name: str, *, errors=None, input_type: str = "text", field_id: str | None = None,
               hint: str | None = None, **props) -> rx.Component:
    """A visible label, the input, an optional hint, and the server's reason when it was refused."""
    field_id = field_id or f"field-{name}"
    children = [field_label(label, field_id),
                rx.input(id=field_id, name=name, type=input_type, size="3", width="100%", **props)]
    if hint:
        children.append(rx.text(hint, size="1", color_scheme="gray"))
    if errors is not None:
        children.append(field_error(errors.get(name, "")))
    return rx.vstack(*children, spacing="1", width="100%", align="start")


def form_card(title: str, *children, max_width: str = "28em", subtitle: str | None = None) -> rx.Component:
    heading = [rx.heading(title, size="7", as_="h1")]
    if subtitle:
        heading.append(rx.text(subtitle, color_scheme="gray"))
    return rx.center(
        rx.card(rx.vstack(*heading, *children, spacing="4", width="100%"), size="4", width="100%", max_width=max_width),
        padding_y=["0.5em", "3em"],
    )


def section(title: str, *children, description: str | None = None) -> rx.Component:
    head = [rx.heading(title, size="5", as_="h2")]
    if description:
        head.append(rx.text(description, size="2", color_scheme="gray"))
    return rx.card(rx.vstack(*head, *children, spacing="3", width="100%", align="start"), width="100%", size="3")
