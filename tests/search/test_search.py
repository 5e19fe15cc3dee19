"""Search as a reader uses it: the page, the API, bad input, and the index under rebuilds."""
import re
import threading

import pytest

from reader.models import Passage
from search.services import backend, rebuild_search_index


_built_for = None


@pytest.fixture
def indexed(ingested):
    """The corpus in the database and a live index of exactly those rows.

    Every test's database starts over, but ingest writes the same rows with the same ids each
    time, so the index is rebuilt only when the rows differ from those it was built from.
    """
    global _built_for
    rows = tuple(Passage.objects.order_by("id").values_list("id", "text", "version__slug", "clause__ref"))
    if rows != _built_for or backend().live_generation() is None:
        rebuild_search_index()
        _built_for = rows
    return ingested


def refs_where(corpus, versions, predicate):
    return {p.ref for p in corpus.passages if p.version in versions and predicate(p.text)}


def api(client, **params):
    return client.get("/api/search", params)


def result_refs(response):
    data = response.json()
    assert data["count"] == len(data["results"]) or data["count"] > len(data["results"])
    return [r["ref"] for r in data["results"]]


CHINESE = ("zh-hans", "zh-hant")
ENGLISH = ("en", "en-mt")


@pytest.mark.parametrize("query, versions, needle", [
    ("众创空间", CHINESE, "众创空间"),
    ("国", CHINESE, "国"),
    ("创空", CHINESE, "创空"),
    ("征信", CHINESE, "征信"),
    ("一带一路", CHINESE, "一带一路"),
])
def test_a_chinese_query_finds_exactly_the_clauses_whose_text_contains_it(client, indexed, corpus, query, versions, needle):
    expected = refs_where(corpus, ("zh-hans",), lambda t: needle in t)
    response = api(client, q=query, limit=100)
    assert response.status_code == 200
    assert set(result_refs(response)) == expected
    assert response.json()["count"] == len(expected)


def test_a_traditional_query_finds_the_simplified_text(client, indexed, corpus):
    expected = refs_where(corpus, ("zh-hans",), lambda t: "网络安全" in t)
    assert expected
    assert set(result_refs(api(client, q="網絡安全", limit=100))) == expected


def test_an_english_word_is_found_by_its_stem_in_both_translations(client, indexed, corpus):
    pattern = re.compile(r"\bmanufactur(e|es|ed|ing)\b", re.I)
    expected = refs_where(corpus, ENGLISH, lambda t: bool(pattern.search(t)))
    assert set(result_refs(api(client, q="manufacture", limit=100))) == expected


def test_several_english_words_must_all_occur_and_quotes_make_a_phrase(client, indexed, corpus):
    both = refs_where(corpus, ENGLISH, lambda t: "cloud" in t.lower() and "comput" in t.lower())
    phrase = refs_where(corpus, ENGLISH, lambda t: "cloud computing" in t.lower())
    assert set(result_refs(api(client, q="cloud computing", limit=100))) == both
    assert set(result_refs(api(client, q='"cloud computing"', limit=100))) == phrase
    assert phrase <= both


def test_acronyms_and_latin_inside_chinese_are_searchable(client, indexed, corpus):
    expected = refs_where(corpus, CHINESE + ENGLISH, lambda t: "IPv6" in t)
    assert expected and set(result_refs(api(client, q="IPv6", limit=100))) == expected
    assert set(result_refs(api(client, q="ＩＰｖ６", limit=100))) == expected


def test_the_plus_of_internet_plus_counts(client, indexed, corpus):
    plus = refs_where(corpus, ("zh-hans",), lambda t: "互联网+" in t)
    without = refs_where(corpus, ("zh-hans",), lambda t: "互联网" in t)
    assert set(result_refs(api(client, q="互联网+", limit=100))) == plus
    assert set(result_refs(api(client, q="互联网", limit=100))) == without
    assert plus < without


def test_a_query_with_no_hits_says_so_and_suggests_a_spelling(client, indexed):
    data = api(client, q="manufacturng").json()
    assert data["count"] == 0 and data["results"] == []
    assert data["suggestion"] == "manufacturing"
    page = client.get("/search/", {"q": "manufacturng"}).content.decode()
    assert "Nothing found" in page and "Did you mean" in page and "manufacturing" in page


def test_each_result_has_marked_hits_the_aligned_rendering_and_a_sentence_link(client, indexed):
    data = api(client, q="众创空间").json()
    first = data["results"][0]
    assert "<mark>众创空间</mark>" in first["versions"]["zh-hans"]
    assert first["aligned"]["version"] == "en" and first["aligned"]["sentences"]
    assert re.search(r"/guofa-2015-40/\?v=zh-hans,en#c-[\d.]+-s\d+$", first["url"])
    refs = [r["ref"] for r in data["results"]]
    assert len(refs) == len(set(refs))  # each clause at most once


def test_an_english_hit_links_to_the_chinese_sentence_it_renders(client, indexed):
    data = api(client, q="mass creation spaces", version="en").json()
    hit = next(r for r in data["results"] if r["ref"] == "2.1.2")
    assert hit["aligned"]["version"] == "zh-hans"
    assert any("众创空间" in s for s in hit["aligned"]["sentences"])
    assert hit["url"].endswith("#c-2.1.2-s1") or "#c-2.1.2-s" in hit["url"]


def test_filters_by_version_and_part_narrow_the_results(client, indexed, corpus):
    only_mt = set(result_refs(api(client, q="Internet", version="en-mt", limit=100)))
    assert only_mt and all(r.startswith(("3", "0", "title", "addressees")) for r in only_mt)
    part_two = set(result_refs(api(client, q="互联网", part="2", limit=100)))
    assert part_two and all(r.startswith("2") for r in part_two)


def test_results_are_paginated(client, indexed):
    first = api(client, q="互联网", limit=5, page=1).json()
    second = api(client, q="互联网", limit=5, page=2).json()
    assert first["count"] > 10 and len(first["results"]) == 5
    assert not set(r["ref"] for r in first["results"]) & set(r["ref"] for r in second["results"])
    page = client.get("/search/", {"q": "互联网"}).content.decode()
    assert 'rel="next"' in page


@pytest.mark.parametrize("params", [
    {"q": ""}, {"q": "   "}, {"q": "x" * 1001}, {"q": "AND"}, {"q": "NOT"}, {"q": "*"}, {"q": "?"},
    {"q": '"unbalanced'}, {"q": "(("}, {"q": "title:x"}, {"q": "a\x00b"},
    {"q": "<script>alert(1)</script>"}, {"q": "互联网", "page": "0"}, {"q": "互联网", "page": "abc"},
    {"q": "互联网", "page": "999"}, {"q": "互联网", "limit": "101"}, {"q": "互联网", "version": "xx"},
    {"q": "互联网", "part": "9"},
])
def test_bad_input_gets_a_clear_message_never_a_500(client, indexed, params):
    response = api(client, **params)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["error"]
    page = client.get("/search/", params)
    assert page.status_code in (200, 400)
    assert b"<script>alert(1)</script>" not in page.content


def test_the_search_page_echoes_the_query_escaped(client, indexed):
    page = client.get("/search/", {"q": "<b>互联网</b>"}).content.decode()
    assert "&lt;b&gt;互联网&lt;/b&gt;" in page and "<b>互联网</b>" not in page


def test_every_page_has_a_search_box(client, indexed):
    for url in ("/", "/guofa-2015-40/", "/guofa-2015-40/2.1.3/", "/search/"):
        assert 'role="search"' in client.get(url).content.decode(), url


def test_searches_keep_answering_while_the_index_is_rebuilt(indexed):
    # Readers go straight to the index (threads cannot share the in-memory test database).
    from search.analysis import parse_query, whoosh_query

    query = whoosh_query(parse_query("众创空间"))

    def clauses_found():
        searcher = backend().searcher()
        try:
            return len(searcher.search(query, limit=None, collapse="clause_key", collapse_limit=1))
        finally:
            searcher.close()

    expected = clauses_found()
    failures, counts = [], []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                counts.append(clauses_found())
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                failures.append(repr(exc))
            stop.wait(0.01)  # leave the rebuild some of the interpreter

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        generations = set()
        for _ in range(2):
            rebuild_search_index()
            generations.add(backend().live_generation())
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert expected > 0 and not failures
    assert len(counts) > 10 and set(counts) == {expected}
    assert len(generations) == 2


def test_haystacks_rebuild_index_command_switches_to_a_complete_new_generation(indexed):
    from django.core.management import call_command

    before = backend().live_generation()
    call_command("rebuild_index", "--noinput", stdout=open("/dev/null", "w"))
    after = backend().live_generation()
    assert after != before
    searcher = backend().searcher()
    try:
        assert searcher.doc_count() == Passage.objects.count()
    finally:
        searcher.close()


def test_removing_a_passage_from_the_index_takes_it_out_of_the_results(client, indexed):
    passage = Passage.objects.get(clause__ref="2.1.2", version__slug="zh-hans")
    backend().remove(passage)
    refs = set(result_refs(api(client, q="众创空间", version="zh-hans", limit=100)))
    assert "2.1.2" not in refs and refs
    global _built_for
    _built_for = None  # the next test gets a complete index again
