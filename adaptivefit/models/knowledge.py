"""The knowledge base the coach learns from, and the record of each scheduled job's runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from adaptivefit.models.base import UTCDateTime, utcnow

KNOWLEDGE_SOURCES = ("pubmed", "youtube", "feed", "curated")
JOB_STATUSES = ("running", "success", "partial", "failed", "skipped")


class KnowledgeRecord(SQLModel, table=True):
    """One article, video or feed item, kept as fetched; moderators may hide it from training."""

    __tablename__ = "knowledge_records"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_knowledge_records_source_external_id"),
        Index("ix_knowledge_records_source_hidden", "source", "hidden"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=16)  # one of KNOWLEDGE_SOURCES
    # The source's own id: a PMID, a YouTube video id, a feed entry id.
    external_id: str = Field(max_length=128)
    topic: str = Field(default="", max_length=48, index=True, sa_column_kwargs={"server_default": ""})
    title: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    url: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    # Everything else the source said: authors, journal, MeSH terms, channel, statistics...
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    # Midnight UTC when the source gives only a date; the source's own wording is in data.
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True, index=True))
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    # SHA-256 of the normalised content, so a re-fetch that changes nothing writes nothing.
    content_hash: str = Field(max_length=64)
    hidden: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    hidden_reason: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    hidden_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    hidden_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class JobRun(SQLModel, table=True):
    """One run of a scheduled job. The last successful run of a job is its incremental cursor."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=48)
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    status: str = Field(default="running", max_length=16, sa_column_kwargs={"server_default": "running"})
    # {"fetched": n, "added": n, "updated": n, "skipped": n, "errors": n}
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # "schedule", "manual", or "user:<id>" when a person started it.
    triggered_by: str = Field(default="schedule", max_length=32, sa_column_kwargs={"server_default": "schedule"})
