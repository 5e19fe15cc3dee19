"""Reader pages: the document list, the parallel reader, and one clause's permalink page."""
from django.shortcuts import render
from django.urls import reverse

from . import reading
from .models import Document


def index(request):
    documents = Document.objects.prefetch_related("versions")
    titles = {d.slug: reading.passage_text(d, "title", "zh-hans") for d in documents}
    return render(request, "reader/index.html", {
        "documents": [(d, titles[d.slug]) for d in documents],
    })


def document(request, slug):
    doc = reading.document_or_404(slug)
    versions, problems = reading.choose_versions(doc, request.GET.getlist("v"))
    rows = reading.rows(doc, versions)
    return render(request, "reader/document.html", {
        "document": doc,
        "versions": versions,
        "all_versions": list(doc.versions.all()),
        "problems": problems,
        "v_param": ",".join(v.slug for v in versions),
        "rows": rows,
        "outline": [row for row in rows if row.clause.is_heading],
        "title": next((row for row in rows if row.clause.ref == "title"), None),
    })


def clause(request, slug, ref):
    doc = reading.document_or_404(slug)
    clause = reading.clause_or_404(doc, ref)
    versions = list(doc.versions.all())
    chosen, _ = reading.choose_versions(doc, request.GET.getlist("v"))
    previous, following = reading.neighbours(clause)
    url = request.build_absolute_uri(reverse("reader:clause", args=[doc.slug, clause.ref]))
    return render(request, "reader/clause.html", {
        "document": doc,
        "clause": clause,
        "row": reading.rows(doc, versions, [clause])[0],
        "ancestors": reading.ancestors(clause),
        "previous": previous,
        "following": following,
        "citation": reading.citation(doc, clause, url),
        "permalink": url,
        "v_param": ",".join(v.slug for v in chosen),
        "title": reading.passage_text(doc, "title", "zh-hans"),
    })
