"""/admin/jobs: scheduled jobs with their schedules and last runs, recent runs, and "Run now"."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import page_header, tag
from adaptivefit.components.layout import app_page
from adaptivefit.state.jobs import JobsState as J

RUN_COLUMNS = ("Job", "Started", "Finished", "Duration", "Status", "Counts", "Error", "Started by")


def _status(status) -> rx.Component:
    return rx.match(
        status,
        ("success", tag(status, "green")),
        ("partial", tag(status, "amber")),
        ("failed", tag(status, "red")),
        ("running", tag(status, "blue")),
        tag(status, "gray"),
    )


def _fact(label: str, *value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(*value, size="2"),
        spacing="0",
        min_width="0",
    )


def _progress(job) -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.box(width=job["percent"], height="100%", background=rx.color("accent", 9),
                   border_radius="var(--radius-2)", transition="width 0.4s"),
            role="progressbar", aria_label=job["title"] + " progress", aria_valuemin="0", aria_valuemax="100",
            aria_valuenow=job["percent_value"],
            width="100%", height="0.5em", background=rx.color("gray", 4), border_radius="var(--radius-2)",
            overflow="hidden",
        ),
        rx.text(job["progress"], size="1", color_scheme="gray"),
        spacing="1",
        width="100%",
    )


def _job_card(job) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(job["title"], size="4", as_="h2"),
                    rx.code(job["name"], size="1", variant="ghost"),
                    spacing="1",
                ),
                _status(job["status"]),
                justify="between",
                align="start",
                width="100%",
            ),
            rx.text(job["description"], size="2", color_scheme="gray"),
            rx.grid(
                _fact("Schedule", job["schedule"]),
                _fact("Next run", job["next_run"]),
                _fact("Last run", job["last_when"]),
                _fact("Last result", rx.cond(job["last_counts"] != "", job["last_counts"], "—")),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.cond(job["last_error"] != "", rx.text(job["last_error"], size="1", color_scheme="red")),
            rx.cond(job["running"] == "yes", _progress(job)),
            rx.button(
                rx.icon("play", size=16),
                "Run now",
                on_click=J.run_now(job["name"]),
                disabled=job["running"] == "yes",
                variant="soft",
            ),
            spacing="3",
            width="100%",
        ),
        role="region",
        aria_label=job["title"],
        width="100%",
    )


def _run_row(run) -> rx.Component:
    return rx.table.row(
        rx.table.cell(run["job"]),
        rx.table.cell(run["started"], white_space="nowrap"),
        rx.table.cell(run["finished"], white_space="nowrap"),
        rx.table.cell(run["duration"], white_space="nowrap"),
        rx.table.cell(_status(run["status"])),
        rx.table.cell(rx.text(run["counts"], size="1")),
        rx.table.cell(rx.text(run["error"], size="1", color_scheme="red")),
        rx.table.cell(rx.text(run["by"], size="1", color_scheme="gray")),
        aria_label=run["job"] + " run " + run["id"],
    )


@app_page("/admin/jobs", "Jobs", audience="admin", on_load=J.load)
def admin_jobs() -> rx.Component:
    return rx.vstack(
        page_header("Scheduled jobs", "What runs when, how the last runs went, and a way to run a job now."),
        rx.callout.root(
            rx.callout.icon(rx.cond(J.scheduler_running, rx.icon("circle-check"), rx.icon("triangle-alert"))),
            rx.callout.text(J.scheduler_text),
            color_scheme=rx.cond(J.scheduler_running, "green", "amber"),
            width="100%",
        ),
        rx.grid(
            rx.foreach(J.jobs, _job_card),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.heading("Recent runs", size="5", as_="h2", margin_top="0.5em"),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in RUN_COLUMNS])),
                rx.table.body(rx.foreach(J.runs, _run_row)),
                width="100%",
            ),
            role="region",
            aria_label="Recent runs",
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(J.runs.length() == 0, rx.text("No job has run yet. Press Run now on a job to start one.",
                                               size="2", color_scheme="gray")),
        rx.hstack(
            rx.button("Previous", variant="soft", disabled=J.page <= 1, on_click=J.go_to_page(J.page - 1)),
            rx.text("Page ", J.page, " of ", J.pages, size="2"),
            rx.button("Next", variant="soft", disabled=J.page >= J.pages, on_click=J.go_to_page(J.page + 1)),
            justify="center",
            width="100%",
            align="center",
        ),
        spacing="4",
        width="100%",
    )
