"""Reader pages: the library, the parallel reader, one clause's permalink page, and the
translators' tools (checks, compare, concordance and glossary, per document and across the library)."""
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse

from . import exports, glossary_exports, library_listing, metadata, reading, review_table, terms
from .caching import FAST, cached_response
from .http import API_PREFIX, read_only
from .models import Term


def reading_aids(request) -> dict:
    """The pinyin and variants toggles (?pinyin=1, ?variants=1), and the query that keeps them."""
    show_pinyin = request.GET.get("pinyin") == "1"
    show_variants = request.GET.get("variants") == "1"
    keep = "".join(f"&{name}=1" for name, on in (("pinyin", show_pinyin), ("variants", show_variants)) if on)
    return {"show_pinyin": show_pinyin, "show_variants": show_variants, "aids_query": keep}


@read_only
@cached_response(params=("sort", "issuer", "year"))
def index(request):
    """The library: every document, filtered by ?issuer= and ?year=, sorted by ?sort=."""
    shelf = library_listing.library(sort=request.GET.get("sort"), issuer=request.GET.get("issuer"),
                                    year=request.GET.get("year"))
    return render(request, "reader/index.html", {"library": shelf, "sorts": library_listing.SORTS})


@read_only
@cached_response(params=("pinyin", "variants"), lists=("v",))
def document(request, slug):
    doc = reading.document_or_404(slug)
    versions, problems = reading.choose_versions(doc, request.GET.getlist("v"))
    aids = reading_aids(request)
    rows = reading.rows(doc, versions, with_pinyin=aids["show_pinyin"])
    permalink = request.build_absolute_uri(reverse("reader:document", args=[doc.slug]))
    return render(request, "reader/document.html", {
        "document": doc,
        "meta": metadata.document_page(doc, permalink),
        "versions": versions,
        "all_versions": list(doc.versions.all()),
        "problems": problems,
        "v_param": ",".join(v.slug for v in versions),
        "rows": rows,
        "outline": [row for row in rows if row.clause.is_heading],
        "title": next((row for row in rows if row.clause.ref == "title"), None),
        **aids,
    })


@read_only
@cached_response(params=("pinyin", "variants"), lists=("v",))
def clause(request, slug, ref):
    doc = reading.document_or_404(slug)
    clause = reading.clause_or_404(doc, ref)
    chosen, _ = reading.choose_versions(doc, request.GET.getlist("v"))
    aids = reading_aids(request)
    previous, following = reading.neighbours(clause)
    url = request.build_absolute_uri(reverse("reader:clause", args=[doc.slug, clause.ref]))
    return render(request, "reader/clause.html", {
        "document": doc,
        "clause": clause,
        "row": reading.rows(doc, list(doc.versions.all()), [clause],
                            with_pinyin=aids["show_pinyin"])[0],
        **aids,
        "ancestors": reading.ancestors(clause),
        "previous": previous,
        "following": following,
        "citation": reading.citation(doc, clause, url),
        "meta": metadata.clause_page(doc, clause, url, request.build_absolute_uri(
            reverse("reader:document", args=[doc.slug]))),
        "permalink": url,
        "v_param": ",".join(v.slug for v in chosen),
    })


def _export(request, slug, build, content_type, extension):
    """A file of one translation aligned with the base text, named <document>.<source>-<target>.<ext>;
    a bad ?source= or ?target= is a 400 saying why."""
    doc = reading.document_or_404(slug)
    try:
        source, target = reading.version_pair(doc, request.GET.get("source"), request.GET.get("target"))
    except ValueError as problem:
        return HttpResponseBadRequest(f"{problem}\n", content_type="text/plain; charset=utf-8")
    return _download(build(doc, source, target), content_type,
                     f"{doc.slug}.{source.slug}-{target.slug}.{extension}")


def _download(body, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@read_only
@cached_response(params=("source", "target"))
def export_tmx(request, slug):
    return _export(request, slug, lambda doc, s, t: exports.tmx(doc, s, t, reading.aligned_beads(doc, s, t)),
                   "application/x-tmx+xml; charset=utf-8", "tmx")


@read_only
@cached_response(params=("source", "target"))
def export_csv(request, slug):
    return _export(request, slug, lambda doc, s, t: exports.csv_text(s, t, reading.aligned_beads(doc, s, t)),
                   "text/csv; charset=utf-8", "csv")


@read_only
@cached_response(params=("source", "target"))
def export_xliff(request, slug):
    return _export(request, slug, lambda doc, s, t: exports.xliff(reading.review(doc, s, t)),
                   "application/xliff+xml; charset=utf-8", "xlf")


@read_only
@cached_response(params=("source", "target"))
def export_docx(request, slug):
    return _export(request, slug, lambda doc, s, t: review_table.docx(reading.review(doc, s, t)),
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")


@read_only
@cached_response(params=("source", "target"))
def export_xlsx(request, slug):
    return _export(request, slug, lambda doc, s, t: review_table.xlsx(reading.review(doc, s, t)),
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")


@read_only
@cached_response()
def compare(request, slug, ref):
    doc = reading.document_or_404(slug)
    clause = reading.clause_or_404(doc, ref)
    targets, rows = reading.comparisons(clause)
    return render(request, "reader/compare.html", {
        "document": doc, "clause": clause, "targets": targets, "rows": rows,
        "ancestors": reading.ancestors(clause),
    })


@read_only
@cached_response(params=("target",))
def checks(request, slug):
    doc = reading.document_or_404(slug)
    try:
        source, target = reading.version_pair(doc, None, request.GET.get("target"))
    except ValueError as problem:
        return render(request, "reader/checks.html", {"document": doc, "error": str(problem),
                                                      "targets": _translations(doc)}, status=400)
    found = reading.findings(doc, target)
    counts = {}
    for f in found:
        counts[f.get_kind_display()] = counts.get(f.get_kind_display(), 0) + 1
    return render(request, "reader/checks.html", {
        "document": doc, "source": source, "target": target, "findings": found,
        "counts": sorted(counts.items()), "targets": _translations(doc),
    })


def _translations(doc):
    return [v for v in doc.versions.all() if not v.is_base]


def _concordance_page(request, template, context, look_up):
    """A concordance page: the term from ?q=, its lines paginated, or the reason it cannot be
    looked up (status 400)."""
    try:
        q = terms.clean_query(request.GET.get("q"))
    except terms.TermQueryError as problem:
        context.update(error=str(problem), q=request.GET.get("q", "")[:terms.MAX_TERM_CHARS])
        return render(request, template, context, status=400)
    context["q"] = q
    if q:
        result = look_up(q)
        context.update(result=result,
                       page=Paginator(result.lines, terms.PER_PAGE).get_page(request.GET.get("page")))
    return render(request, template, context)


@read_only
@cached_response(params=("q", "page"), compression=FAST)
def concordance(request, slug):
    doc = reading.document_or_404(slug)
    return _concordance_page(request, "reader/concordance.html",
                             # read only where shown (the page without a query)
                             {"document": doc, "q": "", "terms": Term.objects.of(doc)},
                             lambda q: terms.concordance(doc, q))


@read_only
@cached_response(params=("q", "page"), compression=FAST)
def library_concordance(request):
    """The concordance of a term over every document, grouped by document, newest first."""
    return _concordance_page(request, "reader/library_concordance.html",
                             # a callable: read only where shown (the page without a query)
                             {"q": "", "terms": terms.library_terms}, terms.library_concordance)


@read_only
@cached_response(params=("inconsistent",))
def library_glossary(request):
    """Every glossary term with its renderings per document and translation, oldest first."""
    rows = terms.library_glossary()
    only_inconsistent = request.GET.get("inconsistent") == "1"
    return render(request, "reader/library_glossary.html", {
        "rows": [r for r in rows if r.documents and (r.inconsistent or not only_inconsistent)],
        "absent": [r for r in rows if not r.documents],
        "total": len(rows), "flagged": sum(1 for r in rows if r.inconsistent),
        "only_inconsistent": only_inconsistent,
    })


@read_only
@cached_response(params=("inconsistent",))
def glossary(request, slug):
    doc = reading.document_or_404(slug)
    targets, rows = terms.glossary_rows(doc)
    only_inconsistent = request.GET.get("inconsistent") == "1"
    shown = [r for r in rows if r.inconsistent] if only_inconsistent else rows
    return render(request, "reader/glossary.html", {
        "document": doc, "targets": targets, "rows": shown, "total": len(rows),
        "flagged": sum(1 for r in rows if r.inconsistent), "only_inconsistent": only_inconsistent,
    })


@read_only
@cached_response()
def glossary_csv(request, slug):
    doc = reading.document_or_404(slug)
    _, rows = terms.glossary_rows(doc)
    return _download(glossary_exports.glossary_csv(rows), "text/csv; charset=utf-8", f"{doc.slug}.glossary.csv")


@read_only
@cached_response()
def glossary_tbx(request, slug):
    return _glossary_tbx(slug, glossary_exports.glossary_tbx, "glossary.tbx")


@read_only
@cached_response()
def glossary_tbx_2008(request, slug):
    return _glossary_tbx(slug, glossary_exports.glossary_tbx_2008, "glossary-2008.tbx")


def _glossary_tbx(slug, build, name):
    doc = reading.document_or_404(slug)
    targets, rows = terms.glossary_rows(doc)
    body = build(doc, targets, rows, terms.rendering_examples(doc))
    return _download(body, "application/x-tbx+xml; charset=utf-8", f"{doc.slug}.{name}")


# --- the files every site is asked for at its root -----------------------------------------

@read_only
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page's <link rel="icon"> says: the
    icon under static/ (16 and 32 px)."""
    response = HttpResponse(Path(finders.find("favicon.ico")).read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@read_only
def robots_txt(request):
    """What crawlers may read: everything but the staff pages, the API, the downloads and
    query pages (templates/robots.txt says why)."""
    return render(request, "robots.txt", {"api_prefix": API_PREFIX},
                  content_type="text/plain; charset=utf-8")
