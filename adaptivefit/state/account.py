"""The signed-in member's own account: profile, avatar, data export and erasure, security settings.

Every handler is guarded; each reads the user from the database by the id the server resolved
from the session token, never from anything the browser sent.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import reflex as rx

from adaptivefit.models import User
from adaptivefit.services.accounts import api_tokens, auth, mfa, privacy, profile
from adaptivefit.services.files import avatars
from adaptivefit.services.training import badges
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.clock import format_local
from adaptivefit.state.auth import AuthState
from adaptivefit.state.guard import actor, refusal_text, require_role, resolve_actor, with_user


def _text(form: dict, name: str, limit: int = 1000) -> str:
    return str(form.get(name, "") or "")[:limit]


def _profile_view(session, user: User) -> dict:
    return {
        "name": user.name,
        "email": user.email,
        "units": user.units,
        "timezone": user.timezone,
        "fitness_level": user.fitness_level,
        "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else "",
        "sex": user.sex or "",
        "height_cm": f"{user.height_cm:g}" if user.height_cm else "",
        "profile_visible_to_trainers": user.profile_visible_to_trainers,
        "allow_coach_training": user.allow_coach_training,
        "avatar": user.avatar or "",
        "totp_enabled": user.totp_enabled,
    }


def _badges(session, user: User) -> list[dict[str, str]]:
    return [{"title": b.title, "description": b.description, "date": b.awarded_at.strftime("%d %b %Y")}
            for b in badges.list_achievements(session, user)]


class ProfileState(rx.State):
    form: dict[str, str] = {}
    visible_to_trainers: bool = False
    allow_coach_training: bool = False
    avatar: str = ""
    errors: dict[str, str] = {}
    totp_enabled: bool = False
    delete_errors: dict[str, str] = {}
    uploading: bool = False
    badges: list[dict[str, str]] = []

    def _show(self, view: dict) -> None:
        self.form = {k: str(v) for k, v in view.items() if isinstance(v, str)}
        self.visible_to_trainers = view["profile_visible_to_trainers"]
        self.allow_coach_training = view["allow_coach_training"]
        self.avatar = view["avatar"]
        self.totp_enabled = view["totp_enabled"]

    @rx.event
    @require_role()
    async def load(self):
        self.errors, self.delete_errors = {}, {}
        self._show(await asyncio.to_thread(with_user, _profile_view, actor().id))
        self.badges = await asyncio.to_thread(with_user, _badges, actor().id)

    @rx.event
    @require_role()
    async def save(self, form: dict):
        me = actor()

        def update(session, user):
            profile.update_profile(session, user, form, ip_address=me.ip_address)
            return _profile_view(session, user)

        try:
            view = await asyncio.to_thread(with_user, update, me.id)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.errors = {}
        self._show(view)
        auth_state = await self.get_state(AuthState)
        auth_state.user_name = view["name"]
        return rx.toast.success("Profile saved.")

    @rx.event
    @require_role()
    async def upload_avatar(self, files: list[rx.UploadFile]):
        me = actor()
        if not files:
            return rx.toast.error("Choose a picture first.")
        upload = files[0]
        # Read one byte past the limit: enough to refuse an oversized file without reading it all.
        data = await upload.read(avatars.MAX_AVATAR_BYTES + 1)
        try:
            name = await asyncio.to_thread(with_user, avatars.set_avatar, me.id, data, ip_address=me.ip_address)
        except ValidationFailed as failed:
            self.errors = {**self.errors, **failed.errors}
            return rx.toast.error(refusal_text(failed))
        self.avatar = name
        self.errors = {k: v for k, v in self.errors.items() if k != "avatar"}
        return rx.toast.success("Your new picture is saved.")

    @rx.event
    @require_role()
    async def export_data(self):
        me = actor()
        archive = await asyncio.to_thread(with_user, privacy.export_user_data, me.id, ip_address=me.ip_address)
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        return rx.download(data=archive, filename=f"adaptivefit-my-data-{stamp}.zip")

    @rx.event
    @require_role()
    async def delete_account(self, form: dict):
        me = actor()
        if _text(form, "confirm", 20).strip().upper() != "DELETE":
            self.delete_errors = {"confirm": "Type DELETE to confirm."}
            return

        def erase(session, user):
            auth.confirm_identity(session, user, _text(form, "password"), _text(form, "code", 100),
                                  ip_address=me.ip_address)
            privacy.erase_account(session, user, ip_address=me.ip_address)

        try:
            await asyncio.to_thread(with_user, erase, me.id)
        except ValidationFailed as failed:
            self.delete_errors = failed.errors
            return
        auth_state = await self.get_state(AuthState)
        auth_state.session_token = ""
        auth_state.user_name = auth_state.user_email = auth_state.user_role = ""
        return [rx.toast.success("Your account and your data are deleted."), rx.redirect("/")]


class SecurityState(rx.State):
    totp_enabled: bool = False
    recovery_codes_left: int = 0
    # Shown only while enrolling, to the person enrolling; cleared once 2FA is on.
    enrol_secret: str = ""
    enrol_qr: str = ""
    # Shown once, right after they are made.
    new_recovery_codes: list[str] = []
    new_api_token: str = ""
    sessions: list[dict[str, str]] = []
    tokens: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    def _refresh(self, me_id: int, token: str) -> None:
        def read(session, user):
            zone = user.timezone
            rows = [{"id": str(r.id), "device": r.device, "ip": r.ip_address or "unknown address",
                     "last_seen": format_local(r.last_seen_at, zone), "current": "yes" if r.current else ""}
                    for r in auth.list_sessions(session, user.id, token)]
            keys = [{"id": str(t.id), "name": t.name, "prefix": t.prefix, "created": format_local(t.created_at, zone),
                     "last_used": format_local(t.last_used_at, zone) if t.last_used_at else "never"}
                    for t in api_tokens.list_tokens(session, user)]
            left = mfa.remaining_recovery_codes(session, user) if user.totp_enabled else 0
            return user.totp_enabled, left, rows, keys

        self.totp_enabled, self.recovery_codes_left, self.sessions, self.tokens = with_user(read, me_id)

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    @require_role()
    async def load(self):
        self.errors, self.new_recovery_codes, self.new_api_token = {}, [], ""
        self.enrol_secret = self.enrol_qr = ""
        await asyncio.to_thread(self._refresh, actor().id, await self._token())

    @rx.event
    @require_role()
    async def change_password(self, form: dict):
        me = actor()
        if _text(form, "new_password") != _text(form, "confirm_password"):
            self.errors = {"confirm_password": "The two new passwords are not the same."}
            return
        token = await self._token()
        try:
            new_token = await asyncio.to_thread(
                with_user, lambda s, u: auth.change_password(
                    s, u, current=_text(form, "current_password"), new=_text(form, "new_password"),
                    code=_text(form, "code", 100), token=token, ip_address=me.ip_address), me.id)
        except ValidationFailed as failed:
            self.errors = {("current_password" if k == "password" else k): v for k, v in failed.errors.items()}
            return
        (await self.get_state(AuthState)).session_token = new_token
        self.errors = {}
        await asyncio.to_thread(self._refresh, me.id, new_token)
        return rx.toast.success("Password changed. Your other devices are signed out.")

    @rx.event
    @require_role()
    async def change_email(self, form: dict):
        me = actor()
        try:
            await asyncio.to_thread(
                with_user, lambda s, u: auth.change_email(
                    s, u, new_email=_text(form, "new_email"), password=_text(form, "email_password"),
                    code=_text(form, "email_code", 100), ip_address=me.ip_address), me.id)
        except ValidationFailed as failed:
            self.errors = {{"password": "email_password", "code": "email_code"}.get(k, k): v
                           for k, v in failed.errors.items()}
            return
        self.errors = {}
        auth_state = await self.get_state(AuthState)
        refreshed = await asyncio.to_thread(resolve_actor, auth_state.session_token)
        if refreshed is not None:
            auth_state.user_email = refreshed.email
        return rx.toast.success("Email changed. We let both addresses know.")

    @rx.event
    @require_role()
    async def start_two_factor(self):
        try:
            enrolment = await asyncio.to_thread(with_user, mfa.begin_enrolment, actor().id)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.enrol_secret, self.enrol_qr, self.errors = enrolment.secret, enrolment.qr_data_uri, {}

    @rx.event
    @require_role()
    async def confirm_two_factor(self, form: dict):
        me = actor()
        try:
            codes = await asyncio.to_thread(with_user, mfa.confirm_enrolment, me.id, _text(form, "code", 100),
                                            ip_address=me.ip_address)
        except ValidationFailed as failed:
            self.errors = {"enrol_code": failed.errors.get("code", "That code is not right.")}
            return
        # A change of factor: this session gets a fresh token, the others end.
        token = await self._token()

        def rotate(session, user):
            auth.revoke_all_sessions(session, user.id, except_token=token)
            return auth.rotate_session(session, user, token)

        new_token = await asyncio.to_thread(with_user, rotate, me.id)
        (await self.get_state(AuthState)).session_token = new_token
        self.new_recovery_codes, self.enrol_secret, self.enrol_qr, self.errors = codes, "", "", {}
        await asyncio.to_thread(self._refresh, me.id, new_token)
        return rx.toast.success("Two-factor authentication is on.")

    @rx.event
    @require_role()
    async def cancel_two_factor_setup(self):
        self.enrol_secret = self.enrol_qr = ""

    @rx.event
    @require_role()
    async def disable_two_factor(self, form: dict):
        me = actor()

        def disable(session, user):
            auth.confirm_identity(session, user, _text(form, "password"), _text(form, "code", 100),
                                  ip_address=me.ip_address)
            mfa.disable(session, user, ip_address=me.ip_address)

        try:
            await asyncio.to_thread(with_user, disable, me.id)
        except ValidationFailed as failed:
            self.errors = {f"disable_{k}": v for k, v in failed.errors.items()}
            return
        self.errors, self.new_recovery_codes = {}, []
        await asyncio.to_thread(self._refresh, me.id, await self._token())
        return rx.toast.success("Two-factor authentication is off.")

    @rx.event
    @require_role()
    async def regenerate_codes(self, form: dict):
        me = actor()

        def regenerate(session, user):
            auth.confirm_identity(session, user, _text(form, "password"), _text(form, "code", 100),
                                  ip_address=me.ip_address)
            return mfa.regenerate_recovery_codes(session, user, ip_address=me.ip_address)

        try:
            self.new_recovery_codes = await asyncio.to_thread(with_user, regenerate, me.id)
        except ValidationFailed as failed:
            self.errors = {f"regenerate_{k}": v for k, v in failed.errors.items()}
            return
        self.errors = {}
        await asyncio.to_thread(self._refresh, me.id, await self._token())

    @rx.event
    @require_role()
    async def dismiss_codes(self):
        self.new_recovery_codes, self.new_api_token = [], ""

    @rx.event
    @require_role()
    async def revoke_session(self, session_id: str):
        me = actor()
        try:
            await asyncio.to_thread(with_user, lambda s, u: auth.revoke_session(s, u.id, int(session_id),
                                                                                 ip_address=me.ip_address), me.id)
        except (ValidationFailed, ValueError):
            return rx.toast.error("That session could not be found.")
        await asyncio.to_thread(self._refresh, me.id, await self._token())

    @rx.event
    @require_role()
    async def revoke_other_sessions(self):
        me, token = actor(), await self._token()
        await asyncio.to_thread(with_user, lambda s, u: auth.revoke_all_sessions(s, u.id, except_token=token), me.id)
        await asyncio.to_thread(self._refresh, me.id, token)
        return rx.toast.success("Every other device is signed out.")

    @rx.event
    @require_role()
    async def create_api_token(self, form: dict):
        me = actor()
        try:
            _row, raw = await asyncio.to_thread(with_user, api_tokens.create_token, me.id, _text(form, "token_name", 200),
                                                ip_address=me.ip_address)
        except ValidationFailed as failed:
            self.errors = {"token_name": failed.errors.get("name", refusal_text(failed))}
            return
        self.new_api_token, self.errors = raw, {}
        await asyncio.to_thread(self._refresh, me.id, await self._token())

    @rx.event
    @require_role()
    async def revoke_api_token(self, token_id: str):
        me = actor()
        try:
            await asyncio.to_thread(with_user, api_tokens.revoke_token, me.id, int(token_id), ip_address=me.ip_address)
        except (ValidationFailed, ValueError):
            return rx.toast.error("That token could not be found.")
        await asyncio.to_thread(self._refresh, me.id, await self._token())
