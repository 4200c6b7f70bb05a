"""Sign in (password, then a second factor when the account has one), register, reset a password."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.forms import field_error, form_card, form_field
from adaptivefit.components.layout import app_page
from adaptivefit.state.auth import AuthState as S


def _password_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_field("Email", "email", input_type="email", auto_complete="email",
                       max_length=254, field_id="sign-in-email"),
            form_field("Password", "password", input_type="password", auto_complete="current-password",
                       field_id="sign-in-password"),
            field_error(S.error),
            rx.button("Sign in", type="submit", size="3", width="100%", loading=S.busy),
            rx.hstack(
                rx.link("Forgot your password?", href="/forgot-password", size="2"),
                rx.link("Create an account", href="/register", size="2"),
                justify="between", width="100%", wrap="wrap",
            ),
            spacing="4", width="100%",
        ),
        on_submit=S.sign_in,
        reset_on_submit=False, no_validate=True,
    )


def _code_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Your account has two-factor authentication. Enter the 6-digit code from your "
                    "authenticator app, or one of your recovery codes."),
            form_field("Authentication code", "code", auto_complete="one-time-code", input_mode="text",
                       max_length=40, field_id="sign-in-code", auto_focus=True),
            field_error(S.error),
            rx.button("Verify", type="submit", size="3", width="100%", loading=S.busy),
            rx.button("Start over", type="button", variant="ghost", on_click=S.cancel_second_step),
            spacing="4", width="100%",
        ),
        on_submit=S.submit_code,
        reset_on_submit=True, no_validate=True,
    )


@app_page("/login", "Sign in", on_load=S.open_sign_in)
def sign_in() -> rx.Component:
    return form_card("Sign in", rx.cond(S.mfa_step, _code_step(), _password_step()))


@app_page("/register", "Create an account")
def register() -> rx.Component:
    return form_card(
        "Create your account",
        rx.form(
            rx.vstack(
                form_field("Name", "name", errors=S.errors, auto_complete="name", max_length=100),
                form_field("Email", "email", errors=S.errors, input_type="email", auto_complete="email", max_length=254),
                form_field("Password", "password", errors=S.errors, input_type="password", auto_complete="new-password",
                           hint="At least 8 characters. Long passphrases are best; common passwords are refused."),
                rx.button("Create account", type="submit", size="3", width="100%", loading=S.busy),
                rx.link("I already have an account", href="/login", size="2"),
                spacing="4", width="100%",
            ),
            on_submit=S.register,
            reset_on_submit=False, no_validate=True,
        ),
        subtitle="Log workouts, track food and let the coach adapt your training.",
    )


@app_page("/forgot-password", "Reset your password")
def forgot_password() -> rx.Component:
    return form_card(
        "Reset your password",
        rx.form(
            rx.vstack(
                form_field("Email", "email", errors=S.errors, input_type="email", auto_complete="email", max_length=254),
                rx.button("Send reset link", type="submit", size="3", width="100%"),
                rx.cond(S.notice != "", rx.callout(S.notice, icon="mail", color_scheme="green", role="status")),
                spacing="4", width="100%",
            ),
            on_submit=S.request_reset,
            no_validate=True,
        ),
        subtitle="We'll email you a link to choose a new password.",
    )


@app_page("/reset-password", "Choose a new password", on_load=S.open_reset)
def reset_password() -> rx.Component:
    return form_card(
        "Choose a new password",
        rx.cond(
            S.reset_link_valid,
            rx.form(
                rx.vstack(
                    form_field("New password", "password", errors=S.errors, input_type="password",
                               auto_complete="new-password"),
                    form_field("Repeat the new password", "confirm", errors=S.errors, input_type="password",
                               auto_complete="new-password"),
                    rx.cond(S.reset_needs_code,
                            form_field("Authentication code", "code", errors=S.errors, auto_complete="one-time-code",
                                       hint="Your account has two-factor authentication: a current code or a "
                                            "recovery code is needed too.")),
                    field_error(S.errors.get("token", "")),
                    rx.button("Set new password", type="submit", size="3", width="100%"),
                    spacing="4", width="100%",
                ),
                on_submit=S.reset_password,
                reset_on_submit=False, no_validate=True,
            ),
            rx.vstack(
                rx.text("This reset link is not valid any more. Links work once, for one hour."),
                rx.link("Ask for a new link", href="/forgot-password"),
            ),
        ),
    )
