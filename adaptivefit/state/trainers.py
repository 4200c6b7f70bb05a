"""Trainer applications (/become-a-trainer), their review (/admin/trainers), public profiles (/trainers/[id]).

Every handler is guarded or deliberately public; the services check role and ownership again, so
a handler called by any browser with made-up arguments changes nothing it may not. The browser
gets the signed certificate URLs the server made, never file names or other members' data beyond
what the page shows to whoever may see it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.services.marketplace import trainers
from adaptivefit.services.core.access import STAFF, PermissionDenied, ValidationFailed
from adaptivefit.state.guard import actor, public, require_role, with_user

STATUS_LABELS = {"pending": "Pending", "approved": "Approved", "rejected": "Rejected"}
PRICE_KIND_LABELS = {"free": "Free", "one_time": "One-time", "subscription": "Monthly"}


def _date(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%d %b %Y") if value is not None else ""


def _money(cents: int, currency: str) -> str:
    return f"{cents / 100:,.2f} {currency.upper()}"


def _certificate(c: trainers.CertificateView) -> dict[str, str]:
    return {"id": str(c.id), "title": c.title, "url": c.url, "kind": "PDF" if c.is_pdf else "Picture",
            "uploaded": _date(c.uploaded_at)}


def _message(refused: Exception) -> str:
    return str(refused) if isinstance(refused, PermissionDenied) else next(iter(refused.errors.values()))


def _clip(form: dict, name: str, limit: int) -> str:
    return str(form.get(name, "") or "")[:limit]


# --- /become-a-trainer ---------------------------------------------------------------------


def _application_view(session, user) -> dict:
    found = trainers.my_application(session, user)
    if found is None:
        return {"status": "", "form": {"headline": "", "bio": "", "specialties": ""}, "reason": "", "id": "",
                "applied": "", "certificates": []}
    return {
        "status": found.status, "reason": found.rejection_reason, "id": str(found.trainer_id),
        "applied": _date(found.applied_at),
        "form": {"headline": found.headline, "bio": found.bio, "specialties": ", ".join(found.specialties)},
        "certificates": [_certificate(c) for c in found.certificates],
    }


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
            # The database decides which it is, not the page the browser last saw.
            approved = trainers.is_approved_trainer(session, user.id)
            if approved:
                trainers.update_profile(session, user, fields)
            else:
                trainers.apply(session, user, fields, ip_address=me.ip_address)
            return approved, _application_view(session, user)

        try:
            approved, view = await asyncio.to_thread(with_user, save, me.id)
        except ValidationFailed as failed:
            self.errors, self.form = failed.errors, fields
            return
        except PermissionDenied as denied:
            return rx.toast.error(str(denied))
        self.errors = {}
        self._show(view)
        return rx.toast.success("Profile saved." if approved else "Application sent. A moderator will review it.")

    @rx.event
    @require_role()
    async def add_certificate(self, files: list[rx.UploadFile], title: str = ""):
        me = actor()
        if not files:
            return rx.toast.error("Choose a file first.")
        upload = files[0]
        # One byte past the limit: enough to refuse an oversized file without reading it all.
        data = await upload.read(trainers.MAX_CERTIFICATE_BYTES + 1)
        title, filename = str(title or "")[: trainers.TITLE_MAX * 2], str(getattr(upload, "filename", "") or "")
        try:
            await asyncio.to_thread(with_user, trainers.add_certificate, me.id, title, data, filename)
        except ValidationFailed as failed:
            self.errors = {**{k: v for k, v in self.errors.items() if not k.startswith("certificate")},
                           **failed.errors}
            return rx.toast.error(_message(failed))
        except PermissionDenied as denied:
            return rx.toast.error(str(denied))
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith("certificate")}
        self.uploads += 1
        await self._refresh()
        return rx.toast.success("Certificate added.")

    @rx.event
    @require_role()
    async def remove_certificate(self, certificate_id: str):
        me = actor()
        try:
            target = int(certificate_id)
        except (TypeError, ValueError):
            return rx.toast.error("No such certificate.")
        try:
            await asyncio.to_thread(with_user, trainers.remove_certificate, me.id, target)
        except (ValidationFailed, PermissionDenied) as refused:
            return rx.toast.error(_message(refused))
        await self._refresh()
        return rx.toast.success("Certificate removed.")


# --- /admin/trainers -----------------------------------------------------------------------


def _queue_row(row: trainers.QueueRow) -> dict:
    return {
        "id": str(row.trainer_id), "name": row.name, "email": row.email, "status": row.status,
        "headline": row.headline, "bio": row.bio, "specialties": ", ".join(row.specialties),
        "applied": _date(row.applied_at), "reviewed": _date(row.reviewed_at),
        "reviewer": row.reviewer or "a former moderator", "reason": row.rejection_reason,
        "certificates": [_certificate(c) for c in row.certificates],
    }


def _run(fn, *args):
    with session_scope() as session:
        return fn(session, *args)


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
        result = await asyncio.to_thread(_run, trainers.review_queue, actor(), self.status, self.page)
        self.rows = [_queue_row(row) for row in result.rows]
        self.total, self.page, self.pages = result.total, result.page, result.pages
        self.counts = {k: str(v) for k, v in result.counts.items()}

    @rx.event
    @require_role(*STAFF)
    async def load(self):
        self.reason_error_for = self.reason_error = ""
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def show(self, status: str):
        self.status = status if status in trainers.STATUSES else "pending"
        self.page, self.reason_error_for, self.reason_error = 1, "", ""
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def go_to_page(self, page: int):
        try:
            self.page = max(1, int(page))
        except (TypeError, ValueError):
            return
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def approve(self, trainer_id: str):
        try:
            target = int(trainer_id)
        except (TypeError, ValueError):
            return rx.toast.error("No such application.")
        try:
            await asyncio.to_thread(_run, trainers.approve, actor(), target)
        except (PermissionDenied, ValidationFailed) as refused:
            return rx.toast.error(_message(refused))
        await self._refresh()
        return rx.toast.success("Approved. They are now a verified trainer.")

    @rx.event
    @require_role(*STAFF)
    async def reject(self, form: dict):
        key = _clip(form, "trainer_id", 20)
        try:
            target = int(key)
        except (TypeError, ValueError):
            return rx.toast.error("No such application.")
        try:
            await asyncio.to_thread(_run, trainers.reject, actor(), target, _clip(form, "reason", 5000))
        except ValidationFailed as failed:
            if "reason" in failed.errors:
                self.reason_error_for, self.reason_error = str(target), failed.errors["reason"]
                return
            return rx.toast.error(_message(failed))
        except PermissionDenied as denied:
            return rx.toast.error(str(denied))
        self.reason_error_for = self.reason_error = ""
        await self._refresh()
        return rx.toast.success("Rejected. The applicant sees your reason.")


# --- /trainers/[trainer_id] ----------------------------------------------------------------


def _profile_view(trainer_id: int) -> dict:
    with session_scope() as session:
        found = trainers.public_profile(session, trainer_id)
    return {
        "name": found.name, "avatar": found.avatar, "headline": found.headline, "bio": found.bio,
        "specialties": found.specialties, "verified": found.verified, "since": _date(found.member_since),
        "rating": f"{found.rating_avg:.1f}" if found.rating_count else "",
        "rating_count": found.rating_count,
        "programs": [{
            "id": str(p.id), "title": p.title, "level": p.level.capitalize(),
            "weeks": f"{p.duration_weeks} week" + ("" if p.duration_weeks == 1 else "s"),
            "price": "Free" if p.price_kind == "free" else _money(p.price_cents, p.currency)
            + (" a month" if p.price_kind == "subscription" else ""),
            "rating": f"{p.rating_avg:.1f} ({p.rating_count})" if p.rating_count else "No ratings yet",
        } for p in found.programs],
    }


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
