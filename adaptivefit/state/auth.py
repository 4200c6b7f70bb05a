"""Who is signed in. The browser holds only the random session token; the server resolves it."""

from __future__ import annotations

import asyncio

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.services import auth

SESSION_STORAGE_KEY = "af_session"


def _sign_in(email: str, password: str, user_agent: str, ip: str) -> tuple[str, auth.SignedInUser] | None:
    with session_scope() as session:
        user = auth.authenticate(session, email, password)
        if user is None:
            return None
        token = auth.start_session(session, user, user_agent=user_agent, ip_address=ip)
        return token, auth.SignedInUser(id=user.id, name=user.name, email=user.email, role=user.role)


def _resolve(token: str) -> auth.SignedInUser | None:
    with session_scope() as session:
        return auth.resolve_session(session, token)


def _sign_out(token: str) -> None:
    with session_scope() as session:
        auth.end_session(session, token)


class AuthState(rx.State):
    session_token: str = rx.LocalStorage("", name=SESSION_STORAGE_KEY, sync=True)
    # What the shell shows; the user id and role stay on the server.
    user_name: str = ""
    user_email: str = ""
    email: str = ""
    error: str = ""
    busy: bool = False
    _user_id: int | None = None
    _role: str = ""

    @rx.var
    def signed_in(self) -> bool:
        return self.user_name != ""

    def _forget(self) -> None:
        self.user_name, self.user_email, self._user_id, self._role = "", "", None, ""

    @rx.event
    async def check_session(self):
        """Resolve the stored token on each page load; a revoked or expired one signs the user out."""
        if not self.session_token:
            self._forget()
            return
        user = await asyncio.to_thread(_resolve, self.session_token)
        if user is None:
            self._forget()
            self.session_token = ""
            return
        self.user_name, self.user_email, self._user_id, self._role = user.name, user.email, user.id, user.role

    @rx.event
    async def sign_in(self, form: dict):
        email = str(form.get("email", ""))[:254]
        password = str(form.get("password", ""))[:1024]
        self.email = email
        if not email.strip() or not password:
            self.error = "Enter your email and password."
            return
        self.busy, self.error = True, ""
        yield
        headers = self.router.headers
        ip = self.router.session.client_ip or ""
        result = await asyncio.to_thread(_sign_in, email, password, headers.user_agent or "", ip)
        self.busy = False
        if result is None:
            # One message for an unknown email and a wrong password, so accounts cannot be guessed.
            self.error = "That email and password do not match an account."
            return
        token, user = result
        self.session_token = token
        self.user_name, self.user_email, self._user_id, self._role = user.name, user.email, user.id, user.role
        self.email = ""
        yield rx.redirect("/")

    @rx.event
    async def sign_out(self):
        if self.session_token:
            await asyncio.to_thread(_sign_out, self.session_token)
        self.session_token = ""
        self._forget()
        yield rx.redirect("/")
