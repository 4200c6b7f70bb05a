"""wger's names for categories, muscles and equipment, and ours for each."""

from __future__ import annotations

# wger's category names (lower-cased) -> ours.
CATEGORY_MAP = {
    "abs": "core",
    "arms": "arms",
    "back": "back",
    "calves": "legs",
    "cardio": "cardio",
    "chest": "chest",
    "legs": "legs",
    "shoulders": "shoulders",
    "glutes": "glutes",
    "core": "core",
    "full body": "full body",
    "stretching": "mobility",
    "mobility": "mobility",
}
DEFAULT_CATEGORY = "full body"

# wger's muscles, by Latin name and by English name (both lower-cased) -> ours.
MUSCLE_MAP = {
    "biceps brachii": "biceps",
    "brachialis": "biceps",
    "anterior deltoid": "front delts",
    "lateral deltoid": "side delts",
    "posterior deltoid": "rear delts",
    # ExRx and most gyms count the serratus with the chest.
    "serratus anterior": "chest",
    "pectoralis major": "chest",
    "triceps brachii": "triceps",
    "rectus abdominis": "abs",
    "gastrocnemius": "calves",
    "soleus": "calves",
    "gluteus maximus": "glutes",
    "gluteus medius": "abductors",
    "trapezius": "traps",
    "quadriceps femoris": "quadriceps",
    "biceps femoris": "hamstrings",
    "latissimus dorsi": "lats",
    "obliquus externus abdominis": "obliques",
    "erector spinae": "lower back",
    "biceps": "biceps",
    "shoulders": "front delts",
    "chest": "chest",
    "triceps": "triceps",
    "abs": "abs",
    "calves": "calves",
    "glutes": "glutes",
    "quads": "quadriceps",
    "hamstrings": "hamstrings",
    "lats": "lats",
    "lower back": "lower back",
    "traps": "traps",
    "forearms": "forearms",
    "obliques": "obliques",
}

# An exercise wger lists without muscles still needs a primary muscle: the category's usual one.
CATEGORY_DEFAULT_MUSCLE = {
    "chest": "chest",
    "back": "upper back",
    "shoulders": "side delts",
    "arms": "biceps",
    "legs": "quadriceps",
    "glutes": "glutes",
    "core": "abs",
    "full body": "quadriceps",
    "cardio": "cardiovascular",
    "mobility": "hip flexors",
}

# wger's equipment names (lower-cased) -> ours; None means "nothing to own".
EQUIPMENT_MAP: dict[str, str | None] = {
    "barbell": "Barbell",
    "sz-bar": "EZ Bar",
    "dumbbell": "Dumbbell",
    "gym mat": None,
    # Our catalog has no stability ball, and it is not something a plan should require.
    "swiss ball": None,
    "pull-up bar": "Pull-up Bar",
    "none (bodyweight exercise)": None,
    "bench": "Flat Bench",
    "incline bench": "Adjustable Bench",
    "kettlebell": "Kettlebell",
    "resistance band": "Resistance Band",
    "cable machine": "Cable Machine",
}
