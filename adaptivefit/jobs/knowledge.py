"""Ingest for the knowledge base: what the scrapers found becomes records, and each job run is kept.

The records themselves (identity, content hash, upsert, export) are `services/knowledge/store.py`;
hiding and showing them is `services/knowledge/moderation.py`. Nothing here commits: the scrapers
in `jobs/scrapers.py` commit once per batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from adaptivefit.jobs.pubmed import Article
from adaptivefit.jobs.youtube import Quality, Video
from adaptivefit.models import JobRun
from adaptivefit.models.base import utcnow
from adaptivefit.services.knowledge.store import (
    EXPORT_FILES,
    TITLE_MAX,
    VIDEO_SOURCES,
    add_counts,
    content_hash,
    export_jsonl,
    new_counts,
    upsert_records,
)

__all__ = ["EXPORT_FILES", "add_counts", "export_jsonl", "finish_run", "last_successful_run", "new_counts",
           "start_run", "upsert_articles", "upsert_videos"]

def _midnight(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


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

    return upsert_records(session, "pubmed", (row(a) for a in articles), now=now or utcnow())


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

    return upsert_records(session, source, (row(v, q) for v, q in scored), now=now or utcnow())


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
