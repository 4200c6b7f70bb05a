"""The trainer's studio (/studio), the program builder, and the moderators' program list (/admin/programs)."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, field_label, page_header, tag
from adaptivefit.components.forms import field_error, form_field, section
from adaptivefit.components.layout import app_page
from adaptivefit.state.programs import COVER_MAX_BYTES, CURRENCY_OPTIONS, GOAL_OPTIONS, LEVEL_OPTIONS
from adaptivefit.state.programs import ProgramBuilderState as B
from adaptivefit.state.programs import ProgramModerationState as M
from adaptivefit.state.programs import StudioState as S

COVER_UPLOAD = "program-cover-upload"
SELECT_STYLE = {"padding": "0.5em", "width": "100%", "font_size": "16px", "border_radius": "var(--radius-2)",
                "border": "1px solid var(--gray-7)", "background": "var(--color-surface)"}
WRAP = {"overflow_wrap": "anywhere"}


def _status_tag(status, text) -> rx.Component:
    return rx.match(status, ("published", tag(text, "green")), ("unpublished", tag(text, "orange")), tag(text))


def _hidden_callout(reason) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("eye-off")),
        rx.callout.text(rx.text.strong("Hidden by a moderator. "), "Reason: ", rx.text.span(reason, style=WRAP)),
        color_scheme="red", size="1", width="100%", role="status",
    )


# ---------------------------------------------------------------- /studio

def _program_row(row) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(rx.heading(row["title"], size="4", as_="h2", style=WRAP), href="/studio/programs/" + row["id"]),
                rx.spacer(),
                _status_tag(row["status"], row["status_label"]),
                rx.cond(row["hidden"] != "", tag("hidden by moderator", "red")),
                width="100%", align="center", wrap="wrap",
            ),
            rx.text(row["price"], " · ", row["version"], " · ", row["sales"], " · ", row["rating"],
                    " · changed ", row["updated"], size="2", color_scheme="gray"),
            rx.cond(row["hidden"] != "", _hidden_callout(row["reason"])),
            rx.button(rx.link("Open builder", href="/studio/programs/" + row["id"], underline="none"),
                      as_child=True, size="2", variant="soft"),
            spacing="2", width="100%", align="start",
        ),
        role="article", aria_label=row["title"], width="100%",
    )


@app_page("/studio", "Studio", nav="Studio", icon="briefcase", order=30, audience="trainer", on_phone=False,
          on_load=S.load)
def studio_page() -> rx.Component:
    return rx.vstack(
        page_header("Studio", "Build programs, publish them on the marketplace and keep them up to date."),
        section(
            "New program",
            rx.form(
                rx.hstack(
                    rx.box(form_field("Program title", "title", errors=S.errors, max_length=120,
                                      placeholder="e.g. Strong in 12 Weeks"), flex="1", min_width="0"),
                    rx.button("Create program", type="submit"),
                    align="end", width="100%", wrap="wrap",
                ),
                on_submit=S.create, reset_on_submit=False, no_validate=True, width="100%",
            ),
        ),
        rx.heading("My programs", size="5", as_="h2"),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(rx.foreach(S.rows, _program_row), width="100%", spacing="3"),
            empty_state("briefcase", "No programs yet", "Give your first program a title above, then add its weeks "
                                                        "and exercises."),
        ),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- /studio/programs/[program_id]

def _select(label_text: str, name: str, options: list[tuple[str, str]], value) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        field_label(label_text, field_id),
        rx.el.select(*[rx.el.option(text, value=v) for v, text in options], id=field_id, name=name,
                     default_value=value, style=SELECT_STYLE),
        field_error(B.errors.get(name, "")),
        spacing="1", width="100%", align="start",
    )


def _price_kind(value: str, text: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(rx.el.input(type="radio", name="price_kind", value=value,
                              default_checked=B.form.get("price_kind", "free") == value),
                  rx.text(text), align="center", spacing="2"),
    )


def _details_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_field("Title", "title", errors=B.errors, default_value=B.form.get("title", ""), max_length=120),
            rx.vstack(
                field_label("Description", "field-description"),
                rx.text_area(id="field-description", name="description", default_value=B.form.get("description", ""),
                             rows="6", width="100%", max_length=10000),
                field_error(B.errors.get("description", "")),
                spacing="1", width="100%", align="start",
            ),
            rx.grid(
                _select("Goal", "goal", GOAL_OPTIONS, B.form.get("goal", "")),
                _select("Level", "level", LEVEL_OPTIONS, B.form.get("level", "")),
                form_field("Duration (weeks)", "duration_weeks", errors=B.errors, input_mode="numeric",
                           default_value=B.form.get("duration_weeks", "4")),
                columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
            ),
            rx.el.fieldset(
                rx.el.legend("Required equipment", style={"font_weight": "500", "font_size": "var(--font-size-2)"}),
                rx.grid(rx.foreach(B.equipment, lambda e: rx.el.label(rx.hstack(
                    rx.checkbox(name="eq-" + e["id"], default_checked=e["checked"] == "yes"), rx.text(e["name"], size="2"),
                    align="center"))), columns=rx.breakpoints(initial="2", md="3"), spacing="2", width="100%"),
                rx.text("Members filter by equipment they have; leave all unticked for bodyweight programs.",
                        size="1", color_scheme="gray"),
                field_error(B.errors.get("equipment", "")),
                style={"border": "none", "padding": "0", "margin": "0", "width": "100%"},
            ),
            rx.el.fieldset(
                rx.el.legend("Pricing", style={"font_weight": "500", "font_size": "var(--font-size-2)"}),
                rx.hstack(_price_kind("free", "Free"), _price_kind("one_time", "One-time price"),
                          _price_kind("subscription", "Monthly subscription"), spacing="4", wrap="wrap"),
                field_error(B.errors.get("price_kind", "")),
                rx.grid(
                    form_field("Price", "price", errors=B.errors, default_value=B.form.get("price", ""),
                               input_mode="decimal", placeholder="e.g. 29.00",
                               hint="For one-time and monthly prices; monthly is charged each month."),
                    _select("Currency", "currency", CURRENCY_OPTIONS, B.form.get("currency", "usd")),
                    columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                ),
                style={"border": "none", "padding": "0", "margin": "0", "width": "100%"},
            ),
            rx.button("Save details", type="submit"),
            spacing="3", width="100%", align="start",
        ),
        key=B.form_key, on_submit=B.save, reset_on_submit=False, no_validate=True, width="100%",
    )


def _cover() -> rx.Component:
    return section(
        "Cover picture",
        rx.cond(B.cover != "",
                rx.image(src=rx.get_upload_url(B.cover), alt="Cover of " + B.form.get("title", ""), width="100%",
                         max_width="32em", border_radius="var(--radius-3)"),
                rx.text("No cover yet. A wide picture (16:9) looks best.", color_scheme="gray")),
        rx.upload.root(rx.button("Upload a cover picture", type="button", variant="soft"), id=COVER_UPLOAD,
                       accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]},
                       max_files=1, max_size=COVER_MAX_BYTES,
                       on_drop=B.upload_cover(rx.upload_files(upload_id=COVER_UPLOAD)), border="none", padding="0"),
        rx.text("JPEG, PNG or WebP up to 5 MB; checked by content and cropped to 16:9.", size="1", color_scheme="gray"),
        field_error(B.errors.get("cover", "")),
    )


def _structure() -> rx.Component:
    return section(
        "Weeks and exercises",
        rx.text(B.summary, size="3"),
        rx.cond(B.unpublished_changes & (B.version > 0),
                rx.text("You changed the plan since the last version: publish to release the update.", size="2",
                        color_scheme="orange")),
        rx.text("Edit the days and exercises (sets, reps or ranges, load in kg or % 1RM, RPE or RIR, rest, notes) "
                "in the plan editor.", size="2", color_scheme="gray"),
        rx.button(rx.link(rx.icon("calendar-days", size=16), "Edit weeks and exercises", href=B.plan_link,
                          underline="none"), as_child=True, variant="soft"),
        field_error(B.errors.get("structure", "")),
    )


def _publishing() -> rx.Component:
    return section(
        "Publishing",
        rx.hstack(_status_tag(B.status, B.status_label),
                  rx.cond(B.version > 0, rx.text("Version ", B.version.to_string(), " · ", B.sales,
                                                 size="2", color_scheme="gray")),
                  align="center", spacing="2"),
        rx.cond(B.hidden, _hidden_callout(B.hidden_reason)),
        rx.foreach(B.errors.values(), lambda e: rx.text(e, color_scheme="red", size="2", role="alert")),
        rx.form(
            rx.vstack(
                rx.cond(B.version > 0, rx.vstack(
                    field_label("What changed", "field-changelog"),
                    rx.text_area(id="field-changelog", name="changelog", rows="2", width="100%", max_length=2000,
                                 placeholder="Shown to buyers when they update to the new version"),
                    spacing="1", width="100%")),
                rx.hstack(
                    rx.button(rx.icon("send", size=16), "Publish", type="submit"),
                    rx.cond(B.status == "published",
                            rx.alert_dialog.root(
                                rx.alert_dialog.trigger(rx.button("Unpublish", type="button", variant="soft",
                                                                  color_scheme="orange")),
                                rx.alert_dialog.content(
                                    rx.alert_dialog.title("Take this program off the marketplace?"),
                                    rx.alert_dialog.description("Buyers keep the version they have; nobody new "
                                                                "can buy it until you publish again."),
                                    rx.hstack(rx.alert_dialog.cancel(rx.button("Keep it", variant="soft",
                                                                               color_scheme="gray")),
                                              rx.alert_dialog.action(rx.button("Unpublish", color_scheme="orange",
                                                                               on_click=B.unpublish)),
                                              justify="end", spacing="3", margin_top="1em"),
                                ),
                            )),
                    rx.cond(B.status == "published",
                            rx.button(rx.link("View on the marketplace", href="/programs/" + B.pid, underline="none"),
                                      as_child=True, variant="ghost")),
                    spacing="3", wrap="wrap",
                ),
                spacing="2", width="100%", align="start",
            ),
            on_submit=B.publish, reset_on_submit=True, no_validate=True, width="100%",
        ),
        rx.cond(B.versions.length() > 0, rx.vstack(
            rx.heading("Versions", size="3", as_="h3"),
            rx.foreach(B.versions, lambda v: rx.hstack(
                rx.text(v["version"], weight="medium"), rx.text(v["date"], size="2", color_scheme="gray"),
                rx.text(v["changelog"], size="2", style=WRAP), spacing="3", wrap="wrap", width="100%")),
            role="list", aria_label="Versions", width="100%", spacing="1")),
    )


@app_page("/studio/programs/[program_id]", "Program builder", audience="trainer", on_load=B.load)
def builder_page() -> rx.Component:
    return rx.vstack(
        rx.link("← Studio", href="/studio", size="2"),
        rx.cond(
            B.pid != "",
            rx.vstack(
                page_header("Program builder", "Details buyers see, the plan they get, and publishing."),
                rx.grid(
                    rx.vstack(section("Details", _details_form()), width="100%"),
                    rx.vstack(_structure(), _publishing(), _cover(), width="100%", spacing="4"),
                    columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%",
                ),
                width="100%", spacing="3",
            ),
            empty_state("search-x", "Program not found", "Open one of your programs from the studio."),
        ),
        spacing="3", width="100%",
    )


# ---------------------------------------------------------------- /admin/programs

def _moderation_row(row) -> rx.Component:
    field_id = "hide-program-" + row["id"]
    return rx.card(
        rx.vstack(
            rx.hstack(rx.link(rx.heading(row["title"], size="3", as_="h2", style=WRAP), href="/programs/" + row["id"]),
                      tag(row["status"]), rx.cond(row["hidden"] != "", tag("hidden", "red")), wrap="wrap",
                      align="center"),
            rx.text("by ", row["trainer"], " · ", row["price"], " · changed ", row["updated"], size="2",
                    color_scheme="gray"),
            rx.cond(
                row["hidden"] != "",
                rx.vstack(_hidden_callout(row["reason"]),
                          rx.button(rx.icon("eye", size=16), "Unhide", variant="soft", on_click=M.unhide(row["id"])),
                          spacing="2", width="100%", align="start"),
                rx.form(
                    rx.el.input(type="hidden", name="program_id", value=row["id"]),
                    rx.vstack(
                        field_label("Reason for hiding", field_id),
                        rx.hstack(rx.box(rx.input(id=field_id, name="reason", max_length=1000, width="100%",
                                                  placeholder="The trainer sees this"), flex="1", min_width="0"),
                                  rx.button(rx.icon("eye-off", size=16), "Hide", type="submit", color_scheme="red",
                                            variant="soft"), width="100%"),
                        spacing="1", width="100%"),
                    on_submit=M.hide, reset_on_submit=True, no_validate=True, width="100%",
                ),
            ),
            spacing="2", width="100%", align="start",
        ),
        role="article", aria_label=row["title"], width="100%",
    )


@app_page("/admin/programs", "Programs", audience="staff", on_load=M.load)
def moderation_page() -> rx.Component:
    return rx.vstack(
        page_header("Programs", "Hide a program that breaks the rules, with a reason its trainer sees."),
        rx.vstack(field_label("Search programs", "program-search"),
                  rx.input(id="program-search", placeholder="Title or trainer", value=M.query,
                           on_change=M.search.debounce(300), width="100%"),
                  spacing="1", width="100%"),
        rx.text(M.total.to_string(), " programs", size="2", color_scheme="gray"),
        rx.cond(M.rows.length() > 0, rx.vstack(rx.foreach(M.rows, _moderation_row), width="100%", spacing="3"),
                empty_state("search-x", "No programs", "Nothing matches that search.")),
        rx.hstack(
            rx.button("Previous", variant="soft", disabled=M.page <= 1, on_click=M.go_to_page(M.page - 1)),
            rx.text("Page ", M.page.to_string(), " of ", M.pages.to_string(), size="2"),
            rx.button("Next", variant="soft", disabled=M.page >= M.pages, on_click=M.go_to_page(M.page + 1)),
            align="center", spacing="3",
        ),
        spacing="4", width="100%",
    )
