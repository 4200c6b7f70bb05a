"""The studies behind a tweak: up to two references, ranked by BM25 over the knowledge base.

The project ships a curated list (adaptivefit/data/evidence.json: PMID, title, journal, year and a
one-sentence finding in our own words), so a fresh install has evidence before its first scrape.
Scraped PubMed records that a moderator has not hidden join the index when it is rebuilt
(`reload(session)`, run after each scrape and on first use).

Ranking is Okapi BM25 (k1 1.5, b 0.75) over title, finding or abstract, topics and MeSH terms. The
query for a tweak comes from its action and the member's goal. A query's answer only changes when
the index does, so answers are cached per (action, goal): the hot API path pays a dict lookup.

BM25 is thirty lines here; the PyPI packages for it add nothing we need and are not maintained.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from adaptivefit.coach.types import Evidence, Tweak

log = logging.getLogger(__name__)

MAX_REFERENCES = 2
K1, B = 1.5, 0.75
# A curated study is written for the coach; a scraped abstract only helps when it matches well.
CURATED_BOOST = 1.25
MIN_SCORE = 1.0

# What each action is about, in the words studies use.
ACTION_QUERIES = {
    "maintain": "rpe rir autoregulation effort load prescription",
    "reduce_volume": "volume sets fatigue dose response failure",
    "reduce_load": "autoregulation rpe rir load fatigue velocity loss",
    "add_rest": "rest interval between sets strength hypertrophy recovery",
    "increase_load": "progression overload load autoregulation rpe strength",
    "increase_reps": "progression reps repetitions overload hypertrophy volume",
    "progress_load": "progression overload load increase strength",
    "deload": "fatigue overreaching recovery deload training load monitoring",
    "readiness_adjust": "hrv heart rate variability sleep readiness recovery autoregulation",
}
GOAL_WORDS = {
    "strength": "strength", "hypertrophy": "hypertrophy muscle", "endurance": "endurance",
    "fat_loss": "energy fat loss", "general": "",
}

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an and are as at be by for from in into is it of on or than that the their this to was were "
                  "with without vs not".split())


def tokens(text: str) -> list[str]:
    words = []
    for word in _WORD.findall(text.lower()):
        if word in _STOP or len(word) < 2:
            continue
        # A light stemmer: plural and -ing/-ed endings, so "sets" finds "set".
        for suffix in ("ies", "ing", "ed", "es", "s"):
            if len(word) > len(suffix) + 3 and word.endswith(suffix):
                word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
                break
        words.append(word)
    return words


@dataclass(frozen=True)
class Study:
    pmid: str
    title: str
    year: int | None
    text: str
    curated: bool

    @property
    def url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"


@cache
def curated() -> tuple[dict, ...]:
    raw = resources.files("adaptivefit.data").joinpath("evidence.json").read_text(encoding="utf-8")
    return tuple(json.loads(raw))


class Index:
    def __init__(self, studies: list[Study]):
        self.studies = studies
        self.docs = [Counter(tokens(s.text)) for s in studies]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.average = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        frequency: Counter = Counter()
        for doc in self.docs:
            frequency.update(doc.keys())
        n = len(studies)
        self.idf = {term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in frequency.items()}

    def search(self, query: str, limit: int = MAX_REFERENCES) -> list[tuple[float, Study]]:
        terms = [t for t in tokens(query) if t in self.idf]
        scored = []
        for study, doc, length in zip(self.studies, self.docs, self.lengths, strict=True):
            score = 0.0
            for term in terms:
                tf = doc.get(term)
                if tf:
                    score += self.idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self.average))
            if study.curated:
                score *= CURATED_BOOST
            if score >= MIN_SCORE:
                scored.append((score, study))
        scored.sort(key=lambda pair: (-pair[0], pair[1].pmid))
        # One study, once: a scraped copy of a curated PMID does not take the second place.
        seen, best = set(), []
        for score, study in scored:
            if study.pmid not in seen:
                seen.add(study.pmid)
                best.append((score, study))
            if len(best) == limit:
                break
        return best


def _curated_studies() -> list[Study]:
    return [Study(pmid=str(row["pmid"]), title=row["title"], year=row.get("year"), curated=True,
                  # The topics twice: they are the list's own keywords, chosen for this ranking.
                  text=" ".join([row["title"], row["finding"], *row.get("topics", []) * 2]))
            for row in curated()]


_lock = threading.Lock()
_index: Index | None = None
_answers: dict[tuple[str, str], tuple[Evidence, ...]] = {}


def _current() -> Index:
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = Index(_curated_studies())
    return _index


def reload(session) -> int:
    """Rebuild the index from the curated list and the knowledge base's visible PubMed records."""
    global _index
    from sqlmodel import select

    from adaptivefit.models.knowledge import KnowledgeRecord

    studies = _curated_studies()
    rows = session.exec(select(KnowledgeRecord).where(
        KnowledgeRecord.source == "pubmed", KnowledgeRecord.hidden.is_(False))).all()
    for row in rows:
        data = row.data or {}
        year = row.published_at.year if row.published_at else None
        text = " ".join([row.title, (row.text or "")[:2000], " ".join(data.get("mesh_terms", []) or []), row.topic])
        studies.append(Study(pmid=row.external_id, title=row.title, year=year, text=text, curated=False))
    index = Index(studies)
    with _lock:
        _index = index
        _answers.clear()
    log.info("evidence index rebuilt", extra={"studies": len(studies), "scraped": len(rows)})
    return len(studies)


def query_for(action: str, goal: str) -> str:
    return f"{ACTION_QUERIES.get(action, '')} {GOAL_WORDS.get(goal, '')}".strip()


def references(action: str, goal: str = "general") -> tuple[Evidence, ...]:
    key = (action, goal)
    found = _answers.get(key)
    if found is None:
        found = tuple(Evidence(pmid=s.pmid, title=s.title, year=s.year, url=s.url)
                      for _, s in _current().search(query_for(action, goal)))
        _answers[key] = found
    return found


def attach(tweak: Tweak, goals: tuple[str, ...] = ()) -> Tweak:
    """The tweak with up to two references for its action and the member's first goal."""
    goal = next((g for g in goals if g in GOAL_WORDS), "general")
    return replace(tweak, evidence=references(tweak.action, goal))
