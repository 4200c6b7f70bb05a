"""Stripe webhook signatures: sign and verify the raw request body, with no network.

Stripe's scheme (https://docs.stripe.com/webhooks#verify-manually): the ``Stripe-Signature``
header is ``t=<unix time>,v1=<hex>[,v1=<hex>...]`` where each ``v1`` is
HMAC-SHA256(secret, ``"<t>." + body``); there is one ``v1`` per active secret while a secret is
rolled, and other schemes (``v0``) are ignored.

Why not wrap ``stripe.WebhookSignature.verify_header``: it reads ``time.time()`` itself (no clock
to inject), only rejects stale timestamps (a signature dated in the far future passes), and
decodes the body as UTF-8 before hashing, so a non-UTF-8 body escapes as ``UnicodeDecodeError``
rather than a signature failure. The scheme is a dozen lines, so it is implemented here over the
raw bytes and cross-checked against the official library in the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300


class SignatureError(Exception):
    """The webhook is not proven to come from Stripe, or is not an event: answer 400, do nothing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _require_secret(secret: str) -> bytes:
    if not isinstance(secret, str) or not secret.strip():
        raise ValueError("the webhook signing secret is not configured")
    return secret.encode("utf-8")


def _signature(payload: bytes, secret: bytes, timestamp: int) -> str:
    return hmac.new(secret, b"%d." % timestamp + payload, hashlib.sha256).hexdigest()


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header value Stripe would send for ``payload`` at ``timestamp``."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ValueError(f"timestamp must be a non-negative unix time, got {timestamp!r}")
    return f"t={timestamp},{SCHEME}={_signature(bytes(payload), _require_secret(secret), timestamp)}"


def _parse_header(header: str) -> tuple[int, list[str]]:
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep or not key:
            raise SignatureError("malformed Stripe-Signature header")
        if key == "t":
            timestamps.append(value)
        elif key == SCHEME:
            signatures.append(value)
    if len(timestamps) != 1 or not (timestamps[0].isascii() and timestamps[0].isdigit()):
        raise SignatureError("malformed Stripe-Signature header: it needs exactly one numeric timestamp")
    if not signatures:
        raise SignatureError(f"no {SCHEME} signature in the Stripe-Signature header")
    return int(timestamps[0]), signatures


def verify(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: int | None = None,
) -> dict[str, Any]:
    """Check ``header`` against the raw ``payload`` and return the parsed event.

    Raises ``SignatureError`` unless one ``v1`` signature matches (compared in constant time), the
    timestamp lies within ``tolerance_s`` of ``now`` either way, and the body is a JSON object with
    a string ``id`` and ``type``. An unset secret is a configuration error: ``ValueError``.
    """
    key = _require_secret(secret)
    if tolerance_s <= 0:
        raise ValueError(f"tolerance must be positive, got {tolerance_s}")
    if not header:
        raise SignatureError("missing Stripe-Signature header")
    timestamp, signatures = _parse_header(header)
    payload = bytes(payload)
    expected = _signature(payload, key, timestamp).encode("ascii")
    # No early exit: every candidate is compared, each in constant time.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate.encode("utf-8"))
    if not matched:
        raise SignatureError("no signature matches the payload")
    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > tolerance_s:
        raise SignatureError(f"timestamp {timestamp} is outside the {tolerance_s} s tolerance")
    try:
        event = json.loads(payload)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise SignatureError("payload is not JSON") from exc
    if not (isinstance(event, dict) and isinstance(event.get("id"), str) and isinstance(event.get("type"), str)):
        raise SignatureError("payload is not an event: it needs a string id and type")
    return event
