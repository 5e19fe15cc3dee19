"""Rendered responses cached by corpus revision, with ETag and Last-Modified.

Pages are built from rows prepared at ingest; the same request gives the same bytes until the
next ingest changes something (``Document.updated_at``) or, for search, until the search index
switches generation. Both are part of every cache key and ETag, so an ingest invalidates every
process's cache at once without any process being told, and a browser revalidates with a
cheap 304.

The key is the canonical request: the view, the host, the path and only the query parameters
the view declares, in the declared order. The view is handed exactly those parameters, so what
it reads and what the key holds cannot drift apart, and ``?junk=1`` is the same entry as no
junk at all. Each page is stored once, gzip-compressed (a client that does not accept gzip gets
it decompressed), in ``PageCache``: bounded in bytes as well as entries, whatever the URLs.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
import time
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Count, Max
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.utils.http import http_date, quote_etag

from .models import Document


_remembered: tuple[float, tuple[str, float | None]] | None = None


def revision() -> tuple[str, float | None]:
    """(token, timestamp) of the corpus as a whole: the latest change of any document.

    Read from the database, or remembered for ``CORPUS_REVISION_TTL`` seconds (production: 1 s,
    so a busy process asks once a second rather than once a request; an ingest shows within
    that second). Threads of a process share it; two may both read it at once, which is harmless.
    """
    global _remembered
    ttl = getattr(settings, "CORPUS_REVISION_TTL", 0)
    now = time.monotonic()
    remembered = _remembered
    if ttl and remembered and now - remembered[0] < ttl:
        return remembered[1]
    value = _read_revision()
    _remembered = (now, value)
    return value


def _read_revision() -> tuple[str, float | None]:
    # With the count, removing a document that was not the latest changed is a new revision too.
    found = Document.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    if found["latest"] is None:
        return "empty", None
    return f"{found['latest'].isoformat()}/{found['count']}", found["latest"].timestamp()


def canonical_query(query: QueryDict, params=(), lists=()) -> QueryDict:
    """The declared parameters of ``query`` and nothing else, in the declared order: of each
    name in ``params`` its last value (what ``QueryDict.get`` reads), of each name in ``lists``
    every value in order (what ``getlist`` reads). Absent parameters stay absent."""
    canonical = QueryDict(mutable=True)
    for name in params:
        if name in query:
            canonical.setlist(name, query.getlist(name)[-1:])
    for name in lists:
        if name in query:
            canonical.setlist(name, query.getlist(name))
    canonical._mutable = False
    return canonical


# gzip levels for a cache entry: small, for pages many readers ask for (a reader page, a
# glossary), and fast, for pages made for one typed query (a search, a concordance), which are
# seldom asked for twice: a 40 KB page of search results took 0.3 ms at level 6 and 0.1 ms at
# level 1, for a tenth more bytes.
SMALL = 6
FAST = 1


def cached_response(*, params=(), lists=(), extra=None, compression: int = SMALL):
    """Cache successful responses of a GET view and answer conditional requests with 304.

    ``params`` and ``lists`` name the query parameters the view reads (single values and
    repeated ones); the view sees only those, and they alone, with the host and path, make the
    key. The body is compressed once when the entry is made, not per request, at gzip level
    ``compression`` (``SMALL`` or ``FAST``). ``extra()`` adds to the revision (e.g. the live
    search index generation).
    """
    def decorate(view):
        name = f"{view.__module__}.{view.__name__}"

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            request.GET = canonical_query(request.GET, params, lists)
            token, modified = revision()
            if extra is not None:
                token += f"|{extra()}"
            where = f"{request.scheme}://{request.get_host()}{request.path}?{request.GET.urlencode()}"
            digest = hashlib.sha256(f"{name}|{token}|{where}".encode("utf-8", "surrogatepass")).hexdigest()
            etag = quote_etag(digest[:32])
            if etag in _etags(request.headers.get("If-None-Match", "")):
                return _not_modified(etag, modified)
            key = f"page:{digest}"
            entry = cache.get(key)
            if entry is None:
                with _rendering.turn(key):
                    entry = cache.get(key)  # made by another thread while this one waited
                    if entry is None:
                        response = view(request, *args, **kwargs)
                        if response.status_code != 200 or getattr(response, "streaming", False):
                            return response
                        if hasattr(response, "render") and callable(response.render):
                            response = response.render()
                        entry = _entry(response, compression)
                        cache.set(key, entry)
            return _response(entry, request, etag, modified)
        return wrapper
    return decorate


class _OneAtATime:
    """A lock per key, for as long as some thread holds or awaits it: the threads of a process
    asking for the same page that is not in the cache render it once, one thread, while the
    others wait and then read the entry it made.

    Without it, a page that had just dropped out (a new worker, an ingest, a new index
    generation) was rendered by every thread that asked for it at once, side by side under one
    interpreter lock, each taking as many times as long: on a fresh server, 16 connections
    asking for the seed's reader page waited over 2.2 s for one request in ten (with this,
    0.15 s for one in a hundred)."""

    def __init__(self):
        self._guard = threading.Lock()
        self._locks: dict[str, list] = {}  # key -> [lock, threads holding or awaiting it]

    @contextmanager
    def turn(self, key: str):
        with self._guard:
            held = self._locks.get(key)
            if held is None:
                held = self._locks[key] = [threading.Lock(), 0]
            held[1] += 1
        try:
            with held[0]:
                yield
        finally:
            with self._guard:
                held[1] -= 1
                if not held[1]:
                    del self._locks[key]

    def keys(self) -> int:
        with self._guard:
            return len(self._locks)


_rendering = _OneAtATime()


def _entry(response, compression: int = SMALL) -> tuple[bytes, dict, bool]:
    """(body, headers, compressed): the body gzip-compressed unless that makes it no smaller."""
    headers = {k: v for k, v in response.items() if k.lower() in ("content-type", "content-disposition")}
    packed = gzip.compress(response.content, compression, mtime=0)
    if len(packed) < len(response.content):
        return packed, headers, True
    return response.content, headers, False


def _response(entry, request, etag, modified) -> HttpResponse:
    body, headers, compressed = entry
    if compressed and "gzip" not in request.headers.get("Accept-Encoding", ""):
        body, compressed = gzip.decompress(body), False  # a few ms for the largest page
    response = HttpResponse(body, status=200)
    for name, value in headers.items():
        response[name] = value
    if compressed:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "no-cache"  # may store; must revalidate (cheap 304)
    return response


def _etags(header: str) -> set[str]:
    return {tag.strip() for tag in header.split(",") if tag.strip()}


def _not_modified(etag, modified):
    response = HttpResponseNotModified()
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    return response


# --- the store -----------------------------------------------------------------------------------

class _Ledger:
    """Bytes held per key, and their total; shared by every instance of one named cache (Django
    makes an instance per thread, and LocMemCache shares its store between them the same way)."""

    def __init__(self):
        self.sizes: dict[str, int] = {}
        self.total = 0


_ledgers: dict[str, _Ledger] = {}


class PageCache(LocMemCache):
    """Django's per-process memory cache, bounded in bytes as well as in entries.

    An entry counts as its key plus its pickled value. When a new entry would take the total
    over ``MAX_BYTES`` (or the count over ``MAX_ENTRIES``), the least recently used entries go
    first, as many as needed (LocMemCache would drop a third of everything by count). An entry
    over ``MAX_ENTRY_BYTES`` is not stored: that page is served, rendered every time.
    """

    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self.max_bytes = int(options.get("MAX_BYTES", 32 * 2**20))
        self.max_entry_bytes = int(options.get("MAX_ENTRY_BYTES", self.max_bytes // 16))
        self._ledger = _ledgers.setdefault(name, _Ledger())

    def stored_bytes(self) -> int:
        with self._lock:
            return self._ledger.total

    def entries(self) -> int:
        with self._lock:
            return len(self._cache)

    # Called with the lock held, like LocMemCache's own.
    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        self._delete(key)
        size = len(key) + len(value)
        if size > self.max_entry_bytes:
            return
        while self._cache and (len(self._cache) >= self._max_entries
                               or self._ledger.total + size > self.max_bytes):
            oldest = next(reversed(self._cache))  # most recently used are moved to the front
            self._delete(oldest)
        self._cache[key] = value
        self._cache.move_to_end(key, last=False)
        self._expire_info[key] = self.get_backend_timeout(timeout)
        self._account(key)

    def _delete(self, key):
        deleted = super()._delete(key)
        self._account(key)
        return deleted

    def _account(self, key):
        """Bring the ledger in line with what is stored under ``key`` now."""
        value = self._cache.get(key)
        size = len(key) + len(value) if value is not None else 0
        self._ledger.total += size - self._ledger.sizes.pop(key, 0)
        if size:
            self._ledger.sizes[key] = size

    def incr(self, key, delta=1, version=None):
        value = super().incr(key, delta, version)
        with self._lock:
            self._account(self.make_and_validate_key(key, version=version))
        return value

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._ledger.sizes.clear()
            self._ledger.total = 0
