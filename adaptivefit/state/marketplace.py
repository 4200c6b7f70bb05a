"""/marketplace and /programs/[program_id]: public browsing and a program's page. Thin: services decide.

Anyone may browse, so those handlers are public; they resolve the visitor from the session token
on the server when they need to know who is looking ("equipment I have", access, reviews).
"""

from __future__ import annotations

import asyncio

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.services.core.access import STAFF, PermissionDenied, ValidationFailed
from adaptivefit.services.core.paging import requested_page
from adaptivefit.services.marketplace import display, listing
from adaptivefit.state.guard import actor, public, refusal_text, require_role, resolve_actor
from adaptivefit.state.programs import route_id

# The pages' option lists, read here because pages import only state.
GOAL_OPTIONS, LEVEL_OPTIONS, SORT_OPTIONS = display.GOAL_OPTIONS, display.LEVEL_OPTIONS, display.SORT_OPTIONS


async def _visitor(state: rx.State):
    from adaptivefit.state.auth import AuthState

    token = (await state.get_state(AuthState)).session_token
    return await asyncio.to_thread(resolve_actor, token) if token else None


def _browse(me, choices: dict, page: int) -> dict:
    with session_scope() as session:
        return display.browse_view(listing.browse_choices(session, me, choices, page))


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
        view = await asyncio.to_thread(_browse, me, filters, self.page)
        self.total, self.page, self.pages, self.cards = view["total"], view["page"], view["pages"], view["cards"]
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
        allowed = display.FILTERS.get(str(name))
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
        self.page = requested_page(page)
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
            view = display.program_page_view(page) if page is not None else None
        self.loaded, self.signed_in = True, me is not None
        self.found = view is not None
        if view is None:
            self.pid = ""
            return
        for name, value in view.items():
            setattr(self, name, value)

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
        self.reviews_page = requested_page(page)
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
                                  str(form.get("body", ""))[:3000], done=display.DONE["review_saved"])

    @rx.event
    @require_role()
    async def delete_review(self):
        return await self._review(listing.delete_review, done=display.DONE["review_deleted"])

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
            self.errors = {f"remove-{raw_id}": refusal_text(failed)}
            return None
        except PermissionDenied as refused:
            return rx.toast.error(str(refused))
        self.errors = {}
        await self._refresh()
        return rx.toast.success(display.DONE["review_removed"])


def _with_session(fn, *args):
    with session_scope() as session:
        return fn(session, *args)
