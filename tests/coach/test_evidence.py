"""Evidence for the coach: the curated list ships with the project, and each tweak cites the
studies that match its action and the member's goal."""

import re
from datetime import UTC, datetime

import pytest

from adaptivefit.coach import engine, evidence
from adaptivefit.coach.types import ACTIONS, CoachContext, UserData
from adaptivefit.models.knowledge import KnowledgeRecord


@pytest.fixture(autouse=True)
def fresh_index():
    evidence._index = None
    evidence._answers.clear()
    yield
    evidence._index = None
    evidence._answers.clear()


def test_the_curated_list_is_complete_and_well_formed():
    rows = evidence.curated()
    assert len(rows) >= 40
    assert len({r["pmid"] for r in rows}) == len(rows)
    for row in rows:
        assert re.fullmatch(r"\d{6,8}", row["pmid"])
        assert 1990 <= row["year"] <= 2026 and row["title"] and row["journal"]
        assert row["finding"].endswith(".") and len(row["finding"]) <= 200
    topics = {t for r in rows for t in r["topics"]}
    assert {"progression", "autoregulation", "volume", "hrv", "sleep", "protein"} <= topics


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_has_references(action):
    found = evidence.references(action, "general")
    assert 1 <= len(found) <= 2
    assert all(e.url == f"https://pubmed.ncbi.nlm.nih.gov/{e.pmid}/" for e in found)


def test_references_follow_the_action_and_the_goal():
    readiness = " ".join(e.title.lower() for e in evidence.references("readiness_adjust", "endurance"))
    assert "heart rate variability" in readiness or "sleep" in readiness
    rest = evidence.references("add_rest", "hypertrophy")
    assert any("rest" in e.title.lower() for e in rest)
    deload = " ".join(e.title.lower() for e in evidence.references("deload", "strength"))
    assert "overtraining" in deload or "training load" in deload or "fatigue" in deload


def test_a_tweak_carries_its_evidence():
    tweak = evidence.attach(engine.decide("skip_set", CoachContext(set_number=2), UserData()), ("strength",))
    assert tweak.evidence and tweak.to_dict()["evidence"][0]["pmid"]


def test_scraped_records_join_the_index_unless_hidden(session):
    session.add(KnowledgeRecord(
        source="pubmed", external_id="99999901", topic="strength_hypertrophy",
        title="Interset rest interval duration and hypertrophy in trained lifters: a randomised trial",
        text="Rest interval between sets rest rest interval hypertrophy strength recovery.",
        url="https://pubmed.ncbi.nlm.nih.gov/99999901/", content_hash="x",
        published_at=datetime(2025, 5, 1, tzinfo=UTC)))
    session.add(KnowledgeRecord(
        source="pubmed", external_id="99999902", topic="strength_hypertrophy", hidden=True,
        title="Rest interval between sets rest interval rest hypertrophy strength recovery", text="rest interval",
        url="", content_hash="y"))
    session.commit()
    assert evidence.reload(session) == len(evidence.curated()) + 1
    found = [e.pmid for e in evidence.references("add_rest", "hypertrophy")]
    assert "99999901" in found and "99999902" not in found
