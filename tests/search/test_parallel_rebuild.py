"""A rebuild writes its documents' segments in parallel processes: the index it makes answers
every search exactly as one written by a single process, on the real library."""
from contextlib import closing, contextmanager

from django.core.cache import cache
from haystack import connections

from reader.models import Passage
from search import services
from search.analysis import parse_query, whoosh_query

REPORTS = ["gwr-2016", "gwr-2019", "gwr-2020"]
QUERIES = ["国", "的", "the", "互联网", "互联网+", "众创空间", "供给侧结构性改革", "網絡安全", "发展",
           "cloud computing", "manufacture", "enterprises", "IPv6", "GDP", '"大众创业"',
           '"Internet of Things"', "创空"]


@contextmanager
def index_at(path):
    info = connections.connections_info["default"]
    shared = info["PATH"]
    info["PATH"] = str(path)
    connections.reload("default")
    cache.clear()
    try:
        yield services.backend()
    finally:
        info["PATH"] = shared
        connections.reload("default")
        cache.clear()


def built_with(procs: int, path):
    """Every hit of every query (passage, score), best first, from an index of the library
    written by ``procs`` processes, and the index's manifest of documents."""
    with index_at(path) as b:
        index = services._passage_index("default")
        passages = index.index_queryset(using="default").order_by("clause__document_id", "id")
        with closing(services._prepared(index, passages)) as documents:
            count = b.rebuild(documents, revisions=services.document_revisions(), procs=procs)
        searcher = b.searcher()
        try:
            hits = {q: [(hit["django_id"], hit.score) for hit in
                        searcher.search(whoosh_query(parse_query(q)), limit=None)] for q in QUERIES}
            segments = len(b.index.refresh()._segments())
        finally:
            searcher.close()
        return count, hits, segments, b.manifest(b.generation)["documents"]


def test_an_index_written_by_two_processes_finds_the_same_passages_in_the_same_order_with_the_same_scores(
        shelved, db, tmp_path):
    alone = built_with(1, tmp_path / "one")
    together = built_with(2, tmp_path / "two")

    count, hits, segments, documents = together
    assert count == Passage.objects.count() > 1000
    assert segments == 4  # one per document, none merged
    assert sorted(documents) == ["guofa-2015-40", *REPORTS]
    assert all(hits[q] for q in QUERIES)
    assert together == alone


def test_a_rebuild_prepares_every_passage_exactly_as_haystacks_full_prepare_would(shelved, db):
    index = services._passage_index("default")
    passages = index.index_queryset(using="default")
    with closing(index.prepared(passages)) as fast:
        fast = list(fast)
    slow = [index.full_prepare(obj) for obj in passages]
    assert len(fast) == Passage.objects.count() > 1000
    assert fast == slow
    english = next(f for f in fast if f["language"] == "en")
    assert english["chars"] == "" and english["spell"] == english["text"]  # English is not indexed as characters
