"""The knowledge base: dedupe by content hash, JSONL export, moderators hiding records, job runs."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from adaptivefit.jobs import knowledge, pubmed
from adaptivefit.services.knowledge import moderation, store
from adaptivefit.jobs.youtube import Quality, Video
from adaptivefit.models import AuditEvent, JobRun, KnowledgeRecord, User
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from tests.conftest import SHARED_DATA, shared_data_missing

META = SHARED_DATA / "pubmed" / "metapub"
pytestmark = pytest.mark.skipif(
    shared_data_missing(META / "38747095.xml", META / "34995163.xml"), reason="../shared/data/pubmed not found"
)
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _article(name):
    return pubmed.parse_articles((META / name).read_bytes()).articles[0]


def _video(video_id="vid00000001", title="Squat technique: common mistakes", **fields):
    return Video(video_id=video_id, title=title, description="Coaching cues for the squat.",
                 channel_id="UC9PBzalIcEQCsiIkq36PyUA", channel_title="A channel", duration_seconds=600,
                 views=1000, likes=50, published_at=NOW - timedelta(days=10), **fields)


KEEP = Quality(0.9, True, "technique, quality score 0.9", "technique")


def _records(session, source=None):
    query = select(KnowledgeRecord).order_by(KnowledgeRecord.id)
    if source:
        query = query.where(KnowledgeRecord.source == source)
    return session.exec(query).all()


def test_articles_are_added_once_and_unchanged_ones_skipped(session):
    articles = [_article("38747095.xml"), _article("34995163.xml")]
    assert knowledge.upsert_articles(session, articles, "protein_nutrition", now=NOW) == {
        "fetched": 0, "added": 2, "updated": 0, "skipped": 0, "errors": 0}
    session.commit()
    again = [_article("38747095.xml"), _article("34995163.xml")]
    counts = knowledge.upsert_articles(session, again, "protein_nutrition", now=NOW + timedelta(days=1))
    assert (counts["added"], counts["updated"], counts["skipped"]) == (0, 0, 2)

    record = _records(session, "pubmed")[0]
    assert record.external_id == "38747095" and record.topic == "protein_nutrition"
    assert record.title.startswith("Comparison of Australian Football League")
    assert record.text.startswith("AIMS: ")
    assert record.url == "https://pubmed.ncbi.nlm.nih.gov/38747095/"
    assert record.published_at == datetime(2024, 6, 1, tzinfo=UTC)
    assert record.data["published_text"] == "2024 Jun" and record.data["doi"] == "10.1111/1747-0080.12874"
    assert record.data["authors"][0] == "Otte CJ" and "Humans" in record.data["mesh_terms"]
    assert record.fetched_at == NOW and len(record.content_hash) == 64


def test_a_changed_abstract_updates_and_whitespace_does_not(session):
    knowledge.upsert_articles(session, [_article("38747095.xml")], "protein_nutrition", now=NOW)
    reflowed = _article("38747095.xml")
    reflowed.abstract = reflowed.abstract.replace(". ", ".  ")
    assert knowledge.upsert_articles(session, [reflowed], "protein_nutrition", now=NOW)["skipped"] == 1
    changed = _article("38747095.xml")
    changed.abstract += " Erratum: one figure was corrected."
    later = NOW + timedelta(days=2)
    assert knowledge.upsert_articles(session, [changed], "protein_nutrition", now=later)["updated"] == 1
    (record,) = _records(session)
    assert record.text.endswith("one figure was corrected.") and record.updated_at == later


def test_an_article_seen_under_a_second_topic_is_stored_once(session):
    knowledge.upsert_articles(session, [_article("34995163.xml")], "recovery_sleep", now=NOW)
    counts = knowledge.upsert_articles(session, [_article("34995163.xml")], "hrv_training", now=NOW)
    assert counts["skipped"] == 1
    (record,) = _records(session)
    assert record.topic == "recovery_sleep" and record.data["topics"] == ["recovery_sleep", "hrv_training"]


def test_videos_store_their_verdict_and_ignore_statistics_changes(session):
    assert knowledge.upsert_videos(session, [(_video(), KEEP)], source="youtube", now=NOW)["added"] == 1
    more_views = _video(comments=3)
    more_views.views = 5000
    assert knowledge.upsert_videos(session, [(more_views, KEEP)], source="youtube", now=NOW)["skipped"] == 1
    (record,) = _records(session)
    assert record.topic == "technique" and record.url == "https://www.youtube.com/watch?v=vid00000001"
    assert record.data["duration_seconds"] == 600 and record.data["statistics"]["views"] == 1000
    assert record.data["quality"] == {"score": 0.9, "reason": "technique, quality score 0.9"}
    retitled = _video(title="Squat technique: the five common mistakes")
    assert knowledge.upsert_videos(session, [(retitled, KEEP)], source="youtube", now=NOW)["updated"] == 1
    with pytest.raises(ValueError):
        knowledge.upsert_videos(session, [(_video(), KEEP)], source="pubmed")


def _people(session):
    people = {}
    for role in ("member", "trainer", "moderator", "admin"):
        user = User(email=f"{role}@example.com", name=role.capitalize(), role=role)
        session.add(user)
        session.flush()
        people[role] = Actor(id=user.id, role=user.role, name=user.name, ip_address="203.0.113.9")
    return people


def _export(tmp_path, session):
    paths = knowledge.export_jsonl(session, tmp_path / "export")
    return paths, {source: [json.loads(line) for line in path.read_text().splitlines()]
                   for source, path in paths.items()}


def test_export_writes_one_file_per_source_without_hidden_records(session, tmp_path):
    people = _people(session)
    knowledge.upsert_articles(session, [_article("38747095.xml"), _article("34995163.xml")], "mixed", now=NOW)
    knowledge.upsert_videos(session, [(_video("vid00000001"), KEEP), (_video("vid00000002"), KEEP)],
                            source="youtube", now=NOW)
    # The same video through a channel feed, and one only the feed knows.
    knowledge.upsert_videos(session, [(_video("vid00000002"), KEEP), (_video("vid00000003"), KEEP)],
                            source="feed", now=NOW)
    session.commit()
    hidden = next(r for r in _records(session, "pubmed") if r.external_id == "34995163")
    moderation.hide(session, people["moderator"], hidden.id, "Off topic for training.")
    session.commit()

    paths, rows = _export(tmp_path, session)
    assert {s: p.name for s, p in paths.items()} == {
        "pubmed": "pubmed_knowledge.jsonl", "youtube": "youtube_knowledge.jsonl",
        "feed": "rss_knowledge.jsonl", "curated": "curated_knowledge.jsonl"}
    assert [r["external_id"] for r in rows["pubmed"]] == ["38747095"]
    assert [r["external_id"] for r in rows["youtube"]] == ["vid00000001", "vid00000002"]
    assert [r["external_id"] for r in rows["feed"]] == ["vid00000003"]
    assert rows["curated"] == []
    row = rows["pubmed"][0]
    assert row["title"].startswith("Comparison of Australian") and row["text"].startswith("AIMS: ")
    assert row["published_at"] == "2024-06-01T00:00:00+00:00" and row["data"]["journal"]
    assert not list((tmp_path / "export").glob("*.partial"))


def test_hiding_a_video_hides_its_twin_from_the_other_route(session, tmp_path):
    people = _people(session)
    knowledge.upsert_videos(session, [(_video("vid00000002"), KEEP)], source="youtube", now=NOW)
    knowledge.upsert_videos(session, [(_video("vid00000002"), KEEP)], source="feed", now=NOW)
    record = _records(session, "youtube")[0]
    moderation.hide(session, people["admin"], record.id, "Misleading advice.")
    assert all(r.hidden and r.hidden_by == people["admin"].id for r in _records(session))
    _, rows = _export(tmp_path, session)
    assert rows["youtube"] == [] and rows["feed"] == []


@pytest.mark.parametrize(("role", "allowed"), [
    (None, False), ("member", False), ("trainer", False), ("moderator", True), ("admin", True),
])
def test_only_moderators_and_admins_hide(session, role, allowed):
    people = _people(session)
    knowledge.upsert_articles(session, [_article("38747095.xml")], "protein_nutrition", now=NOW)
    record = _records(session)[0]
    actor = people[role] if role else None
    if not allowed:
        with pytest.raises(PermissionDenied):
            moderation.hide(session, actor, record.id, "Not evidence.")
        session.refresh(record)
        assert not record.hidden
        return
    moderation.hide(session, actor, record.id, "  Not evidence.  ")
    assert record.hidden and record.hidden_reason == "Not evidence." and record.hidden_by == actor.id
    assert record.hidden_at is not None
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "knowledge_hidden")).one()
    assert event.actor_id == actor.id and event.details["external_id"] == "38747095"


def test_hide_refuses_bad_input(session):
    moderator = _people(session)["moderator"]
    knowledge.upsert_articles(session, [_article("38747095.xml")], "protein_nutrition", now=NOW)
    record = _records(session)[0]
    with pytest.raises(ValidationFailed) as caught:
        moderation.hide(session, moderator, record.id, "   ")
    assert "reason" in caught.value.errors
    with pytest.raises(ValidationFailed):
        moderation.hide(session, moderator, record.id, "x" * 501)
    with pytest.raises(ValidationFailed) as caught:
        moderation.hide(session, moderator, 999_999, "Gone.")
    assert "record" in caught.value.errors


def test_job_runs_and_the_last_success(session):
    assert knowledge.last_successful_run(session, "pubmed") is None
    ok = knowledge.start_run(session, "pubmed", now=NOW - timedelta(days=2))
    knowledge.finish_run(session, ok, {"fetched": 5, "added": 2, "errors": 0}, now=NOW - timedelta(days=2))
    partial = knowledge.start_run(session, "pubmed", triggered_by="manual", now=NOW - timedelta(days=1))
    knowledge.finish_run(session, partial, {"fetched": 3, "errors": 1}, now=NOW - timedelta(days=1))
    failed = knowledge.start_run(session, "pubmed", now=NOW)
    knowledge.finish_run(session, failed, knowledge.new_counts(), error="database is locked", now=NOW)
    knowledge.start_run(session, "pubmed", now=NOW + timedelta(hours=1))
    other = knowledge.start_run(session, "youtube_feeds", now=NOW + timedelta(hours=2))
    knowledge.finish_run(session, other, knowledge.new_counts(), now=NOW + timedelta(hours=2))
    session.commit()
    assert (ok.status, partial.status, failed.status) == ("success", "partial", "failed")
    assert partial.triggered_by == "manual" and failed.error == "database is locked"
    assert knowledge.last_successful_run(session, "pubmed").id == ok.id
    statuses = session.exec(select(JobRun.status).where(JobRun.job == "pubmed").order_by(JobRun.id)).all()
    assert statuses == ["success", "partial", "failed", "running"]


def test_content_hash_normalises_whitespace_and_unicode_form():
    composed = store.content_hash("Girão", "a  b\n c", {"x": ["  y "]})
    decomposed = store.content_hash("Gira\u0303o", "a b c", {"x": ["y"]})
    assert composed == decomposed
    assert composed != store.content_hash("Girão", "a b c d", {"x": ["y"]})


def test_settings_carry_the_pipeline_fields(env, monkeypatch):
    from adaptivefit.config import ConfigError, load_settings

    for name in ("NCBI_API_KEY", "NCBI_EMAIL", "PUBMED_LANGUAGES", "YOUTUBE_API_KEY", "YOUTUBE_CHANNELS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.ncbi_email == "ops@adaptivefit.invalid" and settings.pubmed_languages == ("eng",)
    env(YOUTUBE_CHANNELS="UC9PBzalIcEQCsiIkq36PyUA, UC_x5XG1OV2P6uZZ5FSM9Ttw", PUBMED_LANGUAGES="ENG,ger",
        NCBI_API_KEY="k", NCBI_EMAIL="team@example.org", YOUTUBE_API_KEY="y")
    settings = load_settings()
    assert settings.youtube_channels == ("UC9PBzalIcEQCsiIkq36PyUA", "UC_x5XG1OV2P6uZZ5FSM9Ttw")
    assert settings.pubmed_languages == ("eng", "ger")
    assert (settings.ncbi_api_key, settings.ncbi_email, settings.youtube_api_key) == ("k", "team@example.org", "y")
    env(YOUTUBE_CHANNELS="Jeff Nippard")
    with pytest.raises(ConfigError, match="YOUTUBE_CHANNELS"):
        load_settings()
