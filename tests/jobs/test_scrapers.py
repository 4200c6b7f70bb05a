"""The scheduled scrapers end to end: real NCBI and YouTube answers served by a local transport."""

import dataclasses
import json
import logging
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session, func, select

from adaptivefit import db
from adaptivefit.config import load_settings
from adaptivefit.jobs import knowledge, pubmed, pubmed_topics, scrapers
from adaptivefit.jobs.http import Fetcher
from adaptivefit.models import KnowledgeRecord
from tests.conftest import SHARED_DATA, shared_data_missing
from tests.jobs.fakes import FakeClock, Recorder

PUBMED = SHARED_DATA / "pubmed"
YT = SHARED_DATA / "youtube"
FEED = YT / "feeds" / "atom-feed-youtube.xml"
VIDEO = YT / "data-api-v3" / "video_api_response.json"
SEARCH = YT / "data-api-v3" / "search_videos_by_channel.json"
# Three on the nutrition topic, one in German, one about pancreatic cancer.
ARTICLE_FILES = [
    PUBMED / "metapub" / "38747095.xml",
    PUBMED / "metapub" / "37905428.xml",
    PUBMED / "metapub" / "38048813.xml",
    PUBMED / "biopython" / "pubmed4.xml",
    PUBMED / "metapub" / "38356364.xml",
]
pytestmark = pytest.mark.skipif(
    shared_data_missing(*ARTICLE_FILES, PUBMED / "biopython" / "esearch2.xml", FEED, VIDEO, SEARCH),
    reason="../shared/data not found",
)
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
CHANNEL = "UC9PBzalIcEQCsiIkq36PyUA"
NUTRITION = next(t for t in pubmed_topics.TOPICS if t.key == "protein_nutrition")


class FakeNcbi:
    """ESearch answers with the real esearch2.xml (its Count set to our articles); EFetch serves
    slices of the real articles. `broken` maps a retstart to a Response to give instead."""

    def __init__(self):
        self.articles = [re.search(r"<PubmedArticle>.*</PubmedArticle>", p.read_text(encoding="utf-8"), re.S).group(0)
                         for p in ARTICLE_FILES]
        self.broken: dict[int, httpx.Response | Exception] = {}
        self.recorder = Recorder(self.handle)

    def handle(self, request):
        params = request.url.params
        if request.url.path.endswith("esearch.fcgi"):
            body = (PUBMED / "biopython" / "esearch2.xml").read_text(encoding="utf-8")
            return httpx.Response(200, text=re.sub(r"<Count>\d+</Count>", f"<Count>{len(self.articles)}</Count>", body))
        start, size = int(params["retstart"]), int(params["retmax"])
        if start in self.broken:
            answer = self.broken[start]
            if isinstance(answer, Exception):
                raise answer
            return answer
        chosen = "".join(self.articles[start:start + size])
        return httpx.Response(200, text=f'<?xml version="1.0" ?>\n<PubmedArticleSet>{chosen}</PubmedArticleSet>')

    def searches(self):
        return [r for r in self.recorder.requests if r.url.path.endswith("esearch.fcgi")]


def _settings(**changes):
    values = {"ncbi_api_key": None, "ncbi_email": "ops@example.org", "pubmed_languages": ("eng",),
              "youtube_api_key": None, "youtube_channels": ()} | changes
    return dataclasses.replace(load_settings(), **values)


def _run_pubmed(session, ncbi, now, **kwargs):
    clock = FakeClock()
    settings = _settings()
    with pubmed.ncbi_fetcher(settings, transport=ncbi.recorder.transport, clock=clock, sleep=clock.sleep,
                             max_attempts=2) as fetcher:
        run = knowledge.start_run(session, scrapers.PUBMED_JOB, now=now)
        counts = scrapers.run_pubmed(session, fetcher, settings, now=now, topics=(NUTRITION,), batch_size=2, **kwargs)
        knowledge.finish_run(session, run, counts, now=now)
        session.commit()
    return counts, clock


def _stored(source="pubmed"):
    with Session(db.get_engine()) as fresh:
        return sorted(fresh.exec(select(KnowledgeRecord.external_id).where(KnowledgeRecord.source == source)).all())


def test_pubmed_run_stores_relevant_articles_and_a_second_run_changes_nothing(session):
    ncbi = FakeNcbi()
    counts, clock = _run_pubmed(session, ncbi, NOW)
    assert counts == {"fetched": 5, "added": 3, "updated": 0, "skipped": 2, "errors": 0}
    assert _stored() == ["37905428", "38356364", "38747095"]
    # 1 search + 3 batches, a third of a second apart.
    assert len(ncbi.recorder.requests) == 4 and clock.now >= 3 / 3 - 1e-9
    first = ncbi.searches()[0].url.params
    assert first["mindate"] == "2025/11/24" and first["maxdate"] == "2026/11/24" and first["datetype"] == "edat"
    assert first["usehistory"] == "y" and first["retmax"] == "0"
    assert first["term"] == pubmed_topics.search_term(NUTRITION, ("eng",))
    efetch = ncbi.recorder.requests[1].url.params
    assert efetch["WebEnv"] == "MCID_6927d6e7fee3e90f880ec190" and efetch["query_key"] == "1"
    assert [r.url.params["retstart"] for r in ncbi.recorder.requests[1:]] == ["0", "2", "4"]

    later = NOW + timedelta(days=1)
    counts, _ = _run_pubmed(session, ncbi, later)
    assert counts == {"fetched": 5, "added": 0, "updated": 0, "skipped": 5, "errors": 0}
    # The second window starts a day before the first successful run began.
    assert ncbi.searches()[1].url.params["mindate"] == "2026/11/23"

    ncbi.articles[0] = ncbi.articles[0].replace("match-day dietary in", "match-day dietary (corrected) in", 1)
    counts, _ = _run_pubmed(session, ncbi, later + timedelta(days=1))
    assert (counts["added"], counts["updated"]) == (0, 1)


def test_a_failed_batch_is_counted_and_the_rest_kept(session, caplog):
    ncbi = FakeNcbi()
    ncbi.broken[0] = httpx.Response(500)
    with caplog.at_level(logging.WARNING):
        counts, clock = _run_pubmed(session, ncbi, NOW)
    assert counts == {"fetched": 3, "added": 1, "updated": 0, "skipped": 2, "errors": 1}
    assert _stored() == ["38356364"]
    assert "PubMed batch 0-2 for protein_nutrition failed" in caplog.text
    fetches = [r for r in ncbi.recorder.requests if r.url.path.endswith("efetch.fcgi")]
    assert [r.url.params["retstart"] for r in fetches] == ["0", "0", "2", "4"]  # the 500 was retried once
    # A partial run does not move the cursor: the next window starts where the last success did.
    assert knowledge.last_successful_run(session, scrapers.PUBMED_JOB) is None


def test_malformed_xml_in_a_batch_is_logged_and_skipped(session, caplog):
    ncbi = FakeNcbi()
    ncbi.broken[0] = httpx.Response(200, text=ncbi.articles[0][:3000])
    with caplog.at_level(logging.WARNING):
        counts, _ = _run_pubmed(session, ncbi, NOW)
    assert counts["errors"] == 1 and _stored() == ["38356364"]
    assert "not well-formed XML" in caplog.text


def test_a_crash_halfway_keeps_the_batches_already_stored(session):
    ncbi = FakeNcbi()
    ncbi.broken[2] = RuntimeError("disk on fire")
    settings = _settings()
    clock = FakeClock()
    with pubmed.ncbi_fetcher(settings, transport=ncbi.recorder.transport, clock=clock, sleep=clock.sleep) as fetcher:
        with pytest.raises(RuntimeError):
            scrapers.run_pubmed(session, fetcher, settings, now=NOW, topics=(NUTRITION,), batch_size=2)
    session.rollback()
    assert _stored() == ["37905428", "38747095"]


def test_a_failed_search_is_an_error_not_a_crash(session, caplog):
    recorder = Recorder(lambda request: httpx.Response(200, content=(PUBMED / "biopython" / "pubmed3.html").read_bytes()))
    settings = _settings()
    with pubmed.ncbi_fetcher(settings, transport=recorder.transport, sleep=lambda s: None) as fetcher:
        with caplog.at_level(logging.WARNING):
            counts = scrapers.run_pubmed(session, fetcher, settings, now=NOW)
    assert counts["errors"] == len(pubmed_topics.TOPICS) and counts["fetched"] == 0
    assert "HTML page" in caplog.text


def _fitness_feed():
    """The real feed with two entries retitled as training videos (in memory only)."""
    text = FEED.read_text(encoding="utf-8")
    text = text.replace("Digital Foundry Games of 2024: The Oliver Mackenzie Collection!",
                        "Squat technique: five common mistakes")
    return text.replace("Inside PlayStation 5 Pro: The Mark Cerny and Mike Fitzgerald Interview",
                        "Protein and nutrition for muscle growth")


def test_feeds_run_keeps_on_topic_videos_from_configured_channels(session):
    body = _fitness_feed()
    recorder = Recorder(lambda request: httpx.Response(200, text=body))
    settings = _settings(youtube_channels=(CHANNEL,))
    with Fetcher(transport=recorder.transport) as fetcher:
        counts = scrapers.run_feeds(session, fetcher, settings, now=datetime(2025, 1, 2, tzinfo=UTC))
        assert counts == {"fetched": 15, "added": 2, "updated": 0, "skipped": 13, "errors": 0}
        again = scrapers.run_feeds(session, fetcher, settings, now=datetime(2025, 1, 3, tzinfo=UTC))
        assert (again["added"], again["updated"]) == (0, 0)
    assert recorder.requests[0].url.params["channel_id"] == CHANNEL
    records = session.exec(select(KnowledgeRecord).order_by(KnowledgeRecord.id)).all()
    assert [(r.source, r.external_id, r.topic) for r in records] == [
        ("feed", "W_S7iKZZdHw", "technique"), ("feed", "E1EhcFMKoIU", "hypertrophy")]
    assert records[0].data["channel_id"] == CHANNEL and records[0].data["statistics"]["views"] == 23088


def test_feeds_run_without_channels_does_nothing(session):
    recorder = Recorder(lambda request: httpx.Response(500))
    with Fetcher(transport=recorder.transport) as fetcher:
        assert scrapers.run_feeds(session, fetcher, _settings(), now=NOW) == knowledge.new_counts()
    assert recorder.requests == []


def _fitness_video():
    payload = json.loads(VIDEO.read_text(encoding="utf-8"))
    payload["items"][0]["snippet"]["title"] = "Squat technique: common mistakes"
    return json.dumps(payload)


def _api(search=None, videos=None):
    def handle(request):
        if request.url.path.endswith("/search"):
            return search or httpx.Response(200, content=SEARCH.read_bytes())
        return videos or httpx.Response(200, text=_fitness_video())
    return Recorder(handle)


def test_youtube_api_run_stores_kept_videos_and_exports_them(session, tmp_path):
    recorder = _api()
    settings = _settings(youtube_api_key="KEY")
    with Fetcher(transport=recorder.transport) as fetcher:
        counts = scrapers.run_youtube(session, fetcher, settings, now=NOW, queries={"technique": "squat technique"})
    assert counts == {"fetched": 1, "added": 1, "updated": 0, "skipped": 0, "errors": 0}
    assert recorder.requests[0].url.params["publishedAfter"] == "2025-11-24T03:00:00Z"
    (record,) = session.exec(select(KnowledgeRecord)).all()
    assert (record.source, record.external_id, record.topic) == ("youtube", "D-lhorsDlUQ", "technique")
    assert record.data["duration_seconds"] == 1267 and record.data["statistics"]["likes"] == 190
    paths = knowledge.export_jsonl(session, tmp_path)
    assert json.loads(paths["youtube"].read_text())["title"] == "Squat technique: common mistakes"


def test_youtube_api_run_needs_a_key(session):
    recorder = _api()
    with Fetcher(transport=recorder.transport) as fetcher:
        assert scrapers.run_youtube(session, fetcher, _settings(), now=NOW) == knowledge.new_counts()
    assert recorder.requests == []


def test_quota_errors_are_not_retried(session, caplog):
    quota = httpx.Response(403, json={"error": {"code": 403, "errors": [{"domain": "youtube.quota",
                                                                          "reason": "quotaExceeded"}]}})
    recorder = _api(search=quota)
    with Fetcher(transport=recorder.transport, sleep=lambda s: None) as fetcher, caplog.at_level(logging.WARNING):
        counts = scrapers.run_youtube(session, fetcher, _settings(youtube_api_key="KEY"), now=NOW,
                                      queries={"strength": "strength", "recovery": "recovery"})
    assert counts["errors"] == 2 and len(recorder.requests) == 2
    assert "quotaExceeded" in caplog.text and "KEY" not in caplog.text


def test_truncated_json_is_logged_and_skipped(session, caplog):
    text = _fitness_video()
    recorder = _api(videos=httpx.Response(200, text=text[: len(text) // 2]))
    with Fetcher(transport=recorder.transport) as fetcher, caplog.at_level(logging.WARNING):
        counts = scrapers.run_youtube(session, fetcher, _settings(youtube_api_key="KEY"), now=NOW,
                                      queries={"technique": "squat technique"})
    assert counts["errors"] == 1 and counts["added"] == 0
    assert "not valid JSON" in caplog.text
    assert session.exec(select(func.count()).select_from(KnowledgeRecord)).one() == 0
