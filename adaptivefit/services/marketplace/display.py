"""How the marketplace reads: labels, counts, ratings, prescriptions, and the rows each page shows.

State classes keep what these return and nothing else, so the wording of a program, a trainer or
a review lives here once and a studio row, a program's page and a trainer's page agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from adaptivefit.services.core import app_settings
from adaptivefit.services.marketplace import listing, programs
from adaptivefit.services.marketplace.listing import BrowsePage, ProgramPage
from adaptivefit.services.marketplace.program_builder import BuilderView, ProgramRow
from adaptivefit.services.marketplace.program_moderation import ModerationRow
from adaptivefit.services.marketplace.trainer_applications import Application
from adaptivefit.services.marketplace.trainer_review import QueueRow
from adaptivefit.services.marketplace.trainers import CertificateView, PublicProfile

GOAL_OPTIONS = [(g, programs.label(g)) for g in programs.GOALS]
LEVEL_OPTIONS = [(v, programs.label(v)) for v in programs.LEVELS]
SORT_OPTIONS = [("popular", "Most popular"), ("rating", "Highest rated"), ("newest", "Newest"),
                ("price_low", "Price: low to high"), ("price_high", "Price: high to low")]
# Each browse filter and the values it may take; anything else falls back to its default.
FILTERS = {"goal": dict(GOAL_OPTIONS), "level": dict(LEVEL_OPTIONS), "weeks": listing.WEEK_RANGES,
           "price": listing.PRICES, "min_rating": listing.RATINGS, "sort": dict(SORT_OPTIONS)}
CURRENCY_OPTIONS = [(c, c.upper()) for c in app_settings.CURRENCIES]
PROGRAM_STATUS_LABELS = {"draft": "Draft", "published": "Published", "unpublished": "Unpublished"}
APPLICATION_STATUS_LABELS = {"pending": "Pending", "approved": "Approved", "rejected": "Rejected"}

# What a toast says once an action went through.
DONE = {
    "details": "Details saved.",
    "cover": "Cover picture saved.",
    "published": "Published: the program is on the marketplace.",
    "unpublished": "Unpublished. Buyers keep their copies.",
    "hidden": "Program hidden; the trainer sees your reason.",
    "unhidden": "Program visible again.",
    "review_saved": "Thanks, your review is saved.",
    "review_deleted": "Your review is removed.",
    "review_removed": "The review is removed.",
    "profile_saved": "Profile saved.",
    "applied": "Application sent. A moderator will review it.",
    "certificate_added": "Certificate added.",
    "certificate_removed": "Certificate removed.",
    "approved": "Approved. They are now a verified trainer.",
    "rejected": "Rejected. The applicant sees your reason.",
}
NO_SUCH_APPLICATION = "No such application."
NO_SUCH_CERTIFICATE = "No such certificate."
CHOOSE_A_FILE = "Choose a file first."


def date_text(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).strftime("%d %b %Y")


def count(n: int, word: str) -> str:
    """"1 week", "3 weeks"."""
    return f"{n} {word}{'s' * (n != 1)}"


def stars(avg: float, ratings: int) -> str:
    """"★★★★☆ 4.2 (5)": a rating as the marketplace shows it."""
    if ratings == 0:
        return "No ratings yet"
    full = int(round(avg))
    return "★" * full + "☆" * (5 - full) + f" {avg:.1f} ({ratings})"


def rating_short(avg: float, ratings: int) -> str:
    """"4.2 ★ (5)": a rating in the studio's list."""
    return "No ratings yet" if ratings == 0 else f"{avg:.1f} ★ ({ratings})"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def prescription(e: dict) -> str:
    """"4 × 6-8 @ 75% 1RM · RPE 8 · rest 120 s": a planned exercise as a lifter reads it."""
    reps = str(e["reps_min"]) if e["reps_min"] == e["reps_max"] else f"{e['reps_min']}-{e['reps_max']}"
    parts = [f"{e['sets']} × {reps}"]
    if e.get("load_kg"):
        parts[0] += f" @ {_number(e['load_kg'])} kg"
    if e.get("percent_1rm"):
        parts[0] += f" @ {_number(e['percent_1rm'])}% 1RM"
    if e.get("target_rpe") is not None:
        parts.append(f"RPE {_number(e['target_rpe'])}")
    if e.get("target_rir") is not None:
        parts.append(f"{e['target_rir']} RIR")
    parts.append(f"rest {e['rest_s']} s")
    return " · ".join(parts)


# --- /marketplace and /programs/[id] ----------------------------------------------------------


def browse_view(found: BrowsePage) -> dict:
    return {"total": found.total, "page": found.page, "pages": found.pages, "cards": [{
        "id": str(r.id), "href": f"/programs/{r.id}", "title": r.title, "trainer": r.trainer_name,
        "verified": "yes" if r.verified else "", "level": programs.label(r.level), "goal": programs.label(r.goal),
        "weeks": count(r.weeks, "week"), "price": r.price,
        "rating": stars(r.rating_avg, r.rating_count), "cover": r.cover_image or "",
    } for r in found.cards]}


def program_page_view(page: ProgramPage) -> dict:
    """Every value the program's page shows, as text."""
    s = page.summary
    mine = page.my_review
    my_rating, my_body = (str(mine.rating), mine.body) if mine else ("5", "")
    return {
        "pid": str(page.id), "title": page.title, "description": page.description, "price": page.price,
        "price_kind": page.price_kind, "facts": [page.goal, page.level, count(page.weeks, "week")],
        "cover": page.cover_image or "", "trainer_name": page.trainer_name, "trainer_headline": page.trainer_headline,
        "verified": page.verified, "trainer_href": f"/trainers/{page.trainer_id}" if page.trainer_id else "",
        "equipment": ", ".join(page.equipment) or "No equipment needed", "version": f"Version {page.version}",
        "summary": (f"{count(s['weeks'], 'week')} of training, {count(s['days'], 'day')}, "
                    f"{count(s['exercises'], 'planned exercise')}"),
        "week_one": [{"name": d["name"], "exercises": [{"name": e["exercise_name"], "prescription": prescription(e),
                                                        "notes": e.get("notes", "")} for e in d["exercises"]]}
                     for d in page.week_one],
        "rating": stars(page.rating_avg, page.rating_count),
        "reviews": [{"id": str(r.id), "author": r.author, "stars": "★" * r.rating + "☆" * (5 - r.rating),
                     "rating": str(r.rating), "body": r.body, "date": r.updated_at.strftime("%d %b %Y")}
                    for r in page.reviews],
        "reviews_page": page.reviews_page, "reviews_pages": page.reviews_pages,
        "is_owner": page.is_owner, "has_access": page.has_access, "can_review": page.can_review,
        "listed": page.listed, "plan_href": f"/plans?plan={page.plan_id}" if page.plan_id else "/plans",
        "has_review": mine is not None, "my_rating": my_rating, "my_body": my_body,
        "review_key": f"{page.id}-{my_rating}-{len(my_body)}-{mine is not None}",
    }


# --- /studio, the builder and /admin/programs -------------------------------------------------


def studio_row(r: ProgramRow) -> dict[str, str]:
    return {
        "id": str(r.id), "title": r.title, "status": r.status,
        "status_label": PROGRAM_STATUS_LABELS.get(r.status, r.status),
        "hidden": "yes" if r.hidden else "", "reason": r.hidden_reason,
        "version": f"v{r.version}" if r.version else "not published yet", "price": r.price,
        "sales": count(r.sales_count, "sale"), "rating": rating_short(r.rating_avg, r.rating_count),
        "updated": date_text(r.updated_at),
    }


def builder_view(view: BuilderView, equipment: list[tuple[int, str]]) -> dict:
    """The builder's form values, equipment choices, status, versions and structure summary."""
    chosen = set(view.equipment_ids)
    s = view.summary
    return {
        "pid": str(view.id),
        "form": {"title": view.title, "description": view.description, "goal": view.goal, "level": view.level,
                 "duration_weeks": str(view.duration_weeks), "price_kind": view.price_kind, "price": view.price,
                 "currency": view.currency},
        "equipment": [{"id": str(i), "name": n, "checked": "yes" if i in chosen else ""} for i, n in equipment],
        "cover": view.cover_image or "", "status": view.status,
        "status_label": PROGRAM_STATUS_LABELS.get(view.status, view.status),
        "hidden": view.hidden, "hidden_reason": view.hidden_reason, "version": view.current_version,
        "sales": count(view.sales_count, "sale"),
        "versions": [{"version": f"Version {v.version}", "changelog": v.changelog or "—", "date": date_text(v.created_at)}
                     for v in view.versions],
        "summary": f"{count(s['weeks'], 'week')}, {count(s['days'], 'day')}, {count(s['exercises'], 'exercise')}",
        "has_exercises": s["exercises"] > 0, "unpublished_changes": view.unpublished_changes,
        "plan_link": f"/plans?plan={view.draft_plan_id}",
    }


def moderation_row(r: ModerationRow) -> dict[str, str]:
    return {"id": str(r.id), "title": r.title, "trainer": r.trainer_name,
            "status": PROGRAM_STATUS_LABELS.get(r.status, r.status), "hidden": "yes" if r.hidden else "",
            "reason": r.hidden_reason, "price": r.price, "updated": date_text(r.updated_at)}


# --- /become-a-trainer, /admin/trainers, /trainers/[id] ---------------------------------------


def certificate_row(c: CertificateView) -> dict[str, str]:
    return {"id": str(c.id), "title": c.title, "url": c.url, "kind": "PDF" if c.is_pdf else "Picture",
            "uploaded": date_text(c.uploaded_at)}


def application_view(found: Application | None) -> dict:
    if found is None:
        return {"status": "", "form": {"headline": "", "bio": "", "specialties": ""}, "reason": "", "id": "",
                "applied": "", "certificates": []}
    return {
        "status": found.status, "reason": found.rejection_reason, "id": str(found.trainer_id),
        "applied": date_text(found.applied_at),
        "form": {"headline": found.headline, "bio": found.bio, "specialties": ", ".join(found.specialties)},
        "certificates": [certificate_row(c) for c in found.certificates],
    }


def queue_row(row: QueueRow) -> dict:
    return {
        "id": str(row.trainer_id), "name": row.name, "email": row.email, "status": row.status,
        "headline": row.headline, "bio": row.bio, "specialties": ", ".join(row.specialties),
        "applied": date_text(row.applied_at), "reviewed": date_text(row.reviewed_at),
        "reviewer": row.reviewer or "a former moderator", "reason": row.rejection_reason,
        "certificates": [certificate_row(c) for c in row.certificates],
    }


def profile_view(found: PublicProfile) -> dict:
    return {
        "name": found.name, "avatar": found.avatar, "headline": found.headline, "bio": found.bio,
        "specialties": found.specialties, "verified": found.verified, "since": date_text(found.member_since),
        "rating": f"{found.rating_avg:.1f}" if found.rating_count else "",
        "rating_count": found.rating_count,
        "programs": [{
            "id": str(p.id), "title": p.title, "level": p.level.capitalize(),
            "weeks": count(p.duration_weeks, "week"), "price": p.price,
            "rating": f"{p.rating_avg:.1f} ({p.rating_count})" if p.rating_count else "No ratings yet",
        } for p in found.programs],
    }
