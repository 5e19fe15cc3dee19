"""Serving under faults: junk URLs against the page cache, slow clients against gunicorn, and
requests the read-only routes must refuse, each answered as a client expects.

The cache tests go through Django's test client. The slow-client tests start the real server
(gunicorn with config/gunicorn.py and production settings, on a free port, over a throwaway
SQLite database holding the seed document) and hold connections open against it with sockets
that send half a request and then wait.
"""
import gzip
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from reader.caching import PageCache
from reader.models import Clause
from tests.real_server import free_port, write_settings

ROOT = Path(__file__).resolve().parents[1]
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


# --- the real server under slow clients ----------------------------------------------------------



def fetch(url: str, timeout: float = 30) -> tuple[int, str, float]:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode(), time.monotonic() - started


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn as `make run` starts it (config/gunicorn.py, production settings), 5 workers as
    in the report of six slow clients stalling the site; yields its address and its log."""
    here = tmp_path_factory.mktemp("serving")
    write_settings(here, "serving_settings")
    port = free_port()
    keep = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env = {**keep, "DJANGO_SETTINGS_MODULE": "serving_settings", "PYTHONPATH": f"{here}:{ROOT}",
           "DJANGO_SECRET_KEY": "serving-test-" + "k" * 50, "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "DJANGO_SECURE_SSL_REDIRECT": "0", "DATABASE_URL": f"sqlite:///{here / 'db.sqlite3'}",
           "SEARCH_INDEX_PATH": str(here / "index"), "PORT": str(port), "ACCESS_LOG": os.devnull,
           "WEB_CONCURRENCY": "5"}
    for command in (["migrate"], ["collectstatic", "--noinput"], ["ingest", "--sources", f"fixtures/documents/{DOC}"]):
        subprocess.run([sys.executable, "manage.py", *command, "-v0"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    log = here / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with open(log, "w") as errors:
        process = subprocess.Popen([str(gunicorn), "-c", "config/gunicorn.py", "config.wsgi"], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=errors)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(base + "/api/documents", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.3)
        yield {"base": base, "port": port, "log": log}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Half a request line, headers without the blank line that ends them, and a connection that
# says nothing at all: each what a slow (or hostile) client leaves a server waiting on.
OPENINGS = [b"GET /guofa-2015-40/ HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"GET /guofa-20", b""]


def slow_clients(port: int, count: int) -> list[socket.socket]:
    clients = []
    for n in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(OPENINGS[n % len(OPENINGS)])
        clients.append(sock)
    return clients


def test_normal_requests_are_answered_while_ten_slow_clients_hold_connections(server):
    pages = [(f"/{DOC}/", "State Council Guiding Opinions"), (f"/api/documents/{DOC}/clauses/2.1.3", '"ref": "2.1.3"'),
             ("/api/documents", DOC)]
    for _ in range(15):  # warm each worker's cache, as a site in use has it
        for path, _ in pages:
            fetch(server["base"] + path)
    held = slow_clients(server["port"], 10)
    try:
        time.sleep(0.5)  # the server has read what they sent and is waiting for the rest
        for path, expected in pages * 3:
            status, body, seconds = fetch(server["base"] + path, timeout=10)
            assert status == 200 and expected in body
            assert seconds < 3, f"{path} took {seconds:.1f} s with 10 slow clients connected"
    finally:
        for sock in held:
            sock.close()


def test_a_client_that_stops_in_the_middle_of_a_request_is_cut_off_after_the_client_timeout(server):
    held = slow_clients(server["port"], 2)  # partial headers, a partial request line
    started = time.monotonic()
    try:
        for sock in held:
            sock.settimeout(20)
            try:
                assert sock.recv(1) == b""  # closed by the server
            except ConnectionResetError:
                pass
        assert time.monotonic() - started < 5 + 3  # CLIENT_TIMEOUT (5 s) and some slack
    finally:
        for sock in held:
            sock.close()
    assert "A client was silent for 5 s in the middle of a request" in server["log"].read_text()
    assert "Traceback" not in server["log"].read_text()
