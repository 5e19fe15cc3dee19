"""Every match of a query read a posting list at a time (search.scoring) is exactly what
Whoosh's own matchers find: the same passages with the same scores, on the real library (the
seed and the three reports, one index segment each), filtered or not, after a passage is
deleted, and with only a few postings kept between searches."""
import pytest
from whoosh import query as wq
from whoosh.collectors import FilterCollector

from search import scoring, searching
from search.analysis import parse_query, whoosh_query
from search.searching import _EveryMatch, search
from search.services import backend, rebuild_search_index

# One common character, very common words, words of two to four characters (some inside a
# longer jieba word), traditional script, English words, stems and phrases, and a mix.
QUERIES = ["国", "的", "互联网", "互联网+", "众创空间", "創新", "云计算", "稳中求进", "一带一路",
           "cloud computing", '"cloud computing"', "enterprises", "the", "IPv6",
           '"Internet of Things"', '"互联网+"行动', "创新 enterprises", "就业 优先", "nosuchword"]


@pytest.fixture
def searcher(indexed_library, db):
    return backend().shared_searcher()


def whoosh_matches(searcher, query, restrict=None) -> dict[int, float]:
    matches = _EveryMatch()
    collector = matches if restrict is None else FilterCollector(matches, allow=restrict)
    searcher.search_with_collector(query, collector)
    return {docnum: score for score, docnum in matches.scored}


def read_matches(searcher, query, restrict=None) -> dict[int, float]:
    docs, scores = scoring.every_match(searcher, query, restrict)
    assert list(docs) == sorted(set(docs))
    return dict(zip(docs.tolist(), scores.tolist()))


@pytest.mark.parametrize("q", QUERIES)
def test_every_match_finds_the_passages_whoosh_finds_with_the_same_scores(searcher, q):
    query = whoosh_query(parse_query(q))
    expected = whoosh_matches(searcher, query)
    assert read_matches(searcher, query) == expected
    assert expected or q == "nosuchword"


SEED_ZH = wq.And([wq.Term("document", "guofa-2015-40"), wq.Term("version", "zh-hans")])


@pytest.mark.parametrize("q, restrict", [
    ("国", wq.Term("document", "gwr-2019")), ("互联网", wq.Term("document", "gwr-2019")),
    ("互联网", SEED_ZH), ("国", SEED_ZH), ("enterprises", wq.Term("version", "en")),
    ("enterprises", wq.Term("document", "gwr-2016")), ('"the Internet"', wq.Term("document", "gwr-2019")),
    ('"the Internet"', wq.Term("version", "en"))], ids=repr)
def test_a_filtered_search_keeps_exactly_the_passages_whoosh_keeps(searcher, q, restrict):
    query = whoosh_query(parse_query(q))
    expected = whoosh_matches(searcher, query, restrict)
    assert expected
    assert read_matches(searcher, query, restrict) == expected


def test_a_filter_no_passage_meets_leaves_nothing_as_in_whoosh(searcher):
    # A search narrowed to a document the index does not hold yet (an import not yet indexed).
    query = whoosh_query(parse_query("互联网"))
    restrict = wq.Term("document", "not-indexed-yet")
    assert read_matches(searcher, query, restrict) == whoosh_matches(searcher, query, restrict) == {}


def test_a_search_gives_the_same_results_read_a_posting_list_at_a_time_as_through_whoosh(indexed_library, db, monkeypatch):
    def shown(results):
        return results.count, [(h.document, h.ref, h.version.slug, h.score, h.url) for h in results.hits]

    asked = [("互联网", {}), ("enterprises", {"version": "en"}), ("国", {"document": "gwr-2020", "page": 2}),
             ('"互联网+"行动', {})]
    fast = [shown(search(q, **options)) for q, options in asked]
    monkeypatch.setattr(searching, "every_match", lambda *args: None)
    assert [shown(search(q, **options)) for q, options in asked] == fast
    assert all(count for count, _ in fast)


def test_terms_no_passage_holds_count_against_the_bound_too(searcher, monkeypatch):
    monkeypatch.setattr(scoring, "MAX_KEPT_BYTES", 100 * scoring.ENTRY_BYTES)
    scoring.forget()
    for n in range(300):
        assert scoring.term_postings(searcher, "text", f"nosuchword{n}") is None
    assert len(scoring._kept.entries) <= 100


def test_a_query_it_does_not_read_is_left_to_whoosh(searcher):
    assert scoring.every_match(searcher, wq.Or([wq.Term("text", "cloud"), wq.Term("text", "comput")])) is None
    assert scoring.every_match(searcher, wq.Phrase("text", ["cloud", "comput"], slop=2)) is None
    assert scoring.every_match(searcher, wq.Phrase("spell", ["cloud", "computing"])) is None  # no positions


def test_postings_kept_between_searches_stay_within_their_bound_and_answer_the_same(searcher, monkeypatch):
    monkeypatch.setattr(scoring, "MAX_KEPT_BYTES", 48_000)
    scoring.forget()
    queries = [whoosh_query(parse_query(q)) for q in QUERIES]
    for query in queries + queries:
        assert read_matches(searcher, query) == whoosh_matches(searcher, query)
        kept = scoring._kept
        assert kept.size == sum(p.nbytes for p in kept.entries.values()) <= 48_000


def test_a_deleted_passage_is_not_matched_and_postings_read_before_are_not_used_again(indexed_library, db):
    query = whoosh_query(parse_query("众创空间"))
    before = read_matches(backend().shared_searcher(), query)
    searcher = backend().shared_searcher()
    gone = max(before)
    backend().remove(searcher.stored_fields(gone)["id"])
    try:
        after = backend().shared_searcher()
        assert after.reader() is not searcher.reader()
        found = read_matches(after, query)
        assert found == whoosh_matches(after, query)
        assert gone not in found and set(found) == set(before) - {gone}
    finally:
        rebuild_search_index()


def test_searchers_on_the_same_index_share_the_posting_lists_read(searcher):
    other = backend().searcher()  # as another thread's searcher is: the same files, opened again
    try:
        assert other.reader() is not searcher.reader()
        first = scoring.term_postings(searcher, "chars", "国")
        assert first is not None and scoring.term_postings(other, "chars", "国") is first
    finally:
        other.close()
