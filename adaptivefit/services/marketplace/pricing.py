"""The marketplace's money: what a buyer pays, what a sale leaves the platform and the trainer, and
what a refund takes back. Pure integer arithmetic in minor units (cents); no floats, no database.

The rule, in one place:

- Commission: ``gross * percent / 100`` rounded half-up to the cent (999 cents at 12.5% is
  124.875, so 125). This is the ``application_fee_amount`` sent to Stripe.
- Processing fee: borne by the platform. Sales are destination charges with
  ``application_fee_amount``: the charge settles on the platform's account, Stripe takes its fee
  from the platform's balance, and the trainer's connected account receives
  ``gross - application_fee_amount`` untouched. So the trainer's share is
  ``gross - commission`` (exactly what Stripe transfers, never negative) and the platform keeps
  ``commission - fee``, which is negative when the fee exceeds the commission (a 0% commission,
  say): a real loss the platform books rather than a number to clamp.
- The identity ``platform_share + trainer_share + fee == gross`` holds for every Split, sales and
  reversals alike; ``Split`` refuses to exist otherwise.
- Refunds: Stripe keeps its processing fee when a charge is refunded, and the platform absorbs
  it. A refund gives the buyer back their money and takes back, in proportion, the trainer's share
  and the commission (with destination charges: ``reverse_transfer`` and
  ``refund_application_fee``, which Stripe prorates the same way); the fee is not reversed, so
  after a full refund the ledger holds gross 0, trainer 0, and the fee as the platform's loss.
- The reversal is cumulative: for refunded cents ``r`` it is ``R(so_far + r) - R(so_far)``
  where ``R(x)`` rounds the commission share of ``x / gross`` half-up. Partial refunds therefore
  add up to exactly the whole sale's gross, trainer share and commission, cent for cent, however
  the refund is cut into pieces, and never more than was paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from adaptivefit.services.core.money import format_money

CENT = Decimal(1)
PERCENT_STEP = Decimal("0.01")


@dataclass(frozen=True)
class Split:
    """One movement of money, in minor units: a sale (non-negative) or a reversal (non-positive).

    ``fee`` is Stripe's processing fee; ``platform_share`` is what the platform keeps after paying
    it; ``trainer_share`` is what reaches the trainer's connected account.
    """

    gross: int
    fee: int
    platform_share: int
    trainer_share: int
    currency: str

    def __post_init__(self) -> None:
        if self.platform_share + self.trainer_share + self.fee != self.gross:
            raise ValueError(
                f"split does not add up: platform {self.platform_share} + trainer {self.trainer_share}"
                f" + fee {self.fee} != gross {self.gross}"
            )

    @property
    def commission(self) -> int:
        """The platform's commission before the processing fee (the application fee)."""
        return self.platform_share + self.fee


def _require_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer number of cents, got {type(value).__name__}")
    return value


def _normalise_currency(currency: object) -> str:
    if not isinstance(currency, str) or len(currency) != 3 or not (currency.isascii() and currency.isalpha()):
        raise ValueError(f"currency must be a three-letter ISO 4217 code, got {currency!r}")
    return currency.lower()


def _check_percent(percent: object) -> Decimal:
    if isinstance(percent, bool) or not isinstance(percent, (Decimal, int)):
        raise TypeError(f"commission percent must be a Decimal, got {type(percent).__name__}")
    percent = Decimal(percent)
    if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
        raise ValueError(f"commission percent must be between 0 and 100, got {percent}")
    if percent != percent.quantize(PERCENT_STEP):
        raise ValueError(f"commission percent takes at most two decimals, got {percent}")
    return percent


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up, for numerator >= 0 and denominator > 0."""
    return (2 * numerator + denominator) // (2 * denominator)


def application_fee_cents(gross_cents: int, commission_percent: Decimal) -> int:
    """The platform's commission on a sale: Stripe's ``application_fee_amount``."""
    gross = _require_int("gross", gross_cents)
    if gross < 0:
        raise ValueError(f"gross must not be negative, got {gross}")
    percent = _check_percent(commission_percent)
    with localcontext() as ctx:
        ctx.prec = 60  # exact for any realistic amount: the quantize below does the only rounding
        return int((Decimal(gross) * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP))


def split_sale(
    gross_cents: int, currency: str, commission_percent: Decimal, *, stripe_fee_cents: int = 0
) -> Split:
    """Split a sale of ``gross_cents`` between platform and trainer; see the module's rule."""
    gross = _require_int("gross", gross_cents)
    fee = _require_int("stripe fee", stripe_fee_cents)
    currency = _normalise_currency(currency)
    commission = application_fee_cents(gross, commission_percent)
    if not 0 <= fee <= gross:
        raise ValueError(f"stripe fee must be between 0 and the gross {gross}, got {fee}")
    return Split(
        gross=gross,
        fee=fee,
        platform_share=commission - fee,
        trainer_share=gross - commission,
        currency=currency,
    )


def split_with_application_fee(
    gross_cents: int, currency: str, application_fee: int, *, stripe_fee_cents: int = 0
) -> Split:
    """A sale whose commission Stripe already took (an invoice's ``application_fee_amount``), so the
    ledger books exactly what Stripe moved rather than recomputing it from a percent."""
    gross = _require_int("gross", gross_cents)
    commission = _require_int("application fee", application_fee)
    fee = _require_int("stripe fee", stripe_fee_cents)
    if not 0 <= commission <= gross:
        raise ValueError(f"application fee must be between 0 and the gross {gross}, got {commission}")
    if not 0 <= fee <= gross:
        raise ValueError(f"stripe fee must be between 0 and the gross {gross}, got {fee}")
    return Split(gross=gross, fee=fee, platform_share=commission - fee, trainer_share=gross - commission,
                 currency=_normalise_currency(currency))


def _cumulative_reversal(original: Split, refunded: int) -> tuple[int, int]:
    """(commission, trainer) attributable to the first ``refunded`` cents of the sale."""
    commission = _round_half_up(original.commission * refunded, original.gross)
    return commission, refunded - commission


def split_refund(original: Split, refund_cents: int, *, refunded_so_far: int = 0) -> Split:
    """The reversal (negative amounts) for refunding ``refund_cents`` of ``original``, after
    ``refunded_so_far`` cents were refunded before.

    The commission and the trainer's share are reversed in proportion; the fee is not (Stripe
    keeps it, the platform absorbs it), so the reversal's ``fee`` is 0 and its platform share is
    minus the commission given back.
    """
    if original.gross < 0:
        raise ValueError("only a sale can be refunded, not a reversal")
    refund = _require_int("refund", refund_cents)
    so_far = _require_int("refunded so far", refunded_so_far)
    if not 0 <= so_far <= original.gross:
        raise ValueError(f"refunded so far must be between 0 and the gross {original.gross}, got {so_far}")
    if refund <= 0:
        raise ValueError(f"refund must be positive, got {refund}")
    remaining = original.gross - so_far
    if refund > remaining:
        raise ValueError(f"refund of {refund} exceeds the {remaining} left to refund")
    before = _cumulative_reversal(original, so_far)
    after = _cumulative_reversal(original, so_far + refund)
    commission, trainer = (b - a for a, b in zip(before, after, strict=True))
    return Split(
        gross=-refund,
        fee=0,
        platform_share=-commission,
        trainer_share=-trainer,
        currency=original.currency,
    )


# --- What a buyer pays, and how it reads ---------------------------------------------------------


def price_to_pay(price_kind: str, price_cents: int) -> int:
    """What a buyer pays for a program now: nothing when it is free, whatever price it once had."""
    return 0 if price_kind == "free" else _require_int("price", price_cents)


def price_text(priced) -> str:
    """"Free", "$29.00", "$9.99/month": a program row or card (price_kind, price_cents, currency) as buyers read it.

    Every page that shows a program's price calls this, so a program's page, a trainer's page and the
    studio never disagree about one price.
    """
    return charge_text(priced.price_kind, price_to_pay(priced.price_kind, priced.price_cents), priced.currency)


def charge_text(kind: str, cents: int, currency: str) -> str:
    """How a charge of this kind reads: "Free", "$29.00" once, "$9.99/month" for a subscription."""
    if kind == "free":
        return "Free"
    amount = format_money(cents, currency)
    return f"{amount}/month" if kind == "subscription" else amount
