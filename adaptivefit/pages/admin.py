"""Admin pages: users (moderators and admins) and the security audit log (admins)."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import field_label, page_header, tag
from adaptivefit.components.layout import app_page
from adaptivefit.models import Role
from adaptivefit.state.admin import ALL, AdminUsersState as U, AuditLogState as A
from adaptivefit.state.auth import AuthState

ROLES = [r.value for r in Role]


def _user_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(row["name"], weight="medium"), rx.text(row["email"], size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(
            rx.cond(
                AuthState.is_admin,
                rx.el.select(
                    *[rx.el.option(role, value=role) for role in ROLES],
                    value=row["role"],
                    aria_label="Role",
                    on_change=lambda value: U.change_role(row["id"], value),
                    style={"padding": "0.3em"},
                ),
                tag(row["role"]),
            )
        ),
        rx.table.cell(rx.cond(row["status"] == "suspended", tag("suspended", "red"), tag("active", "green"))),
        rx.table.cell(row["two_factor"]),
        rx.table.cell(rx.cond(
            AuthState.is_admin,
            rx.checkbox("AI coach", checked=row["coach_ai"] == "on",
                        on_change=lambda value: U.set_coach_ai(row["id"], value)),
            rx.cond(row["coach_ai"] == "on", tag("AI coach", "violet"), rx.text("—")),
        )),
        rx.table.cell(
            rx.cond(
                row["status"] == "suspended",
                rx.button("Reinstate", size="1", variant="soft", on_click=U.reinstate(row["id"])),
                rx.form(
                    rx.hstack(
                        rx.el.input(type="hidden", name="user_id", value=row["id"]),
                        rx.input(name="reason", placeholder="Reason", aria_label="Reason for suspension", size="1",
                                 max_length=500),
                        rx.button("Suspend", size="1", color_scheme="red", variant="soft", type="submit"),
                    ),
                    on_submit=U.suspend, reset_on_submit=True,
                ),
            )
        ),
        aria_label=row["email"],
    )


@app_page("/admin/users", "Users", nav="Admin", icon="shield", order=90, audience="staff", on_load=U.load)
def admin_users() -> rx.Component:
    return rx.vstack(
        page_header("Users", "Search members, change roles, suspend and reinstate."),
        rx.cond(AuthState.is_admin, rx.link("Security audit log →", href="/admin/audit")),
        rx.cond(AuthState.is_admin, rx.link("Scheduled jobs →", href="/admin/jobs")),
        rx.link("Knowledge base moderation →", href="/admin/knowledge"),
        rx.link("Trainer applications →", href="/admin/trainers"),
        rx.link("Program moderation →", href="/admin/programs"),
        rx.cond(AuthState.is_admin, rx.link("Payments and refunds →", href="/admin/payments")),
        rx.cond(AuthState.is_admin, rx.link("Revenue and commission →", href="/admin/revenue")),
        rx.grid(
            rx.vstack(field_label("Search users", "user-search"),
                      rx.input(id="user-search", placeholder="Name or email", value=U.query,
                               on_change=U.search.debounce(300), width="100%"),
                      spacing="1", width="100%"),
            rx.vstack(field_label("Role", "role-filter"),
                      rx.el.select(rx.el.option("All roles", value=ALL), *[rx.el.option(r, value=r) for r in ROLES],
                                   id="role-filter", value=U.role_filter, on_change=U.filter_role,
                                   style={"padding": "0.45em", "width": "100%"}),
                      spacing="1", width="100%"),
            columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
        ),
        rx.text(U.total, " users", size="2", color_scheme="gray"),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ("User", "Role", "Status", "2FA", "Coach tier", "Moderation")])),
                rx.table.body(rx.foreach(U.rows, _user_row)),
                width="100%",
            ),
            overflow_x="auto", width="100%",
        ),
        rx.hstack(
            rx.button("Previous", variant="soft", disabled=U.page <= 1, on_click=U.go_to_page(U.page - 1)),
            rx.text("Page ", U.page, " of ", U.pages, size="2"),
            rx.button("Next", variant="soft", disabled=U.page >= U.pages, on_click=U.go_to_page(U.page + 1)),
            justify="center", width="100%", align="center",
        ),
        spacing="4", width="100%",
    )


@app_page("/admin/audit", "Audit log", audience="admin", on_load=A.load)
def admin_audit() -> rx.Component:
    return rx.vstack(
        page_header("Security audit log", "Sign-ins, factor changes, role changes, suspensions, exports and deletions."),
        rx.grid(
            rx.vstack(field_label("Event", "audit-event"),
                      rx.el.select(rx.foreach(A.events, lambda e: rx.el.option(e, value=e)), id="audit-event",
                                   value=A.event, on_change=A.set_event, style={"padding": "0.45em", "width": "100%"}),
                      spacing="1", width="100%"),
            rx.vstack(field_label("User", "audit-user"),
                      rx.input(id="audit-user", placeholder="Name or email", value=A.user_query,
                               on_change=A.set_user_query.debounce(300), width="100%"),
                      spacing="1", width="100%"),
            rx.vstack(field_label("Last days", "audit-days"),
                      rx.el.select(*[rx.el.option(f"{d} days", value=str(d)) for d in (1, 7, 30, 365)], id="audit-days",
                                   value=A.days, on_change=A.set_days, style={"padding": "0.45em", "width": "100%"}),
                      spacing="1", width="100%"),
            columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
        ),
        rx.text(A.total, " events", size="2", color_scheme="gray"),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ("When", "Event", "About", "By", "Address", "Details")])),
                rx.table.body(rx.foreach(A.rows, lambda r: rx.table.row(
                    rx.table.cell(r["when"]), rx.table.cell(tag(r["event"], "blue")), rx.table.cell(r["user"]),
                    rx.table.cell(r["actor"]), rx.table.cell(r["ip"]),
                    rx.table.cell(rx.text(r["details"], size="1", color_scheme="gray"))))),
                width="100%",
            ),
            overflow_x="auto", width="100%",
        ),
        rx.hstack(
            rx.button("Previous", variant="soft", disabled=A.page <= 1, on_click=A.go_to_page(A.page - 1)),
            rx.text("Page ", A.page, size="2"),
            rx.button("Next", variant="soft", on_click=A.go_to_page(A.page + 1)),
            justify="center", width="100%", align="center",
        ),
        spacing="4", width="100%",
    )
