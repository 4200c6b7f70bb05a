"""run_job and the job table: every run recorded, failures kept, duplicates refused, no network."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session, select

from adaptivefit import db
from adaptivefit.config import get_settings
from adaptivefit.coach.phrases import load_phrases
from adaptivefit.jobs import curated, knowledge, pubmed, pubmed_topics, registry, retrain
from adaptivefit.jobs.http import Fetcher
from adaptivefit.jobs.registry import JobAlreadyRunning, JobSpec, UnknownJob, run_job
from adaptivefit.models import JobRun, KnowledgeRecord
from tests.conftest import shared_data_missing
from tests.jobs.fakes import FakeClock, Recorder
from tests.jobs.test_scrapers import ARTICLE_FILES, CHANNEL, FEED, PUBMED, SEARCH, VIDEO, FakeNcbi, _api, _fitness_feed

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
needs_shared_data = pytest.mark.skipif(
    shared_data_missing(*ARTICLE_FILES, PUBMED / "biopython" / "esearch2.xml", FEED, VIDEO, SEARCH),
    reason="../shared/data not found",
)


def _run(run_id: int) -> JobRun:
    with Session(db.get_engine()) as session:
        return session.get(JobRun, run_id)


def _fake_job(monkeypatch, fn, name="fake", timeout=timedelta(minutes=5)):
    monkeypatch.setitem(registry.JOBS, name, JobSpec(name, "Fake job", "for tests", fn, "jobs_export_cron", timeout))
    return name


def test_a_run_is_recorded_with_its_counts_and_times(database, monkeypatch):
    seen = {}

    def job(settings, *, now, progress):
        seen["now"] = now
        return {"fetched": 3, "added": 2, "updated": 0, "skipped": 1, "errors": 0}

    name = _fake_job(monkeypatch, job)
    run = _run(run_job(name, triggered_by="manual", now=NOW))
    assert (run.job, run.status, run.triggered_by, run.error) == (name, "success", "manual", "")
    assert run.counts == {"fetched": 3, "added": 2, "updated": 0, "skipped": 1, "errors": 0}
    assert run.started_at == NOW == seen["now"] and run.finished_at >= run.started_at


def test_a_failing_job_is_recorded_as_failed_and_does_not_raise(database, monkeypatch):
    def job(settings, *, now, progress):
        raise RuntimeError("the service said no")

    run = _run(run_job(_fake_job(monkeypatch, job)))
    assert run.status == "failed" and run.error == "RuntimeError: the service said no"
    assert run.finished_at is not None


def test_errors_within_a_run_make_it_partial(database, monkeypatch):
    run = _run(run_job(_fake_job(monkeypatch, lambda settings, *, now, progress: {"fetched": 5, "errors": 2})))
    assert run.status == "partial"


def test_an_unknown_job_is_refused_by_name(database):
    with pytest.raises(UnknownJob, match="no job called 'nope'"):
        run_job("nope")
    with Session(db.get_engine()) as session:
        assert session.exec(select(JobRun)).all() == []


def test_a_job_already_running_is_refused_and_runs_again_once_done(database, monkeypatch):
    started, release = threading.Event(), threading.Event()

    def slow(settings, *, now, progress):
        started.set()
        assert release.wait(10)
        return {"added": 1}

    name = _fake_job(monkeypatch, slow)
    results = []
    first = threading.Thread(target=lambda: results.append(run_job(name, triggered_by="user:7")))
    first.start()
    assert started.wait(10)
    with pytest.raises(JobAlreadyRunning, match=r"Fake job is already running \(run \d+, started .* by user:7\)"):
        run_job(name, triggered_by="schedule")
    release.set()
    first.join(10)
    with Session(db.get_engine()) as session:
        assert [r.status for r in session.exec(select(JobRun))] == ["success"]
    started.clear()
    release.set()
    assert _run(run_job(name)).status == "success"


def test_a_run_left_running_by_a_dead_process_is_closed_as_failed(database, monkeypatch):
    name = _fake_job(monkeypatch, lambda settings, *, now, progress: {"added": 1})
    with Session(db.get_engine()) as session:
        knowledge.start_run(session, name, now=NOW - timedelta(hours=3))
        session.commit()
    run_job(name)
    with Session(db.get_engine()) as session:
        stale, fresh = session.exec(select(JobRun).order_by(JobRun.id)).all()
    assert stale.status == "failed" and "without finishing" in stale.error
    assert fresh.status == "success"


def test_progress_is_kept_on_the_running_run_and_passed_on(database, monkeypatch):
    seen_in_db, heard = [], []

    def job(settings, *, now, progress):
        progress(1, 4, "topic one")
        with Session(db.get_engine()) as session:
            seen_in_db.append(session.exec(select(JobRun)).one().counts["progress"])
        progress(4, 4, "done")
        return {"added": 4}

    run = _run(run_job(_fake_job(monkeypatch, job), progress=lambda d, t, n: heard.append((d, t, n))))
    assert seen_in_db == [{"done": 1, "total": 4, "note": "topic one"}]
    assert heard == [(1, 4, "topic one"), (4, 4, "done")]
    assert "progress" not in run.counts


# -- the real jobs, with their fetchers replaced by local transports -----------------------------

def _settings(**changes):
    values = {"ncbi_api_key": None, "ncbi_email": "ops@example.org", "pubmed_languages": ("eng",),
              "youtube_api_key": None, "youtube_channels": ()} | changes
    return dataclasses.replace(get_settings(), **values)


@needs_shared_data
def test_the_pubmed_job_searches_every_topic_through_the_fetcher(database, monkeypatch):
    ncbi, clock = FakeNcbi(), FakeClock()
    monkeypatch.setattr(registry, "pubmed_fetcher", lambda settings: pubmed.ncbi_fetcher(
        settings, transport=ncbi.recorder.transport, clock=clock, sleep=clock.sleep))
    notes = []
    run = _run(run_job("pubmed", now=NOW, settings=_settings(), progress=lambda d, t, n: notes.append((d, t))))
    assert run.status == "success" and run.counts["added"] >= 1
    assert len(ncbi.searches()) == len(pubmed_topics.TOPICS)
    assert notes[0] == (0, len(pubmed_topics.TOPICS)) and notes[-1] == (len(pubmed_topics.TOPICS),) * 2


@needs_shared_data
def test_the_feeds_job_reads_the_configured_channels(database, monkeypatch):
    body = _fitness_feed()
    recorder = Recorder(lambda request: httpx.Response(200, text=body))
    monkeypatch.setattr(registry, "youtube_fetcher", lambda settings: Fetcher(transport=recorder.transport))
    run = _run(run_job("youtube_feeds", now=datetime(2025, 1, 2, tzinfo=UTC),
                       settings=_settings(youtube_channels=(CHANNEL,))))
    assert run.status == "success" and run.counts["added"] == 2
    assert [r.url.params["channel_id"] for r in recorder.requests] == [CHANNEL]


def test_the_feeds_job_without_channels_is_skipped(database, monkeypatch):
    monkeypatch.setattr(registry, "youtube_fetcher", lambda settings: pytest.fail("no fetch without channels"))
    run = _run(run_job("youtube_feeds", settings=_settings()))
    assert run.status == "skipped" and "YOUTUBE_CHANNELS" in run.counts["reason"]


@needs_shared_data
def test_the_youtube_job_searches_each_category_with_a_key(database, monkeypatch):
    recorder = _api()
    monkeypatch.setattr(registry, "youtube_fetcher", lambda settings: Fetcher(transport=recorder.transport))
    run = _run(run_job("youtube_api", now=NOW, settings=_settings(youtube_api_key="KEY")))
    assert run.status == "success" and run.counts["added"] == 1
    searched = [r.url.params["q"] for r in recorder.requests if r.url.path.endswith("/search")]
    assert len(searched) == len(registry.SEARCH_QUERIES)


def test_the_youtube_job_without_a_key_is_skipped_and_keeps_its_cursor(database, monkeypatch):
    monkeypatch.setattr(registry, "youtube_fetcher", lambda settings: pytest.fail("no fetch without a key"))
    run = _run(run_job("youtube_api", settings=_settings()))
    assert run.status == "skipped" and run.counts == {"reason": "The YouTube Data API needs a key: YOUTUBE_API_KEY is not set."}
    with Session(db.get_engine()) as session:
        # "skipped" is not "success": the first run with a key still looks back a whole year.
        assert knowledge.last_successful_run(session, "youtube_api") is None


def test_the_export_job_writes_the_knowledge_files_under_the_home(database, tmp_path):
    with Session(db.get_engine()) as session:
        session.add(KnowledgeRecord(source="pubmed", external_id="1", title="Protein timing", text="Abstract.",
                                    content_hash="h1"))
        session.add(KnowledgeRecord(source="pubmed", external_id="2", title="Hidden", hidden=True, content_hash="h2"))
        session.commit()
    run = _run(run_job("knowledge_export"))
    assert run.status == "success"
    # The export job first seeds the shipped coaching phrases as curated records (jobs/curated.py).
    phrases = len(set(map(curated.phrase_id, load_phrases())))
    assert run.counts == {"pubmed": 1, "youtube": 0, "feed": 0, "curated": phrases, "records": 1 + phrases}
    exported = tmp_path / "var" / "knowledge" / "pubmed_knowledge.jsonl"
    assert json.loads(exported.read_text())["title"] == "Protein timing"


def test_the_retrain_job_trains_only_when_the_data_changed(database, tmp_path, monkeypatch):
    trained = []

    def fake_train(out_dir, files, **_):
        version = out_dir / f"v2026010100000{len(trained)}"
        version.mkdir(parents=True)
        (version / "metadata.json").write_text(json.dumps({"data_hash": retrain.data_hash(files), "passed": True}))
        trained.append([f.name for f in files])
        return version

    monkeypatch.setattr(retrain, "train_in_child", fake_train)
    knowledge_dir = tmp_path / "var" / "knowledge"
    knowledge_dir.mkdir(parents=True)
    (knowledge_dir / "pubmed_knowledge.jsonl").write_text(
        json.dumps({"source": "pubmed", "title": "Protein timing", "text": "Protein after training helps."}) + "\n")

    first = _run(run_job("coach_retrain"))
    assert first.status == "success"
    assert first.counts == {"trained": 1, "passed": 1, "knowledge_files": 1, "version": "v20260101000000"}
    second = _run(run_job("coach_retrain"))
    assert second.status == "skipped" and "not changed" in second.counts["reason"]
    with (knowledge_dir / "pubmed_knowledge.jsonl").open("a") as handle:
        handle.write(json.dumps({"source": "pubmed", "title": "Sleep", "text": "Sleep more than six hours."}) + "\n")
    assert _run(run_job("coach_retrain")).counts["trained"] == 1
    assert trained == [["pubmed_knowledge.jsonl"]] * 2


def test_the_retrain_adapter_calls_the_training_pipeline(tmp_path, monkeypatch):
    from adaptivefit.coach import trainer as coach_trainer

    calls = []
    monkeypatch.setattr(coach_trainer, "train", lambda out, **kwargs: calls.append((out, kwargs)) or out / "v1")
    assert retrain.train_version(tmp_path, [tmp_path / "k.jsonl"]) == tmp_path / "v1"
    assert calls == [(tmp_path, {"knowledge": [tmp_path / "k.jsonl"], "progress": False})]


def test_every_job_has_a_schedule_setting_and_a_title(env):
    settings = get_settings()
    assert set(registry.JOBS) == {"pubmed", "youtube_feeds", "youtube_api", "knowledge_export", "coach_retrain",
                                 "payouts"}
    for spec in registry.JOBS.values():
        assert spec.title and spec.cron(settings) and spec.cron_variable.startswith("JOBS_")
