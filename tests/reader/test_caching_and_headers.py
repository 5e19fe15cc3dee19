"""Responses a browser can revalidate cheaply, and the security headers on every response."""
import re

import pytest
from django.test import override_settings

from reader.models import Passage
from reader.services import corpus_ingest

PAGES = ["/", "/guofa-2015-40/", "/guofa-2015-40/2.1.3/", "/api/documents/guofa-2015-40/clauses",
         "/api/documents/guofa-2015-40/clauses/2.1.3", "/guofa-2015-40/export.csv?target=en"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_an_etag_and_a_matching_request_gets_304(client, ingested, url):
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and not again.content


def test_an_ingest_that_changes_the_corpus_changes_the_page_and_its_etag(client, ingested, corpus):
    before = client.get("/guofa-2015-40/2.1.3/")
    Passage.objects.filter(clause__ref="2.1.3", version__slug="en").update(text="tampered")
    assert client.get("/guofa-2015-40/2.1.3/")["ETag"] == before["ETag"]  # served from cache
    corpus_ingest(corpus=corpus)  # puts the text back and bumps the revision
    after = client.get("/guofa-2015-40/2.1.3/")
    assert after["ETag"] != before["ETag"]
    assert client.get("/guofa-2015-40/2.1.3/", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    assert "3. Developing open innovation." in after.content.decode()


@pytest.mark.parametrize("url", PAGES + ["/search/?q=众创空间", "/nope/", "/api/documents/x"])
def test_every_response_has_the_security_headers(client, ingested, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", ["/", "/guofa-2015-40/?v=zh-hans,en,en-mt", "/guofa-2015-40/2.1.3/",
                                 "/search/?q=cloud", "/nope/"])
def test_pages_have_no_inline_script_or_style_so_the_policy_can_forbid_them(client, ingested, url):
    html = client.get(url).content.decode()
    # A data block (JSON-LD) is never executed, so script-src does not apply to it.
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>", html)
    assert not re.search(r"\sstyle=", html) and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)


@override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_is_sent_over_https_only(client, ingested):
    assert "Strict-Transport-Security" in client.get("/", secure=True)
    assert "Strict-Transport-Security" not in client.get("/")


# A reader page is compressed small, a page made for one typed query (search, concordance) fast.
@pytest.mark.parametrize("url", ["/guofa-2015-40/", "/guofa-2015-40/concordance/?q=互联网",
                                 "/api/documents/guofa-2015-40/concordance?q=互联网"])
def test_a_client_that_accepts_gzip_gets_the_same_page_compressed(client, ingested, url):
    import gzip

    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3


def test_parameters_a_page_does_not_read_share_its_cache_entry_and_etag(client, ingested):
    canonical = client.get("/?sort=date")
    assert client.get("/?sort=date&junk=1&utm_source=x")["ETag"] == canonical["ETag"]
    assert client.get("/?junk=1&sort=-date&sort=date")["ETag"] == canonical["ETag"]  # the last value counts
    assert client.get("/")["ETag"] != canonical["ETag"]


def test_repeated_versions_are_kept_in_the_order_given(client, ingested):
    from django.http import QueryDict

    from reader.caching import canonical_query

    query = QueryDict("junk=1&v=en&pinyin=0&v=zh-hans&pinyin=1")
    assert canonical_query(query, params=("pinyin",), lists=("v",)).urlencode() == "pinyin=1&v=en&v=zh-hans"
    assert (client.get("/guofa-2015-40/?v=en&v=zh-hans")["ETag"]
            == client.get("/guofa-2015-40/?x=1&v=en&y=2&v=zh-hans")["ETag"]
            != client.get("/guofa-2015-40/?v=zh-hans&v=en")["ETag"])


def test_a_view_sees_only_the_parameters_it_declares(client, ingested):
    """What the key leaves out cannot change the page: the view never sees it."""
    page = client.get("/guofa-2015-40/?pinyin=1&variants=1").content.decode()
    assert client.get("/guofa-2015-40/?pinyin=1&variants=1&v=zh-hans,en-mt").content.decode() != page
    assert client.get("/guofa-2015-40/?variants=1&pinyin=1&q=x&page=2").content.decode() == page


def test_each_host_gets_its_own_absolute_links(client, ingested):
    assert "http://testserver/guofa-2015-40/" in client.get("/api/documents").content.decode()
    other = client.get("/api/documents", HTTP_HOST="localhost").content.decode()
    assert "http://localhost/guofa-2015-40/" in other and "testserver" not in other


def test_threads_asking_at_once_for_a_page_not_yet_cached_render_it_once_and_all_get_that_page(
        rf, settings, db):
    """A page just dropped from the cache (a new worker, an ingest) is rendered by one thread
    while the others asking for it wait for that page, instead of each rendering it too."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import cache
    from django.http import HttpResponse

    from reader import caching

    settings.CORPUS_REVISION_TTL = 60
    caching.revision()  # read here, once: the threads below use the remembered revision
    cache.clear()
    rendered = []

    @caching.cached_response(params=("q",))
    def slow_page(request):
        rendered.append(request.GET["q"])
        rendering = len(rendered)
        time.sleep(0.3)  # long enough for every other thread to ask meanwhile
        return HttpResponse(f"<p>{request.GET['q']}: rendering {rendering}</p>" * 50)

    barrier = threading.Barrier(6)

    def ask(q):
        barrier.wait()
        return slow_page(rf.get("/slow/", {"q": q})).content

    with ThreadPoolExecutor(6) as pool:
        same = list(pool.map(ask, ["x"] * 6))
    assert rendered == ["x"]
    assert same == [b"<p>x: rendering 1</p>" * 50] * 6

    with ThreadPoolExecutor(6) as pool:  # different pages are not held up by one another
        others = list(pool.map(ask, ["a", "b", "c", "d", "e", "f"]))
    assert sorted(rendered[1:]) == ["a", "b", "c", "d", "e", "f"]
    assert [page[:5] for page in others] == [b"<p>a:", b"<p>b:", b"<p>c:", b"<p>d:", b"<p>e:", b"<p>f:"]
    assert caching._rendering.keys() == 0  # no lock is kept once nobody waits for it
