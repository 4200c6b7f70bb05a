"""Two-factor sign-in: TOTP codes from an authenticator app, and single-use recovery codes.

A TOTP secret is pending (stored, not yet enabled) until the person proves their app holds it
with one correct code. Each accepted code claims its time step with a conditional UPDATE, so the
same code (or an older one) cannot be used twice, even by two requests racing each other.
Recovery codes are high-entropy random strings, shown once and kept only as SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import qrcode
import qrcode.image.svg
from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from adaptivefit.models import RecoveryCode, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.email import send_email

ISSUER = "Adaptive Fit"
TOTP_DIGITS = 6
# One step (30 s) either way, for phones whose clocks run a little fast or slow.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Crockford's base32, lower-cased: 32 symbols (5 bits each) without i, l, o or u, so ten
# symbols carry 50 bits; on input o is read as 0 and i, l as 1, the way people mistype them.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_GROUP = 5
RECOVERY_LENGTH = 2 * RECOVERY_GROUP
_RECOVERY_CONFUSABLES = str.maketrans({"o": "0", "i": "1", "l": "1"})
_RECOVERY_RE = re.compile(f"[{RECOVERY_ALPHABET}]{{{RECOVERY_LENGTH}}}")
_TOTP_RE = re.compile(f"[0-9]{{{TOTP_DIGITS}}}")
# Anything longer than this, before normalising, is not a code of ours.
_INPUT_MAX = 64

WRONG_CODE = "That code is not right. Check your authenticator app's clock and try the newest code."
ALREADY_ENABLED = "Two-factor authentication is already on. Turn it off first to set it up again."
NOT_STARTED = "Start setting up two-factor authentication again: no setup is waiting for a code."


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_data_uri: str


def _qr_data_uri(text: str) -> str:
    """An SVG QR code drawn here, so the secret never goes to an outside service."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _notify(user: User, subject: str, what: str) -> None:
    send_email(user.email, subject, f"Hello {user.name},\n\n{what}\n\nIf this was not you, reset your password "
               "now and contact support.\n\nAdaptive Fit")


def begin_enrolment(session: Session, user: User) -> Enrolment:
    """A fresh secret, kept pending on the user until `confirm_enrolment` sees a correct code."""
    if user.totp_enabled:
        raise ValidationFailed({"code": ALREADY_ENABLED})
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_last_step = None
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Enrolment(secret=secret, otpauth_uri=uri, qr_data_uri=_qr_data_uri(uri))


def _totp_input(code: str) -> str | None:
    """The code as digits, or None when it cannot be a TOTP code."""
    if not isinstance(code, str) or len(code) > _INPUT_MAX:
        return None
    code = "".join(code.split())
    return code if _TOTP_RE.fullmatch(code) else None


def _matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step, within the drift window and newer than `after`, whose code is `code`."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    # Every candidate is compared (no early exit), so timing says nothing about which matched.
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (after is None or step > after):
            found = step
    return found


def _claim_step(session: Session, user: User, step: int) -> bool:
    """Record `step` as the last accepted one, unless it (or a later one) already was."""
    result = session.exec(
        update(User)
        .where(col(User.id) == user.id,
               or_(col(User.totp_last_step).is_(None), col(User.totp_last_step) < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1


def confirm_enrolment(session: Session, user: User, code: str, *, ip_address: str = "",
                      now: datetime | None = None) -> list[str]:
    """Turn 2FA on after a correct code for the pending secret; returns the recovery codes, once."""
    if user.totp_enabled:
        raise ValidationFailed({"code": ALREADY_ENABLED})
    if not user.totp_secret:
        raise ValidationFailed({"code": NOT_STARTED})
    digits = _totp_input(code)
    step = _matching_step(user.totp_secret, digits, now or utcnow(), None) if digits else None
    if step is None:
        raise ValidationFailed({"code": WRONG_CODE})
    # The code that switched 2FA on cannot then be used to sign in.
    user.totp_last_step = step
    user.totp_enabled = True
    user.updated_at = utcnow()
    session.add(user)
    codes = _replace_recovery_codes(session, user)
    audit.record(session, "totp_enabled", user_id=user.id, ip_address=ip_address)
    session.flush()
    _notify(user, "Two-factor authentication is on",
            "Two-factor authentication was turned on for your Adaptive Fit account. Signing in now "
            "also needs a code from your authenticator app or one of your recovery codes.")
    return codes


def verify_totp(session: Session, user: User, code: str, *, now: datetime | None = None) -> bool:
    """True for a current code of an enabled user that has not been accepted before."""
    if not user.totp_enabled or not user.totp_secret:
        return False
    digits = _totp_input(code)
    if digits is None:
        return False
    step = _matching_step(user.totp_secret, digits, now or utcnow(), user.totp_last_step)
    if step is None:
        return False
    claimed = _claim_step(session, user, step)
    session.flush()
    return claimed


def _new_recovery_code() -> str:
    symbols = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{symbols[:RECOVERY_GROUP]}-{symbols[RECOVERY_GROUP:]}"


def _normalise_recovery_code(code: str) -> str | None:
    """The code's symbols without separators, or None when it cannot be a recovery code."""
    if not isinstance(code, str) or len(code) > _INPUT_MAX:
        return None
    symbols = re.sub(r"[\s\-\u2010-\u2015]", "", code).lower().translate(_RECOVERY_CONFUSABLES)
    return symbols if _RECOVERY_RE.fullmatch(symbols) else None


def _recovery_hash(code: str) -> str:
    """SHA-256 of the normalised code: the codes carry 50 random bits, so a slow hash adds nothing."""
    normalised = _normalise_recovery_code(code)
    if normalised is None:
        raise ValueError("not a recovery code")
    return hashlib.sha256(normalised.encode("ascii")).hexdigest()


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = _new_recovery_code()
        if code not in codes:
            codes.append(code)
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(code)) for code in codes)
    session.flush()
    return codes


def remaining_recovery_codes(session: Session, user: User) -> int:
    return session.exec(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None))
    ).one()


def use_recovery_code(session: Session, user: User, code: str, *, ip_address: str = "") -> bool:
    """Spend one unused recovery code of an enabled user; True when it was good."""
    if not user.totp_enabled:
        return False
    normalised = _normalise_recovery_code(code)
    if normalised is None:
        return False
    digest = hashlib.sha256(normalised.encode("ascii")).hexdigest()
    row = session.exec(
        select(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == digest,
               col(RecoveryCode.used_at).is_(None))
    ).first()
    if row is None or not hmac.compare_digest(row.code_hash, digest):
        return False
    # Conditional on still being unused, so two requests racing with one code cannot both win.
    spent = session.exec(
        update(RecoveryCode)
        .where(col(RecoveryCode.id) == row.id, col(RecoveryCode.used_at).is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if spent.rowcount != 1:
        return False
    left = remaining_recovery_codes(session, user)
    audit.record(session, "recovery_code_used", user_id=user.id, ip_address=ip_address, remaining=left)
    session.flush()
    _notify(user, "A recovery code was used",
            f"One of your two-factor recovery codes was just used to sign in. You have {left} left; "
            "you can make a new set in your security settings.")
    return True


def verify_second_factor(session: Session, user: User, code: str, *, ip_address: str = "",
                         now: datetime | None = None) -> bool:
    """A TOTP code or, failing that, a recovery code."""
    return verify_totp(session, user, code, now=now) or use_recovery_code(session, user, code, ip_address=ip_address)


def regenerate_recovery_codes(session: Session, user: User, *, ip_address: str = "") -> list[str]:
    """A new set of codes, shown once; every earlier code stops working."""
    if not user.totp_enabled:
        raise ValidationFailed({"code": "Turn on two-factor authentication first."})
    codes = _replace_recovery_codes(session, user)
    audit.record(session, "recovery_codes_regenerated", user_id=user.id, ip_address=ip_address)
    session.flush()
    _notify(user, "New recovery codes were made",
            "A new set of two-factor recovery codes was made for your account; the earlier codes no "
            "longer work.")
    return codes


def disable(session: Session, user: User, *, ip_address: str = "") -> None:
    """Turn 2FA off. The caller has already confirmed identity (password and a code)."""
    was_enabled = user.totp_enabled
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_step = None
    user.updated_at = utcnow()
    session.add(user)
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    if was_enabled:
        audit.record(session, "totp_disabled", user_id=user.id, ip_address=ip_address)
    session.flush()
    if was_enabled:
        _notify(user, "Two-factor authentication is off",
                "Two-factor authentication was turned off for your Adaptive Fit account. Signing in now "
                "needs only your password.")
