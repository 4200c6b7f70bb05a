"""Settings admins change while the app runs: the platform commission, the Pro plan's price, and
the test payment provider's clock.

Stored in `app_settings` as text; read through the typed functions here, which fall back to the
defaults below when an admin has not set a value. The one place these numbers live.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session

from adaptivefit.config import Settings, get_settings
from adaptivefit.models import AppSetting, Role, Trainer
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import Actor, ValidationFailed, require

COMMISSION_KEY = "platform_commission_percent"
PRO_PRICE_KEY = "pro_price_cents"
PRO_CURRENCY_KEY = "pro_currency"

DEFAULT_COMMISSION = Decimal("15.00")
DEFAULT_PRO_PRICE_CENTS = 999
DEFAULT_PRO_CURRENCY = "usd"
# Checkout's currencies that the app offers (Stripe supports more; these have two decimals).
CURRENCIES = ("usd", "eur", "gbp", "cad", "aud")
# Stripe's smallest charge is about 50 cents in these currencies; its largest is 999,999.99.
MIN_PRICE_CENTS = 50
MAX_PRICE_CENTS = 99_999_999


@dataclass(frozen=True)
class ProPrice:
    cents: int
    currency: str


def _get(session: Session, key: str) -> str | None:
    row = session.get(AppSetting, key)
    return None if row is None else row.value


def _put(session: Session, actor: Actor, key: str, value: str) -> None:
    row = session.get(AppSetting, key)
    previous = None if row is None else row.value
    if row is None:
        row = AppSetting(key=key, value=value)
    row.value, row.updated_at, row.updated_by = value, utcnow(), actor.id
    session.add(row)
    audit.record(session, "setting_changed", actor_id=actor.id, ip_address=actor.ip_address,
                 key=key, **{"from": previous, "to": value})


def parse_percent(raw: object, field: str = "commission_percent") -> Decimal:
    """A commission percent from 0 to 100 with at most two decimals, or ValidationFailed at `field`."""
    text = str(raw if raw is not None else "").strip().rstrip("%").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed({field: "Enter the commission as a percent from 0 to 100, like 15 or 12.5."}) from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise ValidationFailed({field: "The commission must be from 0 to 100 percent."})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed({field: "Use at most two decimals, like 12.25."})
    return value.quantize(Decimal("0.01"))


def parse_price(raw: object, field: str = "price") -> int:
    """A price typed in major units ("19.99") as integer cents, within Stripe's limits."""
    text = str(raw if raw is not None else "").strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed({field: "Enter a price like 19.99."}) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValidationFailed({field: "Enter a price with at most two decimals, like 19.99."})
    cents = int(value * 100)
    if cents < MIN_PRICE_CENTS:
        raise ValidationFailed({field: f"The lowest price is {MIN_PRICE_CENTS / 100:.2f}."})
    if cents > MAX_PRICE_CENTS:
        raise ValidationFailed({field: f"The highest price is {MAX_PRICE_CENTS / 100:,.2f}."})
    return cents


def parse_currency(raw: object, field: str = "currency") -> str:
    code = str(raw if raw is not None else "").strip().lower()
    if code not in CURRENCIES:
        raise ValidationFailed({field: "Choose one of: " + ", ".join(c.upper() for c in CURRENCIES) + "."})
    return code


def commission_percent(session: Session) -> Decimal:
    """The platform's default commission in percent."""
    raw = _get(session, COMMISSION_KEY)
    return DEFAULT_COMMISSION if raw is None else Decimal(raw)


def set_commission_percent(session: Session, actor: Actor, raw: object) -> Decimal:
    require(actor, Role.ADMIN)
    value = parse_percent(raw)
    _put(session, actor, COMMISSION_KEY, str(value))
    session.flush()
    return value


def trainer_commission(session: Session, trainer: Trainer | None) -> Decimal:
    """What the platform keeps from this trainer's sales: their override, else the default."""
    if trainer is not None and trainer.commission_percent is not None:
        return Decimal(trainer.commission_percent)
    return commission_percent(session)


def pro_price(session: Session) -> ProPrice:
    cents = _get(session, PRO_PRICE_KEY)
    currency = _get(session, PRO_CURRENCY_KEY)
    return ProPrice(int(cents) if cents is not None else DEFAULT_PRO_PRICE_CENTS, currency or DEFAULT_PRO_CURRENCY)


def set_pro_price(session: Session, actor: Actor, raw_price: object, raw_currency: object) -> ProPrice:
    """Change the monthly Pro price for new subscriptions (existing ones keep theirs, as at Stripe)."""
    require(actor, Role.ADMIN)
    errors: dict[str, str] = {}
    cents = currency = None
    try:
        cents = parse_price(raw_price, "pro_price")
    except ValidationFailed as failed:
        errors.update(failed.errors)
    try:
        currency = parse_currency(raw_currency, "pro_currency")
    except ValidationFailed as failed:
        errors.update(failed.errors)
    if errors:
        raise ValidationFailed(errors)
    _put(session, actor, PRO_PRICE_KEY, str(cents))
    _put(session, actor, PRO_CURRENCY_KEY, currency)
    session.flush()
    return ProPrice(cents, currency)


# -- the test payment provider's clock ------------------------------------------------------------
# Without Stripe keys an admin (or the CLI) moves it forward to renew or end subscriptions without
# waiting a month. Purchases are judged by it wherever they are judged (payments and the program page).
SIMULATED_CLOCK_KEY = "test_clock_offset_s"


def payments_test_mode(settings: Settings | None = None) -> bool:
    """No Stripe secret key: the built-in test payment provider takes the payments."""
    return not (settings or get_settings()).stripe_secret_key


def simulated_clock_offset(session: Session) -> int:
    """Seconds the test payment provider's clock runs ahead of real time."""
    raw = _get(session, SIMULATED_CLOCK_KEY)
    return int(raw) if raw is not None else 0


def purchase_clock(session: Session) -> datetime:
    """The moment purchases are judged at: real time, or the test provider's clock while it is active."""
    if not payments_test_mode():
        return utcnow()
    return datetime.fromtimestamp(int(time.time()) + simulated_clock_offset(session), UTC)
