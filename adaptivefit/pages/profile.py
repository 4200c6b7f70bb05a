"""My profile: details, picture, privacy, my data (export and erasure)."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import field_label, page_header
from adaptivefit.components.forms import field_error, form_field, section
from adaptivefit.components.layout import app_page
from adaptivefit.services.files.avatars import MAX_AVATAR_BYTES
from adaptivefit.state.account import ProfileState as S

AVATAR_UPLOAD = "avatar-upload"


def _select(label: str, name: str, options: list[tuple[str, str]]) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        field_label(label, field_id),
        rx.el.select(
            *[rx.el.option(text, value=value) for value, text in options],
            id=field_id, name=name, default_value=S.form.get(name, ""),
            key=S.form.get(name, ""),
            style={"width": "100%", "padding": "0.5em", "border_radius": "var(--radius-2)",
                   "border": "1px solid var(--gray-7)", "background": "var(--color-surface)", "font_size": "16px"},
        ),
        field_error(S.errors.get(name, "")),
        spacing="1", width="100%", align="start",
    )


def _avatar() -> rx.Component:
    return section(
        "Profile picture",
        rx.hstack(
            rx.cond(
                S.avatar != "",
                rx.image(src=rx.get_upload_url(S.avatar), alt="Your profile picture", width="6em", height="6em",
                         border_radius="50%", object_fit="cover"),
                rx.center(rx.icon("user-round", size=40, color=rx.color("gray", 9)), width="6em", height="6em",
                          border_radius="50%", background=rx.color("gray", 4), aria_label="No profile picture yet",
                          role="img"),
            ),
            rx.vstack(
                rx.upload.root(
                    rx.button("Choose a picture", type="button", variant="soft"),
                    id=AVATAR_UPLOAD,
                    accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]},
                    max_files=1,
                    max_size=MAX_AVATAR_BYTES,
                    on_drop=S.upload_avatar(rx.upload_files(upload_id=AVATAR_UPLOAD)),
                    border="none", padding="0",
                ),
                rx.text("JPEG, PNG or WebP, up to 5 MB. It is cropped to a square.", size="1", color_scheme="gray"),
                field_error(S.errors.get("avatar", "")),
                align="start",
            ),
            spacing="4", align="center",
        ),
    )


def _details() -> rx.Component:
    return section(
        "Details",
        rx.form(
            rx.vstack(
                form_field("Name", "name", errors=S.errors, default_value=S.form.get("name", ""), key=S.form.get("name", ""),
                           max_length=100),
                rx.grid(
                    _select("Units", "units", [("kg", "Kilograms (kg)"), ("lb", "Pounds (lb)")]),
                    _select("Fitness level", "fitness_level",
                            [("beginner", "Beginner"), ("intermediate", "Intermediate"), ("advanced", "Advanced")]),
                    form_field("Time zone", "timezone", errors=S.errors, default_value=S.form.get("timezone", ""),
                               key=S.form.get("timezone", ""), hint="For example Europe/Berlin or America/New_York."),
                    form_field("Date of birth", "date_of_birth", errors=S.errors, input_type="date",
                               default_value=S.form.get("date_of_birth", ""), key=S.form.get("date_of_birth", "")),
                    _select("Sex", "sex", [("", "Prefer not to say"), ("female", "Female"), ("male", "Male")]),
                    form_field("Height (cm)", "height_cm", errors=S.errors, input_mode="decimal",
                               default_value=S.form.get("height_cm", ""), key=S.form.get("height_cm", "")),
                    columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                ),
                rx.text("Sex, age and height are used only to estimate your energy needs.", size="1", color_scheme="gray"),
                rx.heading("Privacy", size="3", as_="h3"),
                rx.el.label(
                    rx.hstack(rx.checkbox(name="profile_visible_to_trainers", default_checked=S.visible_to_trainers,
                                          key=S.visible_to_trainers.to_string()),
                              rx.text("Trainers I work with may see my profile and training")),
                ),
                rx.el.label(
                    rx.hstack(rx.checkbox(name="allow_coach_training", default_checked=S.allow_coach_training,
                                          key=S.allow_coach_training.to_string()),
                              rx.text("My data may be used, anonymised, to train the coach")),
                ),
                rx.button("Save profile", type="submit", size="3"),
                spacing="3", width="100%", align="start",
            ),
            on_submit=S.save,
            reset_on_submit=False, no_validate=True,
            width="100%",
        ),
    )


def _my_data() -> rx.Component:
    return section(
        "My data",
        rx.text("Download everything Adaptive Fit holds about you: one JSON file per kind of record, "
                "plus your uploads, in a ZIP archive.", size="2"),
        rx.button(rx.icon("download", size=16), "Export my data", variant="soft", on_click=S.export_data),
        rx.separator(size="4"),
        rx.heading("Delete my account", size="3", as_="h3", color_scheme="red"),
        rx.text("This erases your profile, training, nutrition and uploads for good and signs you out everywhere. "
                "Purchase records needed for accounting are kept without your name or email.", size="2"),
        rx.form(
            rx.vstack(
                form_field("Current password", "password", errors=S.delete_errors, input_type="password",
                           field_id="delete-password", auto_complete="current-password"),
                rx.cond(S.totp_enabled,
                        form_field("Authentication code", "code", errors=S.delete_errors, field_id="delete-code",
                                   auto_complete="one-time-code")),
                form_field("Type DELETE to confirm", "confirm", errors=S.delete_errors, field_id="delete-confirm"),
                rx.button("Delete my account", type="submit", color_scheme="red"),
                spacing="3", width="100%", align="start",
            ),
            on_submit=S.delete_account,
            reset_on_submit=True, no_validate=True,
            width="100%",
        ),
        description="Your rights under GDPR articles 15, 17 and 20.",
    )


@app_page("/profile", "Profile", nav="Profile", icon="circle-user-round", order=80, audience="signed_in",
          on_load=S.load)
def profile_page() -> rx.Component:
    return rx.vstack(
        page_header("Your profile", "How you appear, the units you see, and your privacy."),
        rx.link(rx.hstack(rx.icon("shield-check", size=16), rx.text("Password, two-factor and sessions")),
                href="/settings/security"),
        _avatar(),
        section("Badges", rx.cond(
            S.badges.length() > 0,
            rx.flex(rx.foreach(S.badges, lambda b: rx.tooltip(
                rx.badge(rx.icon("award", size=14), b["title"], " · ", b["date"], size="2", color_scheme="amber"),
                content=b["description"])), wrap="wrap", gap="2"),
            rx.text("Badges you earn by training show up here.", color_scheme="gray"))),
        _details(),
        _my_data(),
        spacing="4", width="100%",
    )
