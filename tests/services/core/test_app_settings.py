from decimal import Decimal

import pytest
from sqlmodel import select

from adaptivefit.models import AuditEvent, Role, Trainer, User
from adaptivefit.services.core import app_settings
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed


def _actor(session, role):
    user = User(email=f"{role}@example.com", name=role.capitalize(), role=role)
    session.add(user)
    session.flush()
    return Actor(id=user.id, role=role, name=user.name, email=user.email)


def test_defaults_until_an_admin_sets_them(session):
    assert app_settings.commission_percent(session) == Decimal("15.00")
    assert app_settings.pro_price(session) == app_settings.ProPrice(999, "usd")


def test_admin_sets_the_commission_and_it_is_audited(session):
    admin = _actor(session, Role.ADMIN)
    assert app_settings.set_commission_percent(session, admin, " 12.5 %") == Decimal("12.50")
    assert app_settings.commission_percent(session) == Decimal("12.50")
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "setting_changed")).one()
    assert event.details == {"key": "platform_commission_percent", "from": None, "to": "12.50"}


@pytest.mark.parametrize("role", [Role.MEMBER, Role.TRAINER, Role.MODERATOR])
def test_only_admins_change_settings(session, role):
    someone = _actor(session, role)
    with pytest.raises(PermissionDenied):
        app_settings.set_commission_percent(session, someone, "5")
    with pytest.raises(PermissionDenied):
        app_settings.set_pro_price(session, someone, "1.00", "usd")
    assert app_settings.commission_percent(session) == Decimal("15.00")


@pytest.mark.parametrize("raw", ["", "abc", "-1", "100.01", "12.345", "nan", "inf"])
def test_bad_commissions_are_refused_at_the_field(session, raw):
    admin = _actor(session, Role.ADMIN)
    with pytest.raises(ValidationFailed) as failed:
        app_settings.set_commission_percent(session, admin, raw)
    assert set(failed.value.errors) == {"commission_percent"}
    assert app_settings.commission_percent(session) == Decimal("15.00")


def test_a_trainer_override_wins_over_the_default(session):
    admin = _actor(session, Role.ADMIN)
    app_settings.set_commission_percent(session, admin, "20")
    assert app_settings.trainer_commission(session, Trainer(commission_percent=Decimal("7.5"))) == Decimal("7.5")
    assert app_settings.trainer_commission(session, Trainer()) == Decimal("20.00")
    assert app_settings.trainer_commission(session, None) == Decimal("20.00")


@pytest.mark.parametrize(("raw", "cents"), [("19.99", 1999), ("0.50", 50), ("1,000", 100000), (" 7 ", 700)])
def test_prices_become_cents(raw, cents):
    assert app_settings.parse_price(raw) == cents


@pytest.mark.parametrize("raw", ["", "free", "0.49", "19.999", "-5", "1000000.00", "nan"])
def test_bad_prices_are_refused(raw):
    with pytest.raises(ValidationFailed) as failed:
        app_settings.parse_price(raw)
    assert set(failed.value.errors) == {"price"}


def test_pro_price_is_validated_field_by_field(session):
    admin = _actor(session, Role.ADMIN)
    with pytest.raises(ValidationFailed) as failed:
        app_settings.set_pro_price(session, admin, "x", "btc")
    assert set(failed.value.errors) == {"pro_price", "pro_currency"}
    assert app_settings.set_pro_price(session, admin, "12.00", "EUR") == app_settings.ProPrice(1200, "eur")
    assert app_settings.pro_price(session) == app_settings.ProPrice(1200, "eur")
