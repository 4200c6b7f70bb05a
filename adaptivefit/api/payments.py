"""POST /api/stripe/webhook, and the test provider's stand-ins for Stripe's hosted pages.

The webhook verifies Stripe's signature on the raw body (the endpoint secret with Stripe keys,
the test provider's local secret without), then hands the event to services/payments/webhook_events:
400 with a reason for a forged, stale or malformed delivery (nothing changes), 200 once the
event is applied, recorded as a duplicate or ignored, 500 when applying it failed (Stripe retries).

/api/test-pay/checkout/{session} and /api/test-pay/connect/{account} exist only while the payment
simulator is active: plain server-rendered HTML, like Stripe Checkout in test mode.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from adaptivefit.db import session_scope
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.app_settings import payments_test_mode
from adaptivefit.services.core.money import format_money
from adaptivefit.services.payments import simulated_checkout, webhook_events
from adaptivefit.services.payments.provider import webhook_secret
from adaptivefit.services.payments.signatures import SignatureError, verify
from adaptivefit.services.payments.simulated_checkout import form_token
from adaptivefit.services.payments.simulated_delivery import deliver_pending
from adaptivefit.services.payments.simulator import SimulatedGateway

log = logging.getLogger("adaptivefit.payments")

MAX_BODY = 512 * 1024


async def stripe_webhook(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"error": "payload too large"}, status_code=413)
    try:
        secret = webhook_secret()
    except ValueError as exc:
        log.error("Webhook refused: %s", exc)
        return JSONResponse({"error": "webhook secret not configured"}, status_code=500)
    try:
        event = verify(body, request.headers.get("stripe-signature"), secret)
    except SignatureError as refused:
        return JSONResponse({"error": refused.reason}, status_code=400)
    try:
        outcome = await asyncio.to_thread(webhook_events.process, event)
    except Exception:
        log.exception("Webhook event %s (%s) failed; Stripe will retry", event.get("id"), event.get("type"))
        return JSONResponse({"error": "processing failed; retry later"}, status_code=500)
    return JSONResponse({"received": True, "result": outcome})


# -- the test provider's pages ----------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f9fc;color:#1a1f36}
.banner{background:#ffde92;color:#5c3c00;text-align:center;padding:.5em;font-weight:700;letter-spacing:.05em}
main{max-width:28em;margin:2em auto;padding:0 1em}
.card{background:#fff;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.08);padding:1.5em}
h1{font-size:1.25em;margin:.2em 0}.price{font-size:2em;font-weight:700;margin:.2em 0 .8em}
label{display:block;font-size:.9em;font-weight:600;margin:.9em 0 .3em}
input{width:100%;box-sizing:border-box;font-size:1em;padding:.6em;border:1px solid #cfd7df;border-radius:6px}
.row{display:flex;gap:.8em}.row>div{flex:1}
.error{color:#c0123c;font-size:.9em;margin:.3em 0 0}
.alert{background:#fde8ec;color:#c0123c;padding:.7em;border-radius:6px;margin-bottom:1em}
button{width:100%;margin-top:1.4em;padding:.8em;font-size:1.05em;font-weight:600;color:#fff;background:#635bff;border:0;border-radius:6px;cursor:pointer}
.hint{font-size:.85em;color:#697386;margin-top:1em}a{color:#635bff}
"""


def _page(title: str, content: str, status: int = 200) -> HTMLResponse:
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width,initial-scale=1"><title>{escape(title)}</title><style>{STYLE}</style>'
            f'</head><body><div class="banner" role="status">TEST MODE</div><main>{content}</main></body></html>')
    return HTMLResponse(html, status_code=status,
                        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"})


def _not_found() -> HTMLResponse:
    return _page("Not found", '<div class="card"><h1>This page does not exist.</h1></div>', 404)


def _field(label: str, name: str, value: str, errors: dict[str, str], **attrs: str) -> str:
    error = errors.get(name, "")
    extra = " ".join(f'{k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    described = f' aria-describedby="{name}-error" aria-invalid="true"' if error else ""
    message = f'<p class="error" id="{name}-error" role="alert">{escape(error)}</p>' if error else ""
    return (f'<div><label for="{name}">{escape(label)}</label><input id="{name}" name="{name}" '
            f'value="{escape(value)}" {extra}{described}>{message}</div>')


def _checkout_html(found: dict, token: str, form: dict[str, str], errors: dict[str, str]) -> str:
    subscription = found["mode"] == "subscription"
    price = format_money(int(found["amount_total"]), found["currency"]) + (" per month" if subscription else "")
    general = errors.get("session", "")
    alert = f'<div class="alert" role="alert">{escape(general)}</div>' if general else ""
    email = form.get("email", found.get("customer_email") or "")
    fields = "".join([
        _field("Email", "email", email, errors, type="email", autocomplete="email"),
        _field("Card number", "card_number", form.get("card_number", ""), errors, inputmode="numeric",
               autocomplete="cc-number", placeholder="1234 1234 1234 1234"),
        '<div class="row">',
        _field("Expiry (MM / YY)", "expiry", form.get("expiry", ""), errors, autocomplete="cc-exp", placeholder="MM / YY"),
        _field("CVC", "cvc", form.get("cvc", ""), errors, inputmode="numeric", autocomplete="cc-csc", placeholder="CVC"),
        "</div>",
        _field("Name on card", "name", form.get("name", ""), errors, autocomplete="cc-name"),
    ])
    action = "Subscribe" if subscription else "Pay"
    return (
        f'<div class="card"><p>Adaptive Fit</p><h1>{escape(found.get("_product_name") or "Purchase")}</h1>'
        f'<p class="price">{escape(price)}</p>{alert}'
        f'<form method="post" novalidate><input type="hidden" name="token" value="{escape(token)}">{fields}'
        f'<button type="submit">{action}</button></form>'
        '<p class="hint">Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined; '
        '4000 0000 0000 9995 fails for insufficient funds. Any future expiry, any CVC.</p>'
        f'<p><a href="{escape(found.get("cancel_url") or "/")}">Back</a></p></div>'
    )


def _load(session_id: str):
    with session_scope() as session:
        return simulated_checkout.open_session(SimulatedGateway(session), session_id)


def _pay(session_id: str, form: dict[str, str]) -> dict:
    with session_scope() as session:
        return simulated_checkout.pay(SimulatedGateway(session), session_id, form)


def _deliver() -> None:
    deliver_pending()


async def _deliver_soon() -> None:
    """Deliver queued events after the commit; delivery failures leave them queued, never lost."""
    try:
        await asyncio.to_thread(_deliver)
    except Exception:
        log.exception("Delivering test provider events failed; they stay queued")


async def checkout_page(request: Request) -> Response:
    if not payments_test_mode():
        return _not_found()
    session_id = request.path_params["session_id"][:80]
    found = await asyncio.to_thread(_load, session_id)
    if found is None:
        return _not_found()
    token = form_token(session_id)
    if found["status"] != "open":
        message = "This checkout is complete." if found["status"] == "complete" else "This checkout has expired."
        return _page("Checkout", f'<div class="card"><h1>{message}</h1>'
                                 f'<p><a href="{escape(found.get("success_url") or "/")}">Continue</a></p></div>')
    if request.method == "GET":
        return _page("Checkout", _checkout_html(found, token, {}, {}))
    raw = await request.form()
    form = {k: str(v)[:200] for k, v in raw.items() if isinstance(v, str)}
    if not hmac.compare_digest(form.get("token", ""), token):
        return _page("Checkout", _checkout_html(found, token, form, {"session": "The form expired; try again."}), 400)
    try:
        completed = await asyncio.to_thread(_pay, session_id, form)
    except ValidationFailed as failed:
        # A decline queues payment_intent.payment_failed; it grants nothing.
        await _deliver_soon()
        return _page("Checkout", _checkout_html(found, token, form, failed.errors))
    await _deliver_soon()
    return RedirectResponse(completed["success_url"], status_code=303)


def _load_account(account_id: str):
    with session_scope() as session:
        return SimulatedGateway(session).get(account_id, "account")


def _onboard(account_id: str) -> str:
    with session_scope() as session:
        return simulated_checkout.complete_onboarding(SimulatedGateway(session), account_id)


async def connect_page(request: Request) -> Response:
    if not payments_test_mode():
        return _not_found()
    account_id = request.path_params["account_id"][:80]
    account = await asyncio.to_thread(_load_account, account_id)
    if account is None:
        return _not_found()
    token = form_token(account_id)
    if request.method == "POST":
        raw = await request.form()
        if not hmac.compare_digest(str(raw.get("token", "")), token):
            return _page("Onboarding", '<div class="card"><h1>The form expired; go back and try again.</h1></div>', 400)
        target = await asyncio.to_thread(_onboard, account_id)
        await _deliver_soon()
        return RedirectResponse(target, status_code=303)
    state = "Payouts are enabled." if account.get("payouts_enabled") else "Payouts are not enabled yet."
    return _page("Onboarding", (
        f'<div class="card"><p>Stripe Connect · Express</p><h1>Set up payouts</h1>'
        f'<p>Account for {escape(account.get("email") or "")}. {state}</p>'
        '<p class="hint">In test mode no identity or bank details are needed.</p>'
        f'<form method="post"><input type="hidden" name="token" value="{escape(token)}">'
        '<button type="submit">Complete test onboarding</button></form>'
        f'<p><a href="{escape(account.get("_refresh_url") or "/")}">Back</a></p></div>'))


def routes(prefix: str = "/api"):
    from starlette.routing import Route

    return [
        Route(f"{prefix}/stripe/webhook", stripe_webhook, methods=["POST"]),
        Route(f"{prefix}/test-pay/checkout/{{session_id}}", checkout_page, methods=["GET", "POST"]),
        Route(f"{prefix}/test-pay/connect/{{account_id}}", connect_page, methods=["GET", "POST"]),
    ]
