"""The marketplace: browsing and searching listed programs, a program's page, and buyers' reviews.

Listed means published, not hidden by a moderator, and by an approved trainer. Browsing pages
on the server (LIMIT/OFFSET over the listing indexes on training_programs) so thousands of
programs cost the same as ten. Ratings are kept on the program row in step with its reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, not_, or_
from sqlmodel import Session, select

from adaptivefit.models import (
    Equipment,
    EquipmentProfile,
    EquipmentProfileItem,
    ProgramEquipment,
    ProgramReview,
    Trainer,
    TrainingProgram,
    User,
)
from adaptivefit.models.base import utcnow
from adaptivefit.services.catalog.exercises_admin import text
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import STAFF, Actor, PermissionDenied, ValidationFailed, require
from adaptivefit.services.core.paging import window
from adaptivefit.services.marketplace import entitlements, pricing
from adaptivefit.services.marketplace.programs import (
    GOALS,
    LEVELS,
    is_listed,
    label,
    structure_summary,
    version_structure,
    visible_program,
)

PAGE_SIZE = 24
REVIEWS_PAGE_SIZE = 10
QUERY_MAX = 120
REVIEW_MAX = 2000
# The browse page's choices, each read into the filters `browse` takes.
WEEK_RANGES = {"": (None, None), "1-4": (1, 4), "5-8": (5, 8), "9-12": (9, 12), "13+": (13, None)}
PRICES = {"": ("", None), "free": ("free", None), "paid": ("paid", None), "under10": ("", 1000),
          "under30": ("", 3000)}
RATINGS = {"": None, "3": 3.0, "4": 4.0, "4.5": 4.5}


@dataclass(frozen=True)
class ProgramCard:
    id: int
    title: str
    trainer_id: int
    trainer_name: str
    verified: bool
    goal: str
    level: str
    weeks: int
    price_kind: str
    price: str
    rating_avg: float
    rating_count: int
    sales_count: int
    cover_image: str | None


@dataclass(frozen=True)
class BrowsePage:
    cards: list[ProgramCard]
    total: int
    page: int
    pages: int


def my_equipment_ids(session: Session, user: User | Actor | None) -> list[int] | None:
    """Equipment usable now at the member's default profile; None when they have no profile."""
    if user is None:
        return None
    profile = session.exec(select(EquipmentProfile).where(EquipmentProfile.user_id == user.id)
                           .order_by(EquipmentProfile.is_default.desc(), EquipmentProfile.id)).first()
    if profile is None:
        return None
    return sorted(session.exec(select(EquipmentProfileItem.equipment_id).where(
        EquipmentProfileItem.profile_id == profile.id,
        EquipmentProfileItem.temporarily_unavailable.is_(False))).all())


def _listed():
    return and_(TrainingProgram.status == "published", TrainingProgram.hidden.is_(False),
                Trainer.status == "approved")


def browse(
    session: Session,
    *,
    query: str = "",
    goal: str = "",
    level: str = "",
    equipment_ids: list[int] | None = None,
    min_weeks: int | None = None,
    max_weeks: int | None = None,
    price: str = "",
    max_price_cents: int | None = None,
    min_rating: float | None = None,
    sort: str = "popular",
    page: object = 1,
    page_size: int = PAGE_SIZE,
) -> BrowsePage:
    """One page of listed programs matching every filter given, how many match in all, and the pages.

    `equipment_ids`: only programs whose required equipment is all among these (None: no filter).
    `price`: "free" or "paid"; `max_price_cents` keeps free programs and those at or under it.
    """
    conditions = [_listed()]
    query = " ".join(text(query).split())[:QUERY_MAX]
    if query:
        conditions.append(or_(TrainingProgram.name.icontains(query, autoescape=True),
                              TrainingProgram.description.icontains(query, autoescape=True)))
    if goal in GOALS:
        conditions.append(TrainingProgram.goal == goal)
    if level in LEVELS:
        conditions.append(TrainingProgram.level == level)
    if equipment_ids is not None:
        missing = select(ProgramEquipment.program_id).where(ProgramEquipment.program_id == TrainingProgram.id)
        if equipment_ids:
            missing = missing.where(ProgramEquipment.equipment_id.not_in(list(equipment_ids)))
        conditions.append(not_(exists(missing)))
    if min_weeks is not None:
        conditions.append(TrainingProgram.duration_weeks >= min_weeks)
    if max_weeks is not None:
        conditions.append(TrainingProgram.duration_weeks <= max_weeks)
    if price == "free":
        conditions.append(TrainingProgram.price_kind == "free")
    elif price == "paid":
        conditions.append(TrainingProgram.price_kind != "free")
    if max_price_cents is not None:
        conditions.append(or_(TrainingProgram.price_kind == "free", TrainingProgram.price_cents <= max_price_cents))
    if min_rating:
        conditions.append(and_(TrainingProgram.rating_count > 0, TrainingProgram.rating_avg >= min_rating))

    order = {
        "popular": [TrainingProgram.sales_count.desc(), TrainingProgram.rating_avg.desc()],
        "rating": [TrainingProgram.rating_avg.desc(), TrainingProgram.rating_count.desc()],
        "newest": [TrainingProgram.published_at.desc()],
        # Free programs are stored at 0 cents, so price sorts on the listing index.
        "price_low": [TrainingProgram.price_cents.asc()],
        "price_high": [TrainingProgram.price_cents.desc()],
    }.get(sort, [TrainingProgram.sales_count.desc()])
    joined = select(func.count()).select_from(TrainingProgram).join(Trainer, Trainer.user_id == TrainingProgram.owner_id)
    total = session.exec(joined.where(*conditions)).one()
    shown = window(page, total, max(1, min(int(page_size), 100)))
    rows = session.exec(
        select(TrainingProgram, Trainer.id, Trainer.certification_verified, User.name)
        .join(Trainer, Trainer.user_id == TrainingProgram.owner_id)
        .join(User, User.id == TrainingProgram.owner_id)
        .where(*conditions)
        .order_by(*order, TrainingProgram.id.desc())
        .limit(shown.limit)
        .offset(shown.offset)
    ).all()
    cards = [ProgramCard(p.id, p.name, trainer_id, name, verified, p.goal, p.level, p.duration_weeks, p.price_kind,
                         pricing.price_text(p), p.rating_avg, p.rating_count, p.sales_count, p.cover_image)
             for p, trainer_id, verified, name in rows]
    return BrowsePage(cards=cards, total=total, page=shown.page, pages=shown.pages)


def browse_choices(session: Session, viewer: User | Actor | None, choices: dict, page: object = 1) -> BrowsePage:
    """`browse` for the page's choices (query, goal, level, weeks, price, min_rating, sort, mine).

    "Only equipment I have" with no equipment profile yet shows what needs no equipment.
    """
    equipment = None
    if viewer is not None and choices.get("mine"):
        equipment = my_equipment_ids(session, viewer) or []
    min_weeks, max_weeks = WEEK_RANGES.get(choices.get("weeks", ""), (None, None))
    price, max_price = PRICES.get(choices.get("price", ""), ("", None))
    return browse(session, query=choices.get("query", ""), goal=choices.get("goal", ""),
                  level=choices.get("level", ""), equipment_ids=equipment, min_weeks=min_weeks, max_weeks=max_weeks,
                  price=price, max_price_cents=max_price, min_rating=RATINGS.get(choices.get("min_rating", "")),
                  sort=choices.get("sort", "popular"), page=page)


# --- A program's page --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    id: int
    author: str
    rating: int
    body: str
    updated_at: datetime
    mine: bool


@dataclass(frozen=True)
class ProgramPage:
    id: int
    title: str
    description: str
    goal: str
    level: str
    weeks: int
    price_kind: str
    price: str
    cover_image: str | None
    trainer_id: int | None
    trainer_name: str
    trainer_headline: str
    verified: bool
    equipment: list[str]
    version: int
    summary: dict[str, int]
    week_one: list[dict]
    rating_avg: float
    rating_count: int
    reviews: list[ReviewRow]
    reviews_total: int
    reviews_page: int
    reviews_pages: int
    listed: bool
    is_owner: bool
    has_access: bool
    plan_id: int | None
    can_review: bool
    my_review: ReviewRow | None


def _first_name(name: str) -> str:
    return (name.split() or ["A buyer"])[0]


@dataclass(frozen=True)
class ReviewsPage:
    rows: list[ReviewRow]
    total: int
    page: int
    pages: int


def list_reviews(session: Session, program_id: int, viewer_id: int | None = None, page: object = 1) -> ReviewsPage:
    total = session.exec(select(func.count()).select_from(ProgramReview)
                         .where(ProgramReview.program_id == program_id)).one()
    shown = window(page, total, REVIEWS_PAGE_SIZE)
    rows = session.exec(select(ProgramReview, User.name).join(User, User.id == ProgramReview.user_id)
                        .where(ProgramReview.program_id == program_id)
                        .order_by(ProgramReview.updated_at.desc(), ProgramReview.id.desc())
                        .limit(shown.limit).offset(shown.offset)).all()
    return ReviewsPage(rows=[ReviewRow(r.id, _first_name(name), r.rating, r.body, r.updated_at, r.user_id == viewer_id)
                             for r, name in rows], total=total, page=shown.page, pages=shown.pages)


def program_page(session: Session, viewer: User | Actor | None, program_id: int, *,
                 reviews_page: int = 1) -> ProgramPage | None:
    """Everything the program's page shows, or None when the viewer may not see the program."""
    program = visible_program(session, viewer, program_id)
    if program is None:
        return None
    viewer_id = viewer.id if viewer is not None else None
    trainer_row = session.exec(select(Trainer, User.name).join(User, User.id == Trainer.user_id)
                               .where(Trainer.user_id == program.owner_id)).first()
    trainer, trainer_name = trainer_row if trainer_row else (None, "")
    equipment = session.exec(select(Equipment.name).join(ProgramEquipment, ProgramEquipment.equipment_id == Equipment.id)
                             .where(ProgramEquipment.program_id == program.id).order_by(Equipment.name)).all()
    structure = version_structure(session, program.id, program.current_version) if program.current_version else {"days": []}
    week_one = [day for day in structure["days"] if day["week"] == 1]
    reviews = list_reviews(session, program.id, viewer_id, reviews_page)
    access = entitlements.program_access(session, viewer_id, program.id) if viewer_id else None
    mine = session.exec(select(ProgramReview).where(ProgramReview.program_id == program.id,
                                                    ProgramReview.user_id == viewer_id)).first() if viewer_id else None
    return ProgramPage(
        id=program.id, title=program.name, description=program.description, goal=label(program.goal),
        level=label(program.level), weeks=program.duration_weeks, price_kind=program.price_kind,
        price=pricing.price_text(program), cover_image=program.cover_image,
        trainer_id=trainer.id if trainer else None, trainer_name=trainer_name,
        trainer_headline=trainer.headline if trainer else "", verified=bool(trainer and trainer.certification_verified),
        equipment=list(equipment), version=program.current_version, summary=structure_summary(structure),
        week_one=week_one, rating_avg=program.rating_avg, rating_count=program.rating_count,
        reviews=reviews.rows, reviews_total=reviews.total, reviews_page=reviews.page, reviews_pages=reviews.pages,
        listed=is_listed(session, program), is_owner=viewer_id == program.owner_id,
        has_access=access is not None, plan_id=access.plan_id if access is not None else None,
        can_review=(bool(viewer_id) and viewer_id != program.owner_id
                    and entitlements.has_purchased(session, viewer_id, program.id)),
        my_review=(ReviewRow(mine.id, "You", mine.rating, mine.body, mine.updated_at, True) if mine else None),
    )


# --- Reviews -----------------------------------------------------------------------------------


def _refresh_rating(session: Session, program: TrainingProgram) -> None:
    session.flush()
    count, average = session.exec(select(func.count(), func.avg(ProgramReview.rating))
                                  .where(ProgramReview.program_id == program.id)).one()
    program.rating_count = count
    program.rating_avg = round(float(average or 0.0), 2)
    session.add(program)
    session.flush()


def upsert_review(session: Session, user: User | Actor, program_id: int, rating, body: str = "") -> ProgramReview:
    """A buyer's one review of a program; writing again edits it."""
    if user is None:
        raise PermissionDenied("Sign in to do this.")
    program = visible_program(session, user, program_id)
    if program is None:
        raise PermissionDenied("That program was not found.")
    if program.owner_id == user.id or not entitlements.has_purchased(session, user.id, program.id):
        raise PermissionDenied("Only people who bought this program can review it.")
    errors: dict[str, str] = {}
    try:
        stars = int(text(rating))
    except ValueError:
        stars = 0
    if not 1 <= stars <= 5:
        errors["rating"] = "Choose from 1 to 5 stars."
    body = str(body or "").strip()
    if len(body) > REVIEW_MAX:
        errors["body"] = f"Keep the review to {REVIEW_MAX} characters or fewer."
    if errors:
        raise ValidationFailed(errors)
    review = session.exec(select(ProgramReview).where(ProgramReview.program_id == program.id,
                                                      ProgramReview.user_id == user.id)).first()
    if review is None:
        review = ProgramReview(program_id=program.id, user_id=user.id, rating=stars, body=body)
    else:
        review.rating, review.body, review.updated_at = stars, body, utcnow()
    session.add(review)
    _refresh_rating(session, program)
    return review


def delete_review(session: Session, user: User | Actor, program_id: int) -> None:
    """Remove the caller's own review."""
    if user is None:
        raise PermissionDenied("Sign in to do this.")
    review = session.exec(select(ProgramReview).where(ProgramReview.program_id == program_id,
                                                      ProgramReview.user_id == user.id)).first()
    if review is None:
        return
    program = session.get(TrainingProgram, review.program_id)
    session.delete(review)
    _refresh_rating(session, program)

REMOVAL_REASON_MAX = 500


def remove_review(session: Session, moderator: Actor, review_id: int, reason: str) -> None:
    """A moderator takes down someone's review (abuse, spam, not about the program), with a reason
    kept in the audit log; the program's rating is recomputed without it."""
    require(moderator, *STAFF)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the review is removed."})
    if len(reason) > REMOVAL_REASON_MAX:
        raise ValidationFailed({"reason": f"Keep the reason to {REMOVAL_REASON_MAX} characters or fewer."})
    review = session.get(ProgramReview, int(review_id))
    if review is None:
        raise ValidationFailed({"reason": "That review is already gone."})
    program = session.get(TrainingProgram, review.program_id)
    audit.record(session, "review_removed", user_id=review.user_id, actor_id=moderator.id,
                 ip_address=moderator.ip_address, program_id=review.program_id, rating=review.rating,
                 body=review.body[:200], reason=reason)
    session.delete(review)
    _refresh_rating(session, program)
