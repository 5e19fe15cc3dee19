"""The search page and the search API. Bad input gets a message, never a 500; an index that
cannot answer is a 503 with a message, never "no results"."""
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode

from reader.caching import FAST, cached_response
from reader.http import read_only
from . import catalogue, scope
from .services import backend
from .searching import MAX_LIMIT, QueryError, SearchUnavailable, positive_int, search


@read_only
@cached_response(params=("q", "document", "version", "part", "page"),
                 extra=lambda: backend().live_generation(), compression=FAST)
def search_page(request):
    q = request.GET.get("q", "")
    document = request.GET.get("document") or None
    version = request.GET.get("version") or None
    part = request.GET.get("part") or None
    lib = catalogue.library()
    chosen = lib.by_slug.get(document) if document else None
    context = {
        "q": q, "document": document or "", "version": version or "", "part": part or "",
        "error": "", "results": None, "scope": "",
        "documents": [(d.slug, scope.document_label(d, lib.titles[d.id])) for d in lib.documents],
        "versions": lib.choices(chosen),
        # A document's parts are offered once it is chosen; with none, a part still applies
        # to each document and is kept in the form.
        "parts": [("", "All parts", "en")] + scope.part_options(chosen) if chosen else [],
        # The filters in effect, for the pagination and suggestion links.
        "filters_query": "".join(f"&{urlencode({name: value})}" for name, value in
                                 (("document", document), ("version", version), ("part", part)) if value),
    }
    status = 200
    if document and chosen is None:
        context["error"] = f"Unknown document “{document[:60]}”; choose one from the list."
        status = 400
    elif q.strip():
        try:
            page = positive_int(request.GET.get("page"), 1, "Page")
            context["results"] = search(q, document=document, version=version, part=part, page=page)
            context["scope"] = scope.describe(chosen, version, part, lib)
        except QueryError as problem:
            context["error"] = str(problem)
            status = 400
        except SearchUnavailable as problem:
            context["error"] = str(problem)
            status = 503
    response = render(request, "search/search.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "60"
    return response


@read_only
@cached_response(params=("q", "document", "version", "part", "page", "limit"),
                 extra=lambda: backend().live_generation(), compression=FAST)
def search_api(request):
    q = request.GET.get("q")
    try:
        limit = positive_int(request.GET.get("limit"), 20, "limit", maximum=MAX_LIMIT)
        page = positive_int(request.GET.get("page"), 1, "page")
        results = search(q, document=request.GET.get("document") or None,
                         version=request.GET.get("version") or None,
                         part=request.GET.get("part") or None, page=page, per_page=limit)
    except QueryError as problem:
        return JsonResponse({"error": str(problem), "query": (q or "")[:200]}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    except SearchUnavailable as problem:
        response = JsonResponse({"error": str(problem), "query": (q or "")[:200]}, status=503,
                                json_dumps_params={"ensure_ascii": False})
        response["Retry-After"] = "60"
        return response
    return JsonResponse({
        "query": results.query,
        "count": results.count,
        "page": results.page,
        "pages": results.pages,
        "results": [{
            "ref": hit.ref,
            "document": hit.document,
            "document_title": hit.document_title,
            "version": hit.version.slug,
            "versions": hit.versions,
            "aligned": {"version": hit.counterpart.slug if hit.counterpart else None,
                        "sentences": hit.aligned},
            "url": request.build_absolute_uri(hit.url),
            "score": round(hit.score, 4),
        } for hit in results.hits],
        "suggestion": results.suggestion or None,
        "notice": results.notice or None,
    }, json_dumps_params={"ensure_ascii": False})
