"""The coach model's training data: every phrase behind its control prefix, a held-out share, and
optional knowledge-base records as a minority.

A phrase written for "any" goal or level is repeated under concrete goals and levels so the
conditioning is learned; `eval_share` of the phrases is held out (stratified by event and action;
whole phrases, so no text is in both splits), and the lines are hashed so a scheduler can tell
whether the data changed since the newest version.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from adaptivefit.coach.phrases import ANY, Phrase, load_phrases, validate
from adaptivefit.coach.prompting import EOS, control_prefix, training_line
from adaptivefit.coach.types import FITNESS_LEVELS, GOALS

DEFAULT_SEED = 1234
DEFAULT_EVAL_SHARE = 0.1
KNOWLEDGE_MAX_SHARE = 0.2  # knowledge lines at most this share of the training lines
GENERIC_EXPANSIONS = 4  # (goal, level) pairs a phrase for any goal and any level is repeated under
KNOWLEDGE_CHUNK_CHARS = 400

_SOURCE_NAME = re.compile(r"[^a-z0-9_-]+")

@dataclass(frozen=True)
class Example:
    """One training line: its prompt and its text (placeholders kept)."""

    prefix: str
    text: str
    kind: str = "phrase"  # "phrase" or "knowledge"
    key: tuple[str, ...] = ()  # (event, action, goal, level, scope) for phrases, (source,) for knowledge

    @property
    def line(self) -> str:
        return training_line(self.prefix, self.text)


@dataclass
class Dataset:
    train: list[Example]
    eval: list[Example]
    data_hash: str
    n_phrases: int
    n_eval_phrases: int
    n_knowledge: int = 0
    sources: tuple[str, ...] = ()

    @property
    def lines(self) -> list[str]:
        return [e.line for e in itertools.chain(self.train, self.eval)]


def _expansions(phrase: Phrase, rng: random.Random) -> list[tuple[str, str]]:
    goals = GOALS if phrase.goal == ANY else (phrase.goal,)
    levels = FITNESS_LEVELS if phrase.level == ANY else (phrase.level,)
    pairs = [(g, lv) for g in goals for lv in levels]
    if phrase.goal == ANY and phrase.level == ANY:
        pairs = rng.sample(pairs, min(GENERIC_EXPANSIONS, len(pairs)))
    return pairs


def expand(phrase: Phrase, rng: random.Random) -> list[Example]:
    """The training lines of one phrase: one per concrete (goal, level) it is shown under."""
    return [
        Example(control_prefix(phrase.event, phrase.action, goal, level, phrase.scope), phrase.text,
                "phrase", (phrase.event, phrase.action, goal, level, phrase.scope))
        for goal, level in _expansions(phrase, rng)
    ]


def split_phrases(phrases: Sequence[Phrase], eval_share: float, rng: random.Random) -> tuple[list[Phrase], list[Phrase]]:
    """Hold out about `eval_share` of the phrases, spread over the (event, action) strata.

    Within each stratum the phrases are shuffled; the held-out set takes the phrases that come
    earliest relative to their stratum's size, so each stratum gives its share (a small dataset
    gives one phrase from as many strata as it can).
    """
    if not 0 <= eval_share < 1:
        raise ValueError("eval_share must be at least 0 and below 1")
    n_eval = round(len(phrases) * eval_share)
    if eval_share > 0 and len(phrases) >= 2:
        n_eval = min(max(n_eval, 1), len(phrases) - 1)
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, p in enumerate(phrases):
        strata[(p.event, p.action)].append(i)
    ranked = []
    for indices in strata.values():
        rng.shuffle(indices)
        ranked.extend(((pos + rng.random()) / len(indices), i) for pos, i in enumerate(indices))
    ranked.sort()
    held = {i for _, i in ranked[:n_eval]}
    return ([p for i, p in enumerate(phrases) if i not in held], [p for i, p in enumerate(phrases) if i in held])


def _source_name(raw: str) -> str:
    return _SOURCE_NAME.sub("_", raw.strip().lower()).strip("_") or "knowledge"


def _clean_knowledge(text: str) -> str:
    text = re.sub(r"(?:https?://|www\.)\S+", " ", text.replace(EOS, " "))
    text = text.replace("{", "(").replace("}", ")").replace("<", "(").replace(">", ")")
    return " ".join(text.split())


def _chunks(text: str, size: int = KNOWLEDGE_CHUNK_CHARS) -> list[str]:
    """Sentence-aligned pieces of at most about `size` characters."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    chunks, current = [], ""
    for sentence in sentences:
        while len(sentence) > size:  # a run-on sentence: cut at a space
            cut = sentence.rfind(" ", 0, size)
            cut = cut if cut > 0 else size
            if current:
                chunks.append(current)
                current = ""
            chunks.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > size:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        chunks.append(current)
    return [c for c in chunks if c]


def _record_text(record: dict[str, Any]) -> str:
    """A record's words: its title, then its "text" (or, without one, its "abstract")."""
    def words(key: str) -> str:
        value = record.get(key)
        if not isinstance(value, str) or not value.strip():
            return ""
        value = value.strip()
        return value if value.endswith((".", "!", "?")) else value + "."

    body = words("text") or words("abstract")
    return " ".join(part for part in (words("title"), body) if part)


def load_knowledge(paths: Iterable[str | Path]) -> list[Example]:
    """Knowledge-base records as training lines behind `<source=...>`.

    Each line of a JSONL file is an object with a "title" and/or "text" (or "abstract"); its
    "source" (else the file's name) names the prefix. Links are dropped and long texts cut into
    sentence-aligned pieces. Blank lines and records without words are skipped; a line that is
    not a JSON object is an error naming the file and line.
    """
    examples = []
    for path in paths:
        path = Path(path)
        with path.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
                if not isinstance(record, dict):
                    raise ValueError(f"{path}:{number}: expected a JSON object")
                text = _clean_knowledge(_record_text(record))
                if not text:
                    continue
                source = _source_name(str(record.get("source") or path.stem))
                prefix = f"<source={source}>\n"
                examples.extend(Example(prefix, chunk, "knowledge", (source,)) for chunk in _chunks(text))
    return examples


def data_hash(lines: Iterable[str]) -> str:
    """sha256 of the training lines (sorted, so the order they were shuffled in does not count)."""
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def build_dataset(
    phrases: Sequence[Phrase] | None = None,
    knowledge: Iterable[str | Path] = (),
    *,
    seed: int = DEFAULT_SEED,
    eval_share: float = DEFAULT_EVAL_SHARE,
    knowledge_max_share: float = KNOWLEDGE_MAX_SHARE,
) -> Dataset:
    """The shuffled training and held-out lines for these phrases (default: the shipped ones)."""
    phrases = list(load_phrases() if phrases is None else phrases)
    if not phrases:
        raise ValueError("there are no phrases to train on")
    errors = validate(phrases)
    if errors:
        shown = "; ".join(errors[:5])
        raise ValueError(f"{len(errors)} problem(s) in the phrases: {shown}")
    rng = random.Random(seed)
    train_phrases, eval_phrases = split_phrases(phrases, eval_share, rng)
    train = [e for p in train_phrases for e in expand(p, rng)]
    held = [e for p in eval_phrases for e in expand(p, rng)]

    extra = load_knowledge(knowledge)
    if extra:
        cap = int(len(train) * knowledge_max_share / (1 - knowledge_max_share)) if knowledge_max_share < 1 else len(extra)
        if len(extra) > cap:
            extra = rng.sample(extra, cap)
    train.extend(extra)
    rng.shuffle(train)
    rng.shuffle(held)
    lines = [e.line for e in itertools.chain(train, held)]
    return Dataset(
        train=train, eval=held, data_hash=data_hash(lines), n_phrases=len(phrases),
        n_eval_phrases=len(eval_phrases), n_knowledge=len(extra),
        sources=tuple(sorted({e.key[0] for e in extra})),
    )


def current_data_hash(
    phrases: Sequence[Phrase] | None = None, knowledge: Iterable[str | Path] = (), *,
    seed: int = DEFAULT_SEED, eval_share: float = DEFAULT_EVAL_SHARE,
) -> str:
    """The data hash a training run with these inputs would record (for `needs_training`)."""
    return build_dataset(phrases, knowledge, seed=seed, eval_share=eval_share).data_hash

