"""The search page and the search API. Bad input gets a message, never a 500."""
from django.http import JsonResponse
from django.shortcuts import render

from reader.caching import cached_response
from reader.models import Version

from .services import backend
from .searching import MAX_LIMIT, QueryError, positive_int, scope, search

PARTS = [("", "All parts"), ("0", "Preamble"), ("1", "Part 一"), ("2", "Part 二"), ("3", "Part 三"),
         ("matter", "Title, addressees, signature")]


@cached_response(extra=lambda: backend().live_generation())
def search_page(request):
    q = request.GET.get("q", "")
    version = request.GET.get("version") or None
    part = request.GET.get("part") or None
    versions = {}
    for v in Version.objects.order_by("position", "id"):
        versions.setdefault(v.slug, v)  # one entry per version slug across the corpus
    context = {"q": q, "version": version or "", "part": part or "", "parts": PARTS,
               "versions": list(versions.values())}
    status = 200
    if q.strip():
        try:
            page = positive_int(request.GET.get("page"), 1, "Page")
            context["results"] = search(q, version=version, part=part, page=page)
            context["scope"] = scope(version, part)
        except QueryError as problem:
            context["error"] = str(problem)
            status = 400
    return render(request, "search/search.html", context, status=status)


@cached_response(extra=lambda: backend().live_generation())
def search_api(request):
    q = request.GET.get("q")
    try:
        limit = positive_int(request.GET.get("limit"), 20, "limit", maximum=MAX_LIMIT)
        page = positive_int(request.GET.get("page"), 1, "page")
        results = search(q, version=request.GET.get("version") or None,
                         part=request.GET.get("part") or None, page=page, per_page=limit)
    except QueryError as problem:
        return JsonResponse({"error": str(problem), "query": (q or "")[:200]}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    return JsonResponse({
        "query": results.query,
        "count": results.count,
        "page": results.page,
        "pages": results.pages,
        "results": [{
            "ref": hit.ref,
            "document": hit.document,
            "version": hit.version.slug,
            "versions": hit.versions,
            "aligned": {"version": hit.counterpart.slug if hit.counterpart else None,
                        "sentences": hit.aligned},
            "url": request.build_absolute_uri(hit.url),
            "score": round(hit.score, 4),
        } for hit in results.hits],
        "suggestion": results.suggestion or None,
    }, json_dumps_params={"ensure_ascii": False})
