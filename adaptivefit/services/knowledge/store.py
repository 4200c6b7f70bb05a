"""The knowledge base's records: their identity, their content hash, writing them, exporting them.

A record is keyed by (source, external id): a PMID, a YouTube video id. A re-fetch that changes
nothing writes nothing; a changed abstract or title updates the record in place. Hidden records
stay in the table (so a re-fetch does not bring them back) but leave every export. Nothing here
commits: the scrapers commit once per batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from adaptivefit.models import KnowledgeRecord

EXPORT_FILES = {
    "pubmed": "pubmed_knowledge.jsonl",
    "youtube": "youtube_knowledge.jsonl",
    "feed": "rss_knowledge.jsonl",
    "curated": "curated_knowledge.jsonl",
}
# The same YouTube video can arrive through the Data API ("youtube") and a channel feed ("feed").
VIDEO_SOURCES = ("youtube", "feed")
COUNT_KEYS = ("fetched", "added", "updated", "skipped", "errors")
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


def upsert_records(
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
