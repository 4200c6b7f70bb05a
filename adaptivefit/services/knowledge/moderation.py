"""Moderating the knowledge base: find records, filter them, see who hid what and why.

Hiding and showing records is `jobs.knowledge.hide` / `unhide` (one place for the rule, used by
the page and the tests alike); this module is the moderators' view of the table. Every function
checks that the actor is a moderator or an admin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from adaptivefit.models import KnowledgeRecord, User
from adaptivefit.models.knowledge import KNOWLEDGE_SOURCES
from adaptivefit.services.core.access import STAFF, Actor, ValidationFailed, require

PAGE_SIZE = 25
QUERY_MAX = 200
SNIPPET_CHARS = 240
VISIBILITIES = ("visible", "hidden", "all")


@dataclass(frozen=True)
class RecordRow:
    id: int
    source: str
    external_id: str
    topic: str
    title: str
    url: str  # an http(s) link or ""
    published_at: datetime | None
    fetched_at: datetime
    snippet: str
    hidden: bool
    hidden_reason: str
    hidden_by: str  # the moderator's name, "" when not hidden or the account is gone
    hidden_at: datetime | None


@dataclass(frozen=True)
class RecordPage:
    rows: list[RecordRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class SourceCount:
    source: str
    total: int
    hidden: int


def _like_pattern(text: str) -> str:
    """A substring pattern in which the user's own % and _ stay literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _safe_url(url: str) -> str:
    """Only web links are shown as links: a stored javascript: or data: URL is never clickable."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def snippet(text: str, query: str = "", size: int = SNIPPET_CHARS) -> str:
    """About `size` characters of `text`, around the first match of `query` when there is one."""
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    at = text.lower().find(query.lower()) if query else -1
    start = max(0, min(at - size // 3, len(text) - size)) if at > 0 else 0
    end = start + size
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def list_records(session: Session, actor: Actor | None, *, query: str = "", source: str = "", topic: str = "",
                 visibility: str = "visible", page: int = 1, page_size: int = PAGE_SIZE) -> RecordPage:
    """One page of records, newest first (by publication date; records without one, such as the
    curated phrases, after those with one, most recently added first).

    `query` matches the title, the text or the source's id, case-insensitively; an empty
    `source` or `topic` means any; `visibility` is "visible", "hidden" or "all".
    """
    require(actor, *STAFF)
    if source and source not in KNOWLEDGE_SOURCES:
        raise ValidationFailed({"source": "Choose one of: " + ", ".join(KNOWLEDGE_SOURCES) + "."})
    if visibility not in VISIBILITIES:
        raise ValidationFailed({"visibility": "Choose one of: " + ", ".join(VISIBILITIES) + "."})
    conditions = []
    query = " ".join((query or "").split())[:QUERY_MAX]
    if query:
        pattern = _like_pattern(query)
        conditions.append(or_(*(col(column).ilike(pattern, escape="\\") for column in
                                (KnowledgeRecord.title, KnowledgeRecord.text, KnowledgeRecord.external_id))))
    if source:
        conditions.append(KnowledgeRecord.source == source)
    if topic:
        conditions.append(KnowledgeRecord.topic == topic)
    if visibility == "visible":
        conditions.append(col(KnowledgeRecord.hidden).is_(False))
    elif visibility == "hidden":
        conditions.append(col(KnowledgeRecord.hidden).is_(True))
    total = session.exec(select(func.count()).select_from(KnowledgeRecord).where(*conditions)).one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    published = col(KnowledgeRecord.published_at)
    rows = session.exec(
        select(KnowledgeRecord, User.name)
        .outerjoin(User, col(User.id) == col(KnowledgeRecord.hidden_by))
        .where(*conditions)
        .order_by(published.is_(None), published.desc(), col(KnowledgeRecord.fetched_at).desc(),
                  col(KnowledgeRecord.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return RecordPage(
        rows=[RecordRow(
            id=record.id, source=record.source, external_id=record.external_id, topic=record.topic,
            title=record.title or record.external_id, url=_safe_url(record.url), published_at=record.published_at,
            fetched_at=record.fetched_at, snippet=snippet(record.text, query), hidden=record.hidden,
            hidden_reason=record.hidden_reason if record.hidden else "",
            hidden_by=(name or "") if record.hidden else "", hidden_at=record.hidden_at if record.hidden else None,
        ) for record, name in rows],
        total=total, page=page, pages=pages,
    )


def source_counts(session: Session, actor: Actor | None) -> list[SourceCount]:
    """How many records each source holds, and how many of them are hidden (every source listed)."""
    require(actor, *STAFF)
    found = {source: (0, 0) for source in KNOWLEDGE_SOURCES}
    for source, hidden, count in session.exec(
        select(KnowledgeRecord.source, KnowledgeRecord.hidden, func.count())
        .group_by(KnowledgeRecord.source, KnowledgeRecord.hidden)
    ):
        total, hidden_count = found.get(source, (0, 0))
        found[source] = (total + count, hidden_count + (count if hidden else 0))
    return [SourceCount(source, total, hidden) for source, (total, hidden) in found.items()]


def topics(session: Session, actor: Actor | None, source: str = "") -> list[str]:
    """The topics in use (of one source, when given), alphabetically."""
    require(actor, *STAFF)
    query = select(KnowledgeRecord.topic).where(KnowledgeRecord.topic != "").distinct().order_by(KnowledgeRecord.topic)
    if source:
        query = query.where(KnowledgeRecord.source == source)
    return list(session.exec(query))
