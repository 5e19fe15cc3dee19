"""Writes to the corpus. Reads are QuerySet methods on the models."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from . import align
from . import checks
from .models import Bead, Clause, Document, Finding, Note, Passage, Sentence, Version
from .sources.base import kind_of, parent_of
from .sources.corpus import Corpus


@dataclass
class IngestResult:
    document: Document
    unchanged: bool
    created: int = 0
    updated: int = 0
    deleted: int = 0
    new_rows: dict = field(default_factory=dict)  # model -> rows waiting for bulk_create

    def flush(self, model) -> None:
        rows = self.new_rows.pop(model, [])
        model.objects.bulk_create(rows, batch_size=500)
        self.created += len(rows)


def _upsert(model, existing: dict, key, values: dict, result: IngestResult, bulk: bool = False):
    """Create or update one row by natural key; count only real changes.

    ``bulk``: a new row is queued for ``result.flush(model)`` instead of saved at once.
    """
    row = existing.pop(key, None)
    if row is None:
        if bulk:
            row = model(**values)
            result.new_rows.setdefault(model, []).append(row)
            return row
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
    passages = {}
    for p in corpus.passages:
        passages[p.version, p.ref] = _upsert(Passage, old_passages, (p.ref, p.version), {
            "clause": clauses[p.ref], "version": versions[p.version], "text": p.text,
            "label": p.label, "provenance": p.provenance, "source": p.source, "lines": p.lines,
        }, result, bulk=True)
    result.flush(Passage)

    old_sentences = {(s.passage_id, s.index): s
                     for s in Sentence.objects.filter(passage__clause__document=document)}
    for key, spans in corpus.sentences.items():
        passage = passages[key]
        for index, span in enumerate(spans, start=1):
            _upsert(Sentence, old_sentences, (passage.id, index), {
                "passage": passage, "index": index, "start": span.start, "end": span.end,
                "text": span.text}, result, bulk=True)
    result.flush(Sentence)

    stale_beads = _align(corpus, clauses, versions, result)
    _record_findings(corpus, document, clauses, versions, result)

    # Notes have no natural key of their own: their position in the corpus is their identity.
    old_notes = {n.position: n for n in Note.objects.filter(clause__document=document)}
    for position, n in enumerate(corpus.notes):
        _upsert(Note, old_notes, position, {
            "clause": clauses[n.ref], "version": versions.get(n.version), "kind": n.kind,
            "body": n.body, "source": n.source, "line": n.line, "reading": n.reading,
            "adopted": n.adopted, "position": position,
        }, result, bulk=True)
    result.flush(Note)

    for stale in (stale_beads, old_sentences, old_notes, old_passages, old_clauses, old_versions):
        for row in stale.values():
            row.delete()
            result.deleted += 1
    result.unchanged = not (result.created or result.updated or result.deleted)
    if not result.unchanged or document.updated_at is None:
        # The revision that cached pages and ETags are keyed by (reader/caching.py).
        Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())
        document.refresh_from_db(fields=["updated_at"])
    return result


def _align(corpus: Corpus, clauses: dict, versions: dict, result: IngestResult) -> dict:
    """Beads between the base version and every other version, clause by clause.

    A clause's beads are recomputed only when the sentences of its two passages (or the
    aligner) changed since they were stored. Returns the beads no longer wanted.
    """
    base = next(slug for slug, v in versions.items() if v.is_base)
    existing: dict[tuple, list[Bead]] = {}
    for bead in Bead.objects.filter(clause__in=clauses.values()).select_related("clause"):
        existing.setdefault((bead.clause.ref, bead.source_id, bead.target_id), []).append(bead)
    for ref, clause in clauses.items():
        source = [s.text for s in corpus.sentences.get((base, ref), [])]
        if not source:
            continue
        for slug, target_version in versions.items():
            if slug == base or (slug, ref) not in corpus.sentences:
                continue
            target = [s.text for s in corpus.sentences[slug, ref]]
            digest = hashlib.sha256(json.dumps([align.VERSION, source, target],
                                               ensure_ascii=False).encode()).hexdigest()
            key = (ref, versions[base].id, target_version.id)
            stored = existing.pop(key, [])
            if stored and all(b.texts_hash == digest for b in stored):
                continue
            for bead in stored:
                bead.delete()
                result.deleted += 1
            for position, bead in enumerate(_beads(tuple(source), tuple(target),
                                                   target_version.is_chinese)):
                result.new_rows.setdefault(Bead, []).append(Bead(
                    clause=clause, source=versions[base], target=target_version,
                    position=position, source_sentences=[i + 1 for i in bead.source],
                    target_sentences=[j + 1 for j in bead.target], score=round(bead.score, 4),
                    texts_hash=digest))
    result.flush(Bead)
    return {bead.id: bead for beads in existing.values() for bead in beads}


@lru_cache(maxsize=4096)
def _beads(source: tuple[str, ...], target: tuple[str, ...], same_language: bool) -> list[align.Bead]:
    """Alignment of two passages' sentences; remembered, since the same texts align the same."""
    if same_language and len(source) == len(target):
        # The other script of the same text: sentence for sentence.
        return [align.Bead((i,), (i,), 1.0) for i in range(len(source))]
    return align.align(list(source), list(target))


def _record_findings(corpus: Corpus, document: Document, clauses: dict, versions: dict,
                     result: IngestResult) -> None:
    """Run the translation checks on every translation and store what they find.

    Findings are derived entirely from the stored texts, beads and notes, so they are replaced
    as a whole, and only when they differ from what is stored.
    """
    for slug, version in versions.items():
        if version.is_chinese:
            continue
        stored = {}
        for bead in Bead.objects.filter(clause__document=document, target=version).select_related("clause"):
            stored.setdefault(bead.clause.ref, []).append(
                (bead.source_sentences, bead.target_sentences, bead.score))
        found = checks.check_document(corpus, slug, beads_for=lambda ref: stored.get(ref, []))
        wanted = [(f.ref, f.sentence, f.kind, f.reason) for f in found]
        existing = list(Finding.objects.filter(target=version).select_related("clause")
                        .values_list("clause__ref", "sentence", "kind", "reason"))
        if existing == wanted:
            continue
        result.deleted += Finding.objects.filter(target=version).delete()[0]
        Finding.objects.bulk_create([
            Finding(clause=clauses[ref], target=version, sentence=sentence, kind=kind, reason=reason,
                    position=position)
            for position, (ref, sentence, kind, reason) in enumerate(wanted)])
        result.created += len(wanted)
