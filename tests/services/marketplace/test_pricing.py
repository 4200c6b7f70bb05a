from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adaptivefit.services.marketplace.pricing import (
    Split,
    application_fee_cents,
    price_text,
    price_to_pay,
    split_refund,
    split_sale,
    split_with_application_fee,
)

grosses = st.integers(min_value=0, max_value=10_000_000)
percents = st.integers(min_value=0, max_value=10_000).map(lambda hundredths: Decimal(hundredths) / 100)


@st.composite
def sales(draw):
    gross = draw(grosses)
    fee = draw(st.integers(min_value=0, max_value=gross))
    return split_sale(gross, draw(st.sampled_from(["usd", "EUR", "gbp"])), draw(percents), stripe_fee_cents=fee)


@st.composite
def refunded_sales(draw):
    """A sale of at least one cent and the whole of it cut into random refund pieces."""
    sale = draw(sales().filter(lambda s: s.gross > 0))
    cuts = draw(st.sets(st.integers(min_value=1, max_value=sale.gross - 1), max_size=8)) if sale.gross > 1 else set()
    bounds = [0, *sorted(cuts), sale.gross]
    return sale, [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


def half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


@pytest.mark.parametrize(
    ("gross", "percent", "fee", "commission", "platform", "trainer"),
    [
        (999, "12.5", 0, 125, 125, 874),  # 124.875 rounds up
        (1000, "12.5", 0, 125, 125, 875),
        (1, "50", 0, 1, 1, 0),  # 0.5 rounds half up
        (3, "50", 0, 2, 2, 1),  # 1.5 -> 2
        (1, "49.99", 0, 0, 0, 1),  # 0.4999 -> 0
        (2999, "20", 117, 600, 483, 2399),  # 599.8 -> 600; the platform pays the fee from it
        (10_000, "0", 320, 0, -320, 10_000),  # no commission: the platform carries the fee at a loss
        (10_000, "100", 320, 10_000, 9_680, 0),
        (0, "15", 0, 0, 0, 0),
        (10_000_000, "33.33", 290_030, 3_333_000, 3_042_970, 6_667_000),
    ],
)
def test_split_sale_rounds_commission_half_up_and_the_platform_bears_the_fee(
    gross, percent, fee, commission, platform, trainer
):
    split = split_sale(gross, "USD", Decimal(percent), stripe_fee_cents=fee)
    assert split == Split(gross=gross, fee=fee, platform_share=platform, trainer_share=trainer, currency="usd")
    assert split.commission == commission == application_fee_cents(gross, Decimal(percent))


@given(grosses, percents)
def test_application_fee_is_the_exact_commission_rounded_half_up(gross, percent):
    assert application_fee_cents(gross, percent) == half_up(Fraction(gross) * Fraction(percent) / 100)


@given(sales())
def test_sale_shares_add_up_and_the_trainer_gets_exactly_what_stripe_transfers(sale):
    assert sale.platform_share + sale.trainer_share + sale.fee == sale.gross
    assert 0 <= sale.trainer_share == sale.gross - sale.commission
    assert 0 <= sale.commission <= sale.gross
    assert 0 <= sale.fee <= sale.gross
    assert sale.platform_share >= -sale.fee  # below zero only when the fee outweighs the commission
    assert sale.currency in {"usd", "eur", "gbp"}


@given(sales().filter(lambda s: s.fee <= s.commission))
def test_no_share_is_negative_when_the_commission_covers_the_fee(sale):
    assert min(sale.gross, sale.fee, sale.platform_share, sale.trainer_share) >= 0


@given(refunded_sales())
def test_refunds_in_pieces_give_back_exactly_what_was_paid_and_the_platform_keeps_the_fee(case):
    sale, pieces = case
    refunded = 0
    reversals = []
    for piece in pieces:
        reversal = split_refund(sale, piece, refunded_so_far=refunded)
        assert reversal.gross == -piece
        assert reversal.platform_share + reversal.trainer_share + reversal.fee == reversal.gross
        assert reversal.fee == 0  # Stripe keeps its fee on a refund; the platform absorbs it
        assert reversal.trainer_share <= 0 and reversal.commission <= 0
        assert reversal.currency == sale.currency
        refunded += piece
        reversals.append(reversal)
        # Never more back than was paid, for the buyer, the trainer or the commission.
        assert -sum(r.gross for r in reversals) <= sale.gross
        assert -sum(r.trainer_share for r in reversals) <= sale.trainer_share
        assert -sum(r.commission for r in reversals) <= sale.commission
    assert refunded == sale.gross
    assert sum(r.gross for r in reversals) == -sale.gross
    assert sum(r.trainer_share for r in reversals) == -sale.trainer_share
    assert sum(r.commission for r in reversals) == -sale.commission
    # What is left after the full refund: nothing for the buyer or the trainer, the fee as the platform's loss.
    net_platform = sale.platform_share + sum(r.platform_share for r in reversals)
    net_trainer = sale.trainer_share + sum(r.trainer_share for r in reversals)
    assert (net_trainer, net_platform) == (0, -sale.fee)
    with pytest.raises(ValueError, match="exceeds"):
        split_refund(sale, 1, refunded_so_far=refunded)


@given(refunded_sales())
def test_a_full_refund_in_one_piece_reverses_gross_commission_and_trainer_but_not_the_fee(case):
    sale, _ = case
    full = split_refund(sale, sale.gross)
    assert full == Split(-sale.gross, 0, -sale.commission, -sale.trainer_share, sale.currency)


def test_partial_refund_is_proportional_and_cumulative():
    sale = split_sale(999, "usd", Decimal("12.5"), stripe_fee_cents=59)  # commission 125
    first = split_refund(sale, 333)  # commission 41.67 -> 42
    assert first == Split(gross=-333, fee=0, platform_share=-42, trainer_share=-291, currency="usd")
    second = split_refund(sale, 333, refunded_so_far=333)  # cumulative 83.33 -> 83
    assert second == Split(gross=-333, fee=0, platform_share=-41, trainer_share=-292, currency="usd")
    third = split_refund(sale, 333, refunded_so_far=666)  # the rest: 125 - 83
    assert third == Split(gross=-333, fee=0, platform_share=-42, trainer_share=-291, currency="usd")


@given(grosses.filter(lambda g: g > 0), st.data())
def test_split_with_application_fee_books_what_stripe_took(gross, data):
    fee = data.draw(st.integers(min_value=0, max_value=gross))
    application_fee = data.draw(st.integers(min_value=0, max_value=gross))
    split = split_with_application_fee(gross, "USD", application_fee, stripe_fee_cents=fee)
    assert split.commission == application_fee and split.trainer_share == gross - application_fee
    assert split.platform_share + split.trainer_share + split.fee == gross


def test_split_with_application_fee_refuses_a_fee_above_the_gross():
    with pytest.raises(ValueError, match="application fee must be between"):
        split_with_application_fee(100, "usd", 101)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((-1, "usd", Decimal(10)), {}, ValueError, "gross must not be negative"),
        ((100, "usd", Decimal("-0.01")), {}, ValueError, "between 0 and 100"),
        ((100, "usd", Decimal("100.01")), {}, ValueError, "between 0 and 100"),
        ((100, "usd", Decimal("12.345")), {}, ValueError, "at most two decimals"),
        ((100, "usd", Decimal("NaN")), {}, ValueError, "between 0 and 100"),
        ((100, "usd", 12.5), {}, TypeError, "must be a Decimal"),
        ((100.0, "usd", Decimal(10)), {}, TypeError, "integer number of cents"),
        ((True, "usd", Decimal(10)), {}, TypeError, "integer number of cents"),
        ((100, "us", Decimal(10)), {}, ValueError, "three-letter ISO 4217"),
        ((100, "usd1", Decimal(10)), {}, ValueError, "three-letter ISO 4217"),
        ((100, "u$d", Decimal(10)), {}, ValueError, "three-letter ISO 4217"),
        ((100, "ü" * 3, Decimal(10)), {}, ValueError, "three-letter ISO 4217"),
        ((100, "usd", Decimal(10)), {"stripe_fee_cents": -1}, ValueError, "stripe fee must be between"),
        ((100, "usd", Decimal(10)), {"stripe_fee_cents": 101}, ValueError, "stripe fee must be between"),
    ],
)
def test_split_sale_rejects_bad_input_with_a_clear_message(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        split_sale(*args, **kwargs)


def test_split_sale_accepts_whole_percents_and_normalises_currency():
    assert split_sale(1000, "EuR", 10).currency == "eur"
    assert split_sale(1000, "usd", Decimal("12.50")).commission == 125


@pytest.mark.parametrize(
    ("refund", "so_far", "message"),
    [
        (0, 0, "refund must be positive"),
        (-5, 0, "refund must be positive"),
        (1001, 0, "refund of 1001 exceeds the 1000 left"),
        (401, 600, "refund of 401 exceeds the 400 left"),
        (1, -1, "refunded so far must be between"),
        (1, 1001, "refunded so far must be between"),
    ],
)
def test_split_refund_rejects_refunds_beyond_what_is_left(refund, so_far, message):
    sale = split_sale(1000, "usd", Decimal(20), stripe_fee_cents=59)
    with pytest.raises(ValueError, match=message):
        split_refund(sale, refund, refunded_so_far=so_far)


def test_a_reversal_cannot_be_refunded_and_a_split_must_add_up():
    reversal = split_refund(split_sale(1000, "usd", Decimal(20)), 500)
    with pytest.raises(ValueError, match="only a sale"):
        split_refund(reversal, 1)
    with pytest.raises(ValueError, match="does not add up"):
        Split(gross=100, fee=0, platform_share=10, trainer_share=89, currency="usd")


class _Priced:
    def __init__(self, price_kind, price_cents, currency):
        self.price_kind, self.price_cents, self.currency = price_kind, price_cents, currency


@pytest.mark.parametrize(("kind", "cents", "currency", "pays", "text"), [
    ("free", 2900, "usd", 0, "Free"),  # a price typed before the trainer made it free is not charged
    ("one_time", 2900, "usd", 2900, "$29.00"),
    ("subscription", 999, "eur", 999, "€9.99/month"),
    ("one_time", 123456, "gbp", 123456, "£1,234.56"),
    ("one_time", 1200, "chf", 1200, "12.00 CHF"),  # the one money format: core.money, never "CHF 12.00"
])
def test_what_a_buyer_pays_and_how_it_reads(kind, cents, currency, pays, text):
    assert price_to_pay(kind, cents) == pays
    assert price_text(_Priced(kind, cents, currency)) == text


def test_a_price_is_whole_cents_never_a_float():
    with pytest.raises(TypeError):
        price_to_pay("one_time", 29.0)
