"""The evidence index follows the knowledge base: a moderator's hiding and the PubMed job reach it at once."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest

from adaptivefit.coach import evidence
from adaptivefit.config import get_settings
from adaptivefit.db import session_scope
from adaptivefit.jobs import knowledge, registry, scrapers
from adaptivefit.services.knowledge import moderation
from adaptivefit.models import KnowledgeRecord, User
from adaptivefit.services.core.access import Actor

PMID = "99999901"


@pytest.fixture(autouse=True)
def fresh_index():
    evidence._index = None
    evidence._answers.clear()
    yield
    evidence._index = None
    evidence._answers.clear()


def _rest_study(external_id: str = PMID) -> KnowledgeRecord:
    return KnowledgeRecord(
        source="pubmed", external_id=external_id, topic="strength_hypertrophy",
        title="Interset rest interval duration and hypertrophy in trained lifters: a randomised trial",
        text="Rest interval between sets rest rest interval hypertrophy strength recovery.",
        url=f"https://pubmed.ncbi.nlm.nih.gov/{external_id}/", content_hash=external_id,
        published_at=datetime(2025, 5, 1, tzinfo=UTC))


def _cited() -> list[str]:
    return [e.pmid for e in evidence.references("add_rest", "hypertrophy")]


@pytest.fixture
def moderator(session) -> Actor:
    user = User(email="moderator@example.com", name="Mo", role="moderator")
    session.add(user)
    session.commit()
    return Actor(id=user.id, role=user.role)


def test_hiding_a_study_takes_it_out_of_the_evidence_once_committed(session, moderator):
    record = _rest_study()
    session.add(record)
    session.commit()
    evidence.reload(session)
    assert PMID in _cited()

    moderation.hide(session, moderator, record.id, "Retracted.")
    assert PMID in _cited()  # not before the hiding is committed
    session.commit()
    assert PMID not in _cited()

    moderation.unhide(session, moderator, record.id)
    session.commit()
    assert PMID in _cited()


def test_a_hiding_rolled_back_leaves_the_evidence_as_it_was(session, moderator):
    record = _rest_study()
    session.add(record)
    session.commit()
    evidence.reload(session)
    moderation.hide(session, moderator, record.id, "Retracted.")
    session.rollback()
    assert PMID in _cited()


def test_the_pubmed_job_rebuilds_the_index_with_what_it_stored(database, monkeypatch):
    def fake_run_pubmed(session, fetcher, settings, *, now, topics):
        if topics[0] == registry.TOPICS[0]:
            session.add(_rest_study())
            session.commit()
        return knowledge.new_counts()

    monkeypatch.setattr(registry, "pubmed_fetcher", lambda settings: contextlib.nullcontext())
    monkeypatch.setattr(scrapers, "run_pubmed", fake_run_pubmed)
    assert PMID not in _cited()
    registry.run_job("pubmed", settings=get_settings())
    assert PMID in _cited()
    with session_scope() as session:
        assert session.get(KnowledgeRecord, 1).external_id == PMID
