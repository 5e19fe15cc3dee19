"""Writes to the corpus. Reads are QuerySet methods on the models."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .models import Clause, Document, Note, Passage, Version
from .sources.base import kind_of, parent_of
from .sources.corpus import Corpus


@dataclass
class IngestResult:
    document: Document
    unchanged: bool
    created: int = 0
    updated: int = 0
    deleted: int = 0


def _upsert(model, existing: dict, key, values: dict, result: IngestResult):
    """Create or update one row by natural key; count only real changes."""
    row = existing.pop(key, None)
    if row is None:
        row = model.objects.create(**values)
        result.created += 1
        return row
    changed = [f for f, v in values.items() if getattr(row, f) != v]
    if changed:
        for f in changed:
            setattr(row, f, values[f])
        row.save(update_fields=changed)
        result.updated += 1
    return row


@transaction.atomic
def corpus_ingest(*, corpus: Corpus) -> IngestResult:
    """Make the database hold exactly ``corpus``; rows are matched by their stable keys.

    Every row is compared with what the corpus says and written only if it differs, so a
    second run writes nothing, and a row edited by hand is put back. Everything happens in one
    transaction.
    """
    meta = corpus.document
    fingerprint = corpus.fingerprint()
    document = Document.objects.filter(slug=meta["slug"]).first()
    result = IngestResult(document, unchanged=False)
    fields = {"number": meta["number"], "issuer": meta["issuer"], "date": meta["date"],
              "fingerprint": fingerprint}
    document = _upsert(Document, {meta["slug"]: document} if document else {}, meta["slug"],
                       {"slug": meta["slug"], **fields}, result)
    result.document = document

    old_versions = {v.slug: v for v in document.versions.all()}
    versions = {}
    for position, v in enumerate(corpus.versions):
        versions[v["slug"]] = _upsert(Version, old_versions, v["slug"], {
            "document": document, "slug": v["slug"], "language": v["language"],
            "label": v["label"], "kind": v["kind"], "description": v.get("description", ""),
            "sources": ", ".join(v["sources"]), "document_number": v["document_number"],
            "position": position, "is_base": bool(v.get("base")),
        }, result)

    old_clauses = {c.ref: c for c in document.clauses.all()}
    clauses = {}
    for position, ref in enumerate(corpus.refs):
        parent = parent_of(ref)
        clauses[ref] = _upsert(Clause, old_clauses, ref, {
            "document": document, "ref": ref, "kind": kind_of(ref),
            "parent": clauses[parent] if parent else None, "position": position,
        }, result)

    old_passages = {(p.clause.ref, p.version.slug): p
                    for p in Passage.objects.filter(clause__document=document)
                    .select_related("clause", "version")}
    for p in corpus.passages:
        _upsert(Passage, old_passages, (p.ref, p.version), {
            "clause": clauses[p.ref], "version": versions[p.version], "text": p.text,
            "label": p.label, "provenance": p.provenance, "source": p.source, "lines": p.lines,
        }, result)

    # Notes have no natural key of their own: their position in the corpus is their identity.
    old_notes = {n.position: n for n in Note.objects.filter(clause__document=document)}
    for position, n in enumerate(corpus.notes):
        _upsert(Note, old_notes, position, {
            "clause": clauses[n.ref], "version": versions.get(n.version), "kind": n.kind,
            "body": n.body, "source": n.source, "line": n.line, "reading": n.reading,
            "adopted": n.adopted, "position": position,
        }, result)

    for stale in (old_notes, old_passages, old_clauses, old_versions):
        for row in stale.values():
            row.delete()
            result.deleted += 1
    result.unchanged = not (result.created or result.updated or result.deleted)
    return result
