"""The PubMed topics and the relevance filter, on real articles from ../shared/data/pubmed."""

import pytest

from adaptivefit.jobs import pubmed, pubmed_topics
from tests.conftest import SHARED_DATA, shared_data_missing

BIO, META = SHARED_DATA / "pubmed" / "biopython", SHARED_DATA / "pubmed" / "metapub"
pytestmark = pytest.mark.skipif(
    shared_data_missing(BIO / "pubmed2.xml", BIO / "pubmed4.xml", META / "38747095.xml", META / "34995163.xml",
                        META / "38048813.xml"),
    reason="../shared/data/pubmed not found",
)


def _one(path):
    return pubmed.parse_articles(path.read_bytes()).articles[0]


def _topic(key):
    return next(t for t in pubmed_topics.TOPICS if t.key == key)


def test_relevance_filter():
    nutrition, sleep, hrv = _topic("protein_nutrition"), _topic("recovery_sleep"), _topic("hrv_training")
    assert pubmed_topics.relevance(_one(META / "38747095.xml"), nutrition) == (True, "mentions 'energy intake'")
    assert pubmed_topics.relevance(_one(META / "34995163.xml"), sleep)[0]
    assert pubmed_topics.relevance(_one(META / "34995163.xml"), hrv)[0]
    keep, reason = pubmed_topics.relevance(_one(META / "38048813.xml"), nutrition)
    assert not keep and "language ger" in reason
    assert pubmed_topics.relevance(_one(META / "38048813.xml"), nutrition, languages=("eng", "ger"))[1].startswith("mentions none")
    fish = next(a for a in pubmed.parse_articles((BIO / "pubmed2.xml").read_bytes()).articles if a.pmid == "11748933")
    assert pubmed_topics.relevance(fish, nutrition) == (False, "an animal-only study")
    cancer = _one(BIO / "pubmed4.xml")
    assert not any(pubmed_topics.relevance(cancer, topic)[0] for topic in pubmed_topics.TOPICS)


def test_topics_cover_the_issue():
    keys = {t.key for t in pubmed_topics.TOPICS}
    assert keys == {"hrv_training", "spo2_altitude", "strength_hypertrophy", "recovery_sleep", "protein_nutrition"}
    assert all(t.query and t.keywords for t in pubmed_topics.TOPICS)
    term = pubmed_topics.search_term(_topic("hrv_training"), ("eng", "ger"))
    assert term.startswith('(("heart rate variability"[tiab] OR HRV[tiab]) AND ')
    assert term.endswith(" AND (eng[la] OR ger[la]) NOT (animals[mh] NOT humans[mh])")
