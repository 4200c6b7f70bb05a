"""The curated coaching phrases in the knowledge base: seeded once, hideable, and hidden ones never trained on."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from adaptivefit import db
from adaptivefit.coach import dataset as coach_dataset, trainer as coach_trainer
from adaptivefit.coach.phrases import Phrase, load_phrases
from adaptivefit.jobs import curated, knowledge, registry, retrain
from adaptivefit.services.knowledge import moderation
from adaptivefit.models import KnowledgeRecord, User
from adaptivefit.services.core.access import Actor

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _moderator(session) -> Actor:
    user = User(email="moderator@example.com", name="Mo Moderator", role="moderator")
    session.add(user)
    session.flush()
    return Actor(id=user.id, role=user.role, name=user.name)


def _curated(session) -> dict[str, KnowledgeRecord]:
    session.expire_all()
    rows = session.exec(select(KnowledgeRecord).where(KnowledgeRecord.source == "curated")).all()
    return {r.external_id: r for r in rows}


def _unique_phrase() -> Phrase:
    """A shipped phrase whose text no other phrase shares, so its absence from a dataset is telling."""
    phrases = load_phrases()
    counts = Counter(p.text for p in phrases)
    return next(p for p in phrases if counts[p.text] == 1)


def _hide(session, phrase: Phrase, reason: str = "Sounds like a drill sergeant.") -> None:
    record = _curated(session)[curated.phrase_id(phrase)]
    moderation.hide(session, _moderator(session), record.id, reason)
    session.commit()


def test_the_id_is_the_start_of_the_sha256_of_all_fields():
    phrase = Phrase("skip_set", "reduce_volume", "any", "any", "session", "We'll finish with {sets} sets.")
    expected = hashlib.sha256(b"skip_set|reduce_volume|any|any|session|We'll finish with {sets} sets.").hexdigest()
    assert curated.phrase_id(phrase) == expected[:16]
    assert curated.phrase_id(replace(phrase, level="beginner")) != curated.phrase_id(phrase)


def test_seeding_adds_every_shipped_phrase_once_and_a_second_run_adds_nothing(session):
    shipped = load_phrases()
    unique = len({curated.phrase_id(p) for p in shipped})
    first = curated.seed_curated(session, now=NOW)
    session.commit()
    assert first == {"phrases": unique, "added": unique, "updated": 0, "skipped": 0, "stale": 0}
    assert curated.seed_curated(session, now=NOW) == {"phrases": unique, "added": 0, "updated": 0,
                                                      "skipped": unique, "stale": 0}

    phrase = shipped[0]
    record = _curated(session)[curated.phrase_id(phrase)]
    assert (record.topic, record.text) == (phrase.action, phrase.text)
    assert record.title == f"{phrase.event} → {phrase.action} ({phrase.goal}, {phrase.level})"
    assert record.data == {"event": phrase.event, "action": phrase.action, "goal": phrase.goal,
                           "level": phrase.level, "scope": phrase.scope}
    assert record.fetched_at == NOW and not record.hidden and record.url == "" and len(record.content_hash) == 64
    assert len(_curated(session)) == unique


def test_a_phrase_taken_out_of_the_file_is_left_as_stale_and_its_hiding_kept(session):
    a, b, c = load_phrases()[:3]
    curated.seed_curated(session, now=NOW, phrases=[a, b, c])
    session.commit()
    _hide(session, c)
    edited = replace(b, text=b.text.replace(".", "!", 1) if "." in b.text else b.text + "!")

    counts = curated.seed_curated(session, now=NOW, phrases=[a, edited])
    session.commit()
    # The edited phrase is a new record; the old wording and the dropped phrase stay, counted as stale.
    assert counts == {"phrases": 2, "added": 1, "updated": 0, "skipped": 1, "stale": 2}
    records = _curated(session)
    assert set(records) == {curated.phrase_id(p) for p in (a, b, c, edited)}
    assert records[curated.phrase_id(c)].hidden
    assert curated.seed_curated(session, now=NOW, phrases=[a, edited])["stale"] == 2


def test_visible_phrases_are_the_shipped_ones_less_the_hidden(session):
    shipped = load_phrases()
    # No curated records yet (a fresh database): the whole file.
    assert curated.visible_phrases(session) == shipped
    curated.seed_curated(session, now=NOW)
    session.commit()
    hidden = _unique_phrase()
    _hide(session, hidden)
    visible = curated.visible_phrases(session)
    assert hidden not in visible and len(visible) == len(shipped) - 1
    assert visible == [p for p in shipped if p != hidden]  # in file order: the same data, the same hash


def test_a_stale_record_is_not_trained_on_even_when_visible(session):
    a, b = load_phrases()[:2]
    curated.seed_curated(session, now=NOW, phrases=[a, b])
    session.commit()
    assert curated.visible_phrases(session, phrases=[a]) == [a]


def test_the_retrain_dataset_leaves_out_a_hidden_phrase(session, tmp_path):
    folder = tmp_path / "knowledge"
    curated.seed_curated(session, now=NOW)
    session.commit()
    knowledge.export_jsonl(session, folder)  # a curated export is there too, and is not mixed in as knowledge
    (folder / "pubmed_knowledge.jsonl").write_text(
        json.dumps({"source": "pubmed", "title": "Protein timing", "text": "Protein after training helps."}) + "\n")
    before_phrases, files = retrain.training_inputs(session, folder)
    assert [f.name for f in files] == ["pubmed_knowledge.jsonl"]
    before = retrain.dataset(files, before_phrases)

    hidden = _unique_phrase()
    _hide(session, hidden)
    phrases, files = retrain.training_inputs(session, folder)
    dataset = retrain.dataset(files, phrases)
    texts = {e.text for e in dataset.train + dataset.eval if e.kind == "phrase"}
    assert hidden.text not in texts
    assert hidden.text in {e.text for e in before.train + before.eval}
    assert dataset.n_phrases == before.n_phrases - 1 and dataset.n_knowledge == 1
    # A hidden phrase is a change of the training data: the monthly job trains a new version.
    assert retrain.data_hash(files, phrases) != before.data_hash


def test_the_retrain_job_hands_the_child_only_the_visible_phrases(database, tmp_path, monkeypatch):
    hidden = _unique_phrase()
    with Session(db.get_engine(), expire_on_commit=False) as session:
        curated.seed_curated(session, now=NOW)
        session.commit()
        _hide(session, hidden)
    # The export seeds again (nothing to add) and writes the curated export, which the child must not get.
    registry.run_job("knowledge_export", now=NOW)
    seen = {}

    def fake_child(args, timeout):
        phrase_file = Path(args[args.index("--phrases") + 1])
        seen["args"] = args
        seen["phrases"] = [Phrase(**row) for row in json.loads(phrase_file.read_text(encoding="utf-8"))]
        version = Path(args[0]) / "v20260101000000"
        version.mkdir(parents=True)
        (version / "metadata.json").write_text(json.dumps({"data_hash": "x", "passed": True}))
        return subprocess.CompletedProcess(args, 0, stdout=f"{version}\n", stderr="")

    monkeypatch.setattr(retrain, "_run_child", fake_child)
    registry.run_job("coach_retrain", now=NOW)
    assert hidden not in seen["phrases"]
    assert seen["phrases"] == [p for p in load_phrases() if p != hidden]
    assert not any(arg.endswith("curated_knowledge.jsonl") for arg in seen["args"])
    # What the child was given builds exactly the dataset the job hashed.
    assert coach_dataset.build_dataset(seen["phrases"]).data_hash == retrain.data_hash([], seen["phrases"])


def test_the_child_trains_on_the_phrase_file_it_is_given(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(retrain.os, "nice", lambda _: 0)
    monkeypatch.setattr(coach_trainer, "train", lambda out, **kwargs: calls.append((out, kwargs)) or out / "v1")
    assert retrain.main([str(tmp_path), str(tmp_path / "k.jsonl"), "--phrases", str(tmp_path / "p.json")]) == 0
    assert calls == [(tmp_path, {"knowledge": [tmp_path / "k.jsonl"], "progress": False,
                                 "phrases": tmp_path / "p.json"})]


@pytest.mark.parametrize("hidden", [False, True])
def test_the_curated_export_holds_the_visible_phrases(session, tmp_path, hidden):
    curated.seed_curated(session, now=NOW)
    session.commit()
    phrase = _unique_phrase()
    if hidden:
        _hide(session, phrase)
    rows = [json.loads(line) for line in
            knowledge.export_jsonl(session, tmp_path)["curated"].read_text(encoding="utf-8").splitlines()]
    assert (curated.phrase_id(phrase) in {r["external_id"] for r in rows}) is not hidden
