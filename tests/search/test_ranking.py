"""What ranking keeps of every passage in the index (search.ranking) is what the passages'
stored fields say, on the real library (the seed and the three reports): each passage's clause,
and its place among passages of equal score in the order ``rank_key`` states. Searches on the
same index share it, and an index with one segment changed rereads only that segment."""
import pytest

from search import ranking
from search.analysis import parse_query, whoosh_query
from search.ranking import passage_table, rank_key, top_clauses
from search.scoring import every_match
from search.services import backend, rebuild_search_index, update_document_index


@pytest.fixture
def searcher(indexed_library, db):
    ranking.forget()
    return backend().shared_searcher()


def every_passage(searcher) -> list[dict]:
    return [searcher.stored_fields(docnum) for docnum in range(searcher.doc_count_all())]


def test_passages_of_equal_score_take_the_places_rank_key_gives_them(searcher):
    fields = every_passage(searcher)
    table = passage_table(searcher)
    by_table = sorted(range(len(fields)), key=lambda docnum: table.tie[docnum])
    by_rank_key = sorted(range(len(fields)), key=lambda docnum: rank_key(1.0, fields[docnum]))
    assert by_table == by_rank_key
    assert len({f["document"] for f in fields}) == 4  # ties across documents are ordered too


def test_passages_of_one_clause_and_only_they_share_a_clause_number(searcher):
    fields = every_passage(searcher)
    table = passage_table(searcher)
    by_number: dict[int, set[str]] = {}
    for docnum, f in enumerate(fields):
        by_number.setdefault(int(table.clause[docnum]), set()).add(f["clause_key"])
    assert all(len(keys) == 1 for keys in by_number.values())
    assert len(by_number) == len({f["clause_key"] for f in fields}) > 400


def test_the_top_clauses_are_the_best_ranked_passage_of_each_clause_and_the_count_every_clause(searcher):
    docs, scores = every_match(searcher, whoosh_query(parse_query("的")))
    count, top = top_clauses(searcher, docs, scores, 50)
    best = {}
    for docnum, score in sorted(zip(docs.tolist(), scores.tolist()),
                                key=lambda pair: rank_key(pair[1], searcher.stored_fields(pair[0]))):
        fields = searcher.stored_fields(docnum)
        best.setdefault(fields["clause_key"], (int(fields["django_id"]), fields["clause_key"], score))
    assert count == len(best) > 50
    assert top == list(best.values())[:50]


def test_searchers_on_the_same_index_share_its_table(searcher):
    other = backend().searcher()  # as another thread's searcher is: the same files, opened again
    try:
        assert other.reader() is not searcher.reader()
        assert passage_table(other) is passage_table(searcher)
    finally:
        other.close()


def test_reindexing_one_document_rereads_only_its_segment_and_ranks_as_before(indexed_library, db):
    ranking.forget()
    query = whoosh_query(parse_query("的"))

    def shown(searcher):
        docs, scores = every_match(searcher, query)
        count, top = top_clauses(searcher, docs, scores, 40)
        return count, [(searcher.document(django_id=str(pid))["id"], key, score) for pid, key, score in top]

    before = backend().shared_searcher()
    expected = shown(before)
    read_before = dict(ranking._segments)
    try:
        update_document_index("gwr-2019")
        after = backend().shared_searcher()
        assert shown(after) == expected
        reread = [key for key, part in ranking._segments.items() if read_before.get(key) is not part]
        assert len(read_before) == 4 and len(reread) == 1
    finally:
        rebuild_search_index()
