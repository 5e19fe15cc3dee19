"""Serving under faults: junk URLs against the page cache, which must stay bounded in bytes
and hold one entry per canonical request, and requests the read-only routes must refuse, each
answered as a client expects (JSON under /api/). Through Django's test client."""
import gzip
import json
import random
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from reader.caching import PageCache
from reader.models import Clause

DOC = "guofa-2015-40"


def small_cache(location: str, max_bytes: int, max_entry_bytes: int) -> dict:
    return {"default": {"BACKEND": "reader.caching.PageCache", "LOCATION": location, "TIMEOUT": 3600,
                        "OPTIONS": {"MAX_BYTES": max_bytes, "MAX_ENTRY_BYTES": max_entry_bytes}}}


# --- the page cache ------------------------------------------------------------------------------

CANONICAL = [f"/{DOC}/?v=zh-hans&v=en&pinyin=1", f"/{DOC}/2.1.3/", f"/api/documents/{DOC}/clauses/2.1.3",
             f"/{DOC}/concordance/?q=%E4%BA%92%E8%81%94%E7%BD%91", "/?sort=date", f"/{DOC}/export.csv?target=en"]


def test_five_hundred_junk_urls_leave_the_cache_as_the_canonical_urls_left_it(client, ingested):
    cache.clear()
    for url in CANONICAL:
        assert client.get(url).status_code == 200
    canonical = (cache.entries(), cache.stored_bytes())
    etags = {url: client.get(url)["ETag"] for url in CANONICAL}

    for n in range(500):
        url = CANONICAL[n % len(CANONICAL)]
        junk = random.Random(n).choice([f"junk={n}", f"utm_source={n}&fbclid={n:x}", f"_={n}", f"{n}"])
        response = client.get(url + ("&" if "?" in url else "?") + junk)
        assert response.status_code == 200 and response["ETag"] == etags[url]

    assert (cache.entries(), cache.stored_bytes()) == canonical
    assert canonical[0] == len(CANONICAL)


def test_a_page_is_stored_once_compressed_and_served_plain_or_gzip_from_that_entry(client, ingested):
    cache.clear()
    plain = client.get(f"/{DOC}/?pinyin=1").content
    packed = client.get(f"/{DOC}/?pinyin=1", HTTP_ACCEPT_ENCODING="gzip")
    assert cache.entries() == 1 and cache.stored_bytes() < len(plain) / 3
    assert gzip.decompress(packed.content) == plain


def test_the_cache_stays_within_its_byte_budget_whatever_the_urls(client, ingested):
    refs = list(Clause.objects.filter(document=ingested).values_list("ref", flat=True))
    with override_settings(CACHES=small_cache("bounded-test", max_bytes=40_000, max_entry_bytes=20_000)):
        cache.clear()
        largest = 0
        for ref in refs:  # every clause of the API: a few hundred distinct entries
            assert client.get(f"/api/documents/{DOC}/clauses/{ref}").status_code == 200
            largest = max(largest, cache.stored_bytes())
        assert largest <= 40_000
        assert 0 < cache.entries() < len(refs)  # the oldest went, the newest stayed
        last = client.get(f"/api/documents/{DOC}/clauses/{refs[-1]}")
        entries = cache.entries()
        assert client.get(f"/api/documents/{DOC}/clauses/{refs[-1]}")["ETag"] == last["ETag"]
        assert cache.entries() == entries
        cache.clear()


def test_a_page_too_large_for_one_entry_is_served_but_not_stored(client, ingested):
    with override_settings(CACHES=small_cache("entry-limit-test", max_bytes=1_000_000, max_entry_bytes=10_000)):
        cache.clear()
        response = client.get(f"/{DOC}/?v=zh-hans,zh-hant,en,en-mt&pinyin=1")
        assert response.status_code == 200 and "State Council Guiding Opinions" in response.content.decode()
        assert cache.entries() == 0 and cache.stored_bytes() == 0
        assert client.get(f"/api/documents/{DOC}/clauses/title").status_code == 200
        assert cache.entries() == 1


def test_the_byte_count_stays_exact_when_threads_share_the_cache():
    store = PageCache("threads-test", {"OPTIONS": {"MAX_BYTES": 200_000, "MAX_ENTRY_BYTES": 50_000}})
    store.clear()

    def churn(seed):
        rng = random.Random(seed)
        for _ in range(2000):
            key = f"k{rng.randrange(60)}"
            action = rng.random()
            if action < 0.6:
                store.set(key, b"x" * rng.randrange(0, 60_000))
            elif action < 0.8:
                store.get(key)
            else:
                store.delete(key)

    threads = [threading.Thread(target=churn, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store._lock:
        actual = sum(len(key) + len(value) for key, value in store._cache.items())
    assert store.stored_bytes() == actual <= 200_000
    store.clear()


# --- errors and methods --------------------------------------------------------------------------

@pytest.fixture
def visitor():
    """A client that gets what a visitor gets: a 500 page, not the exception; CSRF enforced."""
    return Client(raise_request_exception=False, enforce_csrf_checks=True)


def error_of(response) -> str:
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)["error"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("url", ["/", f"/{DOC}/", f"/{DOC}/2.1.3/", "/search/", f"/{DOC}/export.csv"])
def test_a_page_refuses_unsafe_methods_with_405_not_a_csrf_403(visitor, ingested, method, url):
    response = getattr(visitor, method)(url)
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert "read-only" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/documents", f"/api/documents/{DOC}/clauses/2.1.3", "/api/search?q=x"])
def test_the_api_refuses_unsafe_methods_with_a_json_405(visitor, ingested, method, url):
    response = getattr(visitor, method)(url, data="{}", content_type="application/json")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert "read-only" in error_of(response)


def test_the_import_page_keeps_its_csrf_check(visitor, db):
    assert visitor.post("/import/").status_code == 403


@pytest.mark.parametrize("url", ["/api/nothing-here", "/api/documents/no-such-doc/glossary",
                                 f"/api/documents/{DOC}/clauses/2.1.3/more", "/api/"])
def test_an_unknown_api_address_is_a_json_404(visitor, ingested, url):
    response = visitor.get(url)
    assert response.status_code == 404 and error_of(response)


def test_an_unknown_page_is_still_the_html_404_page(visitor, ingested):
    response = visitor.get("/no-such-document/2.1.3/x/")
    assert response.status_code == 404 and "There is no page at" in response.content.decode()


def test_an_unreadable_api_request_is_a_json_400(visitor, ingested):
    too_many = "&".join(f"p{n}=1" for n in range(1100))  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = visitor.get(f"/api/documents?{too_many}")
    assert response.status_code == 400 and error_of(response)


def test_a_failing_api_view_answers_a_json_500_and_a_failing_page_the_500_page(visitor, ingested, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr("reader.library_listing.library", broken)
    cache.clear()
    api = visitor.get("/api/documents")
    assert api.status_code == 500 and "logged" in error_of(api)
    page = visitor.get("/")
    assert page.status_code == 500 and "Something went wrong" in page.content.decode()


@pytest.mark.parametrize("ref", ["%00", "2.1%00", "title%00", "%FF", "..", "2.1.3.4", "a" * 300])
def test_junk_in_an_api_clause_ref_is_a_json_404_without_a_query_for_it(visitor, ingested, ref):
    with CaptureQueriesContext(connection) as queries:
        response = visitor.get(f"/api/documents/{DOC}/clauses/{ref}")
    assert response.status_code == 404 and error_of(response).startswith("No clause")
    assert not [q["sql"] for q in queries if "reader_clause" in q["sql"]]
