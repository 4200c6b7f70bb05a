"""The workout logger as the member reads it: plain data for the browser, masses in their units.

Every mass goes through core.units (one rounding) and every e1RM through core.lifting.set_e1rm,
so the logger, the summary and the dashboard show the same numbers.
"""

from __future__ import annotations

from adaptivefit.coach import service as coach
from adaptivefit.coach import tweaks as coach_tweaks
from adaptivefit.models import User
from adaptivefit.services.catalog import equipment_profiles, library
from adaptivefit.services.core.lifting import set_e1rm
from adaptivefit.services.core.units import format_mass, mass_text
from adaptivefit.services.training import plans, workouts
from adaptivefit.services.training.history_io import HistoryImport
from adaptivefit.services.training.workout_view import ExerciseBlock, PlannedExercise, workout_view

TWEAK_TITLES = {
    "maintain": "On target: keep going",
    "reduce_volume": "One set fewer",
    "reduce_load": "Go a little lighter",
    "add_rest": "Rest a little longer",
    "increase_load": "Go a little heavier",
    "increase_reps": "One more rep next time",
    "progress_load": "Add weight next time",
    "deload": "Take a lighter week",
    "readiness_adjust": "Ease in today",
}
_WHEN = {"session": "Next set", "next_session": "Next time", "week": "This week"}
# How the toast after a set names each kind of personal record.
RECORD_NEWS = {"e1rm": "best estimated 1RM", "load": "heaviest load", "volume": "most volume in a set"}
SEARCH_RESULTS = 8


def _mass(kg: float | None, units: str) -> str:
    return "" if kg is None else mass_text(kg, units)


def _target_text(target, units: str) -> str:
    load = f" @ {format_mass(target.weight_kg, units)}" if target.weight_kg else ""
    sets = f"{target.sets} set" + ("s" if target.sets != 1 else "")
    return f"{sets} × {target.reps}{load} · rest {target.rest_s}s"


def tweak_card(shown: coach_tweaks.ShownTweak, units: str) -> dict[str, str]:
    """One coach suggestion as the logger's card shows it."""
    tweak = shown.tweak
    view = {
        "id": str(shown.id),
        "exercise": shown.exercise,
        "exercise_id": str(shown.exercise_id or ""),
        "action": tweak.action,
        "title": TWEAK_TITLES.get(tweak.action, tweak.action.replace("_", " ").capitalize()),
        "reason": tweak.reason,
        "change": f"{_WHEN.get(tweak.scope, 'Next')}: {_target_text(tweak.next, units)}",
        "message": shown.message,
        "ai": "yes" if shown.ai_powered else "",
        "informational": "yes" if tweak.action == "maintain" else "",
    }
    for n in (1, 2):
        study = tweak.evidence[n - 1] if len(tweak.evidence) >= n else None
        view[f"evidence_{n}"] = (f"{study.title} ({study.year})" if study.year else study.title) if study else ""
        view[f"evidence_{n}_url"] = study.url if study else ""
    return view


def tweak_cards(session, user: User, workout_id: int | None) -> list[dict[str, str]]:
    """The coach's open suggestions for a workout, newest first."""
    if workout_id is None:
        return []
    return [tweak_card(t, user.units) for t in coach_tweaks.open_tweaks(session, user, workout_id)]


def record_news(kinds: tuple[str, ...]) -> str:
    """The toast for a set that set personal records; empty when it set none."""
    if not kinds:
        return ""
    return "New personal record! " + ", ".join(RECORD_NEWS.get(k, k) for k in kinds)


def _plan_text(planned: PlannedExercise | None, units: str) -> str:
    if planned is None:
        return ""
    reps = f"{planned.reps_min}" if planned.reps_min == planned.reps_max else f"{planned.reps_min}-{planned.reps_max}"
    load = f" @ {format_mass(planned.suggested_load_kg, units)}" if planned.suggested_load_kg else ""
    effort = f" · RPE {planned.target_rpe:g}" if planned.target_rpe else (
        f" · {planned.target_rir} RIR" if planned.target_rir is not None else "")
    return f"Plan: {planned.sets} × {reps}{load}{effort} · rest {planned.rest_s}s"


def _default_load(block: ExerciseBlock, target) -> float | None:
    """The load the set form starts at: the coach's target, the plan's, the last set's, last time's."""
    if target:
        return target.weight_kg
    if block.planned and block.planned.suggested_load_kg:
        return block.planned.suggested_load_kg
    if block.sets:
        return block.sets[-1].load_kg
    return block.previous[0][1] if block.previous else None


def _default_reps(block: ExerciseBlock, target) -> str:
    if target:
        return str(target.reps)
    if block.sets:
        return str(block.sets[-1].reps)
    return str(block.planned.reps_max) if block.planned else ""


def _set_row(s: workouts.LoggedSet, units: str) -> dict[str, str]:
    shows_e1rm = s.set_type == "working" and s.reps and s.load_kg
    return {"id": str(s.id), "number": str(s.set_number), "type": s.set_type, "reps": str(s.reps),
            "load": _mass(s.load_kg, units), "rpe": f"{s.rpe:g}" if s.rpe is not None else "",
            "rir": str(s.rir) if s.rir is not None else "", "note": s.note,
            "e1rm": format_mass(set_e1rm(s.load_kg, s.reps, s.rpe, s.rir), units) if shows_e1rm else "",
            "pr": "PR" if s.pr_kinds else ""}


def _block_card(block: ExerciseBlock, target, substitutes: list[dict[str, str]], units: str) -> dict:
    previous = ", ".join(f"{format_mass(load, units)} × {reps}" + (f" @{rpe:g}" if rpe else "")
                         for reps, load, rpe in block.previous)
    return {
        "exercise_id": str(block.exercise_id),
        "name": block.name,
        "plan": _plan_text(block.planned, units),
        "coach": f"Coach: {_target_text(target, units)}" if target else "",
        "previous": previous or "No earlier sets",
        "default_load": _mass(_default_load(block, target), units),
        "default_reps": _default_reps(block, target),
        "unavailable": "yes" if substitutes else "",
        "substitutes": substitutes,
        "sets": [_set_row(s, units) for s in block.sets],
    }


def _with_added(session, user: User, blocks: list[ExerciseBlock], extra_ids: list[int]) -> list[ExerciseBlock]:
    """The workout's blocks and, after them, the empty blocks of exercises added but not logged yet."""
    seen = {block.exercise_id for block in blocks}
    for exercise_id in extra_ids:
        if exercise_id not in seen:
            name = library.exercise_name(session, user.id, exercise_id)
            if name is not None:
                blocks.append(ExerciseBlock(exercise_id=exercise_id, name=name, planned=None, previous=(), sets=()))
                seen.add(exercise_id)
    return blocks


def _substitutes(session, user: User, exercise_id: int, has_profile: bool) -> list[dict[str, str]]:
    if not has_profile or equipment_profiles.is_exercise_available(session, user, exercise_id):
        return []
    return [{"id": str(s.exercise_id), "name": s.name}
            for s in equipment_profiles.suggest_substitutes(session, user, exercise_id)]


def logger_view(session, user: User, extra_ids: list[int]) -> dict:
    """Everything the logger shows, as plain data for the browser."""
    workout = workouts.active_workout(session, user)
    units = user.units
    result = {"units": units, "active": workout is not None, "blocks": [], "name": "", "started": "",
              "rest_ends_at": "", "next_day": "", "next_day_id": "", "tweaks": [], "workout_id": ""}
    if workout is None:
        day = plans.next_day(session, user)
        if day is not None:
            result["next_day"], result["next_day_id"] = day.name, str(day.id)
        return result
    view = workout_view(session, user, workout.id)
    blocks = _with_added(session, user, list(view.blocks), extra_ids)
    has_profile = equipment_profiles.available_equipment(session, user) is not None
    agreed = coach.targets(session, user, workout, [block.exercise_id for block in blocks])
    result["blocks"] = [
        _block_card(block, agreed.get(block.exercise_id), _substitutes(session, user, block.exercise_id, has_profile),
                    units)
        for block in blocks
    ]
    result.update(tweaks=tweak_cards(session, user, workout.id), workout_id=str(workout.id), name=view.name,
                  started=view.started_at.isoformat(),
                  rest_ends_at=view.rest_ends_at.isoformat() if view.rest_ends_at else "")
    return result


def exercise_choices(session, user: User, query: str) -> list[dict[str, str]]:
    """What the "add an exercise" search offers for the text typed so far."""
    if len(query.strip()) < 2:
        return []
    rows = library.search_exercises(session, user_id=user.id, query=query, page_size=SEARCH_RESULTS).rows
    return [{"id": str(r.id), "name": r.name, "equipment": ", ".join(r.equipment) or "Bodyweight"} for r in rows]


def summary_card(summary: workouts.WorkoutSummary, units: str) -> dict[str, str]:
    """The finished workout's card: name, duration in minutes, sets and volume in the member's units."""
    minutes = max(1, round(summary.duration_s / 60))
    return {"name": summary.name, "duration": f"{minutes} min", "sets": str(summary.set_count),
            "volume": format_mass(summary.volume_kg, units)}


def import_report_lines(report: HistoryImport) -> list[str]:
    """What an import did, line by line: the counts, the refused rows, the exercises it added."""
    lines = [f"Imported {report.workouts} workouts and {report.sets} sets."]
    lines += [f"Line {line}: {reason}" for line, reason in report.bad_rows[:50]]
    if report.unknown_exercises:
        lines.append("Added as your own exercises: " + ", ".join(report.unknown_exercises[:20]))
    return lines
