"""/studio/earnings: a trainer's earnings, payouts and Stripe Connect status.
/admin/revenue: the platform's commission, the Pro price, trainers' rates and revenue by month."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, field_label, page_header, tag
from adaptivefit.components.forms import field_error, form_field, section
from adaptivefit.components.layout import app_page
from adaptivefit.services.core.app_settings import CURRENCIES
from adaptivefit.state.billing import BillingState
from adaptivefit.state.earnings import EarningsState as E, RevenueState as R

NET, REFUNDS, PROGRAMS, PRO = "#1f9e77", "#cc4058", "#3a6ec4", "#d67a28"
SELECT_STYLE = {"padding": "0.5em", "font_size": "16px", "border_radius": "var(--radius-2)",
                "border": "1px solid var(--gray-7)", "background": "var(--color-surface)"}


def _figure(label: str, value) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.text(value, size="6", weight="bold"), spacing="1"),
        role="group", aria_label=label, width="100%",
    )


def _currency_picker(state) -> rx.Component:
    return rx.cond(
        state.currencies.length() > 1,
        rx.hstack(
            field_label("Currency", f"{state.__name__.lower()}-currency"),
            rx.el.select(rx.foreach(state.currencies, lambda c: rx.el.option(c.upper(), value=c)),
                         id=f"{state.__name__.lower()}-currency", value=state.currency,
                         on_change=state.choose_currency, style=SELECT_STYLE),
            align="center", spacing="2",
        ),
    )


def _pager(state) -> rx.Component:
    return rx.cond(state.pages > 1, rx.hstack(
        rx.button("Previous", variant="soft", disabled=state.page <= 1, on_click=state.go_to_page(state.page - 1)),
        rx.text("Page ", state.page, " of ", state.pages, size="2"),
        rx.button("Next", variant="soft", disabled=state.page >= state.pages, on_click=state.go_to_page(state.page + 1)),
        justify="center", align="center", width="100%",
    ))


# ---------------------------------------------------------------- the trainer's earnings

def _payout_status(status, text) -> rx.Component:
    return rx.match(status, ("paid", tag(text, "green")), ("transferred", tag(text, "green")),
                    ("pending", tag(text, "amber")), ("carried", tag(text, "red")), tag(text, "gray"))


def _connect() -> rx.Component:
    return section(
        "Stripe payouts",
        rx.callout.root(
            rx.callout.icon(rx.cond(E.connect == "enabled", rx.icon("circle-check"), rx.icon("triangle-alert"))),
            rx.callout.text(E.connect_text),
            color_scheme=rx.match(E.connect, ("enabled", "green"), ("incomplete", "amber"), "gray"),
            width="100%",
        ),
        rx.cond(E.connect != "enabled",
                rx.button(rx.icon("wallet", size=16), "Connect payouts with Stripe", on_click=BillingState.connect_stripe)),
        rx.text("The platform keeps ", rx.text.strong(E.commission), " of each sale (", E.commission_note,
                "); Stripe's processing fee comes out of that, not out of your share.", size="2"),
    )


def _earnings_chart() -> rx.Component:
    return section(
        "Net earnings by month",
        rx.hstack(rx.text("Your share after commission, with refunds taken back.", size="2", color_scheme="gray"),
                  rx.spacer(), _currency_picker(E), width="100%", wrap="wrap", align="center"),
        rx.box(
            rx.recharts.bar_chart(
                rx.recharts.bar(data_key="net", fill=NET, name="Net earnings"),
                rx.recharts.bar(data_key="refunds", fill=REFUNDS, name="Refunds"),
                rx.recharts.x_axis(data_key="month"), rx.recharts.y_axis(),
                rx.recharts.reference_line(y=0, stroke="var(--gray-8)"),
                rx.recharts.legend(), rx.recharts.graphing_tooltip(),
                data=E.chart, width="100%", height=260,
            ),
            role="img", aria_label="Net earnings by month, " + E.currency.upper(), width="100%",
        ),
    )


def _payouts() -> rx.Component:
    return section(
        "Payouts",
        rx.cond(
            E.payouts.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                   ("Period", "Amount", "Status", "Entries")])),
                    rx.table.body(rx.foreach(E.payouts, lambda p: rx.table.row(
                        rx.table.cell(p["period"], white_space="nowrap"),
                        rx.table.cell(p["amount"], white_space="nowrap"),
                        rx.table.cell(_payout_status(p["status"], p["status_text"])),
                        rx.table.cell(p["entries"]),
                        aria_label="Payout " + p["period"],
                    ))),
                    width="100%",
                ),
                role="region", aria_label="Payouts table", overflow_x="auto", width="100%",
            ),
            rx.text("No payouts yet. Each month's earnings are paid out early the next month.", color_scheme="gray"),
        ),
        _pager(E),
        rx.text("Sent by Stripe: paid to your Stripe account at the sale. Pending: waiting for your Stripe "
                "account. Carried over: refunds exceeded sales; the difference comes off the next payout.",
                size="1", color_scheme="gray"),
    )


@app_page("/studio/earnings", "Earnings", nav="Earnings", icon="wallet", order=31, audience="trainer",
          on_phone=False, on_load=E.load)
def earnings_page() -> rx.Component:
    return rx.vstack(
        page_header("Earnings", "What your programs earned, what has been paid, and how you get paid."),
        rx.cond(
            E.has_profile,
            rx.vstack(
                _connect(),
                rx.grid(_figure("Earned in total", E.lifetime), _figure("This month", E.this_month),
                        _figure("Awaiting payout", E.awaiting),
                        columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%"),
                _earnings_chart(),
                _payouts(),
                spacing="4", width="100%",
            ),
            empty_state("wallet", "No trainer profile", "Apply to become a trainer to sell programs and earn here."),
        ),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- the platform's revenue

def _settings_forms() -> rx.Component:
    return rx.grid(
        section(
            "Platform commission",
            rx.text("Now ", R.commission_text, " of each sale.", size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    form_field("Commission (%)", "commission_percent", errors=R.errors, default_value=R.commission,
                               key=R.commission, input_mode="decimal",
                               hint="Kept from each program sale, unless a trainer has their own rate below."),
                    rx.button("Save commission", type="submit"),
                    spacing="3", align="start", width="100%",
                ),
                on_submit=R.save_commission, reset_on_submit=False, no_validate=True, width="100%",
            ),
        ),
        section(
            "Pro plan price",
            rx.text("Now ", R.pro_text, "; new subscriptions pay the new price.", size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.hstack(
                        form_field("Monthly price", "pro_price", errors=R.errors, default_value=R.pro_price,
                                   key=R.pro_price, input_mode="decimal"),
                        rx.vstack(
                            field_label("Currency", "field-pro_currency"),
                            rx.el.select(*[rx.el.option(c.upper(), value=c) for c in CURRENCIES],
                                         id="field-pro_currency", name="pro_currency", default_value=R.pro_currency,
                                         key=R.pro_currency, style={**SELECT_STYLE, "height": "var(--space-7)"}),
                            field_error(R.errors.get("pro_currency", "")),
                            spacing="1",
                        ),
                        align="start", spacing="3", width="100%",
                    ),
                    rx.button("Save Pro price", type="submit"),
                    spacing="3", align="start", width="100%",
                ),
                on_submit=R.save_pro_price, reset_on_submit=False, no_validate=True, width="100%",
            ),
        ),
        columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
    )


def _revenue_chart() -> rx.Component:
    return section(
        "Platform revenue by month",
        rx.hstack(rx.text("After Stripe's fees: commission on programs and Pro subscriptions.", size="2",
                          color_scheme="gray"), rx.spacer(), _currency_picker(R), width="100%", wrap="wrap",
                  align="center"),
        rx.cond(
            R.chart.length() > 0,
            rx.vstack(
                rx.box(
                    rx.recharts.bar_chart(
                        rx.recharts.bar(data_key="programs", stack_id="revenue", fill=PROGRAMS, name="Program commission",
                                        is_animation_active=False),
                        rx.recharts.bar(data_key="pro", stack_id="revenue", fill=PRO, name="Pro subscriptions",
                                        is_animation_active=False),
                        rx.recharts.x_axis(data_key="month"), rx.recharts.y_axis(),
                        rx.recharts.legend(), rx.recharts.graphing_tooltip(),
                        data=R.chart, width="100%", height=260,
                    ),
                    role="img", aria_label="Platform revenue by month, " + R.currency.upper(), width="100%",
                ),
                rx.grid(rx.foreach(R.totals, lambda t: _figure(t["label"], t["value"])),
                        columns=rx.breakpoints(initial="2", md="3", lg="6"), spacing="3", width="100%"),
                rx.text("Totals over the last twelve months.", size="1", color_scheme="gray"),
                spacing="3", width="100%",
            ),
            rx.text("No sales in the last twelve months.", color_scheme="gray"),
        ),
    )


def _trainer_row(row) -> rx.Component:
    field_id = "commission-" + row["id"]
    return rx.table.row(
        rx.table.cell(rx.text(row["name"], weight="medium")),
        rx.table.cell(tag(row["status"], "gray")),
        rx.table.cell(rx.text(row["effective"], " (", row["source"], ")", white_space="nowrap")),
        rx.table.cell(
            rx.form(
                rx.el.input(type="hidden", name="trainer_id", value=row["id"]),
                rx.hstack(
                    rx.input(id=field_id, name="percent", default_value=row["override"], key=row["override"],
                             placeholder="default", input_mode="decimal", aria_label="Commission for " + row["name"],
                             width="7em"),
                    rx.button("Save", type="submit", variant="soft", size="2"),
                    spacing="2", align="center",
                ),
                field_error(R.errors.get("trainer-" + row["id"], "")),
                on_submit=R.save_override, reset_on_submit=False, no_validate=True,
            ),
        ),
        aria_label="Trainer " + row["name"],
    )


def _trainer_rates() -> rx.Component:
    return section(
        "Trainer commissions",
        rx.text("A trainer's own percent replaces the platform commission on their sales; leave it blank for "
                "the default.", size="2", color_scheme="gray"),
        rx.cond(
            R.trainers.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                   ("Trainer", "Status", "Commission", "Own rate (%)")])),
                    rx.table.body(rx.foreach(R.trainers, _trainer_row)),
                    width="100%",
                ),
                role="region", aria_label="Trainer commissions", overflow_x="auto", width="100%",
            ),
            rx.text("No trainers yet.", color_scheme="gray"),
        ),
        _pager(R),
    )


@app_page("/admin/revenue", "Revenue", audience="admin", on_load=R.load)
def revenue_page() -> rx.Component:
    return rx.vstack(
        page_header("Revenue", "The platform's commission, the Pro plan's price, and what both brought in."),
        _settings_forms(),
        _revenue_chart(),
        _trainer_rates(),
        spacing="4", width="100%",
    )
