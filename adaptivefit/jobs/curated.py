"""The project's curated coaching phrases as knowledge records, so moderators can hide them from training.

`adaptivefit/data/coach_phrases.json` stays where the project writes its phrases; `seed_curated`
mirrors it into the knowledge base as one `curated` record per phrase. A record's external id is a
hash of every field of its phrase, so an edited phrase is a new record, and the record of a phrase
that left the file stays (with any moderation it had) and is counted as stale: it is never deleted
here.

`visible_phrases` is what the coach's retraining trains on: the shipped phrases whose record a
moderator has not hidden. A stale record is not trained on even when visible: the project took
its phrase out of the file, and the file is checked by `coach.phrases.validate` (which an old
phrase might no longer pass). A database without curated records (a fresh one, before
`adaptivefit library` or the knowledge export ran) hides nothing, so training falls back to the
whole file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from adaptivefit.coach.phrases import Phrase, load_phrases
from adaptivefit.services.knowledge.store import content_hash
from adaptivefit.models import KnowledgeRecord
from adaptivefit.models.base import utcnow

SOURCE = "curated"
PHRASE_FIELDS = ("event", "action", "goal", "level", "scope")


def phrase_id(phrase: Phrase) -> str:
    """The phrase's stable external id: the first 16 hex digits of the SHA-256 of all its fields."""
    key = "|".join([*(getattr(phrase, name) for name in PHRASE_FIELDS), phrase.text])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def phrase_title(phrase: Phrase) -> str:
    return f"{phrase.event} → {phrase.action} ({phrase.goal}, {phrase.level})"


def _values(phrase: Phrase) -> dict:
    title = phrase_title(phrase)
    data = {name: getattr(phrase, name) for name in PHRASE_FIELDS}
    return {"topic": phrase.action, "title": title, "text": phrase.text, "data": data,
            "content_hash": content_hash(title, phrase.text, data)}


def seed_curated(session: Session, *, now: datetime | None = None,
                 phrases: Iterable[Phrase] | None = None) -> dict[str, int]:
    """Add a record for every shipped phrase that has none; counts phrases/added/updated/skipped/stale.

    Idempotent: a second run adds nothing. "updated" is a record whose title or fields were
    written in an older format; "stale" counts records whose phrase is no longer shipped. Hidden
    records stay hidden. Does not commit.
    """
    now = now or utcnow()
    wanted: dict[str, Phrase] = {}
    for phrase in load_phrases() if phrases is None else phrases:
        wanted.setdefault(phrase_id(phrase), phrase)
    existing = {record.external_id: record
                for record in session.exec(select(KnowledgeRecord).where(KnowledgeRecord.source == SOURCE))}
    counts = {"phrases": len(wanted), "added": 0, "updated": 0, "skipped": 0,
              "stale": len(existing.keys() - wanted.keys())}
    for external_id, phrase in wanted.items():
        values = _values(phrase)
        record = existing.get(external_id)
        if record is None:
            session.add(KnowledgeRecord(source=SOURCE, external_id=external_id, fetched_at=now, updated_at=now,
                                        **values))
            counts["added"] += 1
        elif record.content_hash != values["content_hash"]:
            for name, value in values.items():
                setattr(record, name, value)
            record.updated_at = now
            session.add(record)
            counts["updated"] += 1
        else:
            counts["skipped"] += 1
    session.flush()
    return counts


def hidden_ids(session: Session) -> set[str]:
    return set(session.exec(select(KnowledgeRecord.external_id).where(
        KnowledgeRecord.source == SOURCE, col(KnowledgeRecord.hidden).is_(True))))


def visible_phrases(session: Session, phrases: Iterable[Phrase] | None = None) -> list[Phrase]:
    """The phrases to train on: the shipped ones (or `phrases`), in file order, less those hidden."""
    hidden = hidden_ids(session)
    return [p for p in (load_phrases() if phrases is None else phrases) if phrase_id(p) not in hidden]
