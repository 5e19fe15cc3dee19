"""Read-only JSON API: documents, their versions and outline, clauses with passages and notes."""
import functools
from urllib.parse import quote

from django.http import JsonResponse
from django.urls import reverse

from . import library_listing, reading, terms
from .caching import FAST, cached_response
from .http import RefConverter, json_error, read_only
from .models import Clause, Document, Note, Passage, Sentence, Version


def with_document(view):
    """Resolve the ``slug`` argument to its Document, or answer 404 with a JSON error."""
    @functools.wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        doc = Document.objects.filter(slug=slug).first()
        if doc is None:
            return json_error(404, f"No document with slug “{slug[:80]}”.")
        return view(request, doc, *args, **kwargs)
    return wrapped


def _pair(request, doc):
    """(source, target) of an alignment-style request, or the error response to send."""
    try:
        return reading.version_pair(doc, request.GET.get("source"), request.GET.get("target"))
    except ValueError as problem:
        return json_error(400, str(problem))


def _json(data) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _document_summary(request, doc: Document) -> dict:
    return {
        "slug": doc.slug,
        "number": doc.number,
        "issuer": doc.issuer,
        "date": doc.date.isoformat(),
        "url": request.build_absolute_uri(reverse("reader:document", args=[doc.slug])),
        "api": request.build_absolute_uri(reverse("reader:api-document", args=[doc.slug])),
    }


def _version(v: Version) -> dict:
    return {"slug": v.slug, "language": v.language, "label": v.label, "kind": v.kind,
            "base": v.is_base, "description": v.description,
            "sources": [s for s in v.sources.split(", ") if s],
            "document_number": v.document_number or None}


def _note(n: Note) -> dict:
    return {"kind": n.kind, "version": n.version.slug if n.version else None, "body": n.body,
            "source": n.source or None, "line": n.line, "reading": n.reading or None,
            "adopted": n.adopted or None}


@read_only
@cached_response()
def documents(request):
    """The library, newest first: each document's titles, genre, versions and counts."""
    return _json({"documents": [{
        **_document_summary(request, e.document),
        "title": e.title, "title_en": e.english_title or None,
        "genre": e.document.genre,
        "versions": [v.slug for v in e.versions],
        "clauses": e.clauses,
        "translations": len(e.translations),
    } for e in library_listing.library().entries]})


@read_only
@cached_response()
@with_document
def document(request, doc):
    versions = list(Version.objects.of(doc))
    fronts = {p.version.slug: p.text for p in Passage.objects.filter(
        clause__document=doc, clause__ref="title").select_related("version")}
    addressees = {p.version.slug: p.text for p in Passage.objects.filter(
        clause__document=doc, clause__ref="addressees").select_related("version")}
    return _json({
        **_document_summary(request, doc),
        "title": {v.slug: fronts.get(v.slug) for v in versions},
        "addressees": {v.slug: addressees.get(v.slug) for v in versions},
        "versions": [_version(v) for v in versions],
        "outline": [{"ref": c.ref, "kind": c.kind, "parent": c.parent.ref if c.parent else None,
                     "heading": reading.passage_text(doc, c.ref, versions[0].slug)}
                    for c in reading.outline(doc)],
    })


def _clause(c: Clause, versions: list[Version], passages: dict) -> dict:
    return {"ref": c.ref, "kind": c.kind, "parent": c.parent.ref if c.parent_id else None,
            "passages": {v.slug: passages.get((c.id, v.id)) for v in versions}}


@read_only
@cached_response()
@with_document
def clauses(request, doc):
    versions = list(Version.objects.of(doc))
    passages = {(p.clause_id, p.version_id): p.text
                for p in Passage.objects.filter(clause__document=doc)}
    items = Clause.objects.of(doc).in_order().select_related("parent")
    return _json({"document": doc.slug, "clauses": [_clause(c, versions, passages) for c in items]})


@read_only
@cached_response()
@with_document
def clause(request, doc, ref):
    c = None
    if RefConverter.matches(ref):  # junk is never looked up (a NUL is an error on PostgreSQL)
        c = Clause.objects.of(doc).filter(ref=ref).select_related("parent").first()
    if c is None:
        return json_error(404, f"No clause “{ref[:80]}” in {doc.slug}.")
    versions = list(Version.objects.of(doc))
    passages = {(p.clause_id, p.version_id): p.text for p in c.passages.all()}
    sentences: dict[str, list[str]] = {}
    for s in Sentence.objects.filter(passage__clause=c).select_related("passage__version"):
        sentences.setdefault(s.passage.version.slug, []).append(s.text)
    beads: dict[str, list[dict]] = {}
    for b in c.beads.select_related("target"):
        beads.setdefault(b.target.slug, []).append({
            "source": b.source_sentences, "target": b.target_sentences,
            "kind": b.kind, "score": b.score})
    return _json({
        **_clause(c, versions, passages),
        "document": doc.slug,
        "url": request.build_absolute_uri(reverse("reader:clause", args=[doc.slug, c.ref])),
        "notes": [_note(n) for n in c.notes.select_related("version")],
        "sentences": {v.slug: sentences.get(v.slug) for v in versions},
        "beads": {"source": next(v.slug for v in versions if v.is_base), "targets": beads},
    })


@read_only
@cached_response(params=("source", "target"))
@with_document
def alignment(request, doc):
    """Every bead from the base text to one other version, in document order."""
    pair = _pair(request, doc)
    if isinstance(pair, JsonResponse):
        return pair
    source, target = pair
    return _json({
        "source": source.slug, "target": target.slug,
        "beads": [{"ref": b.ref, "source": b.source, "target": b.target, "score": b.bead.score}
                  for b in reading.aligned_beads(doc, source, target)],
    })


@read_only
@cached_response(params=("source", "target"))
@with_document
def checks(request, doc):
    """Automatic translation-check findings for one translation, in document order."""
    pair = _pair(request, doc)
    if isinstance(pair, JsonResponse):
        return pair
    source, target = pair
    return _json({"target": target.slug, "findings": [
        {"ref": f.clause.ref, "sentence": f.sentence, "kind": f.kind, "reason": f.reason,
         "url": request.build_absolute_uri(
             reverse("reader:document", args=[doc.slug]) + f"?v={source.slug},{target.slug}"
             + (f"#c-{f.clause.ref}-s{f.sentence}" if f.sentence else f"#c-{f.clause.ref}"))}
        for f in reading.findings(doc, target)]})



def _reader_link(request, doc: Document, versions: list[str], anchor: str) -> str:
    return request.build_absolute_uri(
        reverse("reader:document", args=[doc.slug]) + f"?v={','.join(versions)}#{anchor}")


@read_only
@cached_response()
@with_document
def glossary(request, doc):
    """The glossary terms with, per translation, the renderings used and how often."""
    targets, rows = terms.glossary_rows(doc)
    return _json({"document": doc.slug, "versions": [v.slug for v in targets], "terms": [{
        "term": row.term.zh, "id": row.term.slug, "category": row.term.category,
        "gloss": row.term.gloss, "occurrences": row.term.count,
        "inconsistent": row.inconsistent,
        "renderings": {use.version.slug: {
            "used": [{"rendering": r, "count": n} for r, n in use.counts],
            "not_identified": use.unidentified, "listed": use.listed,
            "inconsistent": use.inconsistent} for use in row.uses},
        "concordance": request.build_absolute_uri(
            reverse("reader:concordance", args=[doc.slug]) + "?q=" + quote(row.term.zh)),
    } for row in rows]})


def _term_query(request):
    """The cleaned ?q= of a concordance request, or the error response to send."""
    try:
        q = terms.clean_query(request.GET.get("q"))
    except terms.TermQueryError as problem:
        return json_error(400, str(problem))
    if not q:
        return json_error(400, "Give a term to look up: ?q=众创空间 or ?q=mass creation spaces.")
    return q


def _renderings(groups) -> dict:
    return {g.version.slug: {
        "used": [{"rendering": r, "count": n} for r, n in g.counts],
        "not_identified": g.unidentified, "no_counterpart": g.unaligned,
        "clause_not_in_version": g.uncovered} for g in groups}


def _line(request, doc: Document, line) -> dict:
    return {
        "ref": line.clause.ref, "version": line.version.slug, "sentence": line.sentence,
        "base_sentence": line.base_sentence,
        "left": line.left, "match": line.match, "right": line.right,
        "url": _reader_link(request, doc, [line.version.slug] + [
            c.version.slug for c in line.counterparts], line.anchor),
        "aligned": {c.version.slug: {
            "sentences": [s.number for s in c.sentences], "text": c.text,
            "rendering": c.rendering or None, "covered": c.covered}
            for c in line.counterparts},
    }


@read_only
@cached_response(params=("q",), compression=FAST)
@with_document
def concordance(request, doc):
    """Every occurrence of ?q= as a keyword-in-context line with its aligned sentences."""
    q = _term_query(request)
    if isinstance(q, JsonResponse):
        return q
    result = terms.concordance(doc, q)
    return _json({
        "query": result.query, "language": result.language,
        "term": result.term.zh if result.term else None,
        "count": len(result.lines),
        "renderings": _renderings(result.groups),
        "lines": [_line(request, doc, line) for line in result.lines],
    })


def _page_number(request, pages: int):
    """?page= as a number from 1 to ``pages``, or the error response to send."""
    raw = request.GET.get("page") or "1"
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not 1 <= int(raw) <= max(pages, 1):
        return json_error(400, f"page must be a number from 1 to {max(pages, 1)}.")
    return int(raw)


@read_only
@cached_response(params=("q", "page"), compression=FAST)
def library_concordance(request):
    """Every occurrence of ?q= in the library: per document (newest first) its count and
    renderings per translation, and the lines, 100 a page (?page=)."""
    q = _term_query(request)
    if isinstance(q, JsonResponse):
        return q
    result = terms.library_concordance(q)
    lines = result.lines
    pages = -(-len(lines) // terms.PER_PAGE)
    page = _page_number(request, pages)
    if isinstance(page, JsonResponse):
        return page
    shown = lines[(page - 1) * terms.PER_PAGE:page * terms.PER_PAGE]
    base = reverse("reader:api-library-concordance") + "?q=" + quote(q)
    return _json({
        "query": result.query, "language": result.language,
        "term": result.term.zh if result.term else None,
        "count": result.count, "documents_searched": result.searched,
        "documents": [{
            **_document_summary(request, part.document), "title": part.title,
            "count": part.count, "renderings": _renderings(part.concordance.groups),
        } for part in result.parts],
        "page": page, "pages": pages, "per_page": terms.PER_PAGE,
        "next": request.build_absolute_uri(f"{base}&page={page + 1}") if page < pages else None,
        "lines": [{"document": item.part.document.slug, **_line(request, item.part.document, item.line)}
                  for item in shown],
    })


@read_only
@cached_response()
def library_glossary(request):
    """Every glossary term of the library with, per document (oldest first) and translation,
    the renderings used and how often, and each rendering's history."""
    rows = terms.library_glossary()
    return _json({"terms": [{
        "term": row.term.zh, "id": row.term.slug, "category": row.term.category,
        "gloss": row.term.gloss, "occurrences": row.occurrences,
        "inconsistent": row.inconsistent,
        "history": [{"version": h.version, "rendering": h.text, "count": h.count,
                     "first": {"document": h.first.slug, "date": h.first.date.isoformat()},
                     "last": {"document": h.last.slug, "date": h.last.date.isoformat()}}
                    for h in row.history],
        "documents": [{
            "document": use.document.slug, "title": use.title,
            "date": use.document.date.isoformat(), "occurrences": use.occurrences,
            "renderings": {tally.version.slug: {
                "used": [{"rendering": r, "count": n} for r, n in tally.counts],
                "not_identified": tally.unidentified} for tally in use.uses},
        } for use in row.documents],
        "concordance": request.build_absolute_uri(
            reverse("reader:library-concordance") + "?q=" + quote(row.term.zh)),
    } for row in rows]})
