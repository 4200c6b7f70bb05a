"""A member's own profile: every field checked on the server, all or nothing."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from sqlmodel import Session

from adaptivefit.models import User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import ValidationFailed

FITNESS_LEVELS = ("beginner", "intermediate", "advanced")
UNITS = ("kg", "lb")
SEXES = ("male", "female")

NAME_MAX = 100
MIN_AGE, MAX_AGE = 13, 120
MIN_HEIGHT_CM, MAX_HEIGHT_CM = 100.0, 250.0

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"\d{1,3}(?:\.\d{1,2})?")
# Longer than any value a field accepts: anything past it is refused before closer parsing.
_SANE_LENGTH = 64
_TRUE = ("on", "true")
_FALSE = ("off", "false", "")

# Control characters, lone surrogates and line/paragraph separators have no place in a name.
_REFUSED_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}


class _Bad(Exception):
    """One field's reason, gathered into a ValidationFailed for the whole form."""


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Bad("Enter text.")
    return value.strip()


def _choice(value: object, allowed: tuple[str, ...], message: str) -> str:
    text = _text(value) if isinstance(value, str) or value is None else None
    if text not in allowed:
        raise _Bad(message)
    return text


def _name(value: object) -> str:
    name = _text(value)
    if len(name) <= NAME_MAX * 4:
        # One spelling per name, so the same letters always compare and sort alike.
        name = unicodedata.normalize("NFC", name)
    if not name:
        raise _Bad("Enter your name.")
    if len(name) > NAME_MAX:
        raise _Bad(f"Use at most {NAME_MAX} characters.")
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in name):
        raise _Bad("Remove line breaks and other control characters.")
    return name


def _timezone(value: object) -> str:
    zone = _text(value)
    if zone not in _timezones():
        raise _Bad("Choose a time zone from the list (for example Europe/Berlin).")
    return zone


def _age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _date_of_birth(value: object, today: date) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        born = value
    else:
        text = _text(value)
        if not text:
            return None
        if len(text) != 10 or not _ISO_DATE.fullmatch(text):
            raise _Bad("Enter the date as YYYY-MM-DD.")
        try:
            born = date.fromisoformat(text)
        except ValueError:
            raise _Bad("Enter a date that exists.") from None
    age = _age_on(born, today)
    if age < MIN_AGE:
        raise _Bad(f"You must be at least {MIN_AGE} years old to use Adaptive Fit.")
    if age > MAX_AGE:
        raise _Bad(f"Enter a date of birth less than {MAX_AGE} years ago.")
    return born


def _sex(value: object) -> str | None:
    if value is None or value == "":
        return None
    return _choice(value, SEXES, "Choose male, female or leave it empty.")


def _height(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Bad("Enter your height in centimetres, for example 180.")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if len(text) > _SANE_LENGTH or not _DECIMAL.fullmatch(text):
            raise _Bad("Enter your height in centimetres, for example 180.")
        number = float(text)
    else:
        raise _Bad("Enter your height in centimetres, for example 180.")
    # NaN fails every comparison and infinity is out of range, so both are refused here.
    if not MIN_HEIGHT_CM <= number <= MAX_HEIGHT_CM:
        raise _Bad(f"Enter a height between {MIN_HEIGHT_CM:g} and {MAX_HEIGHT_CM:g} cm.")
    return round(number, 1)


def _flag(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) <= _SANE_LENGTH:
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise _Bad("Choose on or off.")


def _validators(today: date) -> dict[str, Any]:
    return {
        "name": _name,
        "units": lambda v: _choice(v, UNITS, "Choose kg or lb."),
        "timezone": _timezone,
        "fitness_level": lambda v: _choice(v, FITNESS_LEVELS, "Choose beginner, intermediate or advanced."),
        "date_of_birth": lambda v: _date_of_birth(v, today),
        "sex": _sex,
        "height_cm": _height,
        "profile_visible_to_trainers": _flag,
        "allow_coach_training": _flag,
    }


def update_profile(session: Session, user: User, form: dict[str, object], *, ip_address: str = "") -> User:
    """Apply the fields present in `form`; refuse the whole form if any of them is bad.

    Keys other than the profile's own (role, email, avatar...) are ignored: the browser
    sends them as input, and this form does not change them.
    """
    if not isinstance(form, dict):
        raise ValidationFailed({"form": "The form could not be read; reload the page and try again."})
    cleaned: dict[str, object] = {}
    errors: dict[str, str] = {}
    for field, validate in _validators(utcnow().date()).items():
        if field not in form:
            continue
        try:
            cleaned[field] = validate(form[field])
        except _Bad as bad:
            errors[field] = str(bad)
    if errors:
        raise ValidationFailed(errors)
    changed = sorted(field for field, value in cleaned.items() if getattr(user, field) != value)
    if not changed:
        return user
    for field in changed:
        setattr(user, field, cleaned[field])
    user.updated_at = utcnow()
    session.add(user)
    # Which fields changed, never their values: the audit log is no second copy of the profile.
    audit.record(session, "profile_updated", user_id=user.id, ip_address=ip_address, fields=changed)
    session.flush()
    return user
