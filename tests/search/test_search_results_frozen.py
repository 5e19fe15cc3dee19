"""Search's fast paths give exactly what the plain, slow way of searching gives, on the library.

``search()`` counts distinct clauses without scoring, scores only a few more passages than a
page needs, keeps one Whoosh searcher open across searches and builds its highlights without a
sanitiser. Here each of those is checked against the obvious way of doing the same thing, on the
seed document and the three reports, for the worst-case queries of the benchmark (one common
character, the commonest words) and some ordinary ones: a fresh searcher opened on the live
generation, every matching passage scored and ranked, every stored field read, every snippet
passed through bleach allowing only ``<mark>`` (which is what ``highlight`` used to end with).

The four documents are ingested and indexed once for the module, and removed after it.
"""
import bleach
import pytest
from django.conf import settings
from whoosh.filedb.filestore import FileStorage

from reader.models import Document, Passage
from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus
from search.analysis import highlight, highlight_spans, parse_query, whoosh_query
from search.ranking import rank_key
from search.searching import search
from search.services import backend, rebuild_search_index

REPORTS = ["gwr-2016", "gwr-2019", "gwr-2020"]
QUERIES = ["国", "的", "the", "互联网", "众创空间", "國", "互联网+", "cloud computing", "IPv6",
           "manufacture", '"cloud computing"', '"互联网+"行动']
PER_PAGE = 20


@pytest.fixture(scope="module")
def library(django_db_setup, django_db_blocker, corpus):
    """The seed and the three reports in the database and in a live index built from them."""
    corpora = [corpus] + [build_corpus(settings.LIBRARY_DIR / slug, settings.GLOSSARY_FILE) for slug in REPORTS]
    with django_db_blocker.unblock():
        for each in corpora:
            corpus_ingest(corpus=each)
        rebuild_search_index()
    yield
    with django_db_blocker.unblock():
        Document.objects.all().delete()
        rebuild_search_index()


def reference(q: str, page: int) -> tuple[int, list[tuple[int, float, dict[str, str]]]]:
    """The count and one page of (passage id, score, snippet of every matching version), the
    slow way."""
    terms = parse_query(q)
    b = backend()
    index = FileStorage(str(b.root / b.live_generation())).open_index()
    with index.searcher() as searcher:
        everything = list(searcher.search(whoosh_query(terms), limit=None))
        count = len({searcher.stored_fields(hit.docnum)["clause_key"] for hit in everything})
        best = {}
        for hit in sorted(everything, key=lambda hit: rank_key(hit.score, hit.fields())):
            best.setdefault(hit["clause_key"], (int(hit["django_id"]), hit.score))
    window = list(best.values())[(page - 1) * PER_PAGE:page * PER_PAGE]
    shown = []
    for pid, score in window:
        clause_id = Passage.objects.get(id=pid).clause_id
        snippets = {}
        for other in Passage.objects.filter(clause_id=clause_id).order_by("version__position"):
            if highlight_spans(other.text, terms):
                snippets[other.version.slug] = bleach.clean(highlight(other.text, terms, around=80),
                                                            tags={"mark"}, attributes={}, strip=True)
        shown.append((pid, score, snippets))
    return count, shown


@pytest.mark.parametrize("q", QUERIES)
def test_every_query_finds_the_same_clauses_in_the_same_order_with_the_same_count_and_snippets_as_the_slow_way(
        library, db, q):
    for page in (1, 2):
        count, expected = reference(q, page)
        if page == 2 and count <= PER_PAGE:
            break
        results = search(q, page=page, per_page=PER_PAGE)
        again = search(q, page=page, per_page=PER_PAGE)  # from the searcher kept open

        assert results.count == again.count == count > 0
        got = [(hit.passage.id, hit.score, hit.versions) for hit in results.hits]
        assert got == expected
        assert [(hit.passage.id, hit.score, hit.versions) for hit in again.hits] == expected


def test_the_worst_case_queries_match_clauses_of_every_document_on_more_than_one_page(library, db):
    for q in ("国", "的", "the", "互联网"):
        results = search(q, per_page=PER_PAGE)
        assert results.pages > 1
        assert {hit.document for hit in search(q, per_page=100).hits} == {"guofa-2015-40", *REPORTS}


def test_a_highlight_of_text_with_markup_characters_is_what_bleach_would_leave_of_it(library, db):
    """Passages with ``&``, ``<``, ``>`` or quotes, and ones matching the commonest queries: the
    snippet built from escaped pieces is exactly what a bleach pass leaves of it."""
    texts = list(Passage.objects.values_list("text", flat=True))
    marked = [t for t in texts if any(c in t for c in "&<>\"'")]
    assert marked, "the library has text with characters that must be escaped"
    for q in ("国", "the", "互联网", "AT&T <b> \"quoted\""):
        terms = parse_query(q)
        for text in marked + [t for t in texts[::7] if highlight_spans(t, terms)]:
            for around in (None, 80):
                html = highlight(text, terms, around=around)
                assert bleach.clean(html, tags={"mark"}, attributes={}, strip=True) == html
