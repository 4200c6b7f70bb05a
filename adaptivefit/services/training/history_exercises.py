"""Finding the exercise a history file names: our library's, the member's own, or a new private one.

Strong and Hevy spell common lifts their own way ("Squat (Barbell)"); ALIASES maps those to our
names, and a name nothing matches becomes a private exercise with a guessed category and muscle.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import or_
from sqlmodel import Session, select

from adaptivefit.models import Exercise
from adaptivefit.services.catalog.library import slugify
from adaptivefit.services.training.history_formats import HistoryImport

# Strong's and Hevy's names for common lifts (normalised, see `_norm`) -> our library's names.
ALIASES = {
    "squat barbell": "Barbell Back Squat",
    "front squat barbell": "Barbell Front Squat",
    "bench press barbell": "Barbell Bench Press",
    "incline bench press barbell": "Incline Barbell Bench Press",
    "incline bench press dumbbell": "Incline Dumbbell Bench Press",
    "bench press dumbbell": "Dumbbell Bench Press",
    "deadlift barbell": "Conventional Deadlift",
    "romanian deadlift barbell": "Romanian Deadlift",
    "sumo deadlift barbell": "Sumo Deadlift",
    "overhead press barbell": "Barbell Overhead Press",
    "shoulder press dumbbell": "Seated Dumbbell Shoulder Press",
    "bent over row barbell": "Barbell Bent-Over Row",
    "bent over one arm row dumbbell": "One-Arm Dumbbell Row",
    "dumbbell row": "One-Arm Dumbbell Row",
    "pull up": "Pull-Up",
    "chin up": "Chin-Up",
    "push up": "Push-Up",
    "lat pulldown cable": "Lat Pulldown",
    "seated row cable": "Seated Cable Row",
    "seated cable row v grip cable": "Seated Cable Row",
    "bicep curl barbell": "Barbell Curl",
    "bicep curl dumbbell": "Dumbbell Curl",
    "hammer curl dumbbell": "Hammer Curl",
    "triceps pushdown cable straight bar": "Triceps Pushdown",
    "triceps pushdown": "Triceps Pushdown",
    "skullcrusher barbell": "Skull Crusher",
    "lateral raise dumbbell": "Dumbbell Lateral Raise",
    "face pull cable": "Face Pull",
    "leg press machine": "Leg Press",
    "leg extension machine": "Leg Extension",
    "lying leg curl machine": "Lying Leg Curl",
    "seated leg curl machine": "Seated Leg Curl",
    "standing calf raise machine": "Standing Calf Raise",
    "hip thrust barbell": "Barbell Hip Thrust",
    "shrug barbell": "Barbell Shrug",
    "shrug dumbbell": "Dumbbell Shrug",
    "chest fly dumbbell": "Dumbbell Fly",
    "walking lunge dumbbell": "Dumbbell Walking Lunge",
    "goblet squat kettlebell": "Goblet Squat",
    "running treadmill": "Treadmill Run",
    "cycling indoor": "Stationary Cycling",
    "rowing machine": "Rowing Machine Steady State",
}

# A guess for a custom exercise's category and primary muscle from words in its name; first match wins.
GUESSES = (
    (("calf",), "legs", "calves"),
    (("leg curl", "hamstring", "nordic"), "legs", "hamstrings"),
    (("lunge", "squat", "leg press", "leg extension", "step up"), "legs", "quadriceps"),
    (("curl",), "arms", "biceps"),
    (("tricep", "triceps", "pushdown", "skullcrusher", "skull crusher", "dip"), "arms", "triceps"),
    (
        ("run", "running", "bike", "cycling", "rowing", "elliptical", "treadmill", "swim", "walk", "stair"),
        "cardio",
        "cardiovascular",
    ),
    (("bench", "chest", "fly", "push up", "pushup", "pec"), "chest", "chest"),
    (("pulldown", "pull up", "pullup", "chin up", "lat"), "back", "lats"),
    (("row",), "back", "upper back"),
    (("shrug",), "back", "traps"),
    (("deadlift", "good morning", "rdl"), "legs", "hamstrings"),
    (("hip thrust", "glute", "bridge", "kickback"), "glutes", "glutes"),
    (("lateral raise",), "shoulders", "side delts"),
    (("rear delt", "face pull", "reverse fly"), "shoulders", "rear delts"),
    (("shoulder", "overhead", "military", "press"), "shoulders", "front delts"),
    (("oblique", "twist", "woodchop"), "core", "obliques"),
    (("crunch", "plank", "sit up", "situp", "ab", "abs", "leg raise"), "core", "abs"),
)
DEFAULT_GUESS = ("full body", "quadriceps")


# --- matching --------------------------------------------------------------------------


def _norm(name: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text).split())


def _candidates(name: str) -> list[str]:
    """Normalised spellings to look for: as written, without a "(Barbell)" suffix, and with it in front."""
    found = [_norm(name)]
    match = re.fullmatch(r"(.*?)\s*\(([^)]*)\)\s*", name)
    if match:
        base, kind = match.group(1), match.group(2)
        found += [_norm(f"{kind} {base}"), _norm(base)]
    return found


class HistoryExercises:
    """Finds the library (or the member's own) exercise for a name in a file, creating one if none fits."""

    def __init__(self, session: Session, user_id: int, report: HistoryImport):
        self.session, self.user_id, self.report = session, user_id, report
        self.exact: dict[str, Exercise] = {}
        self.normal: dict[str, Exercise] = {}
        visible = session.exec(
            select(Exercise)
            .where(or_(Exercise.owner_id.is_(None), Exercise.owner_id == user_id))
            .order_by(Exercise.owner_id.is_not(None), Exercise.id)
        ).all()
        for exercise in visible:
            self.exact.setdefault(exercise.name.strip().lower(), exercise)
            self.normal.setdefault(_norm(exercise.name), exercise)

    def get(self, name: str) -> Exercise:
        key = name.strip().lower()
        exercise = self.exact.get(key)
        if exercise is None and _norm(name) in ALIASES:
            exercise = self.exact.get(ALIASES[_norm(name)].lower())
        if exercise is None:
            exercise = next((self.normal[c] for c in _candidates(name) if c in self.normal), None)
        if exercise is None:
            exercise = self._create(name)
        self.exact[key] = exercise
        return exercise

    def _create(self, name: str) -> Exercise:
        padded = f" {_norm(name)} "
        category, muscle = next(
            ((c, m) for words, c, m in GUESSES if any(f" {w} " in padded for w in words)), DEFAULT_GUESS
        )
        base = f"{slugify(name)[:110] or 'exercise'}-u{self.user_id}"
        slug, number = base, 2
        while self.session.exec(select(Exercise.id).where(Exercise.slug == slug)).first() is not None:
            slug, number = f"{base}-{number}", number + 1
        exercise = Exercise(name=name, slug=slug, category=category, primary_muscle=muscle, owner_id=self.user_id,
                            source="import", instructions="Added from an imported training history.")
        self.session.add(exercise)
        self.session.flush()
        self.report.unknown_exercises.append(name)
        return exercise
