"""Sign in with email and password."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import field_label
from adaptivefit.components.layout import app_page
from adaptivefit.state.auth import AuthState as S


@app_page("/login", "Sign in")
def sign_in() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Sign in", size="7", as_="h1"),
                    rx.vstack(
                        field_label("Email", "sign-in-email"),
                        rx.input(id="sign-in-email", name="email", type="email", auto_complete="email",
                                 default_value=S.email, size="3", width="100%", max_length=254),
                        spacing="1", width="100%",
                    ),
                    rx.vstack(
                        field_label("Password", "sign-in-password"),
                        rx.input(id="sign-in-password", name="password", type="password",
                                 auto_complete="current-password", size="3", width="100%"),
                        rx.cond(S.error != "", rx.text(S.error, color_scheme="red", size="2", role="alert")),
                        spacing="1", width="100%",
                    ),
                    rx.button("Sign in", type="submit", size="3", width="100%", loading=S.busy),
                    spacing="4",
                    width="100%",
                ),
                on_submit=S.sign_in,
                reset_on_submit=False,
            ),
            size="4",
            width="100%",
            max_width="26em",
        ),
        padding_y=["1em", "3em"],
    )
