"""The workout logger, built for a phone between sets: big inputs, last time's numbers beside them."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, field_label, page_header, tag
from adaptivefit.components.forms import section
from adaptivefit.components.layout import app_page
from adaptivefit.state.workouts import WorkoutState as S

IMPORT_UPLOAD = "history-upload"


def _error(key) -> rx.Component:
    message = S.errors.get(key, "")
    return rx.cond(message != "", rx.text(message, color_scheme="red", size="2", role="alert"))


def _set_row(block, row) -> rx.Component:
    return rx.cond(
        S.editing_set == row["id"],
        rx.form(
            rx.hstack(
                rx.input(name="reps", default_value=row["reps"], aria_label="Edit reps", input_mode="numeric", width="5em"),
                rx.input(name="load", default_value=row["load"], aria_label="Edit load", input_mode="decimal", width="6em"),
                rx.input(name="rpe", default_value=row["rpe"], aria_label="Edit RPE", input_mode="decimal", width="4em"),
                rx.button("Save", type="submit", size="1"),
                rx.button("Cancel", type="button", size="1", variant="ghost", on_click=S.cancel_edit),
                wrap="wrap", align="center",
            ),
            _error("edit"),
            on_submit=S.save_set, reset_on_submit=False,
        ),
        rx.hstack(
            rx.text(row["number"], weight="bold", width="1.5em"),
            rx.cond(row["type"] != "working", tag(row["type"], "gray")),
            rx.text(row["load"], " ", S.units, " × ", row["reps"], size="3"),
            rx.cond(row["rpe"] != "", rx.text("RPE ", row["rpe"], size="2", color_scheme="gray")),
            rx.cond(row["rir"] != "", rx.text(row["rir"], " RIR", size="2", color_scheme="gray")),
            rx.cond(row["e1rm"] != "", rx.text("e1RM ", row["e1rm"], size="1", color_scheme="gray")),
            rx.cond(row["note"] != "", rx.text("“", row["note"], "”", size="1", color_scheme="gray")),
            rx.cond(row["pr"] != "", rx.badge("PR", color_scheme="amber", variant="solid")),
            rx.spacer(),
            rx.icon_button(rx.icon("pencil", size=14), size="1", variant="ghost", aria_label="Edit set",
                           on_click=S.edit_set(row["id"])),
            rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                           aria_label="Delete set", on_click=S.delete_set(row["id"])),
            width="100%", align="center", aria_label="Set",
        ),
    )


def _log_form(block) -> rx.Component:
    key = block["exercise_id"].to(str)
    return rx.form(
        rx.el.input(type="hidden", name="exercise_id", value=key),
        rx.el.input(type="hidden", name="client_id", value=S.client_id),
        rx.grid(
            rx.vstack(rx.el.label("Reps", html_for=f"reps-{key}", font_size="var(--font-size-1)"),
                      rx.input(id=f"reps-{key}", name="reps", default_value=block["default_reps"], key=S.client_id,
                               input_mode="numeric", size="3", width="100%"),
                      spacing="1"),
            rx.vstack(rx.el.label("Load (", S.units, ")", html_for=f"load-{key}", font_size="var(--font-size-1)"),
                      rx.input(id=f"load-{key}", name="load", default_value=block["default_load"], key=S.client_id,
                               input_mode="decimal", size="3", width="100%"),
                      spacing="1"),
            rx.vstack(rx.el.label("RPE", html_for=f"rpe-{key}", font_size="var(--font-size-1)"),
                      rx.input(id=f"rpe-{key}", name="rpe", input_mode="decimal", size="3", width="100%",
                               placeholder="1-10"),
                      spacing="1"),
            rx.vstack(rx.el.label("RIR", html_for=f"rir-{key}", font_size="var(--font-size-1)"),
                      rx.input(id=f"rir-{key}", name="rir", input_mode="numeric", size="3", width="100%",
                               placeholder="0-10"),
                      spacing="1"),
            columns="4", spacing="2", width="100%",
        ),
        rx.grid(
            rx.vstack(rx.el.label("Type", html_for=f"type-{key}", font_size="var(--font-size-1)"),
                      rx.el.select(rx.el.option("Working", value="working"), rx.el.option("Warm-up", value="warmup"),
                                   rx.el.option("Drop", value="drop"), id=f"type-{key}", name="set_type",
                                   style={"padding": "0.55em", "width": "100%", "font_size": "16px"}),
                      spacing="1"),
            rx.vstack(rx.el.label("Note", html_for=f"note-{key}", font_size="var(--font-size-1)"),
                      rx.input(id=f"note-{key}", name="note", size="3", width="100%", max_length=500,
                               key=S.client_id),
                      spacing="1"),
            columns="2", spacing="2", width="100%", margin_top="0.5em",
        ),
        _error(key),
        rx.button(rx.icon("check", size=18), "Log set", type="submit", size="3", width="100%", margin_top="0.5em"),
        on_submit=S.log_set,
        reset_on_submit=False,
        no_validate=True,
        width="100%",
    )


def _tweak_card(tweak) -> rx.Component:
    """A coach suggestion: what changes and why, to take or leave."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("sparkles", size=18),
                rx.text("Coach", rx.cond(tweak["exercise"] != "", " · " + tweak["exercise"], ""), size="2",
                        color_scheme="gray"),
                rx.cond(tweak["ai"] != "", rx.badge("AI", variant="soft", color_scheme="violet")),
                align="center",
            ),
            rx.heading(tweak["title"], size="4", as_="h3"),
            rx.text(tweak["reason"], size="2"),
            rx.text(rx.text.strong(tweak["change"]), size="2"),
            rx.cond(tweak["message"] != "", rx.text(tweak["message"], size="2", color_scheme="gray",
                                                    aria_label="Coach message")),
            rx.cond(tweak["evidence_1"] != "", rx.vstack(
                rx.text("Evidence", size="1", color_scheme="gray", weight="medium"),
                rx.link(tweak["evidence_1"], href=tweak["evidence_1_url"], is_external=True, size="1"),
                rx.cond(tweak["evidence_2"] != "",
                        rx.link(tweak["evidence_2"], href=tweak["evidence_2_url"], is_external=True, size="1")),
                spacing="1", aria_label="Evidence",
            )),
            rx.cond(
                tweak["informational"] != "",
                rx.button("Got it", variant="soft", size="2", on_click=S.answer_tweak(tweak["id"], False)),
                rx.hstack(
                    rx.button(rx.icon("check", size=16), "Accept", size="2", on_click=S.answer_tweak(tweak["id"], True)),
                    rx.button("Dismiss", variant="soft", color_scheme="gray", size="2",
                              on_click=S.answer_tweak(tweak["id"], False)),
                ),
            ),
            spacing="2", align="start", width="100%",
        ),
        width="100%", role="region", aria_label="Coach suggestion",
        background=rx.color("violet", 2),
    )


def _tweaks() -> rx.Component:
    return rx.cond(S.tweaks.length() > 0,
                   rx.vstack(rx.foreach(S.tweaks, _tweak_card), width="100%", spacing="2"))


def _block(block) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(block["name"], size="4", as_="h2"),
            rx.cond(block["plan"] != "", rx.text(block["plan"], size="2", color_scheme="gray")),
            rx.cond(block["coach"] != "", rx.text(block["coach"], size="2", color_scheme="violet", weight="medium",
                                                  aria_label="Coach target")),
            rx.text(rx.text.strong("Last time: "), block["previous"], size="2"),
            rx.cond(
                block["unavailable"] != "",
                rx.callout.root(
                    rx.callout.text("Not available at your gym today. Try instead:"),
                    rx.hstack(rx.foreach(block["substitutes"].to(list[dict[str, str]]), lambda sub: rx.button(
                        "Use ", sub["name"], size="1", variant="soft",
                        on_click=S.substitute(block["exercise_id"], sub["id"]))), wrap="wrap"),
                    color_scheme="orange", size="1", width="100%",
                ),
            ),
            rx.vstack(rx.foreach(block["sets"].to(list[dict[str, str]]), lambda row: _set_row(block, row)), width="100%", spacing="2"),
            _log_form(block),
            rx.button("Skip set", variant="ghost", size="1", color_scheme="gray",
                      on_click=S.skip_set(block["exercise_id"])),
            spacing="3", width="100%", align="start",
        ),
        width="100%",
        aria_label=block["name"],
    )


def _rest_timer() -> rx.Component:
    return rx.cond(
        S.rest_left > 0,
        rx.card(
            rx.hstack(
                rx.icon("timer", size=22),
                rx.text("Rest ", rx.text.strong((S.rest_left // 60).to_string() + ":" +
                                                rx.cond(S.rest_left % 60 < 10, "0", "") + (S.rest_left % 60).to_string()),
                        size="5", role="timer", aria_label="Rest timer"),
                rx.spacer(),
                rx.button("Skip rest", variant="soft", size="2", on_click=S.skip_rest),
                align="center", width="100%",
            ),
            position="sticky", top=["4.2em", "4.2em", "0.5em"], z_index="5", width="100%",
            background=rx.color("accent", 3),
        ),
    )


def _add_exercise() -> rx.Component:
    return rx.vstack(
        field_label("Add an exercise", "add-exercise"),
        rx.input(id="add-exercise", placeholder="Search the library", value=S.search,
                 on_change=S.find_exercise.debounce(250), width="100%", size="3", type="search"),
        rx.vstack(rx.foreach(S.search_results, lambda r: rx.button(
            r["name"], " · ", r["equipment"], variant="soft", width="100%", justify="start",
            on_click=S.add_exercise(r["id"]))), width="100%", spacing="1"),
        width="100%", spacing="1",
    )


def _summary() -> rx.Component:
    return rx.cond(
        S.summary.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("trophy")),
            rx.callout.text(rx.text.strong("Workout finished: "), S.summary["name"]),
            rx.text(S.summary["duration"], " · ", S.summary["sets"], " sets · volume ", S.summary["volume"],
                    size="2", role="status", aria_label="Workout summary"),
            rx.foreach(S.summary_prs, lambda pr: rx.text("🏆 ", pr, size="2")),
            color_scheme="green", width="100%",
        ),
    )


def _idle() -> rx.Component:
    return rx.vstack(
        _summary(),
        _tweaks(),
        rx.cond(
            S.next_day != "",
            rx.card(rx.vstack(
                rx.text("Today's workout", size="2", color_scheme="gray"),
                rx.heading(S.next_day, size="5", as_="h2"),
                rx.button("Start today's workout", size="3", on_click=S.start(S.next_day_id)),
                align="start"), width="100%"),
            empty_state("calendar-plus", "No plan yet", "Build a plan to get today's workout here, or just start lifting."),
        ),
        rx.button("Start an empty workout", size="3", variant="soft", on_click=S.start("")),
        section(
            "Bring your history",
            rx.text("Import a CSV export from Strong or Hevy, or download everything you logged here.", size="2"),
            rx.hstack(
                rx.upload.root(rx.button("Import Strong or Hevy CSV", type="button", variant="soft"),
                               id=IMPORT_UPLOAD, accept={"text/csv": [".csv"]}, max_files=1,
                               on_drop=S.import_history(rx.upload_files(upload_id=IMPORT_UPLOAD)),
                               border="none", padding="0"),
                rx.button(rx.icon("download", size=16), "Export my history (CSV)", variant="soft",
                          on_click=S.export_history),
                wrap="wrap",
            ),
            rx.foreach(S.import_report, lambda line: rx.text(line, size="2", role="status")),
        ),
        spacing="4", width="100%", align="start",
    )


def _active() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.heading(S.name, size="6", as_="h2"), rx.spacer(),
                  rx.button("Finish workout", color_scheme="green", on_click=S.finish), width="100%", align="center"),
        _rest_timer(),
        _tweaks(),
        rx.text("Each working set shows its estimated one-rep max (e1RM) by the Epley formula, "
                "load × (1 + reps / 30).", size="1", color_scheme="gray"),
        rx.foreach(S.blocks, _block),
        _add_exercise(),
        spacing="4", width="100%",
    )


@app_page("/workouts", "Workouts", nav="Workouts", icon="activity", order=5, audience="signed_in", on_load=S.load)
def workouts_page() -> rx.Component:
    return rx.vstack(
        page_header("Workout", "Log each set as you go; it is saved the moment you tap Log set."),
        rx.cond(S.active, _active(), _idle()),
        spacing="3", width="100%",
    )
