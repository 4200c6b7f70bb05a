"""What the PubMed scraper looks for: the topics, their queries, and the relevance filter.

Each topic is a PubMed query (what NCBI searches) and a keyword list (what a fetched article
must mention in its title, abstract, keywords or MeSH terms to be kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adaptivefit.jobs.pubmed import Article


@dataclass(frozen=True)
class Topic:
    key: str
    label: str
    query: str  # PubMed query syntax
    keywords: tuple[str, ...]  # lower-case; one must appear in the title, abstract, keywords or MeSH


TOPICS: tuple[Topic, ...] = (
    Topic(
        "hrv_training",
        "Heart-rate variability and training",
        '("heart rate variability"[tiab] OR HRV[tiab]) AND (training[tiab] OR exercise[tiab] OR athletes[tiab])',
        ("heart rate variability", "hrv", "rmssd", "sdnn", "autonomic"),
    ),
    Topic(
        "spo2_altitude",
        "Oxygen saturation, SpO2 and altitude",
        '("oxygen saturation"[tiab] OR SpO2[tiab] OR altitude[tiab] OR hypoxia[tiab]) '
        "AND (exercise[tiab] OR training[tiab] OR athletes[tiab])",
        ("oxygen saturation", "spo2", "altitude", "hypoxia", "hypoxic", "oximetry"),
    ),
    Topic(
        "strength_hypertrophy",
        "Strength and hypertrophy training",
        '("resistance training"[tiab] OR "strength training"[tiab] OR hypertrophy[tiab]) '
        "AND (muscle[tiab] OR strength[tiab])",
        ("resistance training", "strength training", "resistance exercise", "hypertrophy", "muscle strength",
         "one-repetition maximum", "1rm"),
    ),
    Topic(
        "recovery_sleep",
        "Recovery and sleep",
        "(sleep[tiab] OR recovery[tiab] OR overtraining[tiab]) AND (exercise[tiab] OR athletes[tiab] OR training[tiab])",
        ("sleep", "recovery", "overtraining", "fatigue"),
    ),
    Topic(
        "protein_nutrition",
        "Protein and nutrition",
        '("protein intake"[tiab] OR "protein supplementation"[tiab] OR "sports nutrition"[tiab] '
        'OR "energy intake"[tiab]) AND (exercise[tiab] OR muscle[tiab] OR athletes[tiab])',
        ("protein intake", "dietary protein", "protein supplementation", "protein supplement", "whey",
         "sports nutrition", "nutrition", "energy intake", "dietary intake", "nutrient intake", "macronutrient",
         "diet"),
    ),
)


def search_term(topic: Topic, languages: tuple[str, ...] = ("eng",)) -> str:
    """The topic's query limited to the accepted languages, leaving out animal-only studies.

    `NOT (animals[mh] NOT humans[mh])` is NCBI's own idiom: it keeps the newest articles, which
    are not yet indexed for MeSH, where `humans[mh]` would drop them.
    """
    term = f"({topic.query})"
    if languages:
        term += " AND (" + " OR ".join(f"{language}[la]" for language in languages) + ")"
    return term + " NOT (animals[mh] NOT humans[mh])"


# MeSH headings that mark a study on animals; without "Humans" beside them it is animal-only.
ANIMAL_MESH = frozenset({
    "Animals", "Rats", "Mice", "Rats, Sprague-Dawley", "Rats, Wistar", "Mice, Inbred C57BL",
    "Disease Models, Animal", "Dogs", "Swine", "Horses", "Cattle", "Sheep", "Rabbits", "Zebrafish",
})


def _mentions(haystack: str, keyword: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(keyword)}(?![a-z0-9])", haystack) is not None


def relevance(article: Article, topic: Topic, *, languages: tuple[str, ...] = ("eng",)) -> tuple[bool, str]:
    """(keep, reason): on the topic, about humans (or not yet indexed), in an accepted language."""
    if languages and article.languages and not set(article.languages) & set(languages):
        return False, f"language {', '.join(article.languages)} is not among {', '.join(languages)}"
    mesh = set(article.mesh_terms)
    if "Humans" not in mesh and mesh & ANIMAL_MESH:
        return False, "an animal-only study"
    haystack = " ".join([article.title, article.abstract, *article.keywords, *article.mesh_terms]).lower()
    for keyword in topic.keywords:
        if _mentions(haystack, keyword):
            return True, f"mentions {keyword!r}"
    return False, f"mentions none of the {topic.label.lower()} keywords"
