"""Webhook signatures, on real Stripe event payloads re-signed here with a test secret, and
cross-checked against the official `stripe` library's verifier."""

import json
import time

import pytest
import stripe

from adaptivefit.services.payments.signatures import SignatureError, sign, verify
from tests.conftest import SHARED_DATA, shared_data_missing

SECRET = "whsec_test_adaptivefit_0123456789"
OTHER_SECRET = "whsec_test_rotated_9876543210"
NOW = 1_700_000_000

STRIPE_DIR = SHARED_DATA / "stripe"
EVENTS = [
    "stripe-ruby-mock/checkout.session.completed.json",
    "stripe-ruby-mock/checkout.session.completed.payment_mode.json",
    "stripe-ruby-mock/invoice.paid.json",
    "stripe-ruby-mock/invoice.payment_failed.json",
    "stripe-ruby-mock/customer.subscription.updated.json",
    "stripe-ruby-mock/customer.subscription.deleted.json",
    "stripe-ruby-mock/charge.refunded.json",
    "dj-stripe/event_account_updated_express.json",
]


def _payload(name: str) -> bytes:
    path = STRIPE_DIR / name
    if shared_data_missing(path):
        pytest.skip(f"shared test data missing: {path}")
    return path.read_bytes()


@pytest.fixture(params=EVENTS, ids=lambda name: name.rsplit("/", 1)[-1])
def event_payload(request) -> bytes:
    return _payload(request.param)


def test_each_real_event_verifies_and_parses(event_payload):
    event = verify(event_payload, sign(event_payload, SECRET, NOW), SECRET, now=NOW)
    expected = json.loads(event_payload)
    assert event == expected
    assert event["type"] == expected["type"] and event["id"].startswith("evt_")


def test_the_official_library_accepts_what_sign_produces(event_payload):
    now = int(time.time())
    header = sign(event_payload, SECRET, now)
    assert header == stripe.WebhookSignature.generate_signature_header(event_payload.decode(), SECRET, now)
    event = stripe.Webhook.construct_event(event_payload, header, SECRET)
    assert event.id == verify(event_payload, header, SECRET)["id"]


def test_a_changed_byte_fails(event_payload):
    header = sign(event_payload, SECRET, NOW)
    tampered = event_payload.replace(b'"id": "evt_', b'"id": "evX_', 1)
    assert tampered != event_payload
    with pytest.raises(SignatureError, match="no signature matches"):
        verify(tampered, header, SECRET, now=NOW)
    one_byte = bytearray(event_payload)
    one_byte[len(one_byte) // 2] ^= 0x01
    with pytest.raises(SignatureError, match="no signature matches"):
        verify(bytes(one_byte), header, SECRET, now=NOW)


def test_a_wrong_secret_fails(event_payload):
    with pytest.raises(SignatureError, match="no signature matches"):
        verify(event_payload, sign(event_payload, OTHER_SECRET, NOW), SECRET, now=NOW)


@pytest.mark.parametrize("offset", [-301, 301, -86_400, 10**6])
def test_a_timestamp_outside_the_tolerance_fails(event_payload, offset):
    with pytest.raises(SignatureError, match="outside the 300 s tolerance"):
        verify(event_payload, sign(event_payload, SECRET, NOW + offset), SECRET, now=NOW)


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_a_timestamp_at_the_edge_of_the_tolerance_passes(offset):
    payload = _payload(EVENTS[0])
    event = verify(payload, sign(payload, SECRET, NOW + offset), SECRET, now=NOW)
    assert event["type"] == "checkout.session.completed"


def test_tolerance_is_adjustable():
    payload = _payload(EVENTS[0])
    header = sign(payload, SECRET, NOW - 301)
    assert verify(payload, header, SECRET, now=NOW, tolerance_s=600)["id"]
    with pytest.raises(SignatureError):
        verify(payload, header, SECRET, now=NOW, tolerance_s=60)


@pytest.mark.parametrize("valid_first", [True, False])
def test_two_v1_signatures_with_one_valid_pass_as_during_secret_rotation(valid_first):
    payload = _payload(EVENTS[2])
    valid = sign(payload, SECRET, NOW).split(",")[1]
    other = sign(payload, OTHER_SECRET, NOW).split(",")[1]
    pair = [valid, other] if valid_first else [other, valid]
    header = f"t={NOW},{pair[0]},{pair[1]},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39"
    assert verify(payload, header, SECRET, now=NOW)["type"] == "invoice.paid"
    assert verify(payload, header, OTHER_SECRET, now=NOW)["type"] == "invoice.paid"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing Stripe-Signature header"),
        ("", "missing Stripe-Signature header"),
        ("garbage", "malformed"),
        (f"t={NOW}", "no v1 signature"),
        (f"t={NOW},v0=abc", "no v1 signature"),
        ("v1=abc", "exactly one numeric timestamp"),
        ("t=soon,v1=abc", "exactly one numeric timestamp"),
        (f"t=-{NOW},v1=abc", "exactly one numeric timestamp"),
        (f"t={NOW},t={NOW},v1=abc", "exactly one numeric timestamp"),
        (f"t={NOW},,v1=abc", "malformed"),
        (f"t={NOW},v1=ünïcode", "no signature matches"),
    ],
)
def test_bad_headers_fail_with_a_reason(header, reason):
    payload = _payload(EVENTS[0])
    with pytest.raises(SignatureError, match=reason) as caught:
        verify(payload, header, SECRET, now=NOW)
    assert caught.value.reason == str(caught.value)


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2]",
        b'{"id": "evt_1"}',
        b'{"type": "invoice.paid"}',
        b'{"id": 1, "type": "x"}',
    ],
)
def test_a_signed_payload_that_is_not_an_event_fails(payload):
    with pytest.raises(SignatureError, match="not JSON|not an event"):
        verify(payload, sign(payload, SECRET, NOW), SECRET, now=NOW)


def test_a_bare_stripe_object_is_not_an_event():
    payload = _payload("pay-rails/invoice.json")
    with pytest.raises(SignatureError, match="not an event"):
        verify(payload, sign(payload, SECRET, NOW), SECRET, now=NOW)


@pytest.mark.parametrize("forgery", ["tampered", "wrong secret", "stale", "no v1"])
def test_verify_and_the_official_library_reject_the_same_forgeries(event_payload, forgery):
    now = int(time.time())
    payload, header = {
        "tampered": (event_payload + b" ", sign(event_payload, SECRET, now)),
        "wrong secret": (event_payload, sign(event_payload, OTHER_SECRET, now)),
        "stale": (event_payload, sign(event_payload, SECRET, now - 301)),
        "no v1": (event_payload, f"t={now}"),
    }[forgery]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, header, SECRET)
    with pytest.raises(SignatureError):
        verify(payload, header, SECRET, now=now)


def test_an_unset_secret_is_a_configuration_error_not_a_bad_request():
    payload = _payload(EVENTS[0])
    with pytest.raises(ValueError, match="not configured"):
        verify(payload, sign(payload, SECRET, NOW), "", now=NOW)
    with pytest.raises(ValueError, match="not configured"):
        sign(payload, "  ", NOW)
