"""Moderating the knowledge base: search, filters, pages, who may look, and hiding undone with an audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from adaptivefit.coach import evidence
from adaptivefit.jobs import knowledge
from adaptivefit.models import AuditEvent, KnowledgeRecord, User
from adaptivefit.services.knowledge import moderation
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_evidence():
    """Hiding a PubMed record rebuilds the process's evidence index: leave it as other tests expect."""
    yield
    evidence._index = None
    evidence._answers.clear()


@pytest.fixture
def people(session) -> dict[str, Actor]:
    found = {}
    for role in ("member", "trainer", "moderator", "admin"):
        user = User(email=f"{role}@example.com", name=f"{role.capitalize()} Person", role=role)
        session.add(user)
        session.flush()
        found[role] = Actor(id=user.id, role=user.role, name=user.name, ip_address="203.0.113.9")
    return found


def _record(session, source, external_id, *, title="", text="", topic="", published=None, url="", hidden=False):
    record = KnowledgeRecord(source=source, external_id=external_id, title=title, text=text, topic=topic, url=url,
                             published_at=published, fetched_at=NOW, updated_at=NOW, hidden=hidden,
                             content_hash=external_id)
    session.add(record)
    session.flush()
    return record


@pytest.fixture
def library(session):
    records = {
        "creatine": _record(session, "pubmed", "111", title="Creatine and strength in older adults",
                            text="Creatine monohydrate improved strength.", topic="supplements",
                            published=NOW - timedelta(days=30), url="https://pubmed.ncbi.nlm.nih.gov/111/"),
        "sleep": _record(session, "pubmed", "222", title="Sleep and recovery",
                         text="Sleep loss impairs strength. 100% of lifters_slept less.", topic="recovery",
                         published=NOW - timedelta(days=3)),
        "squat": _record(session, "youtube", "vid00000001", title="Squat technique", text="Coaching cues.",
                         topic="technique", published=NOW - timedelta(days=10),
                         url="https://www.youtube.com/watch?v=vid00000001"),
        "squat_feed": _record(session, "feed", "vid00000001", title="Squat technique", text="Coaching cues.",
                              topic="technique", published=NOW - timedelta(days=10)),
        "phrase": _record(session, "curated", "abcdef0123456789", title="skip_set → reduce_volume (any, any)",
                          text="Let's trim the plan to {sets} sets.", topic="reduce_volume"),
        "bad_link": _record(session, "feed", "vid00000002", title="Mobility", text="Hips.", topic="mobility",
                            url="javascript:alert(1)", published=NOW - timedelta(days=1)),
    }
    session.commit()
    return records


def _titles(page) -> list[str]:
    return [row.title for row in page.rows]


@pytest.mark.parametrize(("role", "allowed"), [
    (None, False), ("member", False), ("trainer", False), ("moderator", True), ("admin", True),
])
def test_only_moderators_and_admins_see_the_knowledge_base(session, people, library, role, allowed):
    actor = people[role] if role else None
    calls = (lambda: moderation.list_records(session, actor), lambda: moderation.source_counts(session, actor),
             lambda: moderation.topics(session, actor))
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()


def test_records_come_newest_first_with_undated_ones_last(session, people, library):
    page = moderation.list_records(session, people["moderator"])
    assert [row.external_id for row in page.rows] == ["vid00000002", "222", "vid00000001", "vid00000001", "111",
                                                      "abcdef0123456789"]
    assert (page.total, page.page, page.pages) == (6, 1, 1)


def test_search_matches_title_and_text_case_insensitively_and_literally(session, people, library):
    moderator = people["moderator"]
    assert _titles(moderation.list_records(session, moderator, query="CREATINE")) == [
        "Creatine and strength in older adults"]
    assert _titles(moderation.list_records(session, moderator, query="impairs strength")) == ["Sleep and recovery"]
    # The searcher's own % and _ are characters, not wildcards.
    assert _titles(moderation.list_records(session, moderator, query="100%")) == ["Sleep and recovery"]
    assert _titles(moderation.list_records(session, moderator, query="lifters_slept")) == ["Sleep and recovery"]
    assert moderation.list_records(session, moderator, query="s_eep").total == 0
    assert moderation.list_records(session, moderator, query="  trim   the plan ").rows[0].source == "curated"


def test_filters_by_source_topic_and_visibility(session, people, library):
    moderator = people["moderator"]
    assert _titles(moderation.list_records(session, moderator, source="pubmed")) == [
        "Sleep and recovery", "Creatine and strength in older adults"]
    assert moderation.list_records(session, moderator, source="curated").rows[0].topic == "reduce_volume"
    assert _titles(moderation.list_records(session, moderator, topic="technique")) == ["Squat technique"] * 2

    moderation.hide(session, moderator, library["creatine"].id, "Industry funded.")
    session.commit()
    visible = moderation.list_records(session, moderator)
    hidden = moderation.list_records(session, moderator, visibility="hidden")
    everything = moderation.list_records(session, moderator, visibility="all")
    assert "Creatine and strength in older adults" not in _titles(visible)
    assert _titles(hidden) == ["Creatine and strength in older adults"]
    assert everything.total == visible.total + 1 == 6
    with pytest.raises(ValidationFailed):
        moderation.list_records(session, moderator, visibility="secret")
    with pytest.raises(ValidationFailed):
        moderation.list_records(session, moderator, source="twitter")


def test_pages_of_twenty_five(session, people):
    for i in range(30):
        _record(session, "pubmed", f"9{i:03d}", title=f"Study {i:02d}", published=NOW - timedelta(days=i))
    session.commit()
    moderator = people["moderator"]
    first = moderation.list_records(session, moderator)
    second = moderation.list_records(session, moderator, page=2)
    assert (len(first.rows), first.total, first.pages) == (25, 30, 2)
    assert _titles(first)[:2] == ["Study 00", "Study 01"] and _titles(second) == [f"Study {i}" for i in range(25, 30)]
    assert moderation.list_records(session, moderator, page=99).page == 2
    assert moderation.list_records(session, moderator, page=-3).page == 1


def test_rows_carry_what_the_page_shows(session, people, library):
    moderator = people["moderator"]
    moderation.hide(session, moderator, library["sleep"].id, "Small sample.")
    session.commit()
    (row,) = moderation.list_records(session, moderator, visibility="hidden").rows
    assert (row.hidden, row.hidden_reason, row.hidden_by) == (True, "Small sample.", "Moderator Person")
    assert row.hidden_at is not None and row.published_at == NOW - timedelta(days=3)
    rows = {r.external_id: r for r in moderation.list_records(session, moderator).rows}
    assert rows["111"].url == "https://pubmed.ncbi.nlm.nih.gov/111/" and rows["111"].snippet.startswith("Creatine")
    # Only web links become links.
    assert rows["vid00000002"].url == ""
    assert not rows["111"].hidden and rows["111"].hidden_reason == "" and rows["111"].hidden_by == ""


def test_a_long_text_is_cut_around_the_match():
    text = "word " * 100 + "needle in the haystack " + "word " * 100
    cut = moderation.snippet(text, "needle")
    assert "needle" in cut and cut.startswith("…") and cut.endswith("…")
    assert len(cut) <= moderation.SNIPPET_CHARS + 2
    assert moderation.snippet("  short\n text ") == "short text"


def test_counts_per_source(session, people, library):
    moderation.hide(session, people["admin"], library["squat"].id, "Bad form shown.")  # hides its feed twin too
    session.commit()
    counts = {c.source: (c.total, c.hidden) for c in moderation.source_counts(session, people["moderator"])}
    assert counts == {"pubmed": (2, 0), "youtube": (1, 1), "feed": (2, 1), "curated": (1, 0)}
    assert moderation.topics(session, people["moderator"]) == [
        "mobility", "recovery", "reduce_volume", "supplements", "technique"]
    assert moderation.topics(session, people["moderator"], "pubmed") == ["recovery", "supplements"]


@pytest.mark.parametrize(("role", "allowed"), [
    (None, False), ("member", False), ("trainer", False), ("moderator", True), ("admin", True),
])
def test_only_moderators_and_admins_unhide(session, people, library, role, allowed):
    record = library["creatine"]
    moderation.hide(session, people["admin"], record.id, "Industry funded.")
    session.commit()
    actor = people[role] if role else None
    if not allowed:
        with pytest.raises(PermissionDenied):
            moderation.unhide(session, actor, record.id)
        session.rollback()
        session.refresh(record)
        assert record.hidden and record.hidden_reason == "Industry funded."
        return
    moderation.unhide(session, actor, record.id)
    session.commit()
    session.refresh(record)
    assert (record.hidden, record.hidden_reason, record.hidden_by, record.hidden_at) == (False, "", None, None)
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "knowledge_unhidden")).one()
    assert event.actor_id == actor.id and event.ip_address == "203.0.113.9"
    assert event.details == {"record_id": record.id, "source": "pubmed", "external_id": "111",
                             "hidden_reason": "Industry funded."}


def test_unhiding_a_video_shows_its_twin_too(session, people, library):
    moderator = people["moderator"]
    moderation.hide(session, moderator, library["squat_feed"].id, "Bad form shown.")
    session.commit()
    moderation.unhide(session, moderator, library["squat"].id)
    session.commit()
    assert moderation.list_records(session, moderator, visibility="hidden").total == 0


def test_unhide_refuses_what_is_not_hidden_or_not_there(session, people, library):
    moderator = people["moderator"]
    with pytest.raises(ValidationFailed) as caught:
        moderation.unhide(session, moderator, library["creatine"].id)
    assert "record" in caught.value.errors
    with pytest.raises(ValidationFailed):
        moderation.unhide(session, moderator, 999_999)
    assert session.exec(select(AuditEvent).where(AuditEvent.event == "knowledge_unhidden")).all() == []
