from datetime import date, timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import AuditEvent, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.accounts.profile import update_profile


@pytest.fixture
def user(session):
    user = User(email="maya@example.com", name="Maya")
    session.add(user)
    session.flush()
    return user


def _years_ago(years: int, days: int = 0) -> str:
    today = utcnow().date()
    if (today.month, today.day) == (2, 29):
        today -= timedelta(days=1)
    return (today.replace(year=today.year - years) + timedelta(days=days)).isoformat()


def _refused(session, user, form) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        update_profile(session, user, form)
    return caught.value.errors


FULL_FORM = {
    "name": "  Maya Lindqvist  ",
    "units": "lb",
    "timezone": "Europe/Berlin",
    "fitness_level": "intermediate",
    "date_of_birth": "1990-05-17",
    "sex": "female",
    "height_cm": "171.5",
    "profile_visible_to_trainers": "on",
    "allow_coach_training": True,
}


def test_a_full_form_saves_every_field_and_is_audited(session, user):
    before = user.updated_at
    update_profile(session, user, FULL_FORM, ip_address="203.0.113.9")
    session.expire_all()
    saved = session.get(User, user.id)
    assert saved.name == "Maya Lindqvist"
    assert (saved.units, saved.timezone, saved.fitness_level) == ("lb", "Europe/Berlin", "intermediate")
    assert saved.date_of_birth == date(1990, 5, 17)
    assert saved.sex == "female"
    assert saved.height_cm == 171.5
    assert saved.profile_visible_to_trainers is True and saved.allow_coach_training is True
    assert saved.updated_at > before
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "profile_updated")).one()
    assert event.user_id == user.id and event.ip_address == "203.0.113.9"
    assert "height_cm" in event.details["fields"]
    # The log names what changed, not the values themselves.
    assert "Maya Lindqvist" not in str(event.details) and "1990" not in str(event.details)


def test_absent_keys_leave_fields_unchanged(session, user):
    update_profile(session, user, FULL_FORM)
    update_profile(session, user, {"units": "kg"})
    assert user.units == "kg"
    assert user.name == "Maya Lindqvist"
    assert user.timezone == "Europe/Berlin"
    assert user.height_cm == 171.5
    assert user.profile_visible_to_trainers is True


def test_keys_outside_the_profile_are_ignored(session, user):
    update_profile(session, user, {"name": "Maya", "role": "admin", "email": "evil@example.com",
                                   "avatar": "../../etc/passwd", "is_suspended": True, "id": 999})
    session.expire_all()
    saved = session.get(User, user.id)
    assert (saved.role, saved.email, saved.avatar, saved.is_suspended) == ("member", "maya@example.com", None, False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter your name."),
        ("name", "   \t ", "Enter your name."),
        ("name", None, "Enter your name."),
        ("name", 42, "Enter text."),
        ("name", "x" * 101, "Use at most 100 characters."),
        ("name", "Maya\x00", "control characters"),
        ("name", "Maya\nLindqvist", "control characters"),
        ("name", "Maya\u2028Lindqvist", "control characters"),
        ("name", "Maya\x1b[31m", "control characters"),
        ("units", "stone", "Choose kg or lb."),
        ("units", "", "Choose kg or lb."),
        ("units", ["kg"], "Choose kg or lb."),
        ("timezone", "Mars/Olympus", "Choose a time zone"),
        ("timezone", "../../etc/passwd", "Choose a time zone"),
        ("timezone", "", "Choose a time zone"),
        ("fitness_level", "elite", "Choose beginner, intermediate or advanced."),
        ("date_of_birth", "17/05/1990", "YYYY-MM-DD"),
        ("date_of_birth", "19900517", "YYYY-MM-DD"),
        ("date_of_birth", "1990-02-30", "Enter a date that exists."),
        ("date_of_birth", "yesterday", "YYYY-MM-DD"),
        ("date_of_birth", 1990, "Enter text."),
        ("sex", "other", "Choose male, female or leave it empty."),
        ("sex", "MALEX", "Choose male, female or leave it empty."),
        ("height_cm", "99.9", "between 100 and 250 cm"),
        ("height_cm", "250.1", "between 100 and 250 cm"),
        ("height_cm", 0, "between 100 and 250 cm"),
        ("height_cm", -180, "between 100 and 250 cm"),
        ("height_cm", "nan", "for example 180"),
        ("height_cm", "inf", "for example 180"),
        ("height_cm", float("nan"), "between 100 and 250 cm"),
        ("height_cm", float("inf"), "between 100 and 250 cm"),
        ("height_cm", "1e2", "for example 180"),
        ("height_cm", "180cm", "for example 180"),
        ("height_cm", "1_80", "for example 180"),
        ("height_cm", True, "for example 180"),
        ("height_cm", [180], "for example 180"),
        ("profile_visible_to_trainers", "maybe", "Choose on or off."),
        ("allow_coach_training", 1, "Choose on or off."),
    ],
)
def test_each_bad_field_is_refused_with_its_message(session, user, field, value, message):
    errors = _refused(session, user, {field: value})
    assert list(errors) == [field]
    assert message in errors[field]


def test_age_limits(session, user):
    assert "at least 13" in _refused(session, user, {"date_of_birth": _years_ago(13, days=1)})["date_of_birth"]
    assert "at least 13" in _refused(session, user, {"date_of_birth": (utcnow().date() + timedelta(days=3)).isoformat()})["date_of_birth"]
    assert "120" in _refused(session, user, {"date_of_birth": _years_ago(121)})["date_of_birth"]
    update_profile(session, user, {"date_of_birth": _years_ago(13)})
    assert user.date_of_birth.isoformat() == _years_ago(13)
    update_profile(session, user, {"date_of_birth": _years_ago(120, days=1)})
    assert user.date_of_birth.isoformat() == _years_ago(120, days=1)


def test_empty_optional_fields_clear_them(session, user):
    update_profile(session, user, FULL_FORM)
    update_profile(session, user, {"date_of_birth": "", "sex": "", "height_cm": " "})
    assert (user.date_of_birth, user.sex, user.height_cm) == (None, None, None)


@pytest.mark.parametrize(("given", "stored"), [("180", 180.0), ("180.5", 180.5), (" 175 ", 175.0), (165, 165.0), (100, 100.0), (250.0, 250.0)])
def test_height_accepts_plain_numbers(session, user, given, stored):
    update_profile(session, user, {"height_cm": given})
    assert user.height_cm == stored


@pytest.mark.parametrize(("given", "stored"), [("on", True), ("true", True), (True, True), ("false", False), ("", False), (False, False), ("TRUE", True)])
def test_switches_accept_form_values(session, user, given, stored):
    user.allow_coach_training = not stored
    update_profile(session, user, {"allow_coach_training": given})
    assert user.allow_coach_training is stored


def test_nothing_changes_when_one_field_is_bad(session, user):
    form = dict(FULL_FORM, height_cm="tall")
    errors = _refused(session, user, form)
    assert list(errors) == ["height_cm"]
    session.expire_all()
    saved = session.get(User, user.id)
    assert (saved.name, saved.units, saved.timezone, saved.date_of_birth) == ("Maya", "kg", "UTC", None)
    assert session.exec(select(AuditEvent)).all() == []


def test_every_bad_field_is_reported_at_once(session, user):
    errors = _refused(session, user, {"name": "", "units": "st", "timezone": "Nowhere", "height_cm": "-1", "sex": "x"})
    assert set(errors) == {"name", "units", "timezone", "height_cm", "sex"}
    assert all(message.strip() for message in errors.values())


@pytest.mark.parametrize("field", ["name", "units", "timezone", "fitness_level", "date_of_birth", "sex", "height_cm",
                                   "profile_visible_to_trainers", "allow_coach_training"])
def test_huge_input_gives_a_field_message_not_a_crash(session, user, field):
    for huge in ("7" * 1_000_000, "a" + " " * 1_000_000 + "b", "\ud800" * 1000, b"x" * 1000):
        errors = _refused(session, user, {field: huge})
        assert list(errors) == [field]


@pytest.mark.parametrize(
    "name",
    ["Zoë Ørsted-Łukasiewicz", "山田 太郎", "محمد", "👩🏽‍🚀 Astro", "<script>alert('x')</script>", "Robert'); DROP TABLE users;--", "x" * 100],
)
def test_any_script_and_html_looking_names_are_stored_as_typed(session, user, name):
    update_profile(session, user, {"name": name})
    session.expire_all()
    assert session.get(User, user.id).name == name


def test_a_saved_form_without_changes_writes_nothing(session, user):
    update_profile(session, user, {"name": "Maya", "units": "kg"})
    assert session.exec(select(AuditEvent)).all() == []


def test_the_form_must_be_a_mapping(session, user):
    with pytest.raises(ValidationFailed):
        update_profile(session, user, ["name", "Maya"])
