"""Password, email, two-factor authentication, signed-in devices and API tokens."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import page_header
from adaptivefit.components.forms import form_field, section
from adaptivefit.components.layout import app_page
from adaptivefit.state.account import SecurityState as S


def _code_field(name: str, field_id: str) -> rx.Component:
    return rx.cond(S.totp_enabled, form_field("Authentication code", name, errors=S.errors, field_id=field_id,
                                              auto_complete="one-time-code",
                                              hint="From your authenticator app, or a recovery code."))


def _password() -> rx.Component:
    return section(
        "Password",
        rx.form(
            rx.vstack(
                form_field("Current password", "current_password", errors=S.errors, input_type="password",
                           auto_complete="current-password"),
                form_field("New password", "new_password", errors=S.errors, input_type="password",
                           auto_complete="new-password", hint="At least 8 characters; common passwords are refused."),
                form_field("Repeat the new password", "confirm_password", errors=S.errors, input_type="password",
                           auto_complete="new-password"),
                _code_field("code", "password-code"),
                rx.button("Change password", type="submit"),
                spacing="3", width="100%", align="start",
            ),
            on_submit=S.change_password, reset_on_submit=True, no_validate=True, width="100%",
        ),
    )


def _email() -> rx.Component:
    return section(
        "Email",
        rx.form(
            rx.vstack(
                form_field("New email", "new_email", errors=S.errors, input_type="email", auto_complete="email"),
                form_field("Current password", "email_password", errors=S.errors, input_type="password",
                           field_id="email-password", auto_complete="current-password"),
                _code_field("email_code", "email-code"),
                rx.button("Change email", type="submit"),
                spacing="3", width="100%", align="start",
            ),
            on_submit=S.change_email, reset_on_submit=True, no_validate=True, width="100%",
        ),
    )


def _recovery_codes() -> rx.Component:
    return rx.cond(
        S.new_recovery_codes.length() > 0,
        rx.callout.root(
            rx.callout.text(rx.text.strong("Your recovery codes. "),
                            "Each works once if you lose your phone. They are shown only now: save them somewhere safe."),
            rx.el.ul(rx.foreach(S.new_recovery_codes, lambda code: rx.el.li(rx.code(code))),
                     aria_label="Recovery codes", style={"columns": "2", "margin": "0.5em 0"}),
            rx.button("I have saved them", size="1", variant="soft", on_click=S.dismiss_codes),
            color_scheme="amber", width="100%",
        ),
    )


def _two_factor() -> rx.Component:
    enrol = rx.vstack(
        rx.text("Scan this QR code with an authenticator app (such as Aegis, Google Authenticator or 1Password), "
                "or type the key below into it. Then enter the 6-digit code it shows."),
        rx.image(src=S.enrol_qr, alt="QR code for your authenticator app", width="12em", height="12em",
                 background="white", padding="0.5em", border_radius="var(--radius-3)"),
        rx.text("Setup key: ", rx.code(S.enrol_secret, id="totp-secret", aria_label="Setup key"), size="2"),
        rx.form(
            rx.vstack(
                form_field("Code from the app", "code", errors=S.errors, field_id="enrol-code",
                           auto_complete="one-time-code", input_mode="numeric", max_length=10),
                rx.text(S.errors.get("enrol_code", ""), color_scheme="red", size="2", role="alert"),
                rx.hstack(rx.button("Turn on two-factor", type="submit"),
                          rx.button("Cancel", type="button", variant="ghost", on_click=S.cancel_two_factor_setup)),
                spacing="3", align="start",
            ),
            on_submit=S.confirm_two_factor, reset_on_submit=True, no_validate=True,
        ),
        spacing="3", align="start",
    )
    enabled = rx.vstack(
        rx.badge("On", color_scheme="green", size="2"),
        rx.text(S.recovery_codes_left, " unused recovery codes left.", size="2"),
        rx.form(
            rx.vstack(
                rx.heading("New recovery codes", size="3", as_="h3"),
                form_field("Current password", "password", errors=S.errors, input_type="password",
                           field_id="regenerate-password"),
                rx.text(S.errors.get("regenerate_password", ""), color_scheme="red", size="2"),
                form_field("Authentication code", "code", field_id="regenerate-code", auto_complete="one-time-code"),
                rx.text(S.errors.get("regenerate_code", ""), color_scheme="red", size="2"),
                rx.button("Make new recovery codes", type="submit", variant="soft"),
                spacing="2", align="start",
            ),
            on_submit=S.regenerate_codes, reset_on_submit=True, no_validate=True,
        ),
        rx.form(
            rx.vstack(
                rx.heading("Turn off two-factor", size="3", as_="h3"),
                form_field("Current password", "password", field_id="disable-password", input_type="password"),
                rx.text(S.errors.get("disable_password", ""), color_scheme="red", size="2", role="alert"),
                form_field("Authentication code", "code", field_id="disable-code", auto_complete="one-time-code"),
                rx.text(S.errors.get("disable_code", ""), color_scheme="red", size="2", role="alert"),
                rx.button("Turn off two-factor", type="submit", color_scheme="red", variant="soft"),
                spacing="2", align="start",
            ),
            on_submit=S.disable_two_factor, reset_on_submit=True, no_validate=True,
        ),
        spacing="4", align="start",
    )
    return section(
        "Two-factor authentication",
        _recovery_codes(),
        rx.cond(
            S.totp_enabled,
            enabled,
            rx.cond(S.enrol_secret != "", enrol,
                    rx.button("Set up two-factor authentication", on_click=S.start_two_factor)),
        ),
        description="A code from your phone as well as your password, so a stolen password is not enough.",
    )


def _sessions() -> rx.Component:
    return section(
        "Where you're signed in",
        rx.foreach(
            S.sessions,
            lambda s: rx.hstack(
                rx.vstack(
                    rx.hstack(rx.text(s["device"], weight="medium"),
                              rx.cond(s["current"] != "", rx.badge("This device", color_scheme="green"))),
                    rx.text(s["ip"], " · last seen ", s["last_seen"], size="1", color_scheme="gray"),
                    spacing="0", align="start",
                ),
                rx.cond(s["current"] == "",
                        rx.button("Sign out", size="1", variant="soft", color_scheme="red",
                                  on_click=S.revoke_session(s["id"]))),
                justify="between", width="100%", align="center",
            ),
        ),
        rx.button("Sign out all other devices", variant="soft", on_click=S.revoke_other_sessions),
    )


def _api_tokens() -> rx.Component:
    return section(
        "API tokens",
        rx.cond(
            S.new_api_token != "",
            rx.callout.root(
                rx.callout.text(rx.text.strong("Your new token. "), "Copy it now: it is shown only once."),
                rx.code(S.new_api_token, id="new-api-token", aria_label="New API token", word_break="break-all"),
                rx.button("Done", size="1", variant="soft", on_click=S.dismiss_codes),
                color_scheme="amber", width="100%",
            ),
        ),
        rx.foreach(
            S.tokens,
            lambda t: rx.hstack(
                rx.vstack(rx.text(t["name"], weight="medium"),
                          rx.text(t["prefix"], "… · created ", t["created"], " · last used ", t["last_used"],
                                  size="1", color_scheme="gray"),
                          spacing="0", align="start"),
                rx.button("Revoke", size="1", variant="soft", color_scheme="red", on_click=S.revoke_api_token(t["id"])),
                justify="between", width="100%", align="center",
            ),
        ),
        rx.form(
            rx.hstack(
                form_field("Token name", "token_name", errors=S.errors, hint="What it is for, e.g. 'Garmin sync'",
                           max_length=80),
                rx.button("Create token", type="submit"),
                align="end", width="100%",
            ),
            on_submit=S.create_api_token, reset_on_submit=True, no_validate=True, width="100%",
        ),
        description="Personal tokens for Adaptive Fit's REST API (send as 'Authorization: Bearer …').",
    )


@app_page("/settings/security", "Security", audience="signed_in", on_load=S.load)
def security_page() -> rx.Component:
    return rx.vstack(
        page_header("Security", "Your password, second factor, devices and API tokens."),
        _two_factor(),
        _password(),
        _email(),
        _sessions(),
        _api_tokens(),
        spacing="4", width="100%",
    )
