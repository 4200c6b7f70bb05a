"""/admin/knowledge: search the knowledge base, hide records from training with a reason, show them again."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, field_label, page_header, tag
from adaptivefit.components.layout import app_page
from adaptivefit.state.knowledge import ALL, SOURCE_LABELS, VISIBILITY_LABELS, KnowledgeAdminState as K

SELECT_STYLE = {"padding": "0.45em", "width": "100%"}
WRAP = {"overflow_wrap": "anywhere"}


def _source_tag(row) -> rx.Component:
    return rx.match(
        row["source"],
        ("pubmed", tag(row["source_label"], "blue")),
        ("youtube", tag(row["source_label"], "red")),
        ("feed", tag(row["source_label"], "orange")),
        ("curated", tag(row["source_label"], "green")),
        tag(row["source_label"]),
    )


def _count(count) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(count["label"], size="2", color_scheme="gray", weight="medium"),
            rx.text(count["total"], size="6", weight="bold"),
            rx.text(count["hidden"], " hidden", size="1", color_scheme="gray"),
            spacing="0",
        ),
        role="group",
        aria_label=count["label"],
        width="100%",
    )


def _title(row) -> rx.Component:
    heading = rx.heading(row["title"], size="3", as_="h2", style=WRAP)
    return rx.cond(row["url"] != "", rx.link(heading, href=row["url"], is_external=True, rel="noopener noreferrer"),
                   heading)


def _hidden_note(row) -> rx.Component:
    return rx.vstack(
        rx.callout.root(
            rx.callout.text(
                rx.text.strong("Hidden"), " by ", row["hidden_by"], " on ", row["hidden_at"], ". Reason: ",
                rx.text.span(row["reason"], style=WRAP),
            ),
            color_scheme="red",
            size="1",
            width="100%",
        ),
        rx.button(rx.icon("eye", size=16), "Unhide", variant="soft", on_click=K.unhide(row["id"])),
        spacing="2",
        width="100%",
        align="start",
    )


def _hide_form(row) -> rx.Component:
    field_id = "hide-reason-" + row["id"]
    return rx.form(
        rx.el.input(type="hidden", name="record_id", value=row["id"]),
        rx.vstack(
            field_label("Reason for hiding", field_id),
            rx.hstack(
                rx.box(rx.input(id=field_id, name="reason", placeholder="Why keep it out of training?",
                                required=True, max_length=500, width="100%"),
                       flex="1", min_width="0"),
                rx.button(rx.icon("eye-off", size=16), "Hide", type="submit", color_scheme="red", variant="soft"),
                spacing="2",
                width="100%",
            ),
            spacing="1",
            width="100%",
        ),
        on_submit=K.hide,
        reset_on_submit=True,
        width="100%",
    )


def _record(row) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _source_tag(row),
                tag(row["topic"]),
                rx.cond(row["hidden"] == "yes", tag("hidden", "red")),
                spacing="2",
                wrap="wrap",
            ),
            _title(row),
            rx.text(rx.cond(row["published"] != "—", "Published " + row["published"] + " · ", ""),
                    "Added ", row["added"], " · id ", row["external_id"], size="1", color_scheme="gray", style=WRAP),
            rx.text(row["snippet"], size="2", style=WRAP),
            rx.cond(row["hidden"] == "yes", _hidden_note(row), _hide_form(row)),
            spacing="2",
            width="100%",
            align="start",
        ),
        role="article",
        aria_label=row["title"],
        width="100%",
    )


def _filters() -> rx.Component:
    return rx.grid(
        rx.vstack(field_label("Search records", "knowledge-search"),
                  rx.input(id="knowledge-search", placeholder="Words in the title or text", value=K.query,
                           on_change=K.search.debounce(300), width="100%"),
                  spacing="1", width="100%"),
        rx.vstack(field_label("Source", "knowledge-source"),
                  rx.el.select(rx.el.option("All sources", value=ALL),
                               *[rx.el.option(label, value=source) for source, label in SOURCE_LABELS.items()],
                               id="knowledge-source", value=K.source, on_change=K.filter_source, style=SELECT_STYLE),
                  spacing="1", width="100%"),
        rx.vstack(field_label("Topic", "knowledge-topic"),
                  rx.el.select(rx.el.option("All topics", value=ALL),
                               rx.foreach(K.topics, lambda topic: rx.el.option(topic, value=topic)),
                               id="knowledge-topic", value=K.topic, on_change=K.filter_topic, style=SELECT_STYLE),
                  spacing="1", width="100%"),
        rx.vstack(field_label("Show", "knowledge-visibility"),
                  rx.el.select(*[rx.el.option(label, value=value) for value, label in VISIBILITY_LABELS.items()],
                               id="knowledge-visibility", value=K.visibility, on_change=K.filter_visibility,
                               style=SELECT_STYLE),
                  spacing="1", width="100%"),
        grid_template_columns=rx.breakpoints(initial="1fr", sm="1fr 1fr", md="2fr 1fr 1fr 1fr"),
        spacing="3",
        width="100%",
    )


@app_page("/admin/knowledge", "Knowledge base", audience="staff", on_load=K.load)
def admin_knowledge() -> rx.Component:
    return rx.vstack(
        page_header("Knowledge base", "What the coach learns from. Hide a record to keep it out of training; "
                                      "unhide it to bring it back."),
        rx.grid(
            rx.foreach(K.counts, _count),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
            role="region",
            aria_label="Records per source",
        ),
        _filters(),
        rx.text(K.total, rx.cond(K.total == 1, " record", " records"), size="2", color_scheme="gray", role="status"),
        rx.cond(
            K.total == 0,
            empty_state("library", "No records here",
                        "Clear the search or choose other filters. An empty knowledge base fills when the PubMed "
                        "and YouTube jobs run; `adaptivefit library` adds the curated coaching phrases."),
            rx.vstack(rx.foreach(K.rows, _record), spacing="3", width="100%"),
        ),
        rx.hstack(
            rx.button("Previous", variant="soft", disabled=K.page <= 1, on_click=K.go_to_page(K.page - 1)),
            rx.text("Page ", K.page, " of ", K.pages, size="2"),
            rx.button("Next", variant="soft", disabled=K.page >= K.pages, on_click=K.go_to_page(K.page + 1)),
            justify="center",
            width="100%",
            align="center",
        ),
        spacing="4",
        width="100%",
    )
