"""Moderating the knowledge base: find records, filter them, see who hid what and why.

The moderators' view of the table, and the one place records are hidden and shown again. Every
function checks that the actor is a moderator or an admin. Hiding or showing a PubMed record
rebuilds the coach's evidence index once the caller's transaction commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, func
from sqlmodel import Session, col, select

from adaptivefit.coach import evidence
from adaptivefit.models import KnowledgeRecord, Role, User
from adaptivefit.models.base import utcnow
from adaptivefit.models.knowledge import KNOWLEDGE_SOURCES
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import STAFF, Actor, ValidationFailed, require
from adaptivefit.services.core.paging import window
from adaptivefit.services.core.search import matches_any
from adaptivefit.services.knowledge.store import VIDEO_SOURCES

log = logging.getLogger("adaptivefit.knowledge")

PAGE_SIZE = 25
QUERY_MAX = 200
SNIPPET_CHARS = 240
VISIBILITIES = ("visible", "hidden", "all")
REASON_MAX = 500


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
        conditions.append(matches_any(query, KnowledgeRecord.title, KnowledgeRecord.text, KnowledgeRecord.external_id))
    if source:
        conditions.append(KnowledgeRecord.source == source)
    if topic:
        conditions.append(KnowledgeRecord.topic == topic)
    if visibility == "visible":
        conditions.append(col(KnowledgeRecord.hidden).is_(False))
    elif visibility == "hidden":
        conditions.append(col(KnowledgeRecord.hidden).is_(True))
    total = session.exec(select(func.count()).select_from(KnowledgeRecord).where(*conditions)).one()
    shown = window(page, total, page_size)
    published = col(KnowledgeRecord.published_at)
    rows = session.exec(
        select(KnowledgeRecord, User.name)
        .outerjoin(User, col(User.id) == col(KnowledgeRecord.hidden_by))
        .where(*conditions)
        .order_by(published.is_(None), published.desc(), col(KnowledgeRecord.fetched_at).desc(),
                  col(KnowledgeRecord.id).desc())
        .offset(shown.offset)
        .limit(shown.limit)
    ).all()
    return RecordPage(
        rows=[RecordRow(
            id=record.id, source=record.source, external_id=record.external_id, topic=record.topic,
            title=record.title or record.external_id, url=_safe_url(record.url), published_at=record.published_at,
            fetched_at=record.fetched_at, snippet=snippet(record.text, query), hidden=record.hidden,
            hidden_reason=record.hidden_reason if record.hidden else "",
            hidden_by=(name or "") if record.hidden else "", hidden_at=record.hidden_at if record.hidden else None,
        ) for record, name in rows],
        total=total, page=shown.page, pages=shown.pages,
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


# -- hiding and showing ----------------------------------------------------------------------

def _record_and_twins(session: Session, record_id: int) -> list[KnowledgeRecord]:
    """The record, and for a video the same video stored through the other route."""
    record = session.get(KnowledgeRecord, record_id) if isinstance(record_id, int) else None
    if record is None:
        raise ValidationFailed({"record": "No such knowledge record."})
    targets = [record]
    if record.source in VIDEO_SOURCES:
        targets += session.exec(select(KnowledgeRecord).where(
            col(KnowledgeRecord.source).in_(VIDEO_SOURCES),
            KnowledgeRecord.external_id == record.external_id,
            KnowledgeRecord.id != record.id,
        )).all()
    return targets


def _reload_evidence_on_commit(session: Session) -> None:
    """The coach cites visible PubMed records: rebuild its index once this change is committed.

    After the commit, not now, so a rolled-back change never reaches the index; once per
    transaction however many records it changed. A failed rebuild is logged and leaves the old
    index: the change itself is already safe in the database.
    """
    if session.info.get("reload_evidence"):
        return
    session.info["reload_evidence"] = True

    def reload(committed: Session) -> None:
        committed.info.pop("reload_evidence", None)
        try:
            with Session(committed.get_bind()) as fresh:
                evidence.reload(fresh)
        except Exception:
            log.warning("Could not rebuild the evidence index after a moderation change", exc_info=True)

    event.listen(session, "after_commit", reload, once=True)


def hide(session: Session, actor: Actor, record_id: int, reason: str) -> KnowledgeRecord:
    """A moderator takes a record out of the training set; its twin from the other video route goes too."""
    require(actor, Role.MODERATOR, Role.ADMIN)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the record is hidden."})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": f"Keep the reason to {REASON_MAX} characters or fewer."})
    targets = _record_and_twins(session, record_id)
    record = targets[0]
    now = utcnow()
    for target in targets:
        target.hidden, target.hidden_reason, target.hidden_by, target.hidden_at = True, reason, actor.id, now
        session.add(target)
    audit.record(session, "knowledge_hidden", actor_id=actor.id, ip_address=actor.ip_address,
                 record_id=record.id, source=record.source, external_id=record.external_id, reason=reason)
    session.flush()
    if record.source == "pubmed":
        _reload_evidence_on_commit(session)
    return record


def unhide(session: Session, actor: Actor, record_id: int) -> KnowledgeRecord:
    """A moderator puts a hidden record back into the training set (and its video twin with it).

    The hiding's reason, author and time are cleared from the record; the audit log keeps them.
    """
    require(actor, Role.MODERATOR, Role.ADMIN)
    targets = _record_and_twins(session, record_id)
    record = targets[0]
    if not record.hidden:
        raise ValidationFailed({"record": "This record is not hidden."})
    previous = record.hidden_reason
    for target in targets:
        target.hidden, target.hidden_reason, target.hidden_by, target.hidden_at = False, "", None, None
        session.add(target)
    audit.record(session, "knowledge_unhidden", actor_id=actor.id, ip_address=actor.ip_address,
                 record_id=record.id, source=record.source, external_id=record.external_id,
                 hidden_reason=previous)
    session.flush()
    if record.source == "pubmed":
        _reload_evidence_on_commit(session)
    return record
