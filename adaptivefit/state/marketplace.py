"""/marketplace and /programs/[program_id]: public browsing and a program's page. Thin: services decide.

Anyone may browse, so those handlers are public; they resolve the visitor from the session token
on the server when they need to know who is looking ("equipment I have", access, reviews).
"""

from __future__ import annotations

import asyncio

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.services.marketplace import listing, programs
from adaptivefit.services.core.access import STAFF, PermissionDenied, ValidationFailed
from adaptivefit.state.guard import actor, public, require_role, resolve_actor
from adaptivefit.state.programs import route_id

WEEK_RANGES = {"": (None, None), "1-4": (1, 4), "5-8": (5, 8), "9-12": (9, 12), "13+": (13, None)}
PRICES = {"": ("", None), "free": ("free", None), "paid": ("paid", None), "under10": ("", 1000),
          "under30": ("", 3000)}
RATINGS = {"": None, "3": 3.0, "4": 4.0, "4.5": 4.5}
GOAL_OPTIONS = [(g, programs.label(g)) for g in programs.GOALS]
LEVEL_OPTIONS = [(v, programs.label(v)) for v in programs.LEVELS]
SORT_OPTIONS = [("popular", "Most popular"), ("rating", "Highest rated"), ("newest", "Newest"),
                ("price_low", "Price: low to high"), ("price_high", "Price: high to low")]
FILTERS = {"goal": dict(GOAL_OPTIONS), "level": dict(LEVEL_OPTIONS), "weeks": WEEK_RANGES, "price": PRICES,
           "min_rating": RATINGS, "sort": dict(SORT_OPTIONS)}


def _stars(avg: float, count: int) -> str:
    if count == 0:
        return "No ratings yet"
    full = int(round(avg))
    return "★" * full + "☆" * (5 - full) + f" {avg:.1f} ({count})"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


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


async def _visitor(state: rx.State):
    from adaptivefit.state.auth import AuthState

    token = (await state.get_state(AuthState)).session_token
    return await asyncio.to_thread(resolve_actor, token) if token else None


def _browse(me, filters: dict, page: int):
    with session_scope() as session:
        equipment = listing.my_equipment_ids(session, me) if me is not None and filters["mine"] else None
        if me is not None and filters["mine"] and equipment is None:
            equipment = []
        min_weeks, max_weeks = WEEK_RANGES.get(filters["weeks"], (None, None))
        price, max_price = PRICES.get(filters["price"], ("", None))
        return listing.browse(session, query=filters["query"], goal=filters["goal"], level=filters["level"],
                                  equipment_ids=equipment, min_weeks=min_weeks, max_weeks=max_weeks, price=price,
                                  max_price_cents=max_price, min_rating=RATINGS.get(filters["min_rating"]),
                                  sort=filters["sort"], page=page)


class MarketplaceState(rx.State):
    query: str = ""
    goal: str = ""
    level: str = ""
    weeks: str = ""
    price: str = ""
    min_rating: str = ""
    sort: str = "popular"
    mine: bool = False
    page: int = 1
    pages: int = 1
    total: int = 0
    cards: list[dict[str, str]] = []
    loaded: bool = False

    async def _refresh(self) -> None:
        me = await _visitor(self)
        filters = {"query": self.query, "goal": self.goal, "level": self.level, "weeks": self.weeks,
                   "price": self.price, "min_rating": self.min_rating, "sort": self.sort, "mine": self.mine}
        rows, total = await asyncio.to_thread(_browse, me, filters, self.page)
        self.total = total
        self.pages = max(1, -(-total // listing.PAGE_SIZE))
        self.cards = [{
            "id": str(r.id), "href": f"/programs/{r.id}", "title": r.title, "trainer": r.trainer_name,
            "verified": "yes" if r.verified else "", "level": programs.label(r.level), "goal": programs.label(r.goal),
            "weeks": _count(r.weeks, "week"), "price": r.price,
            "rating": _stars(r.rating_avg, r.rating_count), "cover": r.cover_image or "",
        } for r in rows]
        self.loaded = True

    @rx.event
    @public
    async def load(self):
        await self._refresh()

    @rx.event
    @public
    async def search(self, value: str):
        self.query, self.page = str(value)[: listing.QUERY_MAX], 1
        await self._refresh()

    @rx.event
    @public
    async def choose(self, name: str, value: str):
        """Set one filter (goal, level, weeks, price, min_rating, sort) to one of its known values."""
        allowed = FILTERS.get(str(name))
        if allowed is None:
            return
        value = str(value)
        default = "popular" if name == "sort" else ""
        setattr(self, name, value if value in allowed else default)
        self.page = 1
        await self._refresh()

    @rx.event
    @public
    async def only_my_equipment(self, value: bool):
        self.mine, self.page = bool(value), 1
        await self._refresh()

    @rx.event
    @public
    async def clear(self):
        self.query = self.goal = self.level = self.weeks = self.price = self.min_rating = ""
        self.sort, self.mine, self.page = "popular", False, 1
        await self._refresh()

    @rx.event
    @public
    async def go_to_page(self, page: int):
        try:
            self.page = min(max(1, int(page)), self.pages)
        except (TypeError, ValueError):
            return
        await self._refresh()


class ProgramPageState(rx.State):
    pid: str = ""
    found: bool = False
    loaded: bool = False
    title: str = ""
    description: str = ""
    facts: list[str] = []
    price: str = ""
    price_kind: str = ""
    cover: str = ""
    trainer_name: str = ""
    trainer_headline: str = ""
    trainer_href: str = ""
    verified: bool = False
    equipment: str = ""
    version: str = ""
    summary: str = ""
    week_one: list[dict] = []
    rating: str = ""
    reviews: list[dict[str, str]] = []
    reviews_page: int = 1
    reviews_pages: int = 1
    signed_in: bool = False
    is_owner: bool = False
    has_access: bool = False
    plan_href: str = ""
    can_review: bool = False
    my_rating: str = ""
    my_body: str = ""
    has_review: bool = False
    review_key: str = ""
    listed: bool = True
    errors: dict[str, str] = {}

    def _read(self, me, program_id: int) -> None:
        with session_scope() as session:
            page = listing.program_page(session, me, program_id, reviews_page=self.reviews_page)
        self.loaded, self.signed_in = True, me is not None
        if page is None:
            self.found, self.pid = False, ""
            return
        self.found, self.pid = True, str(page.id)
        self.title, self.description, self.price, self.price_kind = page.title, page.description, page.price, page.price_kind
        self.facts = [page.goal, page.level, _count(page.weeks, "week")]
        self.cover = page.cover_image or ""
        self.trainer_name, self.trainer_headline, self.verified = page.trainer_name, page.trainer_headline, page.verified
        self.trainer_href = f"/trainers/{page.trainer_id}" if page.trainer_id else ""
        self.equipment = ", ".join(page.equipment) or "No equipment needed"
        self.version = f"Version {page.version}"
        s = page.summary
        self.summary = (f"{_count(s['weeks'], 'week')} of training, {_count(s['days'], 'day')}, "
                        f"{_count(s['exercises'], 'planned exercise')}")
        self.week_one = [{"name": d["name"], "exercises": [{"name": e["exercise_name"], "prescription": prescription(e),
                                                           "notes": e.get("notes", "")} for e in d["exercises"]]}
                         for d in page.week_one]
        self.rating = _stars(page.rating_avg, page.rating_count)
        self.reviews = [{"id": str(r.id), "author": r.author, "stars": "★" * r.rating + "☆" * (5 - r.rating),
                         "rating": str(r.rating), "body": r.body, "date": r.updated_at.strftime("%d %b %Y")}
                        for r in page.reviews]
        self.reviews_pages = max(1, -(-page.reviews_total // listing.REVIEWS_PAGE_SIZE))
        self.is_owner, self.has_access, self.can_review, self.listed = (page.is_owner, page.has_access,
                                                                        page.can_review, page.listed)
        self.plan_href = f"/plans?plan={page.plan_id}" if page.plan_id else "/plans"
        self.has_review = page.my_review is not None
        self.my_rating = str(page.my_review.rating) if page.my_review else "5"
        self.my_body = page.my_review.body if page.my_review else ""
        self.review_key = f"{self.pid}-{self.my_rating}-{len(self.my_body)}-{self.has_review}"

    async def _refresh(self, program_id: int | None = None) -> None:
        me = await _visitor(self)
        target = program_id if program_id is not None else int(self.pid or 0)
        await asyncio.to_thread(self._read, me, target)

    @rx.event
    @public
    async def load(self):
        self.errors, self.reviews_page, self.loaded = {}, 1, False
        program_id = route_id(self.router.url.path, "/programs")
        await self._refresh(program_id if program_id is not None else 0)

    @rx.event
    @public
    async def go_to_reviews_page(self, page: int):
        try:
            self.reviews_page = min(max(1, int(page)), self.reviews_pages)
        except (TypeError, ValueError):
            return
        await self._refresh()

    async def _review(self, fn, *args, done: str):
        if not self.pid:
            return None
        program_id = int(self.pid)
        try:
            await asyncio.to_thread(_with_session, fn, actor(), program_id, *args)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return None
        except PermissionDenied as refused:
            return rx.toast.error(str(refused))
        self.errors = {}
        await self._refresh()
        return rx.toast.success(done)

    @rx.event
    @require_role()
    async def save_review(self, form: dict):
        return await self._review(listing.upsert_review, str(form.get("rating", ""))[:4],
                                  str(form.get("body", ""))[:3000], done="Thanks, your review is saved.")

    @rx.event
    @require_role()
    async def delete_review(self):
        return await self._review(listing.delete_review, done="Your review is removed.")

    @rx.event
    @require_role(*STAFF)
    async def remove_review(self, form: dict):
        """A moderator removes someone else's review, with a reason."""
        raw_id = str(form.get("review_id", ""))[:12]
        if not raw_id.isdigit():
            return None
        try:
            await asyncio.to_thread(_with_session, listing.remove_review, actor(), int(raw_id),
                                    str(form.get("reason", ""))[:1000])
        except ValidationFailed as failed:
            self.errors = {f"remove-{raw_id}": next(iter(failed.errors.values()))}
            return None
        except PermissionDenied as refused:
            return rx.toast.error(str(refused))
        self.errors = {}
        await self._refresh()
        return rx.toast.success("The review is removed.")


def _with_session(fn, *args):
    with session_scope() as session:
        return fn(session, *args)
