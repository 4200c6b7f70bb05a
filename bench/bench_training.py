"""How fast the training pages answer for a member with three years of near-daily training.

Builds a temporary SQLite database (migrated with Alembic), fills it with ~50,000 working sets
across 15 exercises plus their fitness_data rows, then prints median times in ms for the
member's home (goals, badges, charts) and, when the workout service is there, for logging a
set, opening a workout and an exercise's history.

    .venv/bin/python bench/bench_training.py [--runs 7]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import median_ms, migrate, prepare_environment  # noqa: E402

YEARS = 3
EXERCISES = 15
EXERCISES_PER_WORKOUT = 5
WORKING_SETS = (9, 13)  # per exercise in a workout, inclusive
WARMUP_SETS = 2
REST_DAY_CHANCE = 0.12
CHUNK = 5000






def _pick_exercises(session) -> list[tuple[int, str, float]]:
    """One exercise per primary muscle first, then more, up to EXERCISES; with a starting load each."""
    from sqlmodel import select

    from adaptivefit.models import Exercise

    rows = session.exec(
        select(Exercise.id, Exercise.name, Exercise.primary_muscle)
        .where(Exercise.owner_id.is_(None))
        .order_by(Exercise.id)
    ).all()
    chosen, muscles = [], set()
    for exercise_id, name, muscle in rows:
        if muscle not in muscles:
            muscles.add(muscle)
            chosen.append((exercise_id, name))
    for exercise_id, name, _ in rows:
        if len(chosen) >= EXERCISES:
            break
        if (exercise_id, name) not in chosen:
            chosen.append((exercise_id, name))
    rng = random.Random(7)
    loads = (20.0, 40.0, 60.0, 80.0, 100.0)
    return [(exercise_id, name, rng.choice(loads)) for exercise_id, name in chosen[:EXERCISES]]


def _fill(session, user_id: int, exercises: list[tuple[int, str, float]], now: datetime) -> dict[str, int]:
    """Three years of training, written with core bulk inserts (ids chosen here, so no round trips)."""
    from adaptivefit.models import FitnessData, Workout, WorkoutSet

    rng = random.Random(42)
    days = YEARS * 365
    first_day = (now - timedelta(days=days)).replace(hour=17, minute=30, second=0, microsecond=0)
    workouts, sets, data = [], [], []
    workout_id = set_id = 0
    working = 0
    for day in range(days):
        started = first_day + timedelta(days=day, minutes=rng.randint(-90, 90))
        progress = day / days
        bodyweight = 82.0 + 4 * math.sin(day / 120) + rng.uniform(-0.6, 0.6)
        data.append({"user_id": user_id, "type": "bodyweight", "data": {"kg": round(bodyweight, 1)},
                     "recorded_at": started - timedelta(hours=10)})
        if rng.random() < REST_DAY_CHANCE:
            continue
        workout_id += 1
        workouts.append({"id": workout_id, "user_id": user_id, "name": f"Day {day + 1}", "notes": "",
                         "started_at": started, "finished_at": started + timedelta(minutes=80)})
        when = started
        for exercise_id, name, base in rng.sample(exercises, EXERCISES_PER_WORKOUT):
            top = base * (1 + 0.45 * progress) * rng.uniform(0.95, 1.05)
            plan = [("warmup", 8, top * 0.5)] * WARMUP_SETS
            plan += [("working", rng.randint(3, 12), top * rng.uniform(0.8, 1.0))
                     for _ in range(rng.randint(*WORKING_SETS))]
            for number, (set_type, reps, load) in enumerate(plan, start=1):
                set_id += 1
                when += timedelta(seconds=rng.randint(60, 150))
                load = round(load / 2.5) * 2.5
                rpe = rng.choice((None, 7.0, 7.5, 8.0, 8.5, 9.0)) if set_type == "working" else None
                working += set_type == "working"
                sets.append({
                    "id": set_id, "workout_id": workout_id, "user_id": user_id, "exercise_id": exercise_id,
                    "client_id": uuid4().hex, "set_number": number, "set_type": set_type, "reps": reps,
                    "load_kg": load, "rpe": rpe, "rir": None, "note": "", "rest_s": 90, "logged_at": when,
                })
                data.append({"user_id": user_id, "type": "workout", "recorded_at": when, "data": {
                    "set_id": set_id, "workout_id": workout_id, "exercise_id": exercise_id, "exercise": name,
                    "reps": reps, "load_kg": load, "rpe": rpe, "rir": None, "set_type": set_type,
                }})
    for table, rows in ((Workout.__table__, workouts), (WorkoutSet.__table__, sets), (FitnessData.__table__, data)):
        for start in range(0, len(rows), CHUNK):
            session.execute(table.insert(), rows[start:start + CHUNK])
    return {"workouts": len(workouts), "sets": len(sets), "working sets": working, "fitness_data": len(data)}




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (the median is shown)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="adaptivefit-bench-") as folder:
        url = prepare_environment(Path(folder))

        from sqlmodel import Session, select

        from adaptivefit import db
        from adaptivefit.models import Exercise, User, Workout
        from adaptivefit.services.catalog import library
        from adaptivefit.services.training import badges, dashboard, goals, records

        started = time.perf_counter()
        migrate(url)
        engine = db.get_engine()
        now = datetime.now(UTC)
        with Session(engine, expire_on_commit=False) as session:
            library.install_library(session)
            member = User(email="bench@example.com", name="Bench Member", timezone="Europe/Berlin")
            session.add(member)
            session.flush()
            exercises = _pick_exercises(session)
            sizes = _fill(session, member.id, exercises, now)
            session.commit()
        fill_s = time.perf_counter() - started
        started = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            records.rebuild_records(session, member.id)
            session.commit()
        records_s = time.perf_counter() - started

        top_id = exercises[0][0]
        with Session(engine, expire_on_commit=False) as session:
            for form in (
                {"kind": "strength", "exercise_id": top_id, "target_e1rm_kg": 250},
                {"kind": "consistency", "workouts_per_week": 5},
                {"kind": "bodyweight", "target_kg": 75, "start_kg": 82},
                {"kind": "volume", "exercise_id": None, "weekly_volume_kg": 60000},
            ):
                goals.create_goal(session, member, form)
            session.commit()

        def home(session, user):
            goals.list_goals(session, user)
            badges.evaluate(session, user)
            lifts = dashboard.top_lifts(session, user)
            dashboard.e1rm_series(session, user, lifts[0][0])
            dashboard.weekly_volume_by_muscle(session, user)
            dashboard.workouts_per_week(session, user)

        def in_session(action, *, commit=False):
            def run():
                with Session(engine, expire_on_commit=False) as session:
                    user = session.get(User, member.id)
                    action(session, user)
                    if commit:
                        session.commit()
                    else:
                        session.rollback()
            return run

        figures: list[tuple[str, float]] = []
        # Rolled back each run, so every badge is measured from scratch (a first visit's cost).
        figures.append(("home, badges not yet held", median_ms(args.runs, in_session(home))))
        in_session(lambda s, u: badges.evaluate(s, u), commit=True)()
        figures.append(("home, badges held", median_ms(args.runs, in_session(home))))
        parts = {
            "  goals.list_goals": lambda s, u: goals.list_goals(s, u),
            "  badges.evaluate (held)": lambda s, u: badges.evaluate(s, u),
            "  dashboard.e1rm_series (365 d)": lambda s, u: dashboard.e1rm_series(s, u, top_id),
            "  dashboard.weekly_volume_by_muscle": lambda s, u: dashboard.weekly_volume_by_muscle(s, u),
            "  dashboard.workouts_per_week": lambda s, u: dashboard.workouts_per_week(s, u),
            "  dashboard.top_lifts": lambda s, u: dashboard.top_lifts(s, u),
        }
        figures += [(name, median_ms(args.runs, in_session(action))) for name, action in parts.items()]

        from adaptivefit.services.training import actions, workout_sets, workout_view, workouts

        with Session(engine, expire_on_commit=False) as session:
            open_id = workouts.start_workout(session, session.get(User, member.id), name="Bench").id
            session.commit()

        def log_one(session, user):
            workout_sets.log_set(session, user, open_id, client_id=uuid4().hex, exercise_id=top_id,
                                 reps="5", load_kg="100", rpe="8")

        with Session(engine) as session:
            last_done = session.exec(
                select(Workout.id).where(Workout.user_id == member.id, Workout.finished_at.is_not(None))
                .order_by(Workout.started_at.desc()).limit(1)
            ).one()
        figures.append(("workout_sets.log_set + commit", median_ms(args.runs, in_session(log_one, commit=True))))

        def log_as_the_logger_does(session, user):
            # What the logger does per set: write it, check badges, and the coach reads the history and answers.
            actions.log_set(session, user, {"exercise_id": str(top_id), "reps": "5", "load": "100", "rpe": "9.5"},
                            client_id=uuid4().hex, ai_tier=False)

        figures.append(("actions.log_set (set, badges, coach) + commit",
                        median_ms(args.runs, in_session(log_as_the_logger_does, commit=True))))
        figures.append(("workout_view.workout_view (finished)",
                        median_ms(args.runs, in_session(lambda s, u: workout_view.workout_view(s, u, last_done)))))
        figures.append(("workout_view.exercise_history (20)",
                        median_ms(args.runs, in_session(lambda s, u: workout_view.exercise_history(s, u, top_id)))))

        with Session(engine) as session:
            top_name = session.get(Exercise, top_id).name
        size_mb = Path(folder, "bench.db").stat().st_size / 1e6
        print(f"Data: {sizes['workouts']:,} workouts, {sizes['sets']:,} sets ({sizes['working sets']:,} working), "
              f"{sizes['fitness_data']:,} fitness_data rows, {len(exercises)} exercises; {size_mb:.0f} MB")
        print(f"Setup: migrate + library + bulk insert {fill_s:.1f} s, records.rebuild_records {records_s:.1f} s")
        print(f"Lift charted: {top_name}; median of {args.runs} runs, SQLite, one process")
        print()
        width = max(len(name) for name, _ in figures)
        print(f"{'measure'.ljust(width)}  {'ms':>8}")
        print(f"{'-' * width}  {'-' * 8}")
        for name, ms in figures:
            print(f"{name.ljust(width)}  {ms:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
