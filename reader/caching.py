"""Rendered responses cached by corpus revision, with ETag and Last-Modified.

Pages are built from rows prepared at ingest; the same URL gives the same bytes until the next
ingest changes something (``Document.updated_at``) or, for search, until the search index
switches generation. Both are part of every cache key and ETag, so an ingest invalidates every
process's cache at once without any process being told, and a browser revalidates with a
cheap 304.
"""
from __future__ import annotations

import gzip
import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, quote_etag

from .models import Document


_remembered: tuple[float, tuple[str, float | None]] | None = None


def revision() -> tuple[str, float | None]:
    """(token, timestamp) of the corpus as a whole: the latest change of any document.

    Read from the database, or remembered for ``CORPUS_REVISION_TTL`` seconds (production: 1 s,
    so a busy process asks once a second rather than once a request; an ingest shows within
    that second).
    """
    global _remembered
    ttl = getattr(settings, "CORPUS_REVISION_TTL", 0)
    now = time.monotonic()
    if ttl and _remembered and now - _remembered[0] < ttl:
        return _remembered[1]
    value = _read_revision()
    _remembered = (now, value)
    return value


def _read_revision() -> tuple[str, float | None]:
    latest = Document.objects.aggregate(latest=Max("updated_at"))["latest"]
    if latest is None:
        return "empty", None
    return latest.isoformat(), latest.timestamp()


def cached_response(*, extra=None):
    """Cache successful responses of a GET view and answer conditional requests with 304.

    The body is stored once as it is and once gzip-compressed (done when the entry is made,
    not per request); a client that accepts gzip gets the compressed bytes. ``extra()`` adds
    to the revision (e.g. the live search index generation).
    """
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            token, modified = revision()
            if extra is not None:
                token += f"|{extra()}"
            key_source = f"{view.__module__}.{view.__name__}|{token}|{request.get_full_path()}"
            digest = hashlib.sha256(key_source.encode("utf-8", "surrogatepass")).hexdigest()
            etag = quote_etag(digest[:32])
            if etag in _etags(request.headers.get("If-None-Match", "")):
                return _not_modified(etag, modified)
            # Plain and compressed bodies are separate entries: a request unpickles one.
            wants_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
            entry = cache.get(f"page:{digest}:{'gzip' if wants_gzip else 'plain'}")
            if entry is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or getattr(response, "streaming", False):
                    return response
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                headers = {k: v for k, v in response.items()
                           if k.lower() in ("content-type", "content-disposition")}
                plain = (response.content, headers, False)
                packed = gzip.compress(response.content, 6, mtime=0)
                compressed = (packed, headers, True) if len(packed) < len(response.content) else plain
                cache.set_many({f"page:{digest}:plain": plain, f"page:{digest}:gzip": compressed})
                entry = compressed if wants_gzip else plain
            body, headers, is_gzip = entry
            response = HttpResponse(body, status=200)
            for name, value in headers.items():
                response[name] = value
            if is_gzip:
                response["Content-Encoding"] = "gzip"
            response["Vary"] = "Accept-Encoding"
            response["ETag"] = etag
            if modified is not None:
                response["Last-Modified"] = http_date(modified)
            response["Cache-Control"] = "no-cache"  # may store; must revalidate (cheap 304)
            return response
        return wrapper
    return decorate


def _etags(header: str) -> set[str]:
    return {tag.strip() for tag in header.split(",") if tag.strip()}


def _not_modified(etag, modified):
    response = HttpResponseNotModified()
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    return response
