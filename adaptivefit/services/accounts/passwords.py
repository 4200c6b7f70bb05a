"""Password hashing with bcrypt, and the password rules of NIST SP 800-63B.

bcrypt reads at most 72 bytes and silently ignores the rest. Rather than truncate, every
password is first run through HMAC-SHA256 and base64 (44 bytes), so all of a long password
counts and any characters work. The HMAC key is a fixed label, not a secret: it only keeps
these digests from matching plain SHA-256 lists ("password shucking").
bcrypt at cost 12 takes about a quarter of a second: callers in the app run it in a thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from functools import lru_cache

import bcrypt

BCRYPT_COST = 12
MIN_LENGTH = 8
MAX_LENGTH = 256
_PREHASH_KEY = b"adaptivefit/password/v1"


def _prehash(password: str) -> bytes:
    # NFKC so the same password typed on different keyboards gives the same bytes.
    normalised = unicodedata.normalize("NFKC", password).encode("utf-8")
    return base64.b64encode(hmac.new(_PREHASH_KEY, normalised, hashlib.sha256).digest())


def hash_password(password: str, *, cost: int = BCRYPT_COST) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds=cost)).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None or len(password) > MAX_LENGTH:
        return False
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode("ascii"))
    except ValueError:
        return False


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from leaked sets, ranked; all of them count.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password is refused, or None. No composition rules, per 800-63B."""
    length = len(password)
    if length < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if length > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.strip() in _common_passwords():
        return "This password is one of the most common ones and easy to guess. Choose another."
    context = {w for w in (email.lower(), email.lower().split("@")[0], name.lower(), "adaptivefit", "adaptive fit") if w}
    if lowered in context:
        return "Don't use your email, your name or the app's name as a password."
    if len(set(password)) == 1:
        return "A password of one repeated character is easy to guess. Choose another."
    return None
