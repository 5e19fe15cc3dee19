"""Writes to the corpus. Reads are QuerySet methods on the models."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from . import align
from . import checks
from . import glossary as glossary_module
from .models import (Bead, Clause, Document, Finding, Note, Occurrence, Passage, Rendering,
                     Sentence, Term, Version)
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
def corpus_ingest(*, corpus: Corpus, force: bool = False) -> IngestResult:
    """Make the database hold exactly ``corpus``; rows are matched by their stable keys.

    Every row is compared with what the corpus says and written only if it differs, so a
    second run writes nothing, and a row edited by hand is put back. Everything happens in one
    transaction. ``force``: realign every clause even where its texts are unchanged (after a
    change to the aligner that did not change ``align.VERSION``), and count the document as
    changed so that its cached pages and its search index are renewed.
    """
    meta = corpus.document
    fingerprint = corpus.fingerprint()
    document = Document.objects.filter(slug=meta["slug"]).first()
    result = IngestResult(document, unchanged=False)
    fields = {"number": meta.get("number", ""), "issuer": meta["issuer"], "date": meta["date"],
              "title": corpus.title[:500], "genre": corpus.genre, "fingerprint": fingerprint}
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
        parent = corpus.parent(ref)
        clauses[ref] = _upsert(Clause, old_clauses, ref, {
            "document": document, "ref": ref, "kind": corpus.kind(ref),
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
            "placement": p.placement,
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

    stale_beads = _align(corpus, clauses, versions, result, force=force)
    beads = _stored_beads(document, versions)
    occurrences = _record_glossary(corpus, document, clauses, versions, beads, result)
    _record_findings(corpus, clauses, versions, beads, occurrences, result)

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
    result.unchanged = not (result.created or result.updated or result.deleted or force)
    if not result.unchanged or document.updated_at is None:
        # The revision that cached pages and ETags are keyed by (reader/caching.py).
        Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())
        document.refresh_from_db(fields=["updated_at"])
    return result


def _align(corpus: Corpus, clauses: dict, versions: dict, result: IngestResult,
           force: bool = False) -> dict:
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
            spans = corpus.sentences[slug, ref]
            target = [s.text for s in spans]
            units = () if target_version.is_chinese else tuple(
                align.list_units(corpus.passage(slug, ref).text, spans))
            grouped = [u for u in units if len(u) > 1]
            digest = hashlib.sha256(json.dumps([align.VERSION, source, target] + ([grouped] if grouped else []),
                                               ensure_ascii=False).encode()).hexdigest()
            key = (ref, versions[base].id, target_version.id)
            stored = existing.pop(key, [])
            if stored and not force and all(b.texts_hash == digest for b in stored):
                continue
            for bead in stored:
                bead.delete()
                result.deleted += 1
            for position, bead in enumerate(_beads(tuple(source), tuple(target),
                                                   target_version.is_chinese, units)):
                result.new_rows.setdefault(Bead, []).append(Bead(
                    clause=clause, source=versions[base], target=target_version,
                    position=position, source_sentences=[i + 1 for i in bead.source],
                    target_sentences=[j + 1 for j in bead.target], score=round(bead.score, 4),
                    texts_hash=digest))
    result.flush(Bead)
    return {bead.id: bead for beads in existing.values() for bead in beads}


@lru_cache(maxsize=4096)
def _beads(source: tuple[str, ...], target: tuple[str, ...], same_language: bool,
           units: tuple = ()) -> list[align.Bead]:
    """Alignment of two passages' sentences, a list in the target taken as one unit
    (``align.list_units``); remembered, since the same texts align the same."""
    if same_language and len(source) == len(target):
        # The other script of the same text: sentence for sentence.
        return [align.Bead((i,), (i,), 1.0) for i in range(len(source))]
    return align.align_units(list(source), list(target), list(units) or [(j,) for j in range(len(target))])


def _stored_beads(document: Document, versions: dict) -> dict[str, dict[str, list]]:
    """Translation slug -> clause ref -> its beads, 1-based ``([zh…], [en…], score)``."""
    out: dict[str, dict[str, list]] = {slug: {} for slug, v in versions.items() if not v.is_chinese}
    slugs = {v.id: slug for slug, v in versions.items()}
    for bead in (Bead.objects.filter(clause__document=document, target__in=versions.values())
                 .select_related("clause").order_by("clause__position", "position")):
        slug = slugs[bead.target_id]
        if slug in out:
            out[slug].setdefault(bead.clause.ref, []).append(
                (bead.source_sentences, bead.target_sentences, bead.score))
    return out


def _record_glossary(corpus: Corpus, document: Document, clauses: dict, versions: dict,
                     beads: dict, result: IngestResult) -> dict[str, list]:
    """Write the glossary's terms and listed renderings, and every term's occurrences with its
    rendering in each translation. Returns the occurrences (plain) per translation."""
    glossary = corpus.glossary
    old_terms = {t.zh: t for t in Term.objects.filter(document=document)}
    old_renderings = {(r.term.zh, r.version.slug, r.text): r
                      for r in Rendering.objects.filter(term__document=document)
                      .select_related("term", "version")}
    terms, renderings, found = {}, {}, {}
    base = next(slug for slug, v in versions.items() if v.is_base)
    in_base = {ref: glossary_module.term_occurrences(
        glossary, [s.text for s in corpus.sentences.get((base, ref), [])]) for ref in corpus.refs
        } if glossary else {}
    counts = Counter(t.zh for in_clause in in_base.values() for in_sentence in in_clause.values()
                     for t, _, _ in in_sentence)
    for position, t in enumerate(glossary.terms if glossary else ()):
        terms[t.zh] = _upsert(Term, old_terms, t.zh, {
            "document": document, "zh": t.zh, "slug": t.slug, "category": t.category,
            "gloss": t.gloss, "count": counts[t.zh], "position": position}, result)
        for slug, listed in t.renderings.items():
            if slug not in versions:
                continue  # the glossary serves every document; this one lacks that version
            for index, text in enumerate(listed):
                renderings[t.zh, slug, text] = _upsert(Rendering, old_renderings, (t.zh, slug, text), {
                    "term": terms[t.zh], "version": versions[slug], "text": text,
                    "position": index}, result)
    for stale in (old_renderings, old_terms):
        for row in stale.values():
            row.delete()
            result.deleted += 1

    for slug, version in versions.items():
        if version.is_chinese or glossary is None:
            continue  # no glossary: no occurrences (the terms were deleted above)
        found[slug] = glossary_module.occurrences(glossary, slug, (
            (ref, [s.text for s in corpus.sentences.get((base, ref), [])],
             [s.text for s in corpus.sentences.get((slug, ref), [])], beads[slug].get(ref, []))
            for ref in corpus.refs), in_base)
        wanted = [(o.term, o.ref, o.sentence, o.start, o.end, list(o.aligned), o.rendering,
                   o.target_sentence, o.target_start, o.target_end) for o in found[slug]]
        existing = [(o.term.zh, o.clause.ref, o.sentence, o.start, o.end, o.aligned,
                     o.rendering.text if o.rendering else "", o.target_sentence, o.target_start,
                     o.target_end)
                    for o in Occurrence.objects.filter(version=version)
                    .select_related("term", "clause", "rendering").order_by("position")]
        if existing == wanted:
            continue
        result.deleted += Occurrence.objects.filter(version=version).delete()[0]
        Occurrence.objects.bulk_create([
            Occurrence(term=terms[o.term], clause=clauses[o.ref], sentence=o.sentence,
                       start=o.start, end=o.end, version=version, aligned=list(o.aligned),
                       rendering=renderings[o.term, slug, o.rendering] if o.rendering else None,
                       target_sentence=o.target_sentence, target_start=o.target_start,
                       target_end=o.target_end, position=position)
            for position, o in enumerate(found[slug])], batch_size=500)
        result.created += len(wanted)
    return found


def _record_findings(corpus: Corpus, clauses: dict, versions: dict, beads: dict,
                     occurrences: dict, result: IngestResult) -> None:
    """Run the translation checks on every translation and store what they find.

    Findings are derived entirely from the stored texts, beads, notes and glossary, so they are
    replaced as a whole, and only when they differ from what is stored.
    """
    for slug, version in versions.items():
        if version.is_chinese:
            continue
        stored = beads[slug]
        found = checks.check_document(corpus, slug, beads_for=lambda ref: stored.get(ref, []),
                                      occurrences=occurrences.get(slug))
        wanted = [(f.ref, f.sentence, f.translated, f.kind, f.reason) for f in found]
        existing = list(Finding.objects.filter(target=version).select_related("clause")
                        .values_list("clause__ref", "sentence", "translated", "kind", "reason"))
        if existing == wanted:
            continue
        result.deleted += Finding.objects.filter(target=version).delete()[0]
        Finding.objects.bulk_create([
            Finding(clause=clauses[ref], target=version, sentence=sentence, translated=translated,
                    kind=kind, reason=reason, position=position)
            for position, (ref, sentence, translated, kind, reason) in enumerate(wanted)])
        result.created += len(wanted)
