"""The coach model's training data (coach.dataset): the split, the expansions, the hash, knowledge lines."""

from __future__ import annotations

import json

import pytest

from adaptivefit.coach import dataset as D
from adaptivefit.coach.phrases import COMBINATIONS
from adaptivefit.coach.prompting import EOS
from tests.coach.tiny_training import tiny_phrases


def test_the_eval_split_is_disjoint_from_train_and_stratified():
    dataset = D.build_dataset(tiny_phrases())
    train_texts = {e.text for e in dataset.train}
    eval_texts = {e.text for e in dataset.eval}
    assert eval_texts and not train_texts & eval_texts
    assert all(e.line.startswith(e.prefix) and e.line.endswith(EOS) for e in dataset.train + dataset.eval)

    full = D.build_dataset()
    held = {e.key[:2] for e in full.eval}
    assert held == set(COMBINATIONS)  # every (event, action) gives some phrases to the held-out set
    assert 0.08 <= full.n_eval_phrases / full.n_phrases <= 0.12


def test_any_phrases_are_shown_under_concrete_goals_and_levels():
    dataset = D.build_dataset(tiny_phrases())
    for e in dataset.train + dataset.eval:
        assert "<goal=any>" not in e.prefix and "<level=any>" not in e.prefix


def test_the_data_hash_is_stable_and_follows_the_data():
    phrases = tiny_phrases()
    first = D.build_dataset(phrases).data_hash
    assert D.build_dataset(phrases).data_hash == first == D.current_data_hash(phrases)
    assert D.build_dataset(phrases[:-1]).data_hash != first


def test_knowledge_lines_join_behind_their_source_as_a_minority(tmp_path):
    kb = tmp_path / "kb.jsonl"
    records = [{"source": "PubMed", "title": f"Study {i} on rest intervals", "abstract": "Longer rest helped. " * 40}
               for i in range(200)]
    records.append({"text": "Progressive overload is a principle of training."})
    kb.write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    dataset = D.build_dataset(tiny_phrases(), [kb])
    knowledge = [e for e in dataset.train if e.kind == "knowledge"]
    assert knowledge and dataset.n_knowledge == len(knowledge)
    assert len(knowledge) <= D.KNOWLEDGE_MAX_SHARE * len(dataset.train) + 1
    assert {e.prefix for e in knowledge} <= {"<source=pubmed>\n", "<source=kb>\n"}
    assert all(len(e.text) <= D.KNOWLEDGE_CHUNK_CHARS + 1 for e in knowledge)
    assert all(e.kind == "phrase" for e in dataset.eval)
    assert dataset.data_hash != D.build_dataset(tiny_phrases()).data_hash

    export = tmp_path / "youtube_knowledge.jsonl"  # the knowledge export's shape
    export.write_text("\n".join(json.dumps(r) for r in [
        {"id": 1, "source": "youtube", "title": "Squat depth", "text": "Sit between your heels. See https://x.example/a",
         "url": "https://x.example/v"},
        {"id": 2, "source": "youtube", "title": "", "text": None},  # nothing to learn: skipped
    ]))
    [line] = D.load_knowledge([export])
    assert line.prefix == "<source=youtube>\n" and line.text == "Squat depth. Sit between your heels. See"

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok"}\n["not", "an", "object"]\n')
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        D.build_dataset(tiny_phrases(), [bad])
