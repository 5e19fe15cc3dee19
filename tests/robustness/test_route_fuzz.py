"""Hostile requests to every URL pattern: whatever the path or query string, never a 500.

The routes are read from the URL resolver, so a route added later is fuzzed without touching
this file. Each path parameter gets real values (the document's slug, its clause refs), values
its converter's pattern allows, and junk: percent escapes that are not UTF-8 (%C3%28, %FF), NUL,
encoded slashes and dots, very long segments. The query string gets version lists (``?v=``),
page numbers, limits, search queries and the same junk. Every response must be a page or a
message (2xx, 3xx, 4xx), never a server error, and a JSON endpoint must answer JSON even when it
refuses the request.

Requests go through Django's test client with ``raise_request_exception=False``, so an
exception in a view shows as the 500 a visitor would get (settings.test has DEBUG off).
"""
import json
import os
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import get_converters
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, event, given, settings as hypothesis_settings, strategies as st

from reader.models import Clause, Document, Passage, Version
from search.services import backend, rebuild_search_index

EXAMPLES = hypothesis_settings(
    max_examples=int(os.environ.get("ROBUSTNESS_EXAMPLES", 25)), deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def routes(resolver=None, prefix=""):
    """(route, name) of every URL pattern, includes followed, e.g. ("api/documents/<slug:slug>",
    "reader:api-document")."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "admin":
            continue  # Django's own admin (regex routes), behind its login
        assert isinstance(entry.pattern, RoutePattern), (
            f"{entry.pattern!r} is a regex pattern; teach this fuzzer to fill it in")
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            found += [(route, namespace + name) for route, name in
                      routes(entry, prefix + str(entry.pattern))]
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), entry.name or ""))
    return found


ROUTES = routes()


def parameters(route: str) -> list[tuple[str, str]]:
    """(converter, name) of each parameter of a route, in order."""
    return [(m["converter"] or "str", m["name"]) for m in PARAMETER.finditer(route)]


def fill(route: str, values: dict[str, str]) -> str:
    """The path for ``route`` with each parameter replaced by its (already encoded) value."""
    return "/" + PARAMETER.sub(lambda m: values[m["name"]], route)


def is_json_endpoint(path_info: str) -> bool:
    try:
        match = resolve(path_info)
    except Resolver404:
        return False
    return (match.url_name or "").startswith("api-")


# --- what the site holds -------------------------------------------------------------------------

_indexed_rows = None


@pytest.fixture
def site(ingested):
    """The ingested corpus with a live search index of exactly those rows, and what it holds.

    The database starts over for every test but ingest writes the same rows with the same ids,
    so the index is built once for this module (as in tests/search/test_search.py).
    """
    global _indexed_rows
    rows = tuple(Passage.objects.order_by("id").values_list("id", "text", "version__slug", "clause__ref"))
    if rows != _indexed_rows or backend().live_generation() is None:
        rebuild_search_index()
        _indexed_rows = rows
    return {
        "slugs": list(Document.objects.values_list("slug", flat=True)),
        "refs": list(Clause.objects.values_list("ref", flat=True)),
        "versions": list(Version.objects.values_list("slug", flat=True).distinct()),
    }


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


def problems(client: Client, method: str, url: str) -> list[str]:
    """Make the request; what is wrong with the answer (nothing, for a page or a message)."""
    response = getattr(client, method)(url)
    where = f"{method.upper()} {url[:300]!r}"
    if response.status_code >= 500:
        return [f"{where} answered {response.status_code}"]
    if method != "get" or response.status_code == 304:
        return []
    content_type = response.get("Content-Type", "")
    if is_json_endpoint(response.wsgi_request.path_info):
        if not content_type.startswith("application/json"):
            return [f"{where} is a JSON endpoint but answered {content_type}"]
        try:
            json.loads(response.content)
        except ValueError as error:
            return [f"{where} answered invalid JSON: {error}"]
    elif content_type.startswith("text/html") and b"<script>" in response.content:
        return [f"{where} shows markup from the URL"]
    return []


# --- values --------------------------------------------------------------------------------------

# Already percent-encoded, as they would stand in a URL.
JUNK = [
    "%C3%28", "%FF", "%FE%FF", "%00", "a%00b", "%C0%AE%C0%AE", "%ED%A0%80", "%F4%90%80%80",
    "%E4%BA", "%2F", "%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..", ".", "%25", "%", "%G1", "%0A",
    "%0D%0A", "%20", "+", "%2B", "%E2%80%AE", "%EF%BB%BF", "%F0%9F%98%80", "%3Cscript%3E",
    "%22%27%3E", "%26%3D", "%23", "%3F", "\\", "%5C", "-", "_", "0", "-1", "00", "1.", ".1",
    "1..2", "1.2.3.4", "999.999.999", "4294967296", "9" * 5000, "a" * 5000, "%E5%9B%BD" * 1000,
    "%FF" * 2000, "title", "TITLE", "signature%00", "guofa-2015-40%00", "guofa-2015-40%FF",
    "zh-hans", "zh-hans,en", ",,,", "zh-hans," * 200, "%E4%BA%92%E8%81%94%E7%BD%91%2B",
    "%E2%80%9C%E4%BA%92", "1e3", "1.5", "%D9%A3", "%EF%BC%93", "0x10", "NaN", "true", "null",
    "[]", "{}", "AND", "OR%20NOT", "*", "text%3A%E5%9B%BD", "%E3%80%80",
]
QUERY_KEYS = ["v", "q", "page", "limit", "version", "part", "source", "target", "document",
              "sort", "issuer", "year", "inconsistent"]
# The junk most likely to upset a parameter's parsing, tried on each key alone.
QUERY_JUNK = ["%C3%28", "%FF", "a%00b", "", "-1", "1.5", "%D9%A3", "9" * 5000, "%E5%9B%BD" * 1000,
              "zh-hans," * 200, "%3Cscript%3E", "%E2%80%9C%E4%BA%92"]

ENCODED_TEXT = st.text(max_size=40).map(lambda s: quote(s, safe=""))
JUNK_VALUE = st.one_of(
    st.sampled_from(JUNK),
    ENCODED_TEXT,
    st.lists(st.one_of(st.sampled_from(JUNK), ENCODED_TEXT), min_size=2, max_size=4).map("".join),
    st.integers(-10**20, 10**20).map(str),
)


def meaningful_values(site) -> dict[str, st.SearchStrategy[str]]:
    """Values a reader or a script might really send, per query key."""
    versions = st.sampled_from(site["versions"] + ["", "zh-hant", "xx"])
    version_list = st.lists(versions, max_size=6).map(",".join)
    number = st.one_of(st.integers(-3, 12), st.sampled_from([10**6, 10**30])).map(str)
    query = st.sampled_from(["互联网+", "国", "創新", "cloud computing", '"cloud computing"',
                             "“互联网", "manufacture", "AND", "(", "*", "众创空间 NOT", "zzzz"])
    return {
        "v": version_list, "version": versions, "source": versions, "target": versions,
        "page": number, "limit": number, "part": st.sampled_from(["0", "1", "3", "matter", "4", ""]),
        "q": query.map(lambda s: quote(s, safe="")),
    }


def mostly(usual: st.SearchStrategy, other: st.SearchStrategy) -> st.SearchStrategy:
    """``usual`` three times in four, so that most requests get past the first check."""
    return st.integers(0, 3).flatmap(lambda k: usual if k else other)


@st.composite
def requests(draw, site, route: str):
    """A method and URL for ``route``: each parameter real, well-formed or junk; a query string."""
    values = {}
    for converter, name in parameters(route):
        real = {"slug": site["slugs"], "ref": site["refs"]}.get(name, site["refs"])
        shaped = st.from_regex(get_converters()[converter].regex, fullmatch=True).map(
            lambda s: quote(s, safe=""))
        values[name] = draw(mostly(st.sampled_from(real), st.one_of(shaped, JUNK_VALUE)))
    path = fill(route, values)
    meaningful = meaningful_values(site)
    pairs = [f"q={draw(meaningful['q'])}"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 5))):
        key = draw(mostly(st.sampled_from(QUERY_KEYS), JUNK_VALUE))
        value = draw(mostly(meaningful.get(key, JUNK_VALUE), JUNK_VALUE))
        pairs.append(f"{key}={value}")
    query = "&".join(pairs)
    return draw(st.sampled_from(["get", "get", "head"])), path + ("?" + query if query else "")


def valid_values(site, route: str) -> dict[str, str]:
    refs = {"slug": site["slugs"][0], "ref": "2.1.1"}
    return {name: refs.get(name, "2.1.1") for _, name in parameters(route)}


# --- tests ----------------------------------------------------------------------------------------

def test_the_fuzzer_finds_the_reader_search_and_api_routes():
    names = {name for _, name in ROUTES}
    assert {"reader:document", "reader:clause", "reader:api-clause", "search:search",
            "search:api-search"} <= names


def test_every_route_answers_real_values_with_a_page_or_json(site, visitor):
    """The baseline: real values give a 200 (and, from a JSON endpoint, JSON)."""
    found = []
    for route, name in ROUTES:
        url = fill(route, valid_values(site, route))
        if name.endswith(("search", "concordance")):  # these need a term to look up
            url += "?q=" + quote("互联网+")
        response = visitor.get(url)
        if name.startswith("library:"):  # the editors' import pages: staff only
            if response.status_code != 302 or not response["Location"].startswith("/admin/login/"):
                found.append(f"GET {url} answered {response.status_code}, not the login redirect")
        elif response.status_code != 200:
            found.append(f"GET {url} answered {response.status_code}")
        found += problems(visitor, "get", url)
    assert not found


def test_no_route_answers_a_server_error_to_junk_in_any_path_parameter(site, visitor):
    found = []
    for route, _ in ROUTES:
        for _, parameter in parameters(route):
            for junk in JUNK:
                url = fill(route, {**valid_values(site, route), parameter: junk})
                found += problems(visitor, "get", url)
    assert not found


def test_no_route_answers_a_server_error_to_junk_in_any_query_parameter(site, visitor):
    found = []
    for route, _ in ROUTES:
        path = fill(route, valid_values(site, route))
        for junk in JUNK:
            found += problems(visitor, "get", path + "?" + "&".join(f"{key}={junk}" for key in QUERY_KEYS))
        # One key at a time too, beside a real query so the search views get past "type something".
        for key in QUERY_KEYS:
            for junk in QUERY_JUNK:
                found += problems(visitor, "get", f"{path}?q=%E5%9B%BD&{key}={junk}")
        found += problems(visitor, "get", path + "?" + "&".join(f"v={v}" for v in site["versions"] * 50))
    assert not found


@hypothesis_settings(EXAMPLES, max_examples=EXAMPLES.max_examples * len(ROUTES))
@given(data=st.data())
def test_no_route_answers_a_server_error_to_random_requests(site, visitor, data):
    route, name = data.draw(st.sampled_from(ROUTES), label="route")
    method, url = data.draw(requests(site, route), label="request")
    response_problems = problems(visitor, method, url)
    event(f"{name}: {'problem' if response_problems else 'ok'}")
    assert not response_problems


def json_error_problems(where: str, response, status: int) -> list[str]:
    """What is wrong with ``response`` as a JSON error with ``status`` (nothing, if it is one)."""
    if response.status_code != status:
        return [f"{where} answered {response.status_code}, not {status}"]
    if not response.get("Content-Type", "").startswith("application/json"):
        return [f"{where} answered {status} as {response.get('Content-Type')}, not JSON"]
    try:
        error = json.loads(response.content).get("error")
    except ValueError:
        return [f"{where} answered {status} with invalid JSON"]
    return [] if isinstance(error, str) and error else [f"{where} answered {status} without an error message"]


def test_every_api_route_answers_json_errors_and_405_to_unsafe_methods(site):
    """Under /api/, a refusal is JSON whatever refuses: the view, the URL resolver (404), the
    request parser (400, too many parameters) or the method check (405, before CSRF). The
    other read-only routes answer 405 too; only the import pages accept a POST (with CSRF)."""
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    found = []
    for route, name in ROUTES:
        path = fill(route, valid_values(site, route))
        if name.startswith("library:"):
            response = client.post(path)
            if response.status_code != 403:
                found.append(f"POST {path} answered {response.status_code}, not the CSRF 403")
            continue
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(path)
            if response.status_code != 405 or response.get("Allow") != "GET, HEAD":
                found.append(f"{method.upper()} {path} answered {response.status_code}, "
                             f"Allow {response.get('Allow')!r}")
            elif path.startswith("/api/"):
                found += json_error_problems(f"{method.upper()} {path}", response, 405)
        if not path.startswith("/api/"):
            continue
        too_many = "&".join(f"p{n}=1" for n in range(1100))
        found += json_error_problems(f"GET {path}?<1100 parameters>", client.get(f"{path}?{too_many}"), 400)
        found += json_error_problems(f"GET {path}/x", client.get(f"{path}/x"), 404)
        for _, parameter in parameters(route):
            for junk in JUNK:
                url = fill(route, {**valid_values(site, route), parameter: junk})
                response = client.get(url)
                if response.status_code >= 400 and url.startswith("/api/"):
                    found += json_error_problems(f"GET {url[:200]!r}", response, response.status_code)
    assert not found
