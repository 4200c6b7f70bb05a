"""Outgoing email: through SMTP when `SMTP_HOST` is set, otherwise into a local outbox folder.

The outbox keeps the flows (password reset, security notices) working on a fresh machine: each
message is one `.eml` file, and a log line says where it went.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from adaptivefit.config import get_settings

log = logging.getLogger("adaptivefit.email")


def send_email(to: str, subject: str, body: str) -> Path | None:
    """Send a plain-text message. Returns the outbox file when no SMTP server is configured."""
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(body)
    if settings.smtp_host:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
        log.info("email sent", extra={"to_domain": to.rsplit("@", 1)[-1], "subject": subject})
        return None
    outbox = settings.outbox_dir
    outbox.mkdir(parents=True, exist_ok=True)
    # Nanoseconds first, so sorting the names gives the order the messages were written in.
    path = outbox / f"{time.time_ns():020d}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    log.info("email written to outbox", extra={"path": str(path), "subject": subject})
    return path


def read_outbox(to: str | None = None) -> list[EmailMessage]:
    """The messages in the outbox, oldest first (for the local flow and the tests)."""
    import email
    from email import policy

    outbox = get_settings().outbox_dir
    if not outbox.exists():
        return []
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(outbox.glob("*.eml"))]
    return [m for m in messages if to is None or m["To"] == to]
