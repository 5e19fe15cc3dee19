"""Reads for the translators' term tools: the concordance of any term, and the glossary table.

The concordance finds a term wherever it occurs, with the search's matching
(``search.analysis.term_spans``: scripts folded, Latin words stemmed), so it agrees with what a
search for the term finds. A Chinese term is looked for in the base text, and each line shows the
sentence that renders it in every translation; an English term is looked for in every
translation, and each line shows the Chinese sentence it renders. Renderings are identified only
through the glossary (``reader.glossary``): where the term is a glossary term (or, for an English
query, a rendering the glossary lists), the paired rendering is marked; otherwise the aligned
sentence is shown and nothing is marked.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from search.analysis import fold, term_spans

from . import glossary as glossary_module
from .models import Bead, Clause, Document, Occurrence, Sentence, Term, Version

MAX_TERM_CHARS = 100
PER_PAGE = 100
CONTEXT = {"zh": 24, "en": 60}  # characters of context either side of a KWIC match
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


class TermQueryError(ValueError):
    """A concordance query that cannot be answered; the message says why, for the reader."""


@dataclass
class Marked:
    """A sentence with some spans to mark (the term, or its identified rendering)."""
    version: Version
    number: int | None  # the sentence's number in its passage
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def parts(self) -> list[tuple[str, bool]]:
        """(text, marked) pieces, for the template to escape and wrap."""
        out, cursor = [], 0
        for start, end in sorted(self.spans):
            if start < cursor:
                continue
            out.append((self.text[cursor:start], False))
            out.append((self.text[start:end], True))
            cursor = end
        out.append((self.text[cursor:], False))
        return [(t, m) for t, m in out if t]


@dataclass
class Counterpart:
    """What a line's sentence is aligned with in one other version."""
    version: Version
    sentences: list[Marked]  # empty: no counterpart (an omission or an addition)
    rendering: str = ""  # what renders the term there, when identified
    covered: bool = True  # False: this version does not have the clause

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass
class Line:
    """One occurrence of the query: a keyword-in-context line and its counterparts."""
    clause: Clause
    version: Version  # where the query was found
    sentence: int  # its sentence number there
    base_sentence: int | None  # the base sentence it belongs to (the reader's anchor)
    left: str
    match: str
    right: str
    counterparts: list[Counterpart]

    @property
    def anchor(self) -> str:
        ref = self.clause.ref
        return f"c-{ref}-s{self.base_sentence}" if self.base_sentence else f"c-{ref}"


@dataclass
class Group:
    """How often each rendering occurs in one version."""
    version: Version
    counts: list[tuple[str, int]]  # most used first
    unidentified: int  # aligned, but no listed rendering found
    unaligned: int  # no counterpart sentence in this version: omitted (or added)
    uncovered: int = 0  # the version does not have the clause at all

    @property
    def inconsistent(self) -> bool:
        return len(self.counts) > 1


@dataclass
class Concordance:
    query: str
    language: str  # "zh": looked for in the base text; "en": in the translations
    term: Term | None  # the glossary term, when the query is one (or renders one)
    searched: list[Version]
    lines: list[Line]
    groups: list[Group]


def _versions(document: Document) -> tuple[Version, list[Version]]:
    versions = list(Version.objects.of(document))
    base = next(v for v in versions if v.is_base)
    return base, [v for v in versions if not v.is_chinese]


def _texts(document: Document, versions: list[Version]) -> dict[tuple[int, int], list[str]]:
    """(clause id, version id) -> the passage's sentence texts, in order."""
    out: dict[tuple[int, int], list[str]] = {}
    for clause_id, version_id, text in (
            Sentence.objects.filter(passage__clause__document=document, passage__version__in=versions)
            .order_by("passage_id", "index")
            .values_list("passage__clause_id", "passage__version_id", "text")):
        out.setdefault((clause_id, version_id), []).append(text)
    return out


def _beads(document: Document, base: Version, targets: list[Version]) -> dict[tuple[int, int], list]:
    """(clause id, target id) -> beads, 1-based ``([zh…], [en…], score)``."""
    out: dict[tuple[int, int], list] = {}
    for clause_id, target_id, zh, en, score in (
            Bead.objects.filter(clause__document=document, source=base, target__in=targets)
            .order_by("clause_id", "target_id", "position")
            .values_list("clause_id", "target_id", "source_sentences", "target_sentences", "score")):
        out.setdefault((clause_id, target_id), []).append((zh, en, score))
    return out


def _plain_terms(document: Document) -> dict[int, glossary_module.Term]:
    """The document's glossary as stored at ingest: term id -> plain ``Term``."""
    terms = {t.id: t for t in Term.objects.of(document).prefetch_related("renderings__version")}
    return {tid: glossary_module.Term(t.zh, t.category, t.gloss, {
        slug: tuple(r.text for r in t.renderings.all() if r.version.slug == slug)
        for slug in {r.version.slug for r in t.renderings.all()}}) for tid, t in terms.items()}


def clean_query(q: str | None) -> str:
    q = re.sub(r"\s+", " ", "".join(" " if not c.isprintable() else c for c in (q or ""))).strip()
    q = q.strip("\"“”「」『』'")
    if len(q) > MAX_TERM_CHARS:
        raise TermQueryError(f"A concordance term is at most {MAX_TERM_CHARS} characters; "
                             f"this one has {len(q)}. Look up a word or a short phrase.")
    if q and not term_spans(q, q):
        raise TermQueryError("The term has no letters, digits or Chinese characters to look for.")
    return q


@dataclass(frozen=True)
class _Snapshot:
    """What a concordance reads of one document: versions, clauses, sentences, beads, terms."""
    base: Version
    targets: list[Version]
    clauses: dict[int, Clause]
    order: dict[int, int]
    texts: dict[tuple[int, int], list[str]]
    beads: dict[tuple[int, int], list]
    plain: dict[int, glossary_module.Term]
    stored: dict[int, Term]


_snapshots: dict[int, tuple[object, _Snapshot]] = {}


def _snapshot(document: Document) -> _Snapshot:
    """The document's snapshot, read once per corpus revision (``Document.updated_at``, which
    every ingest that changes anything moves on) and kept per process."""
    kept = _snapshots.get(document.id)
    if kept and kept[0] == document.updated_at:
        return kept[1]
    base, targets = _versions(document)
    clauses = {c.id: c for c in Clause.objects.of(document)}
    snapshot = _Snapshot(base, targets, clauses, {cid: c.position for cid, c in clauses.items()},
                         _texts(document, [base, *targets]), _beads(document, base, targets),
                         _plain_terms(document), {t.id: t for t in Term.objects.of(document)})
    if document.updated_at is not None:
        _snapshots[document.id] = (document.updated_at, snapshot)
    return snapshot


def concordance(document: Document, q: str) -> Concordance:
    """Every occurrence of ``q`` (cleaned with ``clean_query``) in ``document``."""
    s = _snapshot(document)
    args = (q, s.base, s.targets, s.clauses, s.order, s.texts, s.beads, s.plain, s.stored)
    if _HAN.search(fold(q)):
        return _chinese_concordance(*args)
    return _english_concordance(*args)


def _kwic(text: str, start: int, end: int, width: int) -> tuple[str, str, str]:
    left, right = text[max(0, start - width):start], text[end:end + width]
    if start - width > 0:
        left = "…" + (left.split(" ", 1)[1] if " " in left[:15] and width > 30 else left)
    if end + width < len(text):
        right = (right.rsplit(" ", 1)[0] if " " in right[-15:] and width > 30 else right) + "…"
    return left.replace("\n", " "), text[start:end], right.replace("\n", " ")


def _bead_with(beads: list, index: int, side: int):
    return next((b for b in beads if index in b[side]), None)


def _chinese_concordance(q, base, targets, clauses, order, texts, beads, plain, stored):
    term_id = next((tid for tid, t in plain.items() if fold(t.zh) == fold(q)), None)
    term = plain.get(term_id) or glossary_module.Term(q, "", "", {})
    single = glossary_module.Glossary("", (term,))
    # Per target: the occurrences with their renderings, found as the glossary finds them.
    identified: dict[int, dict[tuple[int, int, int], glossary_module.Occurrence]] = {}
    for target in targets:
        by_key = {}
        for cid in sorted(clauses, key=order.get):
            source, translation = texts.get((cid, base.id), []), texts.get((cid, target.id), [])
            for o in glossary_module.occurrences(single, target.slug, [
                    (cid, source, translation, beads.get((cid, target.id), []))]):
                by_key[o.ref, o.sentence, o.start] = o
        identified[target.id] = by_key

    lines = []
    tallies = {t.id: [Counter(), 0, 0, 0] for t in targets}
    for cid in sorted(clauses, key=order.get):
        source = texts.get((cid, base.id), [])
        for number, text in enumerate(source, start=1):
            for start, end in term_spans(text, q):
                counterparts = []
                for target in targets:
                    translation = texts.get((cid, target.id))
                    tally = tallies[target.id]
                    if not translation:
                        counterparts.append(Counterpart(target, [], covered=False))
                        tally[3] += 1
                        continue
                    o = identified[target.id].get((cid, number, start))
                    aligned = list(o.aligned) if o else []
                    marked = [Marked(target, j, translation[j - 1],
                                     [(o.target_start, o.target_end)] if o and o.target_sentence == j else [])
                              for j in aligned]
                    counterparts.append(Counterpart(target, marked, o.rendering if o else ""))
                    if not aligned:
                        tally[2] += 1
                    elif o and o.rendering:
                        tally[0][o.rendering] += 1
                    else:
                        tally[1] += 1
                left, match, right = _kwic(text, start, end, CONTEXT["zh"])
                lines.append(Line(clauses[cid], base, number, number, left, match, right, counterparts))
    groups = [Group(t, _ranked(tallies[t.id][0], term.renderings_for(t.slug)), *tallies[t.id][1:])
              for t in targets]
    return Concordance(q, "zh", stored.get(term_id), [base], lines, groups)


def _english_concordance(q, base, targets, clauses, order, texts, beads, plain, stored):
    # Glossary terms that some version renders with exactly this query.
    rendered = {tid: t for tid, t in plain.items()
                if any(term_spans(r, q) == [(0, len(r))] for rs in t.renderings.values() for r in rs)}
    # Latin letters and digits (IPv6, ISO, 2018) pass into a translation as they are: where the
    # Chinese of the bead has the same token, the alignment makes the rendering unambiguous.
    latin = all(ch.isascii() for ch in q) and not re.search(r"\s", q)
    lines = []
    groups = []
    for target in targets:
        found = glossary_module.occurrences(
            glossary_module.Glossary("", tuple(rendered.values())), target.slug,
            [(cid, texts.get((cid, base.id), []), texts.get((cid, target.id), []),
              beads.get((cid, target.id), [])) for cid in sorted(clauses, key=order.get)])
        by_target = {}
        for o in found:
            if o.rendering and term_spans(o.rendering, q) == [(0, len(o.rendering))]:
                by_target[o.ref, o.target_sentence, o.target_start] = o
        tally, unidentified, unaligned = Counter(), 0, 0
        for cid in sorted(clauses, key=order.get):
            translation = texts.get((cid, target.id), [])
            source = texts.get((cid, base.id), [])
            clause_beads = beads.get((cid, target.id), [])
            for number, text in enumerate(translation, start=1):
                for start, end in term_spans(text, q):
                    bead = _bead_with(clause_beads, number, 1)
                    zh = list(bead[0]) if bead else []
                    o = by_target.get((cid, number, start))
                    marked = [Marked(base, i, source[i - 1],
                                     [(o.start, o.end)] if o and o.sentence == i else [])
                              for i in zh if i <= len(source)]
                    same = "" if o or not latin else _same_token(marked, q)
                    if not zh:
                        unaligned += 1
                    elif o or same:
                        tally[o.term if o else same] += 1
                    else:
                        unidentified += 1
                    left, match, right = _kwic(text, start, end, CONTEXT["en"])
                    lines.append(Line(clauses[cid], target, number, zh[0] if zh else None,
                                      left, match, right,
                                      [Counterpart(base, marked, o.term if o else same)]))
        groups.append(Group(target, _ranked(tally, ()), unidentified, unaligned))
    lines.sort(key=lambda line: (line.clause.position, targets.index(line.version), line.sentence))
    term = next(iter(rendered), None) if len(rendered) == 1 else None
    return Concordance(q, "en", stored.get(term), targets, lines, groups)


def _same_token(sentences: list[Marked], q: str) -> str:
    """Mark ``q`` where the Chinese sentences have it as it is; the text found, or ""."""
    found = ""
    for sentence in sentences:
        spans = term_spans(sentence.text, q)
        sentence.spans.extend(spans)
        if spans and not found:
            found = sentence.text[spans[0][0]:spans[0][1]]
    return found


def _ranked(counts: Counter, listed: tuple[str, ...]) -> list[tuple[str, int]]:
    order = {r: i for i, r in enumerate(listed)}
    return sorted(counts.items(), key=lambda rc: (-rc[1], order.get(rc[0], len(order)), rc[0]))


# --- the glossary table ---------------------------------------------------------------------

@dataclass
class TermUse:
    version: Version
    counts: list[tuple[str, int]]  # identified renderings, most used first
    unidentified: int
    listed: list[str]  # what the glossary lists for this version

    @property
    def inconsistent(self) -> bool:
        return len(self.counts) > 1

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts) + self.unidentified


@dataclass
class GlossaryRow:
    term: Term
    uses: list[TermUse]

    @property
    def inconsistent(self) -> bool:
        return any(u.inconsistent for u in self.uses)


def glossary_rows(document: Document) -> tuple[list[Version], list[GlossaryRow]]:
    """Every glossary term with, per translation, its renderings counted over the document."""
    _, targets = _versions(document)
    tallies: dict[tuple[int, int], Counter] = {}
    unidentified: Counter = Counter()
    for term_id, version_id, rendering in (Occurrence.objects.filter(term__document=document)
                                           .values_list("term_id", "version_id", "rendering__text")):
        if rendering:
            tallies.setdefault((term_id, version_id), Counter())[rendering] += 1
        else:
            unidentified[term_id, version_id] += 1
    rows = []
    for term in Term.objects.of(document).prefetch_related("renderings"):
        uses = []
        for v in targets:
            listed = [r.text for r in term.renderings.all() if r.version_id == v.id]
            uses.append(TermUse(v, _ranked(tallies.get((term.id, v.id), Counter()), tuple(listed)),
                                unidentified[term.id, v.id], listed))
        rows.append(GlossaryRow(term, uses))
    return targets, rows


def rendering_examples(document: Document) -> dict[tuple[int, int, str], tuple[str, str]]:
    """(term id, version id, rendering) -> (clause ref, the first sentence using it)."""
    first = {}
    for o in (Occurrence.objects.filter(term__document=document, rendering__isnull=False)
              .select_related("rendering", "clause").order_by("clause__position", "sentence")):
        first.setdefault((o.term_id, o.version_id, o.rendering.text), o)
    wanted = {(o.clause_id, o.version_id, o.target_sentence) for o in first.values()}
    texts = {(cid, vid, index): text for cid, vid, index, text in
             Sentence.objects.filter(passage__clause__document=document)
             .values_list("passage__clause_id", "passage__version_id", "index", "text")
             if (cid, vid, index) in wanted}
    return {key: (o.clause.ref, texts.get((o.clause_id, o.version_id, o.target_sentence), ""))
            for key, o in first.items()}
