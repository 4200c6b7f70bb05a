"""Reading the diary's form values: a meal, a day, one of a set of choices; a reason for each refusal."""

from __future__ import annotations

from datetime import date, datetime

MEALS = ("breakfast", "lunch", "dinner", "snack")


def choice(value: object, options) -> str:
    """The value, trimmed and lower-cased, when it is one of `options`; ValueError otherwise."""
    if not isinstance(value, str) or value.strip().lower() not in options:
        raise ValueError
    return value.strip().lower()


def meal(value: object, key: str, errors: dict[str, str]) -> str | None:
    try:
        return choice(value, MEALS)
    except ValueError:
        errors[key] = "Choose breakfast, lunch, dinner or snack."
        return None


def check_day(value: object, key: str, errors: dict[str, str]) -> date | None:
    if isinstance(value, datetime) or not isinstance(value, date):
        errors[key] = "Choose a day."
        return None
    return value
