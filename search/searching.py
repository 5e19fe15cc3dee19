"""Run a search and shape its results: clauses, best first, with the hit and its rendering.

``search()`` validates the query, builds a Whoosh query with ``search.analysis`` (user input is
never handed to a query parser, so operators, field syntax and stray quotes are just text),
runs it on one searcher of the live index generation, keeps each clause once (its best
passage), and for each result finds the hit sentence and the aligned sentence(s) of the other
language, so the result can link to ``/<doc>/?v=…#c-<ref>-s<N>``.

If no index generation can answer (the index lost or damaged beyond what the backend can fall
back from), a rebuild is started and ``SearchUnavailable`` says so: never "no results". If the
generation answering does not hold some document as the database does (an update still to
come, or one that failed), the results carry a notice saying so.

The whole library is one index and one BM25 ranking; ``document=`` narrows it to one document.
Passages of equal score are ordered by their document's date (newest first), then the
document's slug, the clause's position and the version's position, never by the order they
happened to be indexed in (which changes when one document is re-indexed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from whoosh import query as wq
from whoosh.collectors import FilterCollector, ScoredCollector

from reader.models import Document, Version

from . import catalogue, scope
from .analysis import QueryTerm, highlight, highlight_spans, parse_query, whoosh_query
from .ranking import top_clauses
from .scoring import every_match
from .services import IndexUnavailable, backend, out_of_date, rebuild_in_background

MAX_QUERY = 1000
MAX_LIMIT = 100


class QueryError(ValueError):
    """The query cannot be searched; the message says why, for the person who typed it."""


class SearchUnavailable(RuntimeError):
    """No index generation can answer at the moment; the message says so, for the reader."""


UNAVAILABLE = ("Search is unavailable for a moment: the search index could not be read and is "
               "being rebuilt from the library. Please try again in a minute.")


@dataclass
class Hit:
    ref: str
    document: str  # slug
    version: Version
    passage: catalogue.PassageRow
    score: float
    anchor: str = ""
    url: str = ""
    counterpart: Version | None = None
    aligned: list[str] = field(default_factory=list)  # the other language's sentence(s)
    versions: dict[str, str] = field(default_factory=dict)  # snippet (HTML with <mark>) of every matching version
    languages: dict[str, str] = field(default_factory=dict)  # the language of each of those versions
    document_title: str = ""
    document_url: str = ""  # the document's reader page
    document_number: str = ""
    document_date: date | None = None
    document_date_text: str = ""  # as the page shows it (formatted once per document and search)

    @property
    def snippets(self) -> list[tuple[str, str, str]]:
        """(version slug, language, snippet HTML) of every matching version, in the reader's order."""
        return [(slug, self.languages[slug], html) for slug, html in self.versions.items()]


@dataclass
class Results:
    query: str
    terms: list[QueryTerm]
    count: int
    page: int
    pages: int
    hits: list[Hit]
    suggestion: str = ""
    notice: str = ""  # the index does not hold some document as the library does


def clean_query(raw: str | None) -> str:
    text = (raw or "").replace("\x00", "")
    text = "".join(ch for ch in text if ch >= " " or ch in "\t")
    text = " ".join(text.split())
    if not text:
        raise QueryError("Type a word or phrase to search for, in Chinese or English.")
    if len(text) > MAX_QUERY:
        raise QueryError(f"That query is {len(text)} characters long; searches are limited to "
                         f"{MAX_QUERY}. Try the few words that matter.")
    return text


def positive_int(raw: str | None, default: int, name: str, *, maximum: int | None = None) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not “{str(raw)[:20]}”.") from None
    if value < 1:
        raise QueryError(f"{name} must be 1 or more.")
    if maximum is not None and value > maximum:
        raise QueryError(f"{name} can be at most {maximum}.")
    return value


def search(raw_query: str | None, *, document: str | None = None, version: str | None = None,
           part: str | None = None, page: int = 1, per_page: int = 20) -> Results:
    """Clauses matching the query, best first, from every document or from ``document`` (a
    slug); raises QueryError with a message for bad input."""
    text = clean_query(raw_query)
    terms = parse_query(text)
    query = whoosh_query(terms)
    if query is None:
        raise QueryError("Nothing searchable is left in that query once operators and punctuation "
                         "are set aside. Search for words or characters.")
    filters = []
    chosen = None
    lib = catalogue.library()
    if document:
        chosen = lib.by_slug.get(document)
        if chosen is None:
            known = ", ".join(sorted(lib.by_slug)) or "none yet"
            raise QueryError(f"Unknown document “{document[:60]}”; the documents are: {known}.")
        filters.append(wq.Term("document", chosen.slug))
    if version:
        slugs = {v.slug for v in lib.choices(chosen)}
        if version not in slugs:
            where = f" of {chosen.slug}" if chosen else ""
            raise QueryError(f"Unknown version “{version[:40]}”; choose one of the versions{where}: "
                             f"{', '.join(sorted(slugs))}.")
        filters.append(wq.Term("version", version))
    if part:
        values = scope.part_values(chosen)
        if part not in values:
            where = f" in {chosen.slug}" if chosen else ""
            raise QueryError(f"Unknown part “{part[:20]}”{where}; choose one of {', '.join(sorted(values))}.")
        filters.append(wq.Term("part", part))
    restrict = wq.And(filters) if filters else None

    try:
        searcher = backend().shared_searcher()  # kept open for the next search: not closed here
    except IndexUnavailable:
        rebuild_in_background()
        raise SearchUnavailable(UNAVAILABLE) from None
    count, top = _top_clauses(searcher, query, restrict, page * per_page)
    pages = max(1, -(-count // per_page))
    if page > pages and count:
        raise QueryError(f"There are only {pages} page{'s' if pages > 1 else ''} of results.")
    window = top[(page - 1) * per_page:]
    suggestion = "" if count else _suggest(searcher, terms)
    hits = _hits(lib, window, terms, version)
    return Results(text, terms, count, page, pages, hits, suggestion, _stale_notice(lib, chosen))


_stale: tuple[tuple, list[str]] | None = None  # ((generation, corpus revision), documents out of date)


def _out_of_date(lib: catalogue.Library) -> list[str]:
    """``out_of_date()``, worked out once per index generation and corpus revision: it can only
    change when one of them does (an import changes the revision), and reading every document's
    fingerprint was a database query on every search."""
    global _stale
    key = (backend().generation, lib.token)
    kept = _stale
    if kept is not None and kept[0] == key:
        return kept[1]
    documents = out_of_date()
    _stale = (key, documents)
    return documents


def _stale_notice(lib: catalogue.Library, chosen: Document | None) -> str:
    """What the reader should know if the index lags behind the library for what was searched."""
    stale = [slug for slug in _out_of_date(lib) if chosen is None or slug == chosen.slug]
    if not stale:
        return ""
    names = [lib.titles[d.id] for d in sorted((lib.by_slug[slug] for slug in stale if slug in lib.by_slug),
                                              key=lambda d: (-d.date.toordinal(), d.slug))]
    if not names:  # documents the database no longer has
        return ""
    return (f"The search index has not yet caught up with the latest import of "
            f"{'; '.join(names)}: results from {'it' if len(names) == 1 else 'them'} may be out of date.")


class _EveryMatch(ScoredCollector):
    """Every passage matching, scored, from one pass over Whoosh's matchers: the ranking and
    the count of distinct clauses need nothing more. (Whoosh's top-N collector ran the whole
    query a second time to count.) No block-quality skipping or matcher replacement: every
    match is wanted."""

    def __init__(self):
        super().__init__(replace=0)
        self.scored: list[tuple[float, int]] = []  # (score, global docnum)

    def _collect(self, global_docnum, score):
        self.scored.append((score, global_docnum))
        return 0


def _every_match(searcher, query, restrict) -> tuple[np.ndarray, np.ndarray]:
    """Every passage matching, as (global docnums ascending, scores): read a posting list at a
    time by ``search.scoring``, or by Whoosh's own matchers for a query it does not read."""
    found = every_match(searcher, query, restrict)
    if found is not None:
        return found
    matches = _EveryMatch()
    collector = matches if restrict is None else FilterCollector(matches, allow=restrict)
    searcher.search_with_collector(query, collector)
    matches.scored.sort(key=lambda item: item[1])
    return (np.array([d for _, d in matches.scored], dtype=np.int64),
            np.array([s for s, _ in matches.scored], dtype=np.float64))


def _top_clauses(searcher, query, restrict, needed: int) -> tuple[int, list[tuple[int, str, float]]]:
    """How many distinct clauses match, and the best ``needed`` of them as (passage id, clause
    key, score), one passage each (its best-ranked one): see ``search.ranking``."""
    docs, scores = _every_match(searcher, query, restrict)
    return top_clauses(searcher, docs, scores, needed)


def _suggest(searcher, terms: list[QueryTerm]) -> str:
    """A respelling of the query's English words that exist in the index, if any differ.

    Only words sharing the first letter are offered: a misspelling rarely starts wrong, and
    searching the whole word graph took 70–110 ms a word (every query that found nothing),
    with it 0.1–8 ms."""
    corrector = searcher.corrector("spell")
    words, changed = [], False
    for term in terms:
        if term.phrase or not term.text.isascii():
            words.append(f"“{term.text}”" if term.phrase else term.text)
            continue
        fixed = []
        for word in term.text.split():
            options = corrector.suggest(word.lower(), limit=1, prefix=1)
            if options and options[0] != word.lower():
                fixed.append(options[0])
                changed = True
            else:
                fixed.append(word)
        words.append(" ".join(fixed))
    return " ".join(words) if changed else ""


def _hits(lib: catalogue.Library, window, terms, only_version: str | None) -> list[Hit]:
    """Results for one page of hits, from the library kept for the corpus revision and its
    clauses' rows (read in at most three queries for clauses not yet kept)."""
    wanted = [(pid, key, lib.clause_ids.get(key), score) for pid, key, score in window]
    rows = catalogue.clauses(lib, {cid for _, _, cid, _ in wanted if cid is not None})
    hits = []
    for pid, key, clause_id, score in wanted:
        clause = rows.get(clause_id)
        passage = next((p for p in clause.passages if p.id == pid), None) if clause else None
        if passage is None:  # the index is ahead of or behind the database for a moment
            continue
        version = lib.version_by_id[passage.version_id]
        doc = lib.by_id[version.document_id]
        hit = Hit(key.split("/", 1)[1], doc.slug, version, passage, score, document_title=lib.titles[doc.id],
                  document_number=doc.number, document_date=doc.date)
        own_spans = None  # the matches in the hit passage (its version is always one shown)
        for other in clause.passages:
            other_version = lib.version_by_id[other.version_id]
            if only_version and other_version.slug != only_version:
                continue
            spans = highlight_spans(other.text, terms)
            if other.id == passage.id:
                own_spans = spans
            if spans:
                hit.versions[other_version.slug] = highlight(other.text, terms, around=80, spans=spans)
                hit.languages[other_version.slug] = other_version.language
        if own_spans is None:
            own_spans = highlight_spans(passage.text, terms)
        hit.document_url, hit.document_date_text = lib.link(doc)
        _align(hit, own_spans, lib.versions[doc.id], clause)
        hits.append(hit)
    return hits


def _counterpart(version: Version, versions: list[Version]) -> Version | None:
    """The version a hit in ``version`` is shown next to: the first English one for a Chinese
    hit, the base text for an English one."""
    if version.is_chinese:
        return next((v for v in versions if not v.is_chinese), None)
    return next(v for v in versions if v.is_base)


def _align(hit: Hit, spans: list[tuple[int, int]], versions: list[Version], clause: catalogue.ClauseRows) -> None:
    """Find the hit sentence (the one holding the first of ``spans``, the matches in the hit
    passage), its base-text number N and the other language's sentence(s)."""
    own = clause.sentences.get(hit.version.id, [])
    first = spans[0][0] if spans else 0
    sentence = next((s for s in own if s.start <= first < s.end), own[0] if own else None)

    def bead_with(target: Version, index: int, side: str) -> catalogue.BeadRow | None:
        return next((b for b in clause.beads.get(target.id, [])
                     if index in getattr(b, f"{side}_sentences")), None)

    number = None
    if sentence is not None:
        if hit.version.is_base:
            number = sentence.index
        else:
            bead = bead_with(hit.version, sentence.index, "target")
            number = bead.source_sentences[0] if bead and bead.source_sentences else None
    counterpart = _counterpart(hit.version, versions)
    hit.counterpart = counterpart
    if counterpart is not None and number is not None:
        if counterpart.is_base:
            bead = bead_with(hit.version, number, "source")
            indices = bead.source_sentences if bead else [number]
        else:
            bead = bead_with(counterpart, number, "source")
            indices = bead.target_sentences if bead else []
        hit.aligned = [s.text for s in clause.sentences.get(counterpart.id, [])
                       if s.index in indices]
    shown = [hit.version.slug] + ([counterpart.slug] if counterpart else [])
    hit.anchor = f"c-{hit.ref}-s{number}" if number else f"c-{hit.ref}"
    hit.url = (hit.document_url + "?v=" + ",".join(shown)
               + "#" + hit.anchor)
