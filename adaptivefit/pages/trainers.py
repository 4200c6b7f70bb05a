"""Trainers: apply (/become-a-trainer), the review queue (/admin/trainers), the public profile (/trainers/[id])."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, field_label, page_header, tag
from adaptivefit.components.forms import field_error, form_field, section
from adaptivefit.components.layout import app_page
from adaptivefit.state.trainers import (
    BIO_MAX,
    HEADLINE_MAX,
    MAX_CERTIFICATE_BYTES,
    MAX_CERTIFICATES,
    TITLE_MAX,
    STATUS_LABELS,
    TrainerApplicationState as A,
    TrainerProfileState as P,
    TrainerReviewState as R,
)

CERTIFICATE_UPLOAD = "certificate-upload"
TITLE_ID = "certificate-title"
# The title goes with the file in the one upload event, read from the field when the file is chosen:
# a title kept in state by on_change (debounced) could arrive after the upload.
_TYPED_TITLE = rx.Var(_js_expr=f"(document.getElementById('{TITLE_ID}')?.value ?? '')", _var_type=str)
WRAP = {"overflow_wrap": "anywhere"}
PROSE = {"overflow_wrap": "anywhere", "white_space": "pre-wrap"}
ACCEPT = {"application/pdf": [".pdf"], "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"],
          "image/webp": [".webp"]}


def _certificate_link(cert) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(rx.cond(cert["kind"] == "PDF", "file-text", "image"), size=16),
            rx.text(cert["title"], style=WRAP),
            spacing="2", align="center",
        ),
        href=cert["url"], is_external=True, rel="noopener noreferrer",
    )


# --- /become-a-trainer ---------------------------------------------------------------------


def _status_banner() -> rx.Component:
    return rx.match(
        A.status,
        ("pending", rx.callout.root(
            rx.callout.icon(rx.icon("hourglass")),
            rx.callout.text(rx.text.strong("Under review. "),
                            "You applied on ", A.applied_on, ". A moderator reads every application; you can still "
                            "correct it and add certificates below."),
            color_scheme="blue", width="100%", role="status",
        )),
        ("rejected", rx.callout.root(
            rx.callout.icon(rx.icon("circle-alert")),
            rx.vstack(
                rx.text(rx.text.strong("Your application was not approved."), " The moderator wrote:"),
                rx.text(A.rejection_reason, style=PROSE),
                rx.text("Change what they asked for, then choose Apply again below.", size="2"),
                spacing="1", align="start",
            ),
            color_scheme="red", width="100%", role="status",
        )),
        ("approved", rx.callout.root(
            rx.callout.icon(rx.icon("badge-check")),
            rx.vstack(
                rx.text(rx.text.strong("You are a verified trainer."),
                        " Build and publish programs in the studio."),
                rx.hstack(
                    rx.button(rx.link(rx.icon("layout-dashboard", size=16), "Open the studio", href="/studio",
                                      underline="none"), as_child=True, size="2"),
                    rx.button(rx.link(rx.icon("user-round", size=16), "View your public profile",
                                      href="/trainers/" + A.profile_id, underline="none"),
                              as_child=True, size="2", variant="soft"),
                    spacing="2", wrap="wrap",
                ),
                spacing="2", align="start",
            ),
            color_scheme="green", width="100%", role="status",
        )),
        rx.fragment(),
    )


def _bio_field() -> rx.Component:
    return rx.vstack(
        field_label("About you", "field-bio"),
        rx.text_area(id="field-bio", name="bio", default_value=A.form.get("bio", ""),
                     key=A.form.get("bio", ""), rows="7", max_length=BIO_MAX, width="100%", size="3"),
        rx.text("At least 50 characters: your experience, qualifications and how you coach.", size="1",
                color_scheme="gray"),
        field_error(A.errors.get("bio", "")),
        spacing="1", width="100%", align="start",
    )


def _application_form() -> rx.Component:
    submit_label = rx.match(A.status, ("approved", "Save profile"), ("pending", "Update application"),
                            ("rejected", "Apply again"), "Send application")
    return section(
        rx.cond(A.status == "approved", "Your public profile", "Your application"),
        rx.form(
            rx.vstack(
                form_field("Headline", "headline", errors=A.errors, default_value=A.form.get("headline", ""),
                           key=A.form.get("headline", ""), max_length=HEADLINE_MAX,
                           hint="One line members see first, like “Strength coach for busy parents”."),
                _bio_field(),
                form_field("Specialties", "specialties", errors=A.errors, default_value=A.form.get("specialties", ""),
                           key=A.form.get("specialties", ""),
                           hint="Separated by commas, up to 8: strength, mobility, marathon training."),
                rx.button(submit_label, type="submit", size="3"),
                spacing="3", width="100%", align="start",
            ),
            on_submit=A.submit,
            reset_on_submit=False, no_validate=True, width="100%",
        ),
    )


def _certificate_row(cert) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                _certificate_link(cert),
                rx.text(cert["kind"], " · added ", cert["uploaded"], size="1", color_scheme="gray"),
                spacing="1", align="start", min_width="0", flex="1",
            ),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(rx.button("Remove", variant="soft", color_scheme="red", size="2",
                                                  aria_label="Remove " + cert["title"])),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Remove ", cert["title"], "?"),
                    rx.alert_dialog.description("The file is deleted; moderators no longer see it."),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(rx.button("Remove certificate", color_scheme="red",
                                                         on_click=A.remove_certificate(cert["id"]))),
                        justify="end", spacing="3", margin_top="1em",
                    ),
                ),
            ),
            align="center", width="100%", spacing="3",
        ),
        width="100%", role="group", aria_label=cert["title"],
    )


def _certificates() -> rx.Component:
    return section(
        "Certificates",
        rx.text("Add your certifications as PDF files or pictures, up to ", MAX_CERTIFICATES, ". Only moderators "
                "and you can open them.", size="2"),
        rx.cond(
            A.certificates.length() > 0,
            rx.vstack(rx.foreach(A.certificates, _certificate_row), spacing="2", width="100%",
                      role="list", aria_label="Your certificates"),
            rx.text("No certificates yet.", color_scheme="gray", size="2"),
        ),
        rx.cond(
            A.certificates.length() < MAX_CERTIFICATES,
            rx.vstack(
                field_label("Certificate title", TITLE_ID),
                rx.input(id=TITLE_ID, key="certificate-title-" + A.uploads.to_string(), placeholder="NSCA CSCS, 2023",
                         max_length=TITLE_MAX, width="100%", size="3"),
                field_error(A.errors.get("certificate_title", "")),
                rx.upload.root(
                    rx.button(rx.icon("upload", size=16), "Upload certificate", type="button", variant="soft"),
                    id=CERTIFICATE_UPLOAD,
                    accept=ACCEPT,
                    max_files=1,
                    max_size=MAX_CERTIFICATE_BYTES,
                    on_drop=A.add_certificate(rx.upload_files(upload_id=CERTIFICATE_UPLOAD), _TYPED_TITLE),
                    border="none", padding="0",
                ),
                rx.text("Type the title, then choose the file: PDF, JPEG, PNG or WebP, up to 5 MB.", size="1",
                        color_scheme="gray"),
                field_error(A.errors.get("certificate", "")),
                spacing="2", width="100%", align="start",
            ),
        ),
    )


@app_page("/become-a-trainer", "Become a trainer", nav="Become a trainer", icon="award", order=70,
          audience="member", on_phone=False, on_load=A.load)
def become_a_trainer() -> rx.Component:
    return rx.vstack(
        page_header("Become a trainer", "Publish programs on the marketplace. Tell members who you are and show "
                                        "your certifications; a moderator verifies them."),
        rx.cond(
            A.staff_account,
            rx.callout.root(
                rx.callout.icon(rx.icon("info")),
                rx.callout.text("Staff accounts don't apply to become trainers. Moderators and admins review "
                                "applications instead: ", rx.link("Trainer applications", href="/admin/trainers"),
                                "."),
                width="100%",
            ),
            rx.vstack(
                _status_banner(),
                _application_form(),
                rx.cond(A.status != "", _certificates(),
                        rx.text("Once you have sent your application you can add your certificates.", size="2",
                                color_scheme="gray")),
                spacing="4", width="100%",
            ),
        ),
        spacing="4", width="100%",
    )


# --- /admin/trainers -----------------------------------------------------------------------


def _review_note(row) -> rx.Component:
    return rx.match(
        row["status"],
        ("approved", rx.text("Approved by ", row["reviewer"], " on ", row["reviewed"], ".", size="2",
                             color_scheme="green")),
        ("rejected", rx.callout.root(
            rx.callout.text(rx.text.strong("Rejected"), " by ", row["reviewer"], " on ", row["reviewed"],
                            ". Reason: ", rx.text.span(row["reason"], style=PROSE)),
            color_scheme="red", size="1", width="100%",
        )),
        rx.fragment(),
    )


def _decision(row) -> rx.Component:
    field_id = "reject-reason-" + row["id"].to(str)
    return rx.vstack(
        rx.button(rx.icon("badge-check", size=16), "Approve", color_scheme="green", on_click=R.approve(row["id"])),
        rx.form(
            rx.el.input(type="hidden", name="trainer_id", value=row["id"]),
            rx.vstack(
                field_label("Reason for rejecting", field_id),
                rx.hstack(
                    rx.box(rx.input(id=field_id, name="reason", placeholder="What should they change?",
                                    max_length=1000, width="100%"),
                           flex="1", min_width="0"),
                    rx.button(rx.icon("x", size=16), "Reject", type="submit", color_scheme="red", variant="soft"),
                    spacing="2", width="100%",
                ),
                rx.cond(R.reason_error_for == row["id"], field_error(R.reason_error)),
                spacing="1", width="100%",
            ),
            on_submit=R.reject, reset_on_submit=False, no_validate=True, width="100%",
        ),
        spacing="3", width="100%", align="start",
    )


def _application(row) -> rx.Component:
    certificates = row["certificates"].to(list[dict[str, str]])
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(row["name"], size="4", as_="h2", style=WRAP),
                tag(row["status"], "gray"),
                spacing="2", align="center", wrap="wrap",
            ),
            rx.text(row["email"], " · applied ", row["applied"], size="1", color_scheme="gray", style=WRAP),
            rx.text(row["headline"], weight="medium", style=WRAP),
            rx.text(row["bio"], size="2", style=PROSE),
            rx.text("Specialties: ", row["specialties"], size="2", style=WRAP),
            rx.vstack(
                rx.text("Certificates", size="2", weight="medium"),
                rx.cond(
                    certificates.length() > 0,
                    rx.vstack(rx.foreach(certificates, _certificate_link), spacing="1", align="start"),
                    rx.text("None uploaded.", size="2", color_scheme="gray"),
                ),
                spacing="1", align="start",
            ),
            _review_note(row),
            rx.cond(row["status"] == "pending", _decision(row)),
            spacing="2", width="100%", align="start",
        ),
        role="article", aria_label=row["name"], width="100%",
    )


@app_page("/admin/trainers", "Trainer applications", audience="staff", on_load=R.load)
def admin_trainers() -> rx.Component:
    return rx.vstack(
        page_header("Trainer applications", "Open each certificate, then approve (the member becomes a verified "
                                            "trainer) or reject with a reason they will read."),
        rx.tabs.root(
            rx.tabs.list(*[
                rx.tabs.trigger(label, " (", R.counts.get(status, "0"), ")", value=status)
                for status, label in STATUS_LABELS.items()
            ]),
            value=R.status, on_change=R.show, width="100%",
        ),
        rx.cond(
            R.total == 0,
            empty_state("inbox", "Nothing here",
                        "New applications appear under Pending as members apply from Become a trainer."),
            rx.vstack(rx.foreach(R.rows, _application), spacing="3", width="100%"),
        ),
        rx.cond(R.pages > 1, rx.hstack(
            rx.button("Previous", variant="soft", disabled=R.page <= 1, on_click=R.go_to_page(R.page - 1)),
            rx.text("Page ", R.page, " of ", R.pages, size="2"),
            rx.button("Next", variant="soft", disabled=R.page >= R.pages, on_click=R.go_to_page(R.page + 1)),
            justify="center", width="100%", align="center",
        )),
        spacing="4", width="100%",
    )


# --- /trainers/[trainer_id] ----------------------------------------------------------------


def _program_card(program) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.heading(program["title"], size="3", as_="h3", style=WRAP),
                rx.text(program["level"], " · ", program["weeks"], size="2", color_scheme="gray"),
                rx.hstack(
                    rx.text(program["price"], weight="medium"),
                    rx.spacer(),
                    rx.hstack(rx.icon("star", size=14), rx.text(program["rating"], size="2"), spacing="1",
                              align="center"),
                    width="100%", align="center",
                ),
                spacing="2", align="start", width="100%",
            ),
            width="100%", height="100%",
        ),
        href="/programs/" + program["id"], underline="none", aria_label=program["title"],
    )


def _avatar() -> rx.Component:
    return rx.cond(
        P.avatar != "",
        rx.image(src=rx.get_upload_url(P.avatar), alt="Picture of " + P.name, width="6em", height="6em",
                 border_radius="50%", object_fit="cover", flex_shrink="0"),
        rx.center(rx.icon("user-round", size=40, color=rx.color("gray", 9)), width="6em", height="6em",
                  border_radius="50%", background=rx.color("gray", 4), flex_shrink="0"),
    )


def _profile() -> rx.Component:
    return rx.vstack(
        rx.flex(
            _avatar(),
            rx.vstack(
                rx.heading(P.name, size="7", as_="h1", style=WRAP),
                rx.text(P.headline, size="4", style=WRAP),
                rx.hstack(
                    rx.cond(P.verified, rx.badge(rx.icon("badge-check", size=14), "Verified trainer",
                                                 color_scheme="green", size="2")),
                    rx.text("Member since ", P.since, size="2", color_scheme="gray"),
                    spacing="3", align="center", wrap="wrap",
                ),
                rx.cond(
                    P.rating != "",
                    rx.hstack(rx.icon("star", size=16, color=rx.color("amber", 9)),
                              rx.text(P.rating, " from ", P.rating_count,
                                      rx.cond(P.rating_count == 1, " rating", " ratings"), size="2"),
                              spacing="1", align="center"),
                    rx.text("No ratings yet", size="2", color_scheme="gray"),
                ),
                spacing="2", align="start", min_width="0",
            ),
            direction=rx.breakpoints(initial="column", sm="row"), spacing="4",
            align=rx.breakpoints(initial="start", sm="center"),
            width="100%",
        ),
        section(
            "About",
            rx.text(P.bio, style=PROSE),
            rx.flex(rx.foreach(P.specialties, lambda s: tag(s, "blue")), wrap="wrap", spacing="2"),
        ),
        section(
            "Programs",
            rx.cond(
                P.programs.length() > 0,
                rx.grid(rx.foreach(P.programs, _program_card), columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                        spacing="3", width="100%"),
                rx.text("No published programs yet.", color_scheme="gray"),
            ),
        ),
        spacing="4", width="100%",
    )


@app_page("/trainers/[trainer_id]", "Trainer", on_load=P.load)
def trainer_profile() -> rx.Component:
    return rx.cond(
        P.found,
        _profile(),
        empty_state("user-x", "No such trainer",
                    "This profile is not public, or the link is wrong. Browse the marketplace for programs."),
    )
