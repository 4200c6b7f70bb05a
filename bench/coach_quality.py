"""Does the coach model write messages members may see? The share that passes, per event.

For a model directory (default: the newest passing version under COACH_MODEL_DIR) it draws
random valid contexts for every event, lets `coach.engine.decide` choose the tweak, prompts the
model exactly as the app does (`prompting.prompt_for`, the runner's sampling, seeded per message),
fills the placeholders and counts, per event and overall, the share that passes
`guardrails.check` and the share whose words point the action's way (`direction_matches`). The
model path may be on by default only when at least 95% pass both; the app falls back to the
templates for the rest either way.

    .venv/bin/python bench/coach_quality.py [MODEL_DIR] [--per-event 200] [--dtype auto] [--units kg]
"""

from __future__ import annotations

import argparse
import atexit
import collections
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_support import prepare_environment  # noqa: E402

from adaptivefit.coach.types import (  # noqa: E402
    EVENTS,
    FITNESS_LEVELS,
    GOALS,
    CoachContext,
    Readiness,
    SessionRecord,
    UserData,
)

BAR = 0.95
EXERCISES = (
    ("Barbell Back Squat", "barbell"), ("Bench Press", "barbell"), ("Romanian Deadlift", "barbell"),
    ("Overhead Press", "barbell"), ("Dumbbell Row", "dumbbell"), ("Incline Dumbbell Press", "dumbbell"),
    ("Leg Press", "machine"), ("Lat Pulldown", "machine"), ("Cable Fly", "cable"), ("Face Pull", "cable"),
    ("Kettlebell Swing", "kettlebell"), ("Pull-up", "bodyweight"), ("Push-up", "bodyweight"),
)


def random_case(rng: random.Random, event: str) -> tuple[CoachContext, UserData]:
    """A plausible set (or session) for `event`, and a member."""
    exercise, equipment = rng.choice(EXERCISES)
    planned_sets = rng.randint(2, 5)
    planned_reps = rng.choice((3, 5, 6, 8, 10, 12, 15))
    ranged = rng.random() < 0.4
    load = 0.0 if equipment == "bodyweight" and rng.random() < 0.7 else round(rng.uniform(8, 180) / 2.5) * 2.5
    set_number = 0 if event == "start_workout" else rng.randint(1, planned_sets)
    if event == "fail_set":
        completed = rng.randint(0, max(0, planned_reps - 3))
    elif event == "struggle_set":
        completed = rng.randint(max(1, planned_reps - 2), planned_reps)
    elif event in ("complete_set", "too_easy"):
        completed = planned_reps + (rng.randint(0, 3) if event == "too_easy" else rng.choice((0, 0, 0, -1)))
    else:
        completed = None
    rpe = None if rng.random() < 0.25 else round(rng.uniform(5, 10) * 2) / 2
    if event == "too_easy" and rpe is not None:
        rpe = min(rpe, 7.0)
    ctx = CoachContext(
        exercise=exercise, equipment=equipment, set_number=set_number, planned_sets=planned_sets,
        planned_reps=planned_reps,
        reps_min=max(1, planned_reps - 2) if ranged else None, reps_max=planned_reps + 2 if ranged else None,
        completed_reps=completed, load_kg=load, rpe=rpe,
        rir=None if rpe is not None or rng.random() < 0.5 else rng.randint(0, 4),
        target_rpe=None if rng.random() < 0.5 else rng.choice((7.0, 7.5, 8.0, 8.5, 9.0)),
        rest_taken_s=None if rng.random() < 0.5 else rng.randint(30, 300),
        rest_s=None if rng.random() < 0.4 else rng.choice((60, 90, 120, 150, 180, 240)),
        session_struggles=rng.choice((0, 0, 0, 1, 2)), session_skips=rng.choice((0, 0, 0, 1)),
    )
    history = tuple(
        SessionRecord(
            days_ago=3 * (i + 1) + rng.randint(0, 3),
            top_load_kg=max(0.0, load - 2.5 * i),
            reps=tuple(planned_reps - rng.randint(0, 2) for _ in range(planned_sets)),
            best_e1rm_kg=max(0.0, (load - 2.5 * i) * (1 + planned_reps / 30)),
            struggled=rng.random() < 0.3,
        )
        for i in range(rng.randint(0, 4))
    )
    readiness = None
    if rng.random() < 0.4:
        readiness = Readiness(sleep_hours=round(rng.uniform(4, 9), 1), hrv_ratio=round(rng.uniform(0.7, 1.2), 2))
    user = UserData(fitness_level=rng.choice(FITNESS_LEVELS), goals=tuple(rng.sample(GOALS, rng.randint(0, 2))),
                    history=history, readiness=readiness)
    return ctx, user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", nargs="?", help="a model directory (default: the newest passing version)")
    parser.add_argument("--per-event", type=int, default=200)
    parser.add_argument("--dtype", default=None, help="float32, bfloat16, int8 or auto (default: COACH_DTYPE)")
    parser.add_argument("--units", choices=("kg", "lb"), default="kg")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--examples", type=int, default=3, help="rejected messages shown per event")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="coach-quality-"))
    atexit.register(shutil.rmtree, home, True)
    prepare_environment(home)
    from adaptivefit.coach import engine, guardrails, lm, versions
    from adaptivefit.coach.prompting import fill, prompt_for
    from adaptivefit.config import get_settings

    model_dir = Path(args.model_dir) if args.model_dir else versions.find_model_dir()
    if model_dir is None:
        sys.exit("No coach model: pass a model directory or train one (COACH_MODEL_DIR has no passing version).")
    runner = lm.CoachModel(get_settings(), source=model_dir, dtype=args.dtype)
    if not runner.wait_ready(600):
        sys.exit(f"The model did not load: {runner.status()['error']}")
    print(f"model {model_dir} ({runner.dtype}), {args.per_event} messages per event, units {args.units}")

    rng = random.Random(args.seed)
    totals = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    started = time.perf_counter()
    print(f"\n{'event':<17} {'n':>4} {'guardrails':>10} {'direction':>9} {'both':>6}  actions")
    for event in EVENTS:
        counts = collections.Counter()
        actions = collections.Counter()
        shown = 0
        for i in range(args.per_event):
            ctx, user = random_case(rng, event)
            tweak = engine.decide(event, ctx, user)
            goal = user.goals[0] if user.goals else "general"
            actions[tweak.action] += 1
            raw = runner.generate_raw(prompt_for(tweak, event, goal, user.fitness_level), seed=f"q|{event}|{i}")
            message = fill(raw, tweak, ctx.exercise, args.units)
            reason = "unfillable placeholders" if message is None else guardrails.check(
                message, tweak, exercise=ctx.exercise, units=args.units)
            direction = message is not None and guardrails.direction_matches(message, tweak)
            counts["n"] += 1
            counts["pass"] += reason is None
            counts["direction"] += direction
            counts["both"] += reason is None and direction
            if reason is not None:
                reasons[reason.split(" is not")[0] if reason.startswith("number") else reason] += 1
            if (reason is not None or not direction) and shown < args.examples:
                shown += 1
                print(f"    rejected ({tweak.action}: {reason or 'direction'}): {raw[:110]!r}")
        totals.update(counts)
        top = ", ".join(f"{a} {n}" for a, n in actions.most_common(4))
        print(f"{event:<17} {counts['n']:>4} {counts['pass'] / counts['n']:>10.1%} "
              f"{counts['direction'] / counts['n']:>9.1%} {counts['both'] / counts['n']:>6.1%}  {top}")
    n = totals["n"]
    share = totals["both"] / n
    print(f"{'overall':<17} {n:>4} {totals['pass'] / n:>10.1%} {totals['direction'] / n:>9.1%} {share:>6.1%}")
    print(f"({time.perf_counter() - started:.0f} s; {1000 * (time.perf_counter() - started) / n:.0f} ms a message)")
    if reasons:
        print("\nwhy messages were rejected:", ", ".join(f"{r} ({c})" for r, c in reasons.most_common(8)))
    runner.close()
    if share >= BAR:
        print(f"\nverdict: model path may be on by default ({share:.1%} >= {BAR:.0%} pass guardrails and direction)")
    else:
        print(f"\nverdict: keep the model path off by default ({share:.1%} < {BAR:.0%}); the templates answer")


if __name__ == "__main__":
    main()
