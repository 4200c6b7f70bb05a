"""The plans page and the training dashboard as the member reads them: plain data for the browser.

Masses are shown in the member's units through core.units, so a load, a record, a goal and a chart
point of 50 kg all read "110.2 lb" for a member who trains in pounds.
"""

from __future__ import annotations

from sqlmodel import Session

from adaptivefit.models import User
from adaptivefit.services.core.units import display_mass, format_mass, mass_text
from adaptivefit.services.training import badges, dashboard, goals, plans, records
from adaptivefit.services.training.goals import GoalProgress
from adaptivefit.services.training.plans import PlanExerciseView, PlanView
from adaptivefit.services.training.records import RecordRow

RECORD_KINDS = {"e1rm": "estimated 1RM", "load": "heaviest", "volume": "best set volume", "reps": "rep record"}
RECENT_RECORDS = 6


def prescription(e: PlanExerciseView, units: str) -> str:
    """"4 × 5 @ 80 kg · rest 120s", "3 × 8-12 @ 75% 1RM · RPE 8 · rest 90s"."""
    return (f"{e.sets} × {e.reps_min}" + (f"-{e.reps_max}" if e.reps_max != e.reps_min else "")
            + (f" @ {format_mass(e.load_kg, units)}" if e.load_kg else "")
            + (f" @ {e.percent_1rm:g}% 1RM" if e.percent_1rm else "")
            + (f" · RPE {e.target_rpe:g}" if e.target_rpe else "")
            + (f" · {e.target_rir} RIR" if e.target_rir is not None else "") + f" · rest {e.rest_s}s")


def plan_days(view: PlanView, units: str) -> list[dict]:
    """A plan's days and their exercises, each with its prescription and any substitutes."""
    return [{
        "id": str(day.id), "week": str(day.week), "name": day.name,
        "exercises": [{
            "id": str(e.id), "name": e.exercise_name, "exercise_id": str(e.exercise_id),
            "prescription": prescription(e, units),
            "unavailable": "" if e.available else "yes",
            "substitutes": [{"id": str(s.exercise_id), "name": s.name} for s in e.substitutes],
        } for e in day.exercises],
    } for day in view.days]


def _due(days_left: int | None) -> str:
    if days_left is None:
        return ""
    return f"{days_left} days left" if days_left >= 0 else "past its date"


def goal_row(g: GoalProgress, units: str) -> dict[str, str]:
    """A goal's card; a goal measured in kg reads in the member's units."""
    if g.unit == "kg":
        progress = f"{mass_text(g.current, units)} / {format_mass(g.target, units)}"
    else:
        progress = f"{g.current:g} / {g.target:g} {g.unit}"
    return {"id": str(g.id), "title": g.title, "percent": str(round(g.percent)), "progress": progress,
            "reached": "yes" if g.reached else "", "focus": g.primary.replace("_", " "), "due": _due(g.days_left)}


def record_row(r: RecordRow, units: str) -> dict[str, str]:
    if r.kind == "reps":
        load = format_mass(r.load_kg, units) if r.load_kg is not None else ""
        value = f"{r.value:g} reps at {load}"
    else:
        value = format_mass(r.value, units)
    return {"name": r.exercise_name, "kind": RECORD_KINDS.get(r.kind, r.kind), "value": value,
            "date": r.achieved_at.strftime("%d %b")}


def dashboard_view(session: Session, user: User, lift_id: str) -> dict:
    """Everything the dashboard shows; `lift_id` picks the e1RM chart's lift (the most trained when "")."""
    units = user.units
    day = plans.next_day(session, user)
    lifts = [{"id": str(i), "name": n} for i, n in dashboard.top_lifts(session, user)]
    if not lift_id and lifts:
        lift_id = lifts[0]["id"]
    series = dashboard.e1rm_series(session, user, lift_id) if lift_id else []
    weeks = dashboard.weekly_volume_by_muscle(session, user)
    return {
        "units": units,
        "today": day.name if day else "", "today_id": str(day.id) if day else "",
        "goals": [goal_row(g, units) for g in goals.list_goals(session, user)],
        "records": [record_row(r, units) for r in records.recent_records(session, user.id, limit=RECENT_RECORDS)],
        "streak": dashboard.current_streak_weeks(session, user),
        "best_streak": dashboard.longest_streak_weeks(session, user),
        "badges": [{"title": b.title, "description": b.description, "icon": b.icon,
                    "date": b.awarded_at.strftime("%d %b %Y")} for b in badges.list_achievements(session, user)],
        "lifts": lifts, "lift_id": lift_id,
        "e1rm": [{"date": p["date"], "e1rm": display_mass(p["e1rm"], units)} for p in series],
        "muscles": sorted({k for row in weeks for k in row if k != "week"}),
        "volume": [{k: (display_mass(v, units) if k != "week" else v) for k, v in row.items()} for row in weeks],
        "per_week": dashboard.workouts_per_week(session, user),
    }
