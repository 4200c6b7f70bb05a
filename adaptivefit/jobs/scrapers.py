"""The scrapers the scheduler runs: PubMed, YouTube channel feeds, the YouTube Data API.

Each takes a session, a fetcher and the settings, and returns counts
{fetched, added, updated, skipped, errors}. A bad record is logged and counted as skipped; a
failed request (after the fetcher's retries) is logged and counted as an error, and the run goes
on with the next batch. Every batch is committed on its own, so a failure halfway keeps what
was stored. The caller records the run (`knowledge.start_run` / `finish_run`); PubMed and the
Data API read their incremental cursor from the job's last successful run.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from adaptivefit.config import Settings
from adaptivefit.jobs import knowledge
from adaptivefit.jobs.http import Fetcher, FetchError
from adaptivefit.jobs.pubmed import MAX_RETRIEVABLE, PubMedClient, PubMedError
from adaptivefit.jobs.pubmed_topics import TOPICS, Topic, relevance, search_term
from adaptivefit.jobs.youtube import SEARCH_QUERIES, Quality, Video, YouTubeClient, YouTubeError, assess

log = logging.getLogger("adaptivefit.jobs.scrapers")

PUBMED_JOB = "pubmed"
FEEDS_JOB = "youtube_feeds"
YOUTUBE_JOB = "youtube_api"
# Each window starts a day before the last success began: Entrez dates are whole days, and an
# article counted twice is only skipped as unchanged.
OVERLAP = timedelta(days=1)


def _since(session: Session, job: str, now: datetime, initial_days: int) -> datetime:
    last = knowledge.last_successful_run(session, job)
    return last.started_at - OVERLAP if last else now - timedelta(days=initial_days)


def run_pubmed(
    session: Session,
    fetcher: Fetcher,
    settings: Settings,
    *,
    now: datetime,
    topics: tuple[Topic, ...] = TOPICS,
    batch_size: int = 100,
    max_per_topic: int = 500,
    initial_days: int = 365,
) -> dict[str, int]:
    """Search each topic for articles added since the last successful run and store the relevant ones.

    Build the fetcher with `pubmed.ncbi_fetcher(settings)` so it keeps to NCBI's rate.
    """
    client = PubMedClient.from_settings(fetcher, settings)
    since = _since(session, PUBMED_JOB, now, initial_days).astimezone(UTC).date()
    until = now.astimezone(UTC).date()
    counts = knowledge.new_counts()
    for topic in topics:
        try:
            search = client.esearch(search_term(topic, settings.pubmed_languages), mindate=since, maxdate=until,
                                    retmax=0)
        except (FetchError, PubMedError) as exc:
            counts["errors"] += 1
            log.warning("PubMed search for %s failed: %s", topic.key, exc)
            continue
        if search.count and not (search.webenv and search.query_key):
            counts["errors"] += 1
            log.warning("PubMed search for %s found %d but kept no history", topic.key, search.count)
            continue
        total = min(search.count, max_per_topic, MAX_RETRIEVABLE)
        if search.count > total:
            log.warning("PubMed search for %s found %d articles since %s; fetching the first %d",
                        topic.key, search.count, since, total)
        for start in range(0, total, batch_size):
            try:
                batch = client.efetch(search.webenv, search.query_key, retstart=start,
                                      retmax=min(batch_size, total - start))
            except (FetchError, PubMedError) as exc:
                counts["errors"] += 1
                log.warning("PubMed batch %d-%d for %s failed: %s", start, start + batch_size, topic.key, exc)
                continue
            counts["fetched"] += len(batch.articles) + len(batch.errors)
            counts["skipped"] += len(batch.errors)
            kept = []
            for article in batch.articles:
                keep, reason = relevance(article, topic, languages=settings.pubmed_languages)
                if keep:
                    kept.append(article)
                else:
                    counts["skipped"] += 1
                    log.debug("PubMed %s left out of %s: %s", article.pmid, topic.key, reason)
            knowledge.add_counts(counts, knowledge.upsert_articles(session, kept, topic.key, now=now))
            session.commit()
    log.info("PubMed run finished", extra={"counts": counts})
    return counts


def _judge(videos: list[Video], settings: Settings, now: datetime, counts: dict[str, int]) -> list[tuple[Video, Quality]]:
    kept = []
    for video in videos:
        quality = assess(video, now=now, allowed_channels=settings.youtube_channels)
        if quality.keep:
            kept.append((video, quality))
        else:
            counts["skipped"] += 1
            log.debug("YouTube %s left out: %s", video.video_id, quality.reason)
    return kept


def run_feeds(session: Session, fetcher: Fetcher, settings: Settings, *, now: datetime) -> dict[str, int]:
    """The newest uploads of each configured channel, through its RSS feed (no API key needed)."""
    client = YouTubeClient(fetcher)
    counts = knowledge.new_counts()
    for channel_id in settings.youtube_channels:
        try:
            videos, bad = client.feed(channel_id)
        except (FetchError, YouTubeError) as exc:
            counts["errors"] += 1
            log.warning("YouTube feed of %s failed: %s", channel_id, exc)
            continue
        counts["fetched"] += len(videos) + bad
        counts["skipped"] += bad
        kept = _judge(videos, settings, now, counts)
        knowledge.add_counts(counts, knowledge.upsert_videos(session, kept, source="feed", now=now))
        session.commit()
    log.info("YouTube feeds run finished", extra={"counts": counts})
    return counts


def run_youtube(
    session: Session,
    fetcher: Fetcher,
    settings: Settings,
    *,
    now: datetime,
    queries: dict[str, str] = SEARCH_QUERIES,
    max_results: int = 25,
    initial_days: int = 365,
) -> dict[str, int]:
    """Search the Data API once per category for videos published since the last success.

    Does nothing without YOUTUBE_API_KEY. Costs 2 requests per query: search.list has its own
    small daily quota, videos.list the shared 10,000 units.
    """
    counts = knowledge.new_counts()
    if not settings.youtube_api_key:
        log.info("YouTube Data API run skipped: YOUTUBE_API_KEY is not set")
        return counts
    client = YouTubeClient(fetcher, api_key=settings.youtube_api_key)
    published_after = _since(session, YOUTUBE_JOB, now, initial_days)
    for category, query in queries.items():
        try:
            ids = client.search(query, published_after=published_after, max_results=max_results)
            videos, bad = client.videos(ids)
        except (FetchError, YouTubeError) as exc:
            counts["errors"] += 1
            log.warning("YouTube search for %s failed: %s", category, exc)
            continue
        counts["fetched"] += len(videos) + bad
        counts["skipped"] += bad
        kept = _judge(videos, settings, now, counts)
        knowledge.add_counts(counts, knowledge.upsert_videos(session, kept, source="youtube", now=now))
        session.commit()
    log.info("YouTube Data API run finished", extra={"counts": counts})
    return counts
