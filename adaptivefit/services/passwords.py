"""Password hashing with bcrypt.

bcrypt reads at most 72 bytes and silently ignores the rest; a longer password is refused
here rather than truncated, so two passwords that differ after byte 72 never collide.
bcrypt at cost 12 takes about a quarter of a second: callers in the app run it in a thread.
"""

from __future__ import annotations

import bcrypt

BCRYPT_COST = 12
MAX_PASSWORD_BYTES = 72


class PasswordTooLong(ValueError):
    pass


def hash_password(password: str, *, cost: int = BCRYPT_COST) -> str:
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise PasswordTooLong(f"A password can be at most {MAX_PASSWORD_BYTES} bytes long.")
    return bcrypt.hashpw(raw, bcrypt.gensalt(rounds=cost)).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    raw = password.encode("utf-8")
    if password_hash is None or len(raw) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(raw, password_hash.encode("ascii"))
    except ValueError:
        return False
