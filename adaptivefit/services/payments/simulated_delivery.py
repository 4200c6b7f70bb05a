"""Delivery of the simulator's queued events to the app's own webhook, signed as Stripe signs them.

Runs after the transaction that queued them has committed; what the endpoint does not acknowledge
stays queued and goes out with the next delivery, in order, as Stripe's retries would.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from sqlmodel import Session, select

from adaptivefit.config import Settings, get_settings
from adaptivefit.models import TestPaymentObject
from adaptivefit.services.core.app_settings import payments_test_mode
from adaptivefit.services.payments.provider import simulator_webhook_secret
from adaptivefit.services.payments.signatures import sign

log = logging.getLogger("adaptivefit.payments.simulator")

# Tests point delivery at the app in-process (a Starlette TestClient); None: HTTP to PUBLIC_URL.
client_factory = None


def pending_events(session: Session) -> list[dict[str, Any]]:
    rows = session.exec(select(TestPaymentObject).where(TestPaymentObject.type == "event")).all()
    waiting = [row for row in rows if not row.data.get("delivered")]
    # In the order they were emitted, as Stripe would mostly (but not always) send them.
    return [row.data["event"] for row in sorted(waiting, key=lambda r: r.data.get("seq", 0))]


def deliver_pending(client=None, settings: Settings | None = None) -> dict[str, int]:
    """POST every undelivered event to the webhook, signed like Stripe; call after the commit.

    Runs outside any transaction of the caller's (the webhook needs the database). Events the
    endpoint does not acknowledge stay pending and go out again at the next delivery.
    """
    import httpx

    from adaptivefit.db import session_scope

    settings = settings or get_settings()
    with session_scope() as session:
        events = pending_events(session)
    if not events:
        return {"delivered": 0, "failed": 0}
    url = f"{settings.public_url}/api/stripe/webhook"
    secret = simulator_webhook_secret(settings)
    own = client is None
    if client is None:
        client = client_factory() if client_factory is not None else httpx.Client(timeout=30)
    delivered, failed = [], 0
    try:
        for event in events:
            body = json.dumps(event, separators=(",", ":")).encode("utf-8")
            headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body, secret, int(time.time()))}
            try:
                response = client.post(url, content=body, headers=headers)
            except Exception as exc:  # the app may be down: the event waits for the next delivery
                log.warning("The simulator could not deliver %s to %s: %s", event["id"], url, exc)
                failed += 1
                break
            if 200 <= response.status_code < 300:
                delivered.append(event["id"])
            else:
                log.warning("Webhook answered %s for %s: %s", response.status_code, event["id"], response.text[:200])
                failed += 1
                break  # keep the order: later events wait for this one, as a retry would
    finally:
        if own:
            client.close()
    if delivered:
        with session_scope() as session:
            for event_id in delivered:
                row = session.get(TestPaymentObject, event_id)
                if row is not None:
                    row.data = {**row.data, "delivered": True}
                    session.add(row)
    return {"delivered": len(delivered), "failed": failed}


def deliver_test_events() -> None:
    """After a transaction that queued simulator events: send them to the webhook (no-op with Stripe keys)."""
    if payments_test_mode():
        deliver_pending()
