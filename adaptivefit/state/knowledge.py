"""/admin/knowledge: moderators search the knowledge base and hide records from training (or show them again).

Every handler is guarded for moderators and admins; the services check the role again, so a
handler called directly by any browser with made-up arguments changes nothing it may not.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.models.knowledge import KNOWLEDGE_SOURCES
from adaptivefit.services.knowledge import moderation
from adaptivefit.services.core.access import STAFF, Actor
from adaptivefit.services.core.paging import requested_page
from adaptivefit.state.guard import actor, attempt, require_role

ALL = "all"
SOURCE_LABELS = {"pubmed": "PubMed", "youtube": "YouTube", "feed": "Channel feeds", "curated": "Curated phrases"}
VISIBILITY_LABELS = {"visible": "Visible", "hidden": "Hidden", "all": "All"}


def _when(value: datetime | None, *, with_time: bool = True) -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")


def _row(row: moderation.RecordRow) -> dict[str, str]:
    return {
        "id": str(row.id), "source": row.source, "source_label": SOURCE_LABELS.get(row.source, row.source),
        "external_id": row.external_id, "topic": row.topic or "—", "title": row.title, "url": row.url,
        "published": _when(row.published_at, with_time=False), "added": _when(row.fetched_at, with_time=False),
        "snippet": row.snippet, "hidden": "yes" if row.hidden else "", "reason": row.hidden_reason,
        "hidden_by": row.hidden_by or "a former moderator", "hidden_at": _when(row.hidden_at),
    }


def _view(me: Actor, *, query: str, source: str, topic: str, visibility: str, page: int) -> dict:
    source = "" if source == ALL else source
    with session_scope() as session:
        topics = moderation.topics(session, me, source)
        topic = topic if topic in topics else ALL
        result = moderation.list_records(session, me, query=query, source=source,
                                              topic="" if topic == ALL else topic, visibility=visibility, page=page)
        counts = moderation.source_counts(session, me)
    return {
        "rows": [_row(row) for row in result.rows], "total": result.total, "page": result.page,
        "pages": result.pages, "topics": topics, "topic": topic,
        "counts": [{"source": c.source, "label": SOURCE_LABELS.get(c.source, c.source), "total": str(c.total),
                    "hidden": str(c.hidden)} for c in counts],
    }



class KnowledgeAdminState(rx.State):
    query: str = ""
    source: str = ALL
    topic: str = ALL
    visibility: str = "visible"
    page: int = 1
    pages: int = 1
    total: int = 0
    rows: list[dict[str, str]] = []
    counts: list[dict[str, str]] = []
    topics: list[str] = []

    async def _refresh(self) -> None:
        view = await asyncio.to_thread(_view, actor(), query=self.query, source=self.source, topic=self.topic,
                                       visibility=self.visibility, page=self.page)
        self.rows, self.total, self.page, self.pages = view["rows"], view["total"], view["page"], view["pages"]
        self.topics, self.topic, self.counts = view["topics"], view["topic"], view["counts"]

    @rx.event
    @require_role(*STAFF)
    async def load(self):
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def search(self, value: str):
        self.query, self.page = str(value)[: moderation.QUERY_MAX], 1
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def filter_source(self, value: str):
        self.source = value if value in KNOWLEDGE_SOURCES else ALL
        self.page = 1
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def filter_topic(self, value: str):
        self.topic, self.page = str(value)[:48], 1
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def filter_visibility(self, value: str):
        self.visibility = value if value in moderation.VISIBILITIES else "visible"
        self.page = 1
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def go_to_page(self, page: int):
        self.page = requested_page(page)
        await self._refresh()

    async def _act(self, fn, *args, done: str):
        refused = await attempt(fn, *args)
        if refused:
            return rx.toast.error(refused)
        await self._refresh()
        return rx.toast.success(done)

    @rx.event
    @require_role(*STAFF)
    async def hide(self, form: dict):
        try:
            record_id = int(form.get("record_id", ""))
        except (TypeError, ValueError):
            return rx.toast.error("No such knowledge record.")
        return await self._act(moderation.hide, record_id, str(form.get("reason", ""))[:1000],
                               done="Record hidden from training.")

    @rx.event
    @require_role(*STAFF)
    async def unhide(self, record_id: str):
        try:
            target = int(record_id)
        except (TypeError, ValueError):
            return rx.toast.error("No such knowledge record.")
        return await self._act(moderation.unhide, target,
                               done="Record visible to training again.")
