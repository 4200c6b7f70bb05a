"""PubMed through NCBI E-utilities: search, fetch in batches, parse (topics live in pubmed_topics.py).

`esearch` puts the hits on NCBI's history server (`usehistory=y`), then `efetch` reads them back
in batches by WebEnv and query key. Every request names the tool and a contact address, as NCBI
asks, and the fetcher keeps to NCBI's rate: 3 requests a second, 10 with an API key.

XML from the network is parsed with defusedxml, which refuses entity expansion tricks.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from adaptivefit.config import Settings
from adaptivefit.jobs.http import Fetcher, RateLimiter

log = logging.getLogger("adaptivefit.jobs.pubmed")

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "adaptivefit"
# ESearch pages through the first 9,999 records of a query and no further.
MAX_RETRIEVABLE = 9999


class PubMedError(Exception):
    """NCBI answered with something other than the records asked for."""


class NotXmlError(PubMedError):
    """The body is not XML (an HTML error page, a truncated download)."""


@dataclass
class Article:
    pmid: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    journal: str = ""
    published: date | None = None
    # The date as PubMed wrote it: "2017 Jun", "1990 Spring", "1998 Dec-1999 Jan".
    published_text: str = ""
    doi: str | None = None
    mesh_terms: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"

    def as_data(self) -> dict[str, Any]:
        """The fields beyond title and abstract, JSON-ready."""
        data = asdict(self)
        for key in ("pmid", "title", "abstract", "published"):
            data.pop(key)
        return data


@dataclass(frozen=True)
class SearchResult:
    count: int
    retmax: int
    retstart: int
    ids: list[str]
    webenv: str | None
    query_key: str | None
    errors: list[str]  # e.g. "PhraseNotFound: abcXYZ"; not fatal, the search ran
    warnings: list[str]


@dataclass(frozen=True)
class ParsedBatch:
    articles: list[Article]
    errors: list[str]  # one line per article that was skipped, with its PMID when known


# -- parsing ---------------------------------------------------------------------------------

def parse_xml(body: bytes | str) -> Element:
    """The document's root, refusing HTML error pages and anything that is not well-formed XML."""
    head = (body[:512].decode("utf-8", "replace") if isinstance(body, bytes) else body[:512]).lstrip().lower()
    if head.startswith("<html") or head.startswith("<!doctype html"):
        raise NotXmlError("NCBI answered with an HTML page instead of XML (an error page or a changed endpoint).")
    try:
        root = SafeET.fromstring(body)
    except (ParseError, DefusedXmlException) as exc:
        raise NotXmlError(f"NCBI's answer is not well-formed XML ({exc}).") from None
    if root.tag.lower() == "html":
        raise NotXmlError("NCBI answered with an HTML page instead of XML (an error page or a changed endpoint).")
    return root


def _text(element: Element | None) -> str:
    """All text inside an element, inline markup (<i>, <sub>) flattened, whitespace collapsed.

    Whitespace holding a line break next to an inline tag is pretty-printing, not text, so
    "&#946;\n    <sub>2</sub>-agonist" reads "β2-agonist".
    """
    if element is None:
        return ""
    pieces = list(element.itertext())
    last = len(pieces) - 1
    for i, piece in enumerate(pieces):
        if i < last:
            piece = re.sub(r"\s*\n\s*$", "", piece)
        if i > 0:
            piece = re.sub(r"^\s*\n\s*", "", piece)
        pieces[i] = piece
    return " ".join("".join(pieces).split())


def parse_esearch(body: bytes | str) -> SearchResult:
    root = parse_xml(body)
    if root.tag != "eSearchResult":
        raise PubMedError(f"expected an eSearchResult, got <{root.tag}>")
    fatal = _text(root.find("ERROR"))
    if fatal:
        raise PubMedError(f"ESearch refused the query: {fatal}")

    def number(tag: str) -> int:
        value = _text(root.find(tag))
        return int(value) if value.isdigit() else 0

    return SearchResult(
        count=number("Count"),
        retmax=number("RetMax"),
        retstart=number("RetStart"),
        ids=[_text(e) for e in root.findall("IdList/Id")],
        webenv=_text(root.find("WebEnv")) or None,
        query_key=_text(root.find("QueryKey")) or None,
        errors=[f"{e.tag}: {_text(e)}" for e in root.findall("ErrorList/*")],
        warnings=[f"{e.tag}: {_text(e)}" for e in root.findall("WarningList/*")],
    )


def parse_articles(body: bytes | str) -> ParsedBatch:
    """Every PubmedArticle in an efetch answer; a malformed one is logged and skipped."""
    root = parse_xml(body)
    if root.tag != "PubmedArticleSet":
        raise PubMedError(f"expected a PubmedArticleSet, got <{root.tag}>")
    articles, errors = [], []
    for element in root.findall("PubmedArticle"):
        try:
            articles.append(parse_article(element))
        except ValueError as exc:
            pmid = _text(element.find("MedlineCitation/PMID")) or "?"
            errors.append(f"PMID {pmid}: {exc}")
            log.warning("skipped a malformed PubMed article (PMID %s): %s", pmid, exc)
    return ParsedBatch(articles, errors)


def parse_article(element: Element) -> Article:
    citation = element.find("MedlineCitation")
    if citation is None:
        raise ValueError("no MedlineCitation")
    pmid = _text(citation.find("PMID"))
    if not pmid.isdigit():
        raise ValueError("no PMID")
    article = citation.find("Article")
    if article is None:
        raise ValueError("no Article")
    title = _title(article)
    if not title:
        raise ValueError("no title")
    published, published_text = parse_pub_date(article.find("Journal/JournalIssue/PubDate"))
    journal = article.find("Journal")
    return Article(
        pmid=pmid,
        title=title,
        abstract=_abstract(article.find("Abstract")),
        authors=_authors(article.find("AuthorList")),
        journal=(_text(journal.find("Title")) or _text(journal.find("ISOAbbreviation"))) if journal is not None else "",
        published=published,
        published_text=published_text,
        doi=_doi(element, article),
        mesh_terms=[_text(e) for e in citation.findall("MeshHeadingList/MeshHeading/DescriptorName")],
        keywords=[_text(e) for e in citation.findall("KeywordList/Keyword") if _text(e)],
        publication_types=[_text(e) for e in article.findall("PublicationTypeList/PublicationType")],
        languages=[_text(e) for e in article.findall("Language")],
    )


def _title(article: Element) -> str:
    title = _text(article.find("ArticleTitle"))
    # A title in [brackets] is NLM's English translation of a foreign-language title.
    if title.startswith("[") and title.rstrip(".").endswith("]"):
        title = title.rstrip(".")[1:-1].strip()
    return title or _text(article.find("VernacularTitle"))


_UNLABELLED = {"UNLABELLED", "UNASSIGNED"}


def _abstract(abstract: Element | None) -> str:
    """Structured abstracts keep their section labels: "BACKGROUND: ...\\n\\nMETHODS: ..."."""
    if abstract is None:
        return ""
    parts = []
    for section in abstract.findall("AbstractText"):
        text = _text(section)
        if not text:
            continue
        label = (section.get("Label") or section.get("NlmCategory") or "").strip()
        parts.append(f"{label}: {text}" if label and label.upper() not in _UNLABELLED else text)
    return "\n\n".join(parts)


def _authors(author_list: Element | None) -> list[str]:
    if author_list is None:
        return []
    names = []
    for author in author_list.findall("Author"):
        if author.get("ValidYN", "Y") == "N":
            continue
        collective = _text(author.find("CollectiveName"))
        if collective:
            names.append(collective)
            continue
        last = _text(author.find("LastName"))
        initials = _text(author.find("Initials")) or "".join(
            part[0] for part in _text(author.find("ForeName")).replace("-", " ").split()
        )
        if last:
            names.append(f"{last} {initials}".strip())
    return names


def _doi(element: Element, article: Element) -> str | None:
    # PubmedData's own ArticleIdList: the ones under ReferenceList name the cited papers.
    for node in element.findall("PubmedData/ArticleIdList/ArticleId"):
        if node.get("IdType") == "doi" and _text(node):
            return _text(node)
    for node in article.findall("ELocationID"):
        if node.get("EIdType") == "doi" and _text(node):
            return _text(node)
    return None


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
# A season stands for its first month; winter for the start of the year it is filed under.
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 1}


def _month(token: str) -> int | None:
    token = token.strip().lower()
    if token.isdigit():
        return int(token) if 1 <= int(token) <= 12 else None
    return _MONTHS.get(token[:3]) or _SEASONS.get(token)


def _safe_date(year: int, month: int | None, day: int | None) -> date:
    try:
        return date(year, month or 1, day or 1)
    except ValueError:
        return date(year, month or 1, 1)


def parse_medline_date(text: str) -> date | None:
    """The first day a MedlineDate names: "1998 Dec-1999 Jan" -> 1998-12-01, "2000 Spring" -> 2000-03-01."""
    match = re.search(r"(\d{4})(?:\s+([A-Za-z]+|\d{1,2})(?:[\s-]+(\d{1,2})\b)?)?", text)
    if not match:
        return None
    month = _month(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if month and match.group(3) else None
    return _safe_date(int(match.group(1)), month, day)


def parse_pub_date(pub_date: Element | None) -> tuple[date | None, str]:
    """(first day of the publication date, PubMed's own wording); (None, "") when absent."""
    if pub_date is None:
        return None, ""
    medline = _text(pub_date.find("MedlineDate"))
    if medline:
        return parse_medline_date(medline), medline
    year, month_text = _text(pub_date.find("Year")), _text(pub_date.find("Month"))
    day, season = _text(pub_date.find("Day")), _text(pub_date.find("Season"))
    wording = " ".join(part for part in (year, month_text or season, day) if part)
    if not year.isdigit():
        return None, wording
    month = _month(month_text) if month_text else (_month(season.split("-")[0]) if season else None)
    return _safe_date(int(year), month, int(day) if day.isdigit() else None), wording


# -- the client ------------------------------------------------------------------------------

def ncbi_rate_limiter(settings: Settings, **kwargs: Any) -> RateLimiter:
    """NCBI's published limit: 3 requests a second without an API key, 10 with one."""
    return RateLimiter.per_second(10 if settings.ncbi_api_key else 3, **kwargs)


def ncbi_fetcher(settings: Settings, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, **kwargs: Any) -> Fetcher:
    """A fetcher that keeps to NCBI's rate; other kwargs go to Fetcher (transport, max_attempts...)."""
    return Fetcher(rate_limiter=ncbi_rate_limiter(settings, clock=clock, sleep=sleep), sleep=sleep, **kwargs)


class PubMedClient:
    def __init__(self, fetcher: Fetcher, *, email: str, api_key: str | None = None, tool: str = TOOL,
                 base_url: str = EUTILS):
        self.fetcher = fetcher
        self.base_url = base_url
        self._identity = {"tool": tool, "email": email} | ({"api_key": api_key} if api_key else {})

    @classmethod
    def from_settings(cls, fetcher: Fetcher, settings: Settings) -> PubMedClient:
        return cls(fetcher, email=settings.ncbi_email, api_key=settings.ncbi_api_key)

    def esearch(self, term: str, *, mindate: date | None = None, maxdate: date | None = None,
                datetype: str = "edat", retmax: int = 100, retstart: int = 0) -> SearchResult:
        """Search PubMed and keep the hits on the history server (WebEnv + query key)."""
        params: dict[str, Any] = {"db": "pubmed", "term": term, "usehistory": "y", "retmax": retmax,
                                  "retstart": retstart}
        if (mindate is None) != (maxdate is None):
            raise ValueError("ESearch needs both mindate and maxdate, or neither")
        if mindate is not None and maxdate is not None:
            params |= {"datetype": datetype, "mindate": mindate.strftime("%Y/%m/%d"),
                       "maxdate": maxdate.strftime("%Y/%m/%d")}
        response = self.fetcher.get(self.base_url + "esearch.fcgi", params | self._identity)
        return parse_esearch(response.content)

    def efetch(self, webenv: str, query_key: str, *, retstart: int = 0, retmax: int = 100) -> ParsedBatch:
        """One batch of full records from the history server."""
        params = {"db": "pubmed", "WebEnv": webenv, "query_key": query_key, "retstart": retstart,
                  "retmax": retmax, "retmode": "xml", "rettype": "abstract"}
        response = self.fetcher.get(self.base_url + "efetch.fcgi", params | self._identity)
        return parse_articles(response.content)
