"""Trainer applications (/become-a-trainer), their review (/admin/trainers), public profiles (/trainers/[id]).

Every handler is guarded or deliberately public; the services check role and ownership again, so
a handler called by any browser with made-up arguments changes nothing it may not. The browser
gets the signed certificate URLs the server made, never file names or other members' data beyond
what the page shows to whoever may see it.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.services.core.access import STAFF, PermissionDenied, ValidationFailed
from adaptivefit.services.core.paging import requested_page
from adaptivefit.services.marketplace import (
    display,
    trainer_applications,
    trainer_certificates,
    trainer_review,
    trainers,
)
from adaptivefit.state.guard import actor, in_session, public, refusal_text, require_role, with_user

# What the pages need to know, read here because pages import only state.
STATUS_LABELS = display.APPLICATION_STATUS_LABELS
BIO_MAX, HEADLINE_MAX = trainer_applications.BIO_MAX, trainer_applications.HEADLINE_MAX
MAX_CERTIFICATE_BYTES, MAX_CERTIFICATES = trainer_certificates.MAX_CERTIFICATE_BYTES, trainer_certificates.MAX_CERTIFICATES
TITLE_MAX = trainer_certificates.TITLE_MAX


def _message(refused: Exception) -> str:
    return str(refused) if isinstance(refused, PermissionDenied) else refusal_text(refused)


def _clip(form: dict, name: str, limit: int) -> str:
    return str(form.get(name, "") or "")[:limit]


# --- /become-a-trainer ---------------------------------------------------------------------


def _application_view(session, user) -> dict:
    return display.application_view(trainer_applications.my_application(session, user))


class TrainerApplicationState(rx.State):
    status: str = ""  # "" (not applied) | pending | approved | rejected
    staff_account: bool = False
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    rejection_reason: str = ""
    profile_id: str = ""
    applied_on: str = ""
    certificates: list[dict[str, str]] = []
    # Counts stored certificates, so the title field starts empty after each one.
    uploads: int = 0

    def _show(self, view: dict) -> None:
        self.status, self.form, self.rejection_reason = view["status"], view["form"], view["reason"]
        self.profile_id, self.applied_on, self.certificates = view["id"], view["applied"], view["certificates"]

    async def _refresh(self) -> None:
        me = actor()
        self.staff_account = me.role in STAFF
        self._show(await asyncio.to_thread(with_user, _application_view, me.id))

    @rx.event
    @require_role()
    async def load(self):
        self.errors = {}
        await self._refresh()

    @rx.event
    @require_role()
    async def submit(self, form: dict):
        me = actor()
        fields = {"headline": _clip(form, "headline", 1000), "bio": _clip(form, "bio", 20_000),
                  "specialties": _clip(form, "specialties", 2000)}

        def save(session, user):
            edited = trainer_applications.save(session, user, fields, ip_address=me.ip_address)
            return edited, _application_view(session, user)

        try:
            approved, view = await asyncio.to_thread(with_user, save, me.id)
        except ValidationFailed as failed:
            self.errors, self.form = failed.errors, fields
            return
        except PermissionDenied as denied:
            return rx.toast.error(str(denied))
        self.errors = {}
        self._show(view)
        return rx.toast.success(display.DONE["profile_saved" if approved else "applied"])

    @rx.event
    @require_role()
    async def add_certificate(self, files: list[rx.UploadFile], title: str = ""):
        me = actor()
        if not files:
            return rx.toast.error(display.CHOOSE_A_FILE)
        upload = files[0]
        data = await upload.read(trainer_certificates.READ_BYTES)
        title = str(title or "")[: trainer_certificates.TITLE_CLIP]
        filename = str(getattr(upload, "filename", "") or "")
        try:
            await asyncio.to_thread(with_user, trainer_certificates.add_certificate, me.id, title, data, filename)
        except ValidationFailed as failed:
            self.errors = {**{k: v for k, v in self.errors.items() if not k.startswith("certificate")},
                           **failed.errors}
            return rx.toast.error(_message(failed))
        except PermissionDenied as denied:
            return rx.toast.error(str(denied))
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith("certificate")}
        self.uploads += 1
        await self._refresh()
        return rx.toast.success(display.DONE["certificate_added"])

    @rx.event
    @require_role()
    async def remove_certificate(self, certificate_id: str):
        me = actor()
        try:
            target = int(certificate_id)
        except (TypeError, ValueError):
            return rx.toast.error(display.NO_SUCH_CERTIFICATE)
        try:
            await asyncio.to_thread(with_user, trainer_certificates.remove_certificate, me.id, target)
        except (ValidationFailed, PermissionDenied) as refused:
            return rx.toast.error(_message(refused))
        await self._refresh()
        return rx.toast.success(display.DONE["certificate_removed"])


# --- /admin/trainers -----------------------------------------------------------------------



def _queue(me, status: str, page: int) -> dict:
    found = in_session(trainer_review.review_queue, me, status, page)
    return {"rows": [display.queue_row(row) for row in found.rows], "total": found.total, "page": found.page,
            "pages": found.pages, "counts": {k: str(v) for k, v in found.counts.items()}}


class TrainerReviewState(rx.State):
    status: str = "pending"
    page: int = 1
    pages: int = 1
    total: int = 0
    counts: dict[str, str] = {}
    rows: list[dict] = []
    # The refused reason, shown at the reason field of that one application.
    reason_error_for: str = ""
    reason_error: str = ""

    async def _refresh(self) -> None:
        view = await asyncio.to_thread(_queue, actor(), self.status, self.page)
        self.rows, self.total, self.page, self.pages = view["rows"], view["total"], view["page"], view["pages"]
        self.counts = view["counts"]

    @rx.event
    @require_role(*STAFF)
    async def load(self):
        self.reason_error_for = self.reason_error = ""
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def show(self, status: str):
        self.status = status if status in trainer_review.STATUSES else "pending"
        self.page, self.reason_error_for, self.reason_error = 1, "", ""
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def go_to_page(self, page: int):
        self.page = requested_page(page)
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def approve(self, trainer_id: str):
        try:
            target = int(trainer_id)
        except (TypeError, ValueError):
            return rx.toast.error(display.NO_SUCH_APPLICATION)
        try:
            await asyncio.to_thread(in_session, trainer_review.approve, actor(), target)
        except (PermissionDenied, ValidationFailed) as refused:
            return rx.toast.error(_message(refused))
        await self._refresh()
        return rx.toast.success(display.DONE["approved"])

    @rx.event
    @require_role(*STAFF)
    async def reject(self, form: dict):
        key = _clip(form, "trainer_id", 20)
        try:
            target = int(key)
        except (TypeError, ValueError):
            return rx.toast.error(display.NO_SUCH_APPLICATION)
        try:
            await asyncio.to_thread(in_session, trainer_review.reject, actor(), target, _clip(form, "reason", 5000))
        except ValidationFailed as failed:
            if "reason" in failed.errors:
                self.reason_error_for, self.reason_error = str(target), failed.errors["reason"]
                return
            return rx.toast.error(_message(failed))
        except PermissionDenied as denied:
            return rx.toast.error(str(denied))
        self.reason_error_for = self.reason_error = ""
        await self._refresh()
        return rx.toast.success(display.DONE["rejected"])


# --- /trainers/[trainer_id] ----------------------------------------------------------------


def _profile_view(trainer_id: int) -> dict:
    with session_scope() as session:
        return display.profile_view(trainers.public_profile(session, trainer_id))


class TrainerProfileState(rx.State):
    found: bool = True
    name: str = ""
    avatar: str = ""
    headline: str = ""
    bio: str = ""
    specialties: list[str] = []
    verified: bool = False
    since: str = ""
    rating: str = ""
    rating_count: int = 0
    programs: list[dict[str, str]] = []

    @rx.event
    @public
    async def load(self):
        raw = str(self.router.page.params.get("trainer_id", ""))[:12]
        try:
            view = await asyncio.to_thread(_profile_view, int(raw)) if raw.isdigit() else None
        except ValidationFailed:
            view = None
        self.found = view is not None
        if view is None:
            self.name = self.avatar = self.headline = self.bio = self.since = self.rating = ""
            self.specialties, self.programs, self.verified, self.rating_count = [], [], False, 0
            return
        self.name, self.avatar, self.headline, self.bio = view["name"], view["avatar"], view["headline"], view["bio"]
        self.specialties, self.verified, self.since = view["specialties"], view["verified"], view["since"]
        self.rating, self.rating_count, self.programs = view["rating"], view["rating_count"], view["programs"]
