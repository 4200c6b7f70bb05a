"""Purchases, the Pro plan, the page after payment, and /admin/payments (refunds, webhook events, test clock)."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, field_label, page_header, tag
from adaptivefit.components.forms import field_error, section
from adaptivefit.components.layout import app_page
from adaptivefit.state.billing import BillingState as B, PaymentsAdminState as P


def test_mode_badge(active) -> rx.Component:
    """Shown wherever payments happen while the built-in test provider takes them."""
    return rx.cond(
        active,
        rx.callout.root(
            rx.callout.icon(rx.icon("flask-conical", size=16)),
            rx.callout.text(rx.text.strong("TEST MODE"), " · payments go to the built-in test provider; "
                            "no real money moves. Card 4242 4242 4242 4242 succeeds."),
            color_scheme="amber", size="1", width="100%", role="status",
        ),
    )


def _status(row) -> rx.Component:
    return rx.match(
        row["status"],
        ("active", tag(row["status_label"], "green")),
        ("past_due", tag(row["status_label"], "amber")),
        ("refunded", tag(row["status_label"], "gray")),
        tag(row["status_label"], "red"),
    )


def _purchase(row) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(row["title"], size="4", as_="h2"), _status(row), tag(row["kind"]),
                      spacing="2", align="center", wrap="wrap"),
            rx.text(row["price"], " · bought ", row["started"], size="2", color_scheme="gray"),
            rx.cond(row["when"] != "", rx.text(row["when"], size="2", weight="medium")),
            rx.cond(row["refunded"] != "", rx.text("Refunded ", row["refunded"], size="2", color_scheme="gray")),
            rx.hstack(
                rx.cond(row["plan_href"] != "",
                        rx.button(rx.link("Open the plan", href=row["plan_href"], underline="none"), as_child=True,
                                  variant="soft", size="2")),
                rx.cond(row["update_label"] != "",
                        rx.button(rx.icon("refresh-cw", size=14), row["update_label"], size="2", variant="soft",
                                  on_click=B.update_version(row["id"]))),
                rx.cond(row["can_cancel"] == "yes",
                        rx.alert_dialog.root(
                            rx.alert_dialog.trigger(rx.button("Cancel at period end", size="2", color_scheme="red",
                                                              variant="soft")),
                            rx.alert_dialog.content(
                                rx.alert_dialog.title("Cancel this subscription?"),
                                rx.alert_dialog.description(
                                    "You keep access until the end of the period you paid for; it will not renew."),
                                rx.hstack(
                                    rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                                    rx.alert_dialog.action(rx.button("Cancel subscription", color_scheme="red",
                                                                     on_click=B.cancel(row["id"]))),
                                    spacing="3", justify="end", margin_top="1em",
                                ),
                            ),
                        )),
                rx.cond(row["can_resume"] == "yes",
                        rx.button("Resume subscription", size="2", on_click=B.resume(row["id"]))),
                spacing="2", wrap="wrap",
            ),
            spacing="2", align="start", width="100%",
        ),
        role="article", aria_label=row["title"], width="100%",
    )


@app_page("/purchases", "Purchases", nav="Purchases", icon="receipt", order=14, audience="signed_in", on_phone=False,
          on_load=B.load_purchases)
def purchases_page() -> rx.Component:
    return rx.vstack(
        page_header("Purchases", "Programs you bought or took, and your subscriptions."),
        test_mode_badge(B.test_mode),
        rx.cond(B.portal_available,
                rx.button(rx.icon("credit-card", size=16), "Manage billing", variant="soft", on_click=B.open_portal)),
        rx.cond(
            B.purchases.length() > 0,
            rx.vstack(rx.foreach(B.purchases, _purchase), spacing="3", width="100%"),
            rx.cond(B.loaded, empty_state("receipt", "No purchases yet",
                                          "Find a program in the marketplace, or try Pro for AI-written coaching.")),
        ),
        rx.link("About Pro", href="/pro"),
        spacing="4", width="100%", align="start",
    )


@app_page("/pro", "Pro", audience="signed_in", on_load=B.load_pro)
def pro_page() -> rx.Component:
    return rx.vstack(
        page_header("Adaptive Fit Pro", "Coaching written for you by the AI model."),
        test_mode_badge(B.test_mode),
        section(
            "What Pro gives you",
            rx.unordered_list(
                rx.list_item("Coach messages written by the AI model for each set and session, "
                             "instead of the standard templates."),
                rx.list_item("The same adaptive rules and evidence behind every suggestion."),
                rx.list_item("Cancel any time; Pro lasts to the end of the month you paid for."),
            ),
            rx.text(B.pro_price, size="6", weight="bold"),
            rx.cond(
                B.pro_status != "",
                rx.vstack(rx.text(B.pro_status, weight="medium"), rx.link("Manage on Purchases", href="/purchases"),
                          spacing="1"),
                rx.button(rx.icon("sparkles", size=16), "Subscribe to Pro", size="3", on_click=B.subscribe_pro),
            ),
        ),
        spacing="4", width="100%", align="start",
    )


@app_page("/checkout/complete", "Payment", audience="signed_in", on_load=B.load_checkout)
def checkout_complete_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                test_mode_badge(B.test_mode),
                rx.match(
                    B.checkout_state,
                    ("granted", rx.vstack(
                        rx.icon("circle-check", size=40, color=rx.color("green", 9)),
                        rx.heading("You're in", size="6", as_="h1"),
                        rx.text(B.checkout_title, " is yours."),
                        rx.cond(B.checkout_product == "pro",
                                rx.link("Go to your dashboard", href="/dashboard"),
                                rx.hstack(rx.link("Open your plans", href="/plans"),
                                          rx.link("Your purchases", href="/purchases"), spacing="4")),
                        align="center", spacing="2")),
                    ("failed", rx.vstack(rx.heading("The payment did not go through", size="6", as_="h1"),
                                         rx.link("Your purchases", href="/purchases"), align="center")),
                    ("unknown", rx.vstack(rx.heading("No such payment", size="6", as_="h1"),
                                          rx.link("Your purchases", href="/purchases"), align="center")),
                    ("slow", rx.vstack(
                        rx.heading("Still confirming your payment", size="6", as_="h1"),
                        rx.text("The payment provider has not confirmed it yet. It will show on your purchases "
                                "as soon as it does."),
                        rx.link("Your purchases", href="/purchases"), align="center")),
                    rx.vstack(rx.spinner(size="3"), rx.heading("Confirming your payment…", size="6", as_="h1"),
                              rx.text("This takes a few seconds.", color_scheme="gray"),
                              align="center", spacing="2", role="status"),
                ),
                align="center", spacing="3", width="100%",
            ),
            size="4", width="100%", max_width="30em",
        ),
        padding_y="3em",
    )


@app_page("/checkout/canceled", "Payment canceled", audience="signed_in")
def checkout_canceled_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading("Payment canceled", size="6", as_="h1"),
                rx.text("Nothing was charged. You can come back to it any time."),
                rx.link("Back to the marketplace", href="/marketplace"),
                align="center", spacing="2",
            ),
            size="4", max_width="30em", width="100%",
        ),
        padding_y="3em",
    )


def _refund_confirmation() -> rx.Component:
    return rx.vstack(
        rx.text(P.confirm_text, size="2", max_width="22em"),
        rx.hstack(
            rx.button("Confirm refund", size="1", color_scheme="red", on_click=P.confirm_refund),
            rx.button("Keep the payment", size="1", variant="soft", color_scheme="gray", on_click=P.keep_refund),
            spacing="2",
        ),
        role="alert", spacing="1",
    )


def _refund_form(row) -> rx.Component:
    field_id = "refund-amount-" + row["id"]
    return rx.cond(P.confirm_id == row["id"], _refund_confirmation(), rx.form(
        rx.el.input(type="hidden", name="purchase_id", value=row["id"]),
        rx.vstack(
            field_label("Refund amount", field_id),
            rx.hstack(
                rx.input(id=field_id, name="amount", placeholder="Empty: " + row["refundable"], size="1",
                         max_length=12, width="9em"),
                rx.button("Refund", size="1", color_scheme="red", variant="soft", type="submit"),
                spacing="2", align="center",
            ),
            field_error(P.errors.get(row["id"], "")),
            spacing="1",
        ),
        on_submit=P.ask_refund,
        no_validate=True,
    ))


def _admin_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(row["buyer"], weight="medium"), rx.text(row["date"], size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(rx.vstack(rx.text(row["title"]), rx.text(row["kind"], size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(rx.vstack(rx.text(row["amount"]),
                                rx.cond(row["refunded"] != "", rx.text("refunded ", row["refunded"], size="1",
                                                                       color_scheme="gray")), spacing="0")),
        rx.table.cell(_status(row)),
        rx.table.cell(rx.cond(row["refundable"] != "", _refund_form(row), rx.text("—"))),
        aria_label=row["buyer"] + " " + row["title"],
    )


def _clock() -> rx.Component:
    return section(
        "Test clock",
        rx.text("The test provider's time is ", rx.text.strong(P.clock), ". Moving it renews subscriptions or ends "
                "those cancelled at period end, as Stripe would.", size="2"),
        rx.form(
            rx.vstack(
                field_label("Days to advance", "clock-days"),
                rx.hstack(rx.input(id="clock-days", name="days", default_value="32", width="6em", max_length=4),
                          rx.button("Advance test clock", type="submit"), spacing="2"),
                field_error(P.clock_error),
                spacing="1",
            ),
            on_submit=P.advance_clock, no_validate=True,
        ),
    )


@app_page("/admin/payments", "Payments", audience="admin", on_load=P.load)
def admin_payments_page() -> rx.Component:
    return rx.vstack(
        page_header("Payments", "Purchases, refunds and the webhook events that granted access."),
        test_mode_badge(P.test_mode),
        rx.vstack(field_label("Search by buyer email", "payments-search"),
                  rx.input(id="payments-search", placeholder="name@example.com", value=P.query,
                           on_change=P.search.debounce(300), width="100%", max_width="24em"),
                  spacing="1", width="100%"),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ("Buyer", "Product", "Amount", "Status", "Refund")])),
                rx.table.body(rx.foreach(P.rows, _admin_row)),
                width="100%",
            ),
            overflow_x="auto", width="100%",
        ),
        rx.hstack(
            rx.button("Previous", variant="soft", size="1", disabled=P.page <= 1, on_click=P.go_to_page(P.page - 1)),
            rx.text("Page ", P.page, " of ", P.pages, " · ", P.total, " purchases", size="2"),
            rx.button("Next", variant="soft", size="1", disabled=P.page >= P.pages, on_click=P.go_to_page(P.page + 1)),
            spacing="3", align="center",
        ),
        rx.cond(P.test_mode, _clock()),
        section(
            "Recent webhook events",
            rx.cond(
                P.events.length() > 0,
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                   ("Type", "Created", "Processed")])),
                    rx.table.body(rx.foreach(P.events, lambda e: rx.table.row(
                        rx.table.cell(e["type"]), rx.table.cell(e["created"]), rx.table.cell(e["processed"])))),
                    width="100%"), overflow_x="auto", width="100%"),
                rx.text("No webhook events yet.", color_scheme="gray"),
            ),
        ),
        spacing="4", width="100%", align="start",
    )
