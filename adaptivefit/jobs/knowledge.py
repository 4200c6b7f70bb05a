"""The knowledge base: store what the scrapers found, export it for training, let moderators hide it.

A record is keyed by (source, external id): a PMID, a YouTube video id. A re-fetch that changes
nothing writes nothing; a changed abstract or title updates the record in place. Hidden records
stay in the table (so a re-fetch does not bring them back) but leave every export, and a
moderator can show them again.

Nothing here commits: the scrapers in `jobs/scrapers.py` commit once per batch. Hiding or showing
a PubMed record rebuilds the coach's evidence index once the caller's transaction commits.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, col, select

from adaptivefit.coach import evidence
from adaptivefit.jobs.pubmed import Article
from adaptivefit.jobs.youtube import Quality, Video
from adaptivefit.models import JobRun, KnowledgeRecord, Role
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import Actor, ValidationFailed, require

log = logging.getLogger("adaptivefit.jobs.knowledge")

EXPORT_FILES = {
    "pubmed": "pubmed_knowledge.jsonl",
    "youtube": "youtube_knowledge.jsonl",
    "feed": "rss_knowledge.jsonl",
    "curated": "curated_knowledge.jsonl",
}
# The same YouTube video can arrive through the Data API ("youtube") and a channel feed ("feed").
VIDEO_SOURCES = ("youtube", "feed")
COUNT_KEYS = ("fetched", "added", "updated", "skipped", "errors")
REASON_MAX = 500
TITLE_MAX = 1000


def new_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


def add_counts(total: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value
    return total


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFC", value).split())
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    return value


def content_hash(title: str, text: str, fields: dict[str, Any]) -> str:
    """SHA-256 of the normalised content: whitespace and Unicode form changes are not changes."""
    payload = json.dumps(_normalise({"title": title, "text": text, "fields": fields}),
                         sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _midnight(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def _upsert(
    session: Session,
    source: str,
    rows: Iterable[tuple[str, str, dict[str, Any]]],
    *,
    now: datetime,
) -> dict[str, int]:
    """rows are (external_id, topic, values); values hold the record's columns and `content_hash`."""
    rows = list(rows)
    ids = [external_id for external_id, _, _ in rows]
    existing = {
        record.external_id: record
        for record in session.exec(
            select(KnowledgeRecord).where(KnowledgeRecord.source == source, col(KnowledgeRecord.external_id).in_(ids))
        )
    } if ids else {}
    counts = new_counts()
    for external_id, topic, values in rows:
        record = existing.get(external_id)
        if record is None:
            record = KnowledgeRecord(source=source, external_id=external_id, topic=topic, fetched_at=now,
                                     updated_at=now, **values)
            record.data = {**record.data, "topics": [topic]}
            session.add(record)
            existing[external_id] = record
            counts["added"] += 1
            continue
        topics = list(record.data.get("topics") or [record.topic])
        if topic not in topics:
            topics.append(topic)
        if record.content_hash == values["content_hash"]:
            if topics != record.data.get("topics"):
                record.data = {**record.data, "topics": topics}
                session.add(record)
            counts["skipped"] += 1
            continue
        for name, value in values.items():
            setattr(record, name, value)
        record.data = {**record.data, "topics": topics}
        record.fetched_at = now
        record.updated_at = now
        session.add(record)
        counts["updated"] += 1
    session.flush()
    return counts


def upsert_articles(session: Session, articles: Iterable[Article], topic: str, *,
                    now: datetime | None = None) -> dict[str, int]:
    """Add new PubMed articles, update changed ones, skip the unchanged. Counts added/updated/skipped."""
    def row(article: Article) -> tuple[str, str, dict[str, Any]]:
        data = article.as_data()
        return article.pmid, topic, {
            "title": article.title[:TITLE_MAX],
            "text": article.abstract,
            "url": article.url,
            "data": data,
            "published_at": _midnight(article.published),
            "content_hash": content_hash(article.title, article.abstract, data),
        }

    return _upsert(session, "pubmed", (row(a) for a in articles), now=now or utcnow())


def upsert_videos(session: Session, scored: Iterable[tuple[Video, Quality]], *, source: str = "youtube",
                  now: datetime | None = None) -> dict[str, int]:
    """Store kept videos, each with its quality verdict; the topic is the video's category.

    Statistics and the score change every day and are not content: they are stored when the
    video is added or its content changes, not on every fetch.
    """
    if source not in VIDEO_SOURCES:
        raise ValueError(f"videos come from {VIDEO_SOURCES}, not {source!r}")

    def row(video: Video, quality: Quality) -> tuple[str, str, dict[str, Any]]:
        content = {
            "channel_id": video.channel_id,
            "channel_title": video.channel_title,
            "duration_seconds": video.duration_seconds,
            "published_at": video.published_at.isoformat() if video.published_at else None,
            "tags": video.tags,
        }
        data = content | {
            "statistics": {"views": video.views, "likes": video.likes, "comments": video.comments},
            "quality": {"score": quality.score, "reason": quality.reason},
            "category": quality.category,
        }
        return video.video_id, quality.category or "", {
            "title": video.title[:TITLE_MAX],
            "text": video.description,
            "url": video.url,
            "data": data,
            "published_at": video.published_at,
            "content_hash": content_hash(video.title, video.description, content),
        }

    return _upsert(session, source, (row(v, q) for v, q in scored), now=now or utcnow())


def export_jsonl(session: Session, out_dir: Path | str) -> dict[str, Path]:
    """One JSONL file per source, hidden records left out; returns {source: path}.

    A feed item that is also stored from the Data API is written once, in the YouTube file.
    Each file is written beside its final name and renamed into place, so a reader never sees
    half a file.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    api_videos = set(session.exec(select(KnowledgeRecord.external_id).where(KnowledgeRecord.source == "youtube")))
    paths = {}
    for source, name in EXPORT_FILES.items():
        path = out_dir / name
        partial = path.with_suffix(".jsonl.partial")
        query = (
            select(KnowledgeRecord)
            .where(KnowledgeRecord.source == source, col(KnowledgeRecord.hidden).is_(False))
            .order_by(KnowledgeRecord.id)
            .execution_options(yield_per=500)
        )
        with partial.open("w", encoding="utf-8") as handle:
            for record in session.exec(query):
                if source == "feed" and record.external_id in api_videos:
                    continue
                handle.write(json.dumps(_export_row(record), ensure_ascii=False, default=str) + "\n")
        os.replace(partial, path)
        paths[source] = path
    return paths


def _export_row(record: KnowledgeRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "source": record.source,
        "external_id": record.external_id,
        "topic": record.topic,
        "title": record.title,
        "text": record.text,
        "url": record.url,
        "published_at": record.published_at.isoformat() if record.published_at else None,
        "updated_at": record.updated_at.isoformat(),
        "content_hash": record.content_hash,
        "data": record.data,
    }


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


# -- job runs --------------------------------------------------------------------------------

def last_successful_run(session: Session, job: str) -> JobRun | None:
    return session.exec(
        select(JobRun).where(JobRun.job == job, JobRun.status == "success")
        .order_by(col(JobRun.started_at).desc()).limit(1)
    ).first()


def start_run(session: Session, job: str, *, triggered_by: str = "schedule", now: datetime | None = None) -> JobRun:
    run = JobRun(job=job, started_at=now or utcnow(), status="running", counts=new_counts(), triggered_by=triggered_by)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: JobRun, counts: dict[str, int], *, error: str = "",
               now: datetime | None = None) -> JobRun:
    """failed when the run stopped on an error, partial when some requests failed, else success.

    Only a success moves a job's incremental cursor, so what a partial run missed is asked again.
    """
    run.counts = dict(counts)
    run.error = error
    run.status = "failed" if error else ("partial" if counts.get("errors") else "success")
    run.finished_at = now or utcnow()
    session.add(run)
    session.flush()
    return run
