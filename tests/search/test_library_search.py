"""Search across a library of documents: results from every document, ranked together, each
naming and linking into its document; one document's index updated without touching the rest.

The second document is the seed's sources under another slug, number and date (a reprint):
real text, parsed and ingested as any document is, whose every passage scores exactly as the
seed's, so the order of equal scores is on show.
"""
import re
import shutil
import threading

import pytest
from django.conf import settings

from reader.models import Clause, Document, Passage
from reader.reading import title_of
from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus
from search import search_indexes
from search.analysis import parse_query, whoosh_query
from search.backend import CURRENT
from search.services import backend, rebuild_search_index, remove_document_index, update_document_index

SEED = "guofa-2015-40"
REPRINT = "guofa-2015-40-reprint"
REPRINT_TITLE = "国务院关于积极推进“互联网+”行动的指导意见（重印本）"


@pytest.fixture(scope="session")
def reprint_corpus(tmp_path_factory):
    directory = tmp_path_factory.mktemp("library") / REPRINT
    shutil.copytree(settings.SOURCES_DIR, directory)
    manifest = directory / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^slug = "guofa-2015-40"$', f'slug = "{REPRINT}"', text, count=1)
    text = re.sub(r"(?m)^date = 2015-07-01$", "date = 2016-07-01", text, count=1)
    text = re.sub(r'(?m)^number = ".*"$', 'number = "国发〔2016〕99号"', text, count=1)
    manifest.write_text(text, encoding="utf-8")
    return build_corpus(directory, settings.GLOSSARY_FILE)


_built_from = None  # the rows and the generation of the last index this module built


@pytest.fixture
def library(ingested, reprint_corpus):
    """Two documents in the database and a live index of exactly those rows, built whole.

    The seed is left without a title of its own (rows from before titles), so its base text's
    title is shown; the reprint has one. Every test's database starts over, but ingest writes
    the same rows with the same ids, so the index is rebuilt only after a test changed the
    rows or the index.
    """
    global _built_from
    corpus_ingest(corpus=reprint_corpus)
    Document.objects.filter(slug=SEED).update(title="")
    Document.objects.filter(slug=REPRINT).update(title=REPRINT_TITLE)
    rows = tuple(Passage.objects.order_by("id").values_list("id", "text", "clause__document__slug"))
    if _built_from != (rows, backend().live_generation()):
        rebuild_search_index()
        _built_from = (rows, backend().live_generation())
    return {doc.slug: doc for doc in Document.objects.all()}


def api(client, **params):
    response = client.get("/api/search", params)
    assert response.status_code == 200, response.content
    return response.json()


def index_size() -> int:
    searcher = backend().searcher()
    try:
        return searcher.doc_count()
    finally:
        searcher.close()


def test_a_query_found_in_two_documents_lists_results_from_both_each_naming_and_linking_into_it(client, library):
    data = api(client, q="众创空间", limit=100)
    by_document = {}
    for result in data["results"]:
        by_document.setdefault(result["document"], []).append(result)
    assert set(by_document) == {SEED, REPRINT}
    assert len(by_document[SEED]) == len(by_document[REPRINT]) == data["count"] // 2
    assert {r["document_title"] for r in by_document[SEED]} == {title_of(library[SEED])}
    assert {r["document_title"] for r in by_document[REPRINT]} == {REPRINT_TITLE}
    for slug, results in by_document.items():
        for result in results:
            assert re.search(rf"/{slug}/\?v=zh-hans,en#c-{re.escape(result['ref'])}-s\d+$", result["url"])

    page = client.get("/search/", {"q": "众创空间"}).content.decode()
    assert page.count(f'data-document="{SEED}"') == page.count(f'data-document="{REPRINT}"') > 0
    assert REPRINT_TITLE in page and "国发〔2016〕99号" in page and "1 July 2016" in page
    assert title_of(library[SEED]) in page and "国发〔2015〕40号" in page and "1 July 2015" in page
    assert f'href="/{REPRINT}/?v=zh-hans,en#c-' in page and f'href="/{SEED}/?v=zh-hans,en#c-' in page


def test_each_result_on_the_search_page_names_and_links_its_own_document(client, library):
    page = client.get("/search/", {"q": "众创空间"}).content.decode()
    results = re.findall(r'<li class="result" data-document="([^"]+)">(.*?)</li>', page, re.S)
    assert {slug for slug, _ in results} == {SEED, REPRINT}
    for slug, body in results:
        title, number = (REPRINT_TITLE, "国发〔2016〕99号") if slug == REPRINT else (title_of(library[SEED]), "国发〔2015〕40号")
        assert re.search(rf'<p class="result-document"><a href="/{slug}/" lang="zh-Hans">{re.escape(title)}</a> · '
                         rf'<span lang="zh-Hans">{number}</span> · <time datetime="\d{{4}}-07-01">1 July \d{{4}}</time></p>', body)


def test_equal_scores_are_ranked_newest_document_first_then_in_clause_order(client, library):
    results = api(client, q="互联网+", limit=100)["results"]
    dates = {slug: doc.date.toordinal() for slug, doc in library.items()}
    positions = dict(((slug, ref), position) for slug, ref, position in
                     Clause.objects.values_list("document__slug", "ref", "position"))
    order = [(-r["score"], -dates[r["document"]], positions[r["document"], r["ref"]]) for r in results]
    assert order == sorted(order)
    # The reprint's passages score exactly as the seed's: every tie is there to be broken.
    assert sum(a["score"] == b["score"] for a, b in zip(results, results[1:])) > len(results) // 2
    reprint_first = [r["ref"] for r in results if r["document"] == REPRINT]
    assert reprint_first == [r["ref"] for r in results if r["document"] == SEED]
    # And the order is the same page after page.
    first, second = api(client, q="互联网+", limit=7, page=1), api(client, q="互联网+", limit=7, page=2)
    assert [(r["document"], r["ref"]) for r in first["results"] + second["results"]] == \
        [(r["document"], r["ref"]) for r in results[:14]]


def test_document_restricts_the_search_to_that_document(client, library):
    everywhere = api(client, q="云计算", limit=100)
    only_seed = api(client, q="云计算", document=SEED, limit=100)
    assert {r["document"] for r in only_seed["results"]} == {SEED}
    assert only_seed["count"] * 2 == everywhere["count"]
    assert [r["ref"] for r in only_seed["results"]] == \
        [r["ref"] for r in everywhere["results"] if r["document"] == SEED]

    page = client.get("/search/", {"q": "云计算", "document": REPRINT}).content.decode()
    assert f'data-document="{REPRINT}"' in page and f'data-document="{SEED}"' not in page
    assert f'<option value="{REPRINT}" lang="zh-Hans" selected>' in page


def test_the_part_selector_is_offered_with_a_chosen_documents_own_headings(client, library):
    everywhere = client.get("/search/", {"q": "互联网"}).content.decode()
    assert 'name="part"' not in everywhere
    assert 'value="">All documents</option>' in everywhere
    chosen = client.get("/search/", {"q": "互联网", "document": SEED}).content.decode()
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>',
                         chosen.split('name="part"')[1].split("</select>")[0])
    # An option holds one language: a part is offered by its heading as the document writes it.
    assert options == [("", "All parts"), ("0", "Preamble"), ("1", "一、行动要求"),
                       ("2", "二、重点行动"), ("3", "三、保障支撑"),
                       ("matter", "Title, addressees, signature")]
    assert '<option value="1" lang="zh-Hans">一、行动要求</option>' in chosen


def test_a_part_without_a_document_applies_to_each_document(client, library):
    data = api(client, q="互联网", part="3", limit=100)
    assert {r["document"] for r in data["results"]} == {SEED, REPRINT}
    assert all(r["ref"].startswith("3") for r in data["results"])
    page = client.get("/search/", {"q": "互联网", "part": "3"}).content.decode()
    assert '<input type="hidden" name="part" value="3">' in page


def test_an_unknown_document_is_a_400_with_a_message_naming_the_documents(client, library):
    for document in ("no-such-document", "guofa-2015-40\x00", "../etc/passwd", "x" * 5000):
        response = client.get("/api/search", {"q": "互联网", "document": document})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error.startswith("Unknown document") and SEED in error and REPRINT in error
        for params in ({"q": "互联网", "document": document}, {"document": document}):
            page = client.get("/search/", params)
            assert page.status_code == 400 and "Unknown document" in page.content.decode()


def test_a_version_or_part_the_chosen_document_lacks_is_a_400_with_a_message(client, library):
    response = client.get("/api/search", {"q": "互联网", "document": SEED, "part": "9"})
    assert response.status_code == 400
    assert response.json()["error"] == (f"Unknown part “9” in {SEED}; choose one of 0, 1, 2, 3, matter.")
    response = client.get("/api/search", {"q": "互联网", "document": SEED, "version": "fr"})
    assert response.status_code == 400 and "en, en-mt, zh-hans, zh-hant" in response.json()["error"]


def test_nothing_found_says_where_it_looked_in_the_librarys_own_words(client, library):
    page = re.sub(r"<[^>]+>", "", client.get("/search/", {"q": "manufacturng"}).content.decode())
    assert "Nothing found in all versions (简体中文, 繁體中文, English, English (machine)) of both documents." in page
    page = re.sub(r"<[^>]+>", "", client.get("/search/", {"q": "manufacturng", "document": REPRINT,
                                                          "part": "1"}).content.decode())
    assert f"Nothing found in all versions (简体中文, 繁體中文, English, English (machine)) of {REPRINT_TITLE}, Part 一 · 行动要求." in page


def test_updating_one_documents_index_leaves_the_others_results_byte_identical_and_switches_generation(client, library):
    queries = ["众创空间", "互联网+", "cloud computing", "IPv6", "網絡安全"]
    before = [client.get("/api/search", {"q": q, "document": SEED, "limit": 100}).content for q in queries]
    generation = backend().live_generation()

    written = update_document_index(REPRINT)

    assert backend().live_generation() != generation
    assert written == Passage.objects.filter(clause__document__slug=REPRINT).count()
    after = [client.get("/api/search", {"q": q, "document": SEED, "limit": 100}).content for q in queries]
    assert after == before
    assert index_size() == Passage.objects.count()


def test_a_reimported_document_shows_its_new_text_and_the_others_keep_their_results(client, library):
    seed_before = api(client, q="众创空间", document=SEED, limit=100)["results"]
    passage = Passage.objects.get(clause__document__slug=REPRINT, clause__ref="2.1.2", version__slug="en")
    passage.text += " Makerspaces welcome everyone."
    passage.save()
    assert api(client, q="makerspaces")["count"] == 0

    update_document_index(REPRINT)

    found = api(client, q="makerspaces")["results"]
    assert [(r["document"], r["ref"]) for r in found] == [(REPRINT, "2.1.2")]
    seed_after = api(client, q="众创空间", document=SEED, limit=100)["results"]
    # The library-wide BM25 statistics moved a little; what the reader sees did not.
    strip = lambda results: [{k: v for k, v in r.items() if k != "score"} for r in results]  # noqa: E731
    assert strip(seed_after) == strip(seed_before)


def test_a_search_during_an_update_still_answers_from_the_old_generation(client, library):
    old = backend().searcher()
    query = whoosh_query(parse_query("makerspaces"))
    common = whoosh_query(parse_query("众创空间"))
    try:
        common_before = len(old.search(common, limit=None))
        Passage.objects.filter(clause__document__slug=REPRINT, clause__ref="2.1.2",
                               version__slug="en").update(text="Makerspaces welcome everyone.")

        update_document_index(REPRINT)

        assert len(old.search(query, limit=None)) == 0  # the old generation, still open, still answers
        assert len(old.search(common, limit=None)) == common_before
        assert [(r["document"], r["ref"]) for r in api(client, q="makerspaces")["results"]] == [(REPRINT, "2.1.2")]
    finally:
        old.close()


def test_searches_keep_answering_while_one_document_is_updated(library):
    query = whoosh_query(parse_query("众创空间"))

    def passages_found():
        searcher = backend().searcher()
        try:
            return len(searcher.search(query, limit=None))
        finally:
            searcher.close()

    expected = passages_found()
    failures, counts = [], []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                counts.append(passages_found())
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                failures.append(repr(exc))
            stop.wait(0.01)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        generations = set()
        for _ in range(2):
            update_document_index(REPRINT)
            generations.add(backend().live_generation())
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert expected > 0 and not failures
    assert len(counts) > 10 and set(counts) == {expected}
    assert len(generations) == 2


def segments_of(generation: str) -> set[str]:
    from whoosh.filedb.filestore import FileStorage

    return {segment.segment_id() for segment in FileStorage(str(backend().root / generation)).open_index()._segments()}


def test_updating_one_document_prepares_only_its_passages_and_keeps_the_others_segment(library, monkeypatch):
    prepared = []
    prepare = search_indexes.PassageIndex.prepared

    def counting(self, queryset):
        for fields in prepare(self, queryset):
            prepared.append(fields["document"])
            yield fields

    monkeypatch.setattr(search_indexes.PassageIndex, "prepared", counting)
    before = segments_of(backend().live_generation())
    written = update_document_index(SEED)
    after = segments_of(backend().live_generation())

    seed_passages = Passage.objects.filter(clause__document__slug=SEED).count()
    assert written == len(prepared) == seed_passages
    assert set(prepared) == {SEED}
    assert index_size() == Passage.objects.count() == 2 * seed_passages
    assert len(before) == len(after) == 2 and len(before & after) == 1  # the reprint's, copied as it was


def test_removing_a_document_from_the_index_takes_out_only_its_results(client, library):
    removed = remove_document_index(REPRINT)
    assert removed == Passage.objects.filter(clause__document__slug=REPRINT).count()
    data = api(client, q="众创空间", limit=100)
    assert data["results"] and {r["document"] for r in data["results"]} == {SEED}
    assert index_size() == Passage.objects.filter(clause__document__slug=SEED).count()


def test_updating_with_no_live_generation_builds_the_whole_library(client, library):
    (backend().root / CURRENT).unlink()
    written = update_document_index(REPRINT)
    assert written == Passage.objects.filter(clause__document__slug=REPRINT).count()
    assert index_size() == Passage.objects.count()
    assert {r["document"] for r in api(client, q="众创空间", limit=100)["results"]} == {SEED, REPRINT}


def test_updating_a_document_not_in_the_database_says_so(db):
    with pytest.raises(LookupError, match="no-such-document"):
        update_document_index("no-such-document")


def test_an_index_where_documents_share_a_segment_is_rebuilt_whole_on_update(library):
    from haystack import connections

    # haystack's own update writes every passage into one new segment, shared by both documents.
    backend().update(connections["default"].get_unified_index().get_index(Passage), Passage.objects.all())
    generation = backend().live_generation()

    written = update_document_index(REPRINT)

    assert written == Passage.objects.filter(clause__document__slug=REPRINT).count()
    assert backend().live_generation() != generation
    assert index_size() == Passage.objects.count()
    assert len(backend().index.refresh()._segments()) == 2  # one per document again


def test_the_build_command_reindexes_one_document_and_names_an_unknown_one(library):
    from io import StringIO

    from django.core.management import CommandError, call_command

    generation, out = backend().live_generation(), StringIO()
    call_command("build_search_index", document=REPRINT, stdout=out)
    count = Passage.objects.filter(clause__document__slug=REPRINT).count()
    assert f"{count} passages of {REPRINT} in a new generation, now live" in out.getvalue()
    assert backend().live_generation() != generation and index_size() == Passage.objects.count()
    with pytest.raises(CommandError, match="no-such-document"):
        call_command("build_search_index", document="no-such-document", stdout=out)
