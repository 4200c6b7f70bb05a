"""Who is signed in, and the sign-in, registration and password-reset forms.

The browser holds only the random session token; the server resolves it on every page load
and in every guarded handler. Public vars hold what the page shows, never a role to trust.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.models import Role
from adaptivefit.services.accounts import auth, password_reset
from adaptivefit.services.core.access import STAFF, ValidationFailed
from adaptivefit.state.session import SIGN_IN_MESSAGE, public, resolve_actor

SESSION_STORAGE_KEY = "af_session"


def _in_transaction(fn, *args, **kwargs):
    with session_scope() as session:
        return fn(session, *args, **kwargs)


def _clip(form: dict, name: str, limit: int = 1000) -> str:
    return str(form.get(name, "") or "")[:limit]


class AuthState(rx.State):
    session_token: str = rx.LocalStorage("", name=SESSION_STORAGE_KEY, sync=True)
    user_name: str = ""
    user_email: str = ""
    # For showing links only; every handler checks the role again on the server.
    user_role: str = ""
    # Forms.
    email: str = ""
    error: str = ""
    mfa_step: bool = False
    errors: dict[str, str] = {}
    notice: str = ""
    busy: bool = False
    reset_token: str = ""
    reset_needs_code: bool = False
    reset_link_valid: bool = True

    @rx.var
    def signed_in(self) -> bool:
        return self.user_name != ""

    @rx.var
    def is_staff(self) -> bool:
        return self.user_role in STAFF

    @rx.var
    def can_edit_library(self) -> bool:
        return self.user_role in (Role.TRAINER, Role.MODERATOR, Role.ADMIN)

    @rx.var
    def is_member(self) -> bool:
        """Signed in with no other role: who may apply to become a trainer."""
        return self.user_role == Role.MEMBER

    @rx.var
    def is_trainer(self) -> bool:
        """Approved trainers (and admins, who may act for them); the server checks again."""
        return self.user_role in (Role.TRAINER, Role.ADMIN)

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == Role.ADMIN

    def _client(self) -> tuple[str, str]:
        return self.router.session.client_ip or "", (self.router.headers.user_agent or "")[:300]

    def _forget(self) -> None:
        self.user_name = self.user_email = self.user_role = ""

    def _signed_in_as(self, token: str):
        self.session_token = token
        actor = resolve_actor(token)
        if actor is not None:
            self.user_name, self.user_email, self.user_role = actor.name, actor.email, actor.role

    @rx.event
    @public
    async def check_session(self):
        """Resolve the stored token on each page load; a revoked or expired one signs the user out."""
        actor = await asyncio.to_thread(resolve_actor, self.session_token) if self.session_token else None
        if actor is None:
            self._forget()
            if self.session_token and not self.mfa_step:
                self.session_token = ""
            return
        self.user_name, self.user_email, self.user_role = actor.name, actor.email, actor.role

    def _login_redirect(self):
        return [rx.toast.info(SIGN_IN_MESSAGE), rx.redirect("/login")]

    @rx.event
    @public
    def require_signed_in(self):
        """Page guard: after check_session, send anonymous visitors to the sign-in page."""
        if not self.signed_in:
            return self._login_redirect()

    @rx.event
    @public
    def require_staff(self):
        if not self.signed_in:
            return self._login_redirect()
        if self.user_role not in STAFF:
            return [rx.toast.error("That page is for moderators and admins."), rx.redirect("/")]

    @rx.event
    @public
    def require_trainer(self):
        if not self.signed_in:
            return self._login_redirect()
        if self.user_role not in (Role.TRAINER, Role.ADMIN):
            return [rx.toast.error("That page is for trainers. Apply from Become a trainer."), rx.redirect("/")]

    @rx.event
    @public
    def require_admin(self):
        if not self.signed_in:
            return self._login_redirect()
        if self.user_role != Role.ADMIN:
            return [rx.toast.error("That page is for admins."), rx.redirect("/")]

    @rx.event
    @public
    def open_sign_in(self):
        """Fresh sign-in form (a pending second step survives a reload of the page)."""
        self.error, self.errors, self.notice = "", {}, ""
        if self.signed_in:
            return rx.redirect("/")

    @rx.event
    @public
    async def sign_in(self, form: dict):
        email, password = _clip(form, "email", 254), _clip(form, "password")
        self.email, self.error = email, ""
        if not email.strip() or not password:
            self.error = "Enter your email and password."
            return
        self.busy = True
        yield
        ip, agent = self._client()
        result = await asyncio.to_thread(_in_transaction, auth.sign_in, email, password, ip_address=ip, user_agent=agent)
        self.busy = False
        if result.status == "mfa_required":
            self.session_token, self.mfa_step = result.token, True
            return
        if result.status != "ok":
            self.error = result.message
            return
        await asyncio.to_thread(self._signed_in_as, result.token)
        self.email = ""
        yield rx.redirect("/")

    @rx.event
    @public
    async def submit_code(self, form: dict):
        code = _clip(form, "code", 100)
        if not code.strip():
            self.error = "Enter the code from your authenticator app, or a recovery code."
            return
        self.busy = True
        yield
        ip, agent = self._client()
        result = await asyncio.to_thread(_in_transaction, auth.complete_second_factor, self.session_token, code,
                                         ip_address=ip, user_agent=agent)
        self.busy = False
        if result.status != "ok":
            self.error = result.message
            if result.status == "throttled" or "expired" in result.message:
                self.mfa_step, self.session_token = False, ""
            return
        self.mfa_step, self.error = False, ""
        await asyncio.to_thread(self._signed_in_as, result.token)
        yield rx.redirect("/")

    @rx.event
    @public
    async def cancel_second_step(self):
        if self.session_token:
            await asyncio.to_thread(_in_transaction, auth.end_session, self.session_token)
        self.session_token, self.mfa_step, self.error = "", False, ""

    @rx.event
    @public
    async def register(self, form: dict):
        self.errors = {}
        self.busy = True
        yield
        ip, agent = self._client()
        try:
            _user, token = await asyncio.to_thread(
                _in_transaction, auth.register, email=_clip(form, "email"), password=_clip(form, "password"),
                name=_clip(form, "name"), ip_address=ip, user_agent=agent)
        except ValidationFailed as failed:
            self.errors, self.busy = failed.errors, False
            return
        self.busy = False
        await asyncio.to_thread(self._signed_in_as, token)
        yield [rx.toast.success("Welcome to Adaptive Fit!"), rx.redirect("/profile")]

    @rx.event
    @public
    async def sign_out(self):
        if self.session_token:
            ip, _agent = self._client()
            await asyncio.to_thread(_in_transaction, auth.end_session, self.session_token, ip_address=ip)
        self.session_token = ""
        self._forget()
        yield rx.redirect("/")

    @rx.event
    @public
    async def request_reset(self, form: dict):
        self.errors, self.notice = {}, ""
        ip, _agent = self._client()
        try:
            self.notice = await asyncio.to_thread(_in_transaction, password_reset.request_reset,
                                                  _clip(form, "email"), ip_address=ip)
        except ValidationFailed as failed:
            self.errors = failed.errors

    @rx.event
    @public
    async def open_reset(self):
        self.errors, self.notice = {}, ""
        self.reset_token = str(self.router.url.query_parameters.get("token", ""))[:128]
        needs = await asyncio.to_thread(_in_transaction, password_reset.reset_needs_code, self.reset_token)
        self.reset_link_valid = needs is not None
        self.reset_needs_code = bool(needs)

    @rx.event
    @public
    async def reset_password(self, form: dict):
        self.errors = {}
        password = _clip(form, "password")
        if password != _clip(form, "confirm"):
            self.errors = {"confirm": "The two passwords are not the same."}
            return
        ip, _agent = self._client()
        try:
            await asyncio.to_thread(_in_transaction, password_reset.reset_password, self.reset_token, password,
                                    _clip(form, "code", 100), ip_address=ip)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.session_token = ""
        self._forget()
        yield [rx.toast.success("Your password is changed. Sign in with it now."), rx.redirect("/login")]
