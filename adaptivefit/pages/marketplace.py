"""The marketplace (/marketplace) and a program's page (/programs/[program_id]): open to everyone."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, field_label, page_header, tag
from adaptivefit.components.forms import field_error, section
from adaptivefit.components.layout import app_page
from adaptivefit.state.auth import AuthState
from adaptivefit.state.billing import BillingState
from adaptivefit.state.marketplace import GOAL_OPTIONS, LEVEL_OPTIONS, SORT_OPTIONS
from adaptivefit.state.marketplace import MarketplaceState as M
from adaptivefit.state.marketplace import ProgramPageState as P

SELECT_STYLE = {"padding": "0.5em", "width": "100%", "font_size": "16px", "border_radius": "var(--radius-2)",
                "border": "1px solid var(--gray-7)", "background": "var(--color-surface)"}
WRAP = {"overflow_wrap": "anywhere"}


def _filter(label_text: str, name: str, options: list[tuple[str, str]], value, *, any_label: str | None) -> rx.Component:
    field_id = f"market-{name}"
    choices = ([rx.el.option(any_label, value="")] if any_label else []) + [
        rx.el.option(text, value=v) for v, text in options]
    return rx.vstack(
        field_label(label_text, field_id),
        rx.el.select(*choices, id=field_id, value=value, on_change=lambda v: M.choose(name, v), style=SELECT_STYLE),
        spacing="1", width="100%",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.vstack(field_label("Search programs", "market-search"),
                  rx.input(id="market-search", placeholder="Title or description", value=M.query,
                           on_change=M.search.debounce(300), width="100%", size="3", type="search"),
                  spacing="1", width="100%"),
        rx.grid(
            _filter("Goal", "goal", GOAL_OPTIONS, M.goal, any_label="Any goal"),
            _filter("Level", "level", LEVEL_OPTIONS, M.level, any_label="Any level"),
            _filter("Duration", "weeks", [("1-4", "Up to 4 weeks"), ("5-8", "5 to 8 weeks"), ("9-12", "9 to 12 weeks"),
                                          ("13+", "13 weeks or more")], M.weeks, any_label="Any length"),
            _filter("Price", "price", [("free", "Free"), ("paid", "Paid"), ("under10", "Under $10"),
                                       ("under30", "Under $30")], M.price, any_label="Any price"),
            _filter("Minimum rating", "min_rating", [("3", "3 stars and up"), ("4", "4 stars and up"),
                                                     ("4.5", "4.5 stars and up")], M.min_rating, any_label="Any rating"),
            _filter("Sort by", "sort", SORT_OPTIONS, M.sort, any_label=None),
            columns=rx.breakpoints(initial="2", md="3", lg="6"), spacing="3", width="100%",
        ),
        rx.hstack(
            rx.cond(AuthState.signed_in,
                    rx.el.label(rx.hstack(rx.checkbox(checked=M.mine, on_change=M.only_my_equipment),
                                          rx.text("Only equipment I have", size="2"), align="center"))),
            rx.spacer(),
            rx.button("Clear filters", variant="ghost", size="2", on_click=M.clear),
            width="100%", align="center",
        ),
        spacing="3", width="100%",
    )


def _card(card) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.cond(card["cover"] != "",
                        rx.image(src=rx.get_upload_url(card["cover"]), alt="", width="100%", height="9em",
                                 object_fit="cover", border_radius="var(--radius-3)"),
                        rx.center(rx.icon("dumbbell", size=36, color=rx.color("accent", 9)), width="100%",
                                  height="9em", background=rx.color("accent", 3), border_radius="var(--radius-3)")),
                rx.heading(card["title"], size="4", as_="h2", style=WRAP),
                rx.hstack(rx.text("by ", card["trainer"], size="2", color_scheme="gray"),
                          rx.cond(card["verified"] != "", rx.icon("badge-check", size=16, color=rx.color("green", 10),
                                                                  aria_label="Verified trainer")),
                          align="center", spacing="1"),
                rx.hstack(tag(card["level"], "blue"), tag(card["weeks"]), tag(card["goal"], "green"), wrap="wrap"),
                rx.hstack(rx.text(card["price"], weight="bold"), rx.spacer(),
                          rx.text(card["rating"], size="2", color=rx.color("amber", 11)), width="100%", align="center"),
                spacing="2", width="100%", align="start",
            ),
            width="100%", height="100%",
        ),
        href=card["href"], underline="none", color="inherit", aria_label=card["title"], role="listitem",
    )


def _pager(page, pages, go) -> rx.Component:
    return rx.hstack(
        rx.button("Previous", variant="soft", disabled=page <= 1, on_click=go(page - 1)),
        rx.text("Page ", page.to_string(), " of ", pages.to_string(), size="2"),
        rx.button("Next", variant="soft", disabled=page >= pages, on_click=go(page + 1)),
        align="center", spacing="3", justify="center", width="100%",
    )


@app_page("/marketplace", "Marketplace", nav="Marketplace", icon="store", order=12, audience=None, on_phone=True,
          on_load=M.load)
def marketplace_page() -> rx.Component:
    return rx.vstack(
        page_header("Marketplace", "Programs by verified trainers. Preview the first week before you buy."),
        _filters(),
        rx.text(M.total.to_string(), rx.cond(M.total == 1, " program", " programs"), size="2", color_scheme="gray",
                role="status"),
        rx.cond(
            M.cards.length() > 0,
            rx.vstack(
                rx.grid(rx.foreach(M.cards, _card), columns=rx.breakpoints(initial="1", sm="2", lg="3"), spacing="4",
                        width="100%", role="list", aria_label="Programs"),
                rx.cond(M.pages > 1, _pager(M.page, M.pages, M.go_to_page)),
                width="100%", spacing="4",
            ),
            rx.cond(M.loaded, empty_state("search-x", "No programs match",
                                          "Try fewer filters, or clear them to see every program.")),
        ),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- /programs/[program_id]

def _action() -> rx.Component:
    return rx.cond(
        P.is_owner,
        rx.button(rx.link("Edit in the studio", href="/studio/programs/" + P.pid, underline="none"), as_child=True,
                  size="3"),
        rx.cond(
            P.has_access,
            rx.button(rx.link("Open in my plans", href=P.plan_href, underline="none"), as_child=True, size="3"),
            rx.cond(
                ~P.signed_in,
                rx.button(rx.link("Sign in to buy", href="/login", underline="none"), as_child=True, size="3"),
                rx.match(
                    P.price_kind,
                    ("free", rx.button("Get it free", size="3", on_click=BillingState.get_free(P.pid))),
                    ("subscription", rx.button("Subscribe for " + P.price, size="3", on_click=BillingState.buy(P.pid))),
                    rx.button("Buy for " + P.price, size="3", on_click=BillingState.buy(P.pid)),
                ),
            ),
        ),
    )


def _preview_day(day) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(day["name"], size="3", as_="h3"),
            rx.foreach(day["exercises"].to(list[dict[str, str]]), lambda e: rx.vstack(
                rx.text(e["name"], weight="medium"),
                rx.text(e["prescription"], size="2", color_scheme="gray"),
                rx.cond(e["notes"] != "", rx.text(e["notes"], size="1", color_scheme="gray", style=WRAP)),
                spacing="0", role="listitem")),
            spacing="2", width="100%", align="start", role="list", aria_label=day["name"],
        ),
        width="100%",
    )


def _remove_review_form(review) -> rx.Component:
    """Moderators only (the server checks again): take the review down, saying why."""
    field_id = "remove-reason-" + review["id"]
    return rx.form(
        rx.el.input(type="hidden", name="review_id", value=review["id"]),
        rx.hstack(
            rx.input(id=field_id, name="reason", placeholder="Reason, kept in the audit log", size="1",
                     aria_label="Reason for removing", max_length=500, width="18em"),
            rx.button("Remove review", size="1", variant="soft", color_scheme="red", type="submit"),
            spacing="2", align="center", wrap="wrap",
        ),
        field_error(P.errors.get("remove-" + review["id"], "")),
        on_submit=P.remove_review, reset_on_submit=True, no_validate=True,
    )


def _review_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(rx.cond(P.has_review, "Edit your review", "Review this program"), size="3", as_="h3"),
            rx.vstack(
                field_label("Rating", "review-rating"),
                rx.el.select(*[rx.el.option(f"{n} star{'s' if n > 1 else ''}", value=str(n)) for n in (5, 4, 3, 2, 1)],
                             id="review-rating", name="rating", default_value=P.my_rating, style=SELECT_STYLE),
                field_error(P.errors.get("rating", "")), spacing="1", width="100%"),
            rx.vstack(
                field_label("Your review", "review-body"),
                rx.text_area(id="review-body", name="body", default_value=P.my_body, rows="3", width="100%",
                             max_length=2000),
                field_error(P.errors.get("body", "")), spacing="1", width="100%"),
            rx.hstack(rx.button("Save review", type="submit"),
                      rx.cond(P.has_review, rx.button("Delete my review", type="button", variant="ghost",
                                                      color_scheme="red", on_click=P.delete_review))),
            spacing="2", width="100%", align="start",
        ),
        key=P.review_key, on_submit=P.save_review, reset_on_submit=False, no_validate=True, width="100%",
    )


def _program() -> rx.Component:
    return rx.vstack(
        rx.cond(P.cover != "", rx.image(src=rx.get_upload_url(P.cover), alt="", width="100%", max_height="18em",
                                        object_fit="cover", border_radius="var(--radius-4)")),
        rx.cond(~P.listed, rx.callout.root(rx.callout.text("Not on the marketplace: only you and staff see this page."),
                                           color_scheme="orange", size="1", width="100%")),
        rx.heading(P.title, size="8", as_="h1", style=WRAP),
        rx.hstack(rx.foreach(P.facts, lambda f: tag(f, "blue")), rx.text(P.rating, size="2", color=rx.color("amber", 11)),
                  wrap="wrap", align="center"),
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.cond(P.trainer_href != "", rx.link(P.trainer_name, href=P.trainer_href, weight="medium"),
                            rx.text(P.trainer_name, weight="medium")),
                    rx.cond(P.verified, tag(rx.hstack(rx.icon("badge-check", size=14), "Verified trainer",
                                                      spacing="1", align="center"), "green")),
                    align="center", spacing="2", wrap="wrap"),
                rx.cond(P.trainer_headline != "", rx.text(P.trainer_headline, size="2", color_scheme="gray")),
                spacing="1", align="start"),
            rx.spacer(),
            rx.vstack(rx.text(P.price, size="6", weight="bold"), _action(), align="end", spacing="2"),
            width="100%", wrap="wrap", align="center", spacing="4",
        ),
        section("About this program",
                rx.text(P.description, white_space="pre-wrap", style=WRAP),
                rx.text(rx.text.strong("Equipment: "), P.equipment, size="2"),
                rx.text(P.summary, " · ", P.version, size="2", color_scheme="gray")),
        section("Week 1 preview",
                rx.cond(P.week_one.length() > 0,
                        rx.grid(rx.foreach(P.week_one, _preview_day), columns=rx.breakpoints(initial="1", md="2"),
                                spacing="3", width="100%"),
                        rx.text("The trainer has not planned week 1 yet.", color_scheme="gray")),
                description="Every day of the first week, free to read."),
        section("Reviews",
                rx.text(P.rating, size="2"),
                rx.cond(P.can_review, _review_form()),
                rx.cond(P.reviews.length() > 0,
                        rx.vstack(rx.foreach(P.reviews, lambda r: rx.vstack(
                            rx.hstack(rx.text(r["stars"], color=rx.color("amber", 11), aria_label=r["rating"] + " stars"),
                                      rx.text(r["author"], weight="medium", size="2"),
                                      rx.text(r["date"], size="1", color_scheme="gray"), align="center", wrap="wrap"),
                            rx.text(r["body"], size="2", style=WRAP, white_space="pre-wrap"),
                            rx.cond(AuthState.is_staff, _remove_review_form(r)),
                            spacing="1", width="100%", role="listitem", aria_label="Review by " + r["author"])),
                            role="list", aria_label="Reviews", width="100%", spacing="3"),
                        rx.text("No reviews yet. Buyers can review once they have the program.", color_scheme="gray")),
                rx.cond(P.reviews_pages > 1, _pager(P.reviews_page, P.reviews_pages, P.go_to_reviews_page))),
        spacing="4", width="100%", align="start",
    )


@app_page("/programs/[program_id]", "Program", audience=None, on_load=P.load)
def program_page() -> rx.Component:
    return rx.vstack(
        rx.link("← Marketplace", href="/marketplace", size="2"),
        rx.cond(P.found, _program(),
                rx.cond(P.loaded, empty_state("search-x", "Program not found",
                                              "It may have been unpublished. Browse the marketplace for others."))),
        spacing="3", width="100%",
    )
