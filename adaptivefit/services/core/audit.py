"""The security audit log: one row per security event, readable and filterable by admins."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from adaptivefit.models import AuditEvent

log = logging.getLogger("adaptivefit.audit")

# Every event name the app writes, so filters can offer them and typos fail loudly.
EVENTS = (
    "register",
    "login_ok",
    "login_failed",
    "login_throttled",
    "logout",
    "session_revoked",
    "password_changed",
    "password_reset_requested",
    "password_reset",
    "email_changed",
    "totp_enabled",
    "totp_disabled",
    "totp_failed",
    "recovery_code_used",
    "recovery_codes_regenerated",
    "role_changed",
    "suspended",
    "reinstated",
    "profile_updated",
    "avatar_changed",
    "data_exported",
    "account_deleted",
    "api_token_created",
    "api_token_revoked",
    "knowledge_hidden",
    "knowledge_unhidden",
    "coach_ai_changed",
    "trainer_applied",
    "trainer_approved",
    "trainer_rejected",
    "trainer_commission_changed",
    "program_hidden",
    "program_unhidden",
    "review_removed",
    "setting_changed",
    "refund_issued",
    "test_clock_advanced",
)


def record(
    session: Session,
    event: str,
    *,
    user_id: int | None = None,
    actor_id: int | None = None,
    ip_address: str = "",
    **details: Any,
) -> AuditEvent:
    """Add an audit row in the caller's transaction (so it commits or rolls back with the action)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    row = AuditEvent(
        event=event,
        user_id=user_id,
        actor_id=actor_id if actor_id is not None else user_id,
        ip_address=(ip_address or "")[:45],
        details=details,
    )
    session.add(row)
    log.info("audit", extra={"event": event, "user_id": user_id, "actor_id": row.actor_id})
    return row
