"""Plain, rule-based nudges for a day of eating: general guidance, never a medical judgement."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Session

from adaptivefit.models import User
from adaptivefit.services.core.clock import local_now
from adaptivefit.services.nutrition.diary import DayView, day_view

EVENING = time(18, 0)
LOW_PROTEIN_SHARE = 0.7
LOW_ENERGY_SHARE = 0.6
FIBRE_MIN_G = 20.0
FIBRE_CHECK_KCAL = 1200.0


def daily_hints(session: Session, user: User, day: date, *, now: datetime | None = None) -> list[str]:
    """Plain, rule-based nudges for a day; general guidance, never a medical judgement."""
    return hints_for(day_view(session, user, day), user, now=now)


def hints_for(view: DayView, user: User, *, now: datetime | None = None) -> list[str]:
    """The nudges for a day already read (see `daily_hints`)."""
    day, totals, targets = view.day, view.totals, view.targets
    moment = local_now(user, now)
    evening = day < moment.date() or (day == moment.date() and moment.time() >= EVENING)
    hints = []
    if targets is None:
        hints.append("Set your calorie and macro targets to see how your day adds up.")
    else:
        if evening and targets.protein_g > 0 and totals.protein_g < LOW_PROTEIN_SHARE * targets.protein_g:
            hints.append(f"Protein is at {totals.protein_g:g} g of your {targets.protein_g} g target; "
                         "a protein-rich meal or snack would close some of the gap.")
        if (evening and view.is_training_day and targets.calories > 0
                and totals.kcal < LOW_ENERGY_SHARE * targets.calories):
            hints.append(f"You trained today and have eaten {totals.kcal:,.0f} of your {targets.calories:,} kcal; "
                         "eating enough on training days supports recovery and performance.")
    if totals.kcal > FIBRE_CHECK_KCAL and totals.fibre_g < FIBRE_MIN_G:
        hints.append(f"Fibre is at {totals.fibre_g:g} g today; vegetables, fruit, beans and whole grains add more.")
    return hints
