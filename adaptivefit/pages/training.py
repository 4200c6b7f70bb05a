"""The member's dashboard, plan builder and equipment profiles."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, field_label, page_header, tag
from adaptivefit.components.forms import field_error, form_field, section
from adaptivefit.components.layout import app_page
from adaptivefit.state.training import DashboardState as D, GearState as G, PlanState as P
from adaptivefit.state.workouts import WorkoutState

CHART_COLOURS = ["#1f9e77", "#3a6ec4", "#d67a28", "#7c52c4", "#cc4058", "#5f7080", "#2f9fb8", "#b8a02f"]
SELECT_STYLE = {"padding": "0.5em", "width": "100%", "font_size": "16px", "border_radius": "var(--radius-2)",
                "border": "1px solid var(--gray-7)", "background": "var(--color-surface)"}


# ---------------------------------------------------------------- dashboard

def _goal(goal) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(goal["title"], weight="medium"), tag(goal["focus"], "blue"),
                  rx.cond(goal["due"] != "", rx.text(goal["due"], size="1", color_scheme="gray")), rx.spacer(),
                  rx.text(goal["progress"], size="2", color_scheme="gray"), width="100%", wrap="wrap"),
        rx.el.progress(value=goal["percent"], max="100", aria_label=goal["title"],
                       style={"width": "100%", "height": "0.6em", "accent_color": "var(--accent-9)"}),
        width="100%", spacing="1",
    )


def _goal_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("New goal", size="3", as_="h3"),
            rx.grid(
                rx.vstack(field_label("Kind", "goal-kind"),
                          rx.el.select(rx.el.option("Workouts per week", value="consistency"),
                                       rx.el.option("Strength (estimated 1RM)", value="strength"),
                                       rx.el.option("Bodyweight", value="bodyweight"),
                                       rx.el.option("Weekly volume", value="volume"),
                                       id="goal-kind", name="kind", style=SELECT_STYLE),
                          spacing="1", width="100%"),
                rx.vstack(field_label("Lift (for strength and volume)", "goal-exercise"),
                          rx.el.select(rx.el.option("—", value=""),
                                       rx.foreach(D.lifts, lambda l: rx.el.option(l["name"], value=l["id"])),
                                       id="goal-exercise", name="exercise_id", style=SELECT_STYLE),
                          spacing="1", width="100%"),
                form_field("Target", "target", errors=D.errors, input_mode="decimal",
                           hint="Workouts a week, or e1RM, bodyweight or weekly volume in your units."),
                rx.vstack(field_label("Focus", "goal-primary"),
                          rx.el.select(rx.el.option("From the kind", value=""),
                                       *[rx.el.option(t.replace("_", " ").capitalize(), value=t) for t in
                                         ("strength", "hypertrophy", "endurance", "fat_loss", "general_fitness")],
                                       id="goal-primary", name="primary_goal_type", style=SELECT_STYLE),
                          spacing="1", width="100%"),
                rx.vstack(field_label("Priority", "goal-priority"),
                          rx.el.select(*[rx.el.option(label, value=str(v)) for v, label in
                                         ((1, "1 (highest)"), (2, "2"), (3, "3"), (4, "4"), (5, "5 (lowest)"))],
                                       id="goal-priority", name="priority", default_value="3", style=SELECT_STYLE),
                          spacing="1", width="100%"),
                form_field("By date (optional)", "target_date", errors=D.errors, input_type="date"),
                columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
            ),
            rx.foreach(D.errors.values(), lambda e: rx.text(e, color_scheme="red", size="2", role="alert")),
            rx.button("Add goal", type="submit", variant="soft"),
            align="start", width="100%",
        ),
        on_submit=D.add_goal, reset_on_submit=True, no_validate=True, width="100%",
    )


def _charts() -> rx.Component:
    return rx.grid(
        section(
            "Estimated 1RM",
            rx.el.select(rx.foreach(D.lifts, lambda l: rx.el.option(l["name"], value=l["id"])),
                         value=D.lift_id, on_change=D.choose_lift, aria_label="Lift", style=SELECT_STYLE),
            rx.cond(D.e1rm.length() > 0,
                    rx.recharts.line_chart(
                        rx.recharts.line(data_key="e1rm", stroke=CHART_COLOURS[0], dot=False, name="e1RM"),
                        rx.recharts.x_axis(data_key="date"), rx.recharts.y_axis(domain=["auto", "auto"]),
                        rx.recharts.graphing_tooltip(), data=D.e1rm, width="100%", height=240),
                    rx.text("Log a few working sets to see your trend.", color_scheme="gray")),
        ),
        section(
            "Workouts per week",
            rx.recharts.bar_chart(
                rx.recharts.bar(data_key="workouts", fill=CHART_COLOURS[1], name="Workouts"),
                rx.recharts.x_axis(data_key="week"), rx.recharts.y_axis(allow_decimals=False),
                rx.recharts.graphing_tooltip(), data=D.per_week, width="100%", height=240),
        ),
        section(
            "Weekly volume by muscle (" + D.units + ")",
            rx.recharts.bar_chart(
                rx.foreach(D.muscles, lambda m, i: rx.recharts.bar(
                    data_key=m, stack_id="volume", name=m,
                    fill=rx.Var.create(CHART_COLOURS)[i % len(CHART_COLOURS)])),
                rx.recharts.x_axis(data_key="week"), rx.recharts.y_axis(), rx.recharts.legend(),
                rx.recharts.graphing_tooltip(), data=D.volume, width="100%", height=260),
        ),
        columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%",
    )


@app_page("/dashboard", "Dashboard", nav="Dashboard", icon="layout-dashboard", order=2, audience="signed_in",
          on_load=D.load)
def dashboard_page() -> rx.Component:
    return rx.vstack(
        page_header("Your training", "Today's session, your goals and how you are progressing."),
        rx.card(rx.hstack(
            rx.vstack(rx.text("Today's workout", size="2", color_scheme="gray"),
                      rx.heading(rx.cond(D.today != "", D.today, "Free session"), size="5", as_="h2"), spacing="1"),
            rx.spacer(),
            rx.button("Start today's workout", on_click=[WorkoutState.start(D.today_id), rx.redirect("/workouts")]),
            align="center", width="100%"), width="100%"),
        rx.card(rx.hstack(
            rx.icon("flame", size=22, color=rx.color("orange", 10)),
            rx.text(rx.text.strong(D.streak.to_string()), " weeks in a row with a workout", size="3"),
            rx.spacer(), rx.text("Best: ", D.best_streak.to_string(), " weeks", size="2", color_scheme="gray"),
            align="center", width="100%"), width="100%", aria_label="Training streak"),
        section("Goals",
                rx.cond(D.goals.length() > 0, rx.vstack(rx.foreach(D.goals, _goal), width="100%", spacing="3"),
                        rx.text("No goals yet. Add one below.", color_scheme="gray")),
                _goal_form()),
        rx.grid(
            section("Recent personal records",
                    rx.cond(D.records.length() > 0,
                            rx.vstack(rx.foreach(D.records, lambda r: rx.hstack(
                                rx.icon("trophy", size=16, color=rx.color("amber", 10)),
                                rx.text(r["name"], " — ", r["kind"], " ", r["value"]), rx.spacer(),
                                rx.text(r["date"], size="1", color_scheme="gray"), width="100%")), width="100%"),
                            rx.text("Your PRs will show here.", color_scheme="gray"))),
            section("Badges",
                    rx.cond(D.badges.length() > 0,
                            rx.flex(rx.foreach(D.badges, lambda b: rx.tooltip(
                                rx.badge(rx.icon("award", size=14), b["title"], size="2", color_scheme="amber"),
                                content=b["description"] + " · " + b["date"])), wrap="wrap", gap="2"),
                            rx.text("Finish your first workout to earn a badge.", color_scheme="gray"))),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
        _charts(),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- plans

def _plan_exercise(row) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row["name"], weight="medium"), rx.text(row["prescription"], size="2", color_scheme="gray"),
            rx.spacer(),
            rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", aria_label="Remove exercise",
                           on_click=P.remove_exercise(row["id"])),
            width="100%", align="center", wrap="wrap",
        ),
        rx.cond(row["unavailable"] != "", rx.hstack(
            tag("equipment not available", "orange"),
            rx.foreach(row["substitutes"].to(list[dict[str, str]]), lambda s: rx.button("Swap for ", s["name"], size="1", variant="soft",
                                                               on_click=P.swap(row["id"], s["id"]))),
            wrap="wrap")),
        width="100%", spacing="1", role="listitem",
    )


def _add_exercise_form(day) -> rx.Component:
    return rx.form(
        rx.el.input(type="hidden", name="day_id", value=day["id"].to(str)),
        rx.grid(
            rx.vstack(rx.el.label("Exercise", font_size="var(--font-size-1)"),
                      rx.el.select(rx.foreach(P.exercise_options, lambda o: rx.el.option(o["name"], value=o["id"])),
                                   name="exercise_id", aria_label="Exercise", style=SELECT_STYLE), spacing="1"),
            rx.vstack(rx.el.label("Sets", font_size="var(--font-size-1)"),
                      rx.input(name="sets", default_value="3", aria_label="Sets", input_mode="numeric"), spacing="1"),
            rx.vstack(rx.el.label("Reps", font_size="var(--font-size-1)"),
                      rx.input(name="reps", default_value="8-12", aria_label="Reps"), spacing="1"),
            rx.vstack(rx.el.label("Load (kg or % 1RM)", font_size="var(--font-size-1)"),
                      rx.input(name="load", placeholder="e.g. 60 or 75%", aria_label="Load"), spacing="1"),
            rx.vstack(rx.el.label("Target RPE", font_size="var(--font-size-1)"),
                      rx.input(name="target_rpe", placeholder="e.g. 8", aria_label="Target RPE"), spacing="1"),
            rx.vstack(rx.el.label("Target RIR", font_size="var(--font-size-1)"),
                      rx.input(name="target_rir", placeholder="or e.g. 2", aria_label="Target RIR"), spacing="1"),
            rx.vstack(rx.el.label("Rest (s)", font_size="var(--font-size-1)"),
                      rx.input(name="rest_s", default_value="120", aria_label="Rest in seconds"), spacing="1"),
            columns=rx.breakpoints(initial="2", md="7"), spacing="2", width="100%",
        ),
        field_error(P.errors.get("day-" + day["id"].to(str), "")),
        rx.button("Add to day", type="submit", size="2", variant="soft", margin_top="0.5em"),
        on_submit=P.add_exercise, reset_on_submit=False, no_validate=True, width="100%",
    )


def _day(day) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(day["name"], size="4", as_="h3"), rx.badge("week ", day["week"], color_scheme="blue", variant="soft", radius="full"), rx.spacer(),
                      rx.button("Start this day", size="2",
                                on_click=[WorkoutState.start(day["id"]), rx.redirect("/workouts")]),
                      width="100%", align="center"),
            rx.vstack(rx.foreach(day["exercises"].to(list[dict]), _plan_exercise), role="list",
                      aria_label="Planned exercises", width="100%"),
            _add_exercise_form(day),
            width="100%", spacing="3", align="start",
        ),
        width="100%", aria_label=day["name"],
    )


@app_page("/plans", "Plans", nav="Plans", icon="calendar-days", order=7, audience="signed_in", on_phone=False,
          on_load=P.load)
def plans_page() -> rx.Component:
    return rx.vstack(
        page_header("Training plan", "Weeks and days of exercises with sets, reps, load, effort and rest."),
        rx.hstack(
            rx.foreach(P.plans, lambda p: rx.button(p["name"], rx.cond(p["active"] != "", " ✓", ""), size="2",
                                                    variant=rx.cond(p["id"] == P.plan_id, "solid", "soft"),
                                                    on_click=P.open_plan(p["id"]))),
            wrap="wrap",
        ),
        rx.form(
            rx.hstack(form_field("New plan name", "plan_name", errors=P.errors, max_length=120),
                      rx.button("Create plan", type="submit"), align="end", width="100%"),
            on_submit=P.create_plan, reset_on_submit=True, no_validate=True, width="100%",
        ),
        rx.cond(
            P.plan_id != "",
            rx.vstack(
                rx.cond(P.program_link != "", rx.callout.root(rx.callout.text(
                    "Program draft: ", rx.text.strong(P.program_title), " — ",
                    rx.link("back to the builder", href=P.program_link)), size="1", width="100%")),
                rx.hstack(rx.heading(P.plan_name, size="6", as_="h2"), rx.spacer(),
                          rx.button("Make this my active plan", variant="soft", on_click=P.activate),
                          width="100%", align="center"),
                rx.foreach(P.days, _day),
                rx.form(
                    rx.hstack(form_field("Day name", "day_name", errors=P.errors, max_length=80,
                                         placeholder="e.g. Upper A"),
                              rx.vstack(field_label("Week", "field-week"),
                                        rx.input(id="field-week", name="week", default_value="1", width="5em"),
                                        spacing="1"),
                              rx.button("Add day", type="submit"), align="end", width="100%"),
                    on_submit=P.add_day, reset_on_submit=True, no_validate=True, width="100%",
                ),
                width="100%", spacing="4",
            ),
            empty_state("calendar-plus", "No plan yet", "Name your first plan above, then add days and exercises."),
        ),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- equipment profiles

def _profile(profile) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(profile["name"], size="4", as_="h3"),
                      rx.cond(profile["default"] != "", tag("default", "green"),
                              rx.button("Make default", size="1", variant="soft", on_click=G.make_default(profile["id"]))),
                      width="100%", align="center"),
            rx.foreach(profile["items"].to(list[dict[str, str]]), lambda item: rx.el.label(rx.hstack(
                rx.checkbox(checked=item["unavailable"] != "",
                            on_change=lambda value: G.toggle_unavailable(profile["id"], item["id"], value)),
                rx.text(item["name"], " — temporarily unavailable"), align="center"))),
            width="100%", align="start",
        ),
        width="100%", aria_label=profile["name"],
    )


@app_page("/gear", "My equipment", nav="My equipment", icon="dumbbell", order=25, audience="signed_in",
          on_phone=False, on_load=G.load)
def gear_page() -> rx.Component:
    return rx.vstack(
        page_header("My equipment", "Where you train and what is there. Plans and workouts suggest swaps for "
                                    "what you don't have."),
        rx.foreach(G.profiles, _profile),
        section(
            "New equipment profile",
            rx.form(
                rx.vstack(
                    form_field("Profile name", "profile_name", errors=G.errors, placeholder="Home, Gym…", max_length=60),
                    rx.grid(rx.foreach(G.equipment, lambda e: rx.el.label(rx.hstack(
                        rx.checkbox(name="eq-" + e["id"]), rx.text(e["name"]), align="center"))),
                        columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="2", width="100%"),
                    rx.button("Save profile", type="submit"),
                    align="start", width="100%",
                ),
                on_submit=G.create_profile, reset_on_submit=True, no_validate=True, width="100%",
            ),
        ),
        spacing="4", width="100%",
    )
