"""The macro arithmetic, in one place: nutrients in an amount of food, energy from macros, targets
split into macros, a day's totals and what is left of its targets.

Foods, recipes, the diary, the targets, the trends and the pages all call here; none of them
multiplies grams by energy or sums a day's macros on its own.

- A food holds its nutrients per 100 g; an amount holds them in proportion to its grams.
- Energy: 4 kcal per gram of protein or carbohydrate, 9 per gram of fat.
- Targets: fat as a share of calories, protein as given, carbohydrate takes the rest. A training
  day's extra energy is eaten as carbohydrate.
- A logged entry and a day's totals keep one decimal; targets and what is left are whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from adaptivefit.services.core.access import ValidationFailed

KCAL_PER_G_PROTEIN = 4
KCAL_PER_G_CARBS = 4
KCAL_PER_G_FAT = 9

MAIN = ("kcal", "protein_g", "carbs_g", "fat_g")
OPTIONAL = ("fibre_g", "sugar_g", "saturated_fat_g", "sodium_mg")


@dataclass(frozen=True)
class Nutrients:
    """What an amount of food holds. The four main values are always known; the rest may not be."""

    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fibre_g: float | None = None
    sugar_g: float | None = None
    saturated_fat_g: float | None = None
    sodium_mg: float | None = None


@dataclass(frozen=True)
class Targets:
    calories: int
    protein_g: int
    carbs_g: int
    fat_g: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DayTotals:
    kcal: float = 0.0
    protein_g: float = 0.0
    carbs_g: float = 0.0
    fat_g: float = 0.0
    fibre_g: float = 0.0


def round1(value: float | None) -> float:
    return round(value or 0.0, 1)


def nutrients_for(food: Any, grams: float) -> Nutrients:
    """Nutrients in `grams` of a food. Unrounded: the display rounds (kcal to 1, the rest to 0.1)."""
    factor = grams / 100.0
    values = {name: getattr(food, name) * factor for name in MAIN}
    for name in OPTIONAL:
        per_100 = getattr(food, name, None)
        values[name] = None if per_100 is None else per_100 * factor
    return Nutrients(**values)


def mix_per_100(parts: list[tuple[Any, float]]) -> dict[str, float | None]:
    """Nutrients per 100 g of a mix of (food, grams).

    A nutrient some ingredient does not state counts as nothing from that ingredient; it stays
    unknown only when no ingredient states it.
    """
    total_grams = sum(grams for _, grams in parts)
    amounts = [nutrients_for(food, grams) for food, grams in parts]
    per_100: dict[str, float | None] = {n: sum(getattr(a, n) for a in amounts) * 100 / total_grams for n in MAIN}
    for n in OPTIONAL:
        known = [getattr(a, n) for a in amounts if getattr(a, n) is not None]
        per_100[n] = sum(known) * 100 / total_grams if known else None
    return per_100


def per_serving(parts: list[tuple[Any, float]], servings: int) -> Nutrients:
    """Nutrients in one of `servings` equal servings of a mix of (food, grams)."""
    total = sum(grams for _, grams in parts)
    return nutrients_for(SimpleNamespace(**mix_per_100(parts)), total / servings)


def snapshot(nutrients: Nutrients) -> dict[str, float]:
    """What a logged entry keeps of an amount's nutrients, each to one decimal."""
    return {"calories": round1(nutrients.kcal), "protein_g": round1(nutrients.protein_g),
            "carbs_g": round1(nutrients.carbs_g), "fat_g": round1(nutrients.fat_g),
            "fibre_g": round1(nutrients.fibre_g)}


def total(rows: Iterable[tuple[float, float, float, float, float]]) -> DayTotals:
    """The sum of (kcal, protein, carbs, fat, fibre) rows, unrounded."""
    sums = [0.0, 0.0, 0.0, 0.0, 0.0]
    for row in rows:
        for index, value in enumerate(row):
            sums[index] += value or 0.0
    return DayTotals(*sums)


def rounded(totals: DayTotals) -> DayTotals:
    """Totals as a day shows them: one decimal each."""
    return DayTotals(round1(totals.kcal), round1(totals.protein_g), round1(totals.carbs_g), round1(totals.fat_g),
                     round1(totals.fibre_g))


def remaining(targets: Targets, totals: DayTotals) -> Targets:
    """Target minus eaten, whole; negative once over."""
    return Targets(round(targets.calories - totals.kcal), round(targets.protein_g - totals.protein_g),
                   round(targets.carbs_g - totals.carbs_g), round(targets.fat_g - totals.fat_g))


def percent_of(value: float, target: float | None) -> int:
    """How much of a target is eaten, 0 to 100 (0 without a target)."""
    if not target:
        return 0
    return max(0, min(100, round(100 * value / target)))


def split(calories: float, protein_g: float, fat_share: float, field_: str = "protein_g_per_kg") -> Targets:
    """Fat as a share of calories, carbohydrate the rest after protein and fat."""
    fat_g = calories * fat_share / KCAL_PER_G_FAT
    carbs_g = (calories - protein_g * KCAL_PER_G_PROTEIN - fat_g * KCAL_PER_G_FAT) / KCAL_PER_G_CARBS
    if carbs_g < 0:
        raise ValidationFailed({field_: (
            f"{round(protein_g)} g protein and {round(fat_share * 100)}% fat come to more than {round(calories)} kcal; "
            "lower the protein or the fat share."
        )})
    return Targets(round(calories), round(protein_g), round(carbs_g), round(fat_g))


def with_training_extra(calories: int, protein_g: int, carbs_g: int, fat_g: int, extra_kcal: int) -> Targets:
    """A day's targets with `extra_kcal` more energy, eaten as carbohydrate."""
    return Targets(calories + extra_kcal, protein_g, carbs_g + round(extra_kcal / KCAL_PER_G_CARBS), fat_g)


def energy_split(protein_g: float, carbs_g: float, fat_g: float) -> tuple[float, float, float]:
    """The kcal that protein, carbohydrate and fat bring."""
    return protein_g * KCAL_PER_G_PROTEIN, carbs_g * KCAL_PER_G_CARBS, fat_g * KCAL_PER_G_FAT
