"""Reads for the translators' term tools: the concordance of any term, and the glossary table.

The concordance finds a term wherever it occurs, with the search's matching
(``search.analysis.term_spans``: scripts folded, Latin words stemmed), so it agrees with what a
search for the term finds. A Chinese term is looked for in the base text, and each line shows the
sentence that renders it in every translation; an English term is looked for in every
translation, and each line shows the Chinese sentence it renders. Renderings are identified only
through the glossary (``reader.glossary``): where the term is a glossary term (or, for an English
query, a rendering the glossary lists), the paired rendering is marked; otherwise the aligned
sentence is shown and nothing is marked.

A query reads only the sentences that have all of its tokens: each document's snapshot keeps,
per token (a character of the base text, a stemmed word of a translation), the sentences that
have it, made on the first query that needs it, once per corpus revision and process. The
matching itself is still ``term_spans`` on those sentences, so the lines are those of a scan.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from search import catalogue
from search.analysis import (MAX_PHRASE_TOKENS, char_tokens, clean_input, fold, has_chinese, stem, term_key,
                             term_spans, whole_key, word_tokens)

from . import glossary as glossary_module
from . import library_listing
from .models import Bead, Clause, Document, Occurrence, Sentence, Term, Version

MAX_TERM_CHARS = 100
PER_PAGE = 100
CONTEXT = {"zh": 24, "en": 60}  # characters of context either side of a KWIC match


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
class Tally:
    """How one version renders a term (or, for an English query, what it renders)."""
    version: Version
    listed: list[str] = field(default_factory=list)  # what the glossary lists for the version
    found: Counter = field(default_factory=Counter)  # identified rendering -> occurrences
    unidentified: int = 0  # aligned, but no listed rendering found
    unaligned: int = 0  # no counterpart sentence in this version: omitted (or added)
    uncovered: int = 0  # the version does not have the clause at all

    @property
    def counts(self) -> list[tuple[str, int]]:
        """Identified renderings, most used first; ties in the glossary's order."""
        return glossary_module.ranked(self.found, self.listed)

    @property
    def inconsistent(self) -> bool:
        return len(self.found) > 1

    @property
    def total(self) -> int:
        return sum(self.found.values()) + self.unidentified


@dataclass
class Concordance:
    query: str
    language: str  # "zh": looked for in the base text; "en": in the translations
    term: Term | None  # the glossary term, when the query is one (or renders one)
    searched: list[Version]
    lines: list[Line]
    groups: list[Tally]


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


def _plain_terms(terms: dict[int, Term]) -> dict[int, glossary_module.Term]:
    """The document's glossary as stored at ingest: term id -> plain ``Term``."""
    return {tid: glossary_module.Term(t.zh, t.category, t.gloss, {
        slug: tuple(r.text for r in t.renderings.all() if r.version.slug == slug)
        for slug in {r.version.slug for r in t.renderings.all()}}) for tid, t in terms.items()}


def clean_query(q: str | None) -> str:
    q = re.sub(r"\s+", " ", clean_input(q or "")).strip()
    q = q.strip("\"“”「」『』'")
    if len(q) > MAX_TERM_CHARS:
        raise TermQueryError(f"A concordance term is at most {MAX_TERM_CHARS} characters; "
                             f"this one has {len(q)}. Look up a word or a short phrase.")
    if q and not term_spans(q, q):
        raise TermQueryError("The term has no letters, digits or Chinese characters to look for.")
    return q


@dataclass
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
    # token -> {(clause id, version id, sentence number)}: character tokens of the base text,
    # stemmed word tokens of the translations; filled on the first query that needs them.
    postings: dict[str, dict[str, set]] = field(default_factory=dict)
    # matched as Chinese or not -> {whole key of a rendering: ids of the terms rendered so}
    wholes: dict[bool, dict[tuple, set[int]]] = field(default_factory=dict)
    folded: dict[str, int] | None = None  # a term's folded Chinese -> its id (the first such)

    def term_written(self, q: str) -> int | None:
        """The id of the glossary term written q (in either script), if any: one lookup, not a
        fold of every term on every query."""
        if self.folded is None:
            table: dict[str, int] = {}
            for tid, term in self.plain.items():
                table.setdefault(fold(term.zh), tid)
            self.folded = table
        return self.folded.get(fold(q))

    def renderings_by_key(self, chinese: bool) -> dict[tuple, set[int]]:
        """The glossary terms by the ``whole_key`` of each of their renderings: the terms some
        version renders as exactly q are ``[term_key(q)]``, one lookup instead of a match
        against every rendering of every term."""
        if chinese not in self.wholes:
            table: dict[tuple, set[int]] = {}
            for tid, term in self.plain.items():
                for renderings in term.renderings.values():
                    for rendering in renderings:
                        key = whole_key(rendering, chinese=chinese)
                        if key:
                            table.setdefault(key, set()).add(tid)
            self.wholes[chinese] = table
        return self.wholes[chinese]

    def candidates(self, q: str, versions: list[Version]) -> set[tuple[int, int, int]]:
        """The sentences of ``versions`` that have every token of ``q``: where ``term_spans``
        can find it (a superset of where it does), so a query reads only these."""
        chinese = has_chinese(q)
        kind = "zh" if chinese else "en"
        if kind not in self.postings:
            self.postings[kind] = self._postings(chinese)
        folded = fold(q)
        needle = ([t for t, _, _, _ in char_tokens(folded)] if chinese
                  else [stem(w) for w, _, _ in word_tokens(folded)])[:MAX_PHRASE_TOKENS]
        index = self.postings[kind]
        found = set.intersection(*(index.get(t, set()) for t in needle)) if needle else set()
        wanted = {v.id for v in versions}
        return {key for key in found if key[1] in wanted}

    def _postings(self, chinese: bool) -> dict[str, set]:
        out: dict[str, set] = {}
        versions = [self.base] if chinese else self.targets
        for v in versions:
            for cid in self.clauses:
                for number, text in enumerate(self.texts.get((cid, v.id), []), start=1):
                    folded = fold(text)
                    tokens = ({t for t, _, _, _ in char_tokens(folded)} if chinese
                              else {stem(w) for w, _, _ in word_tokens(folded)})
                    for token in tokens:
                        out.setdefault(token, set()).add((cid, v.id, number))
        return out


_snapshots: dict[int, tuple[object, _Snapshot]] = {}


def _snapshot(document: Document) -> _Snapshot:
    """The document's snapshot, read once per corpus revision (``Document.updated_at``, which
    every ingest that changes anything moves on) and kept per process."""
    kept = _snapshots.get(document.id)
    if kept and kept[0] == document.updated_at:
        return kept[1]
    base, targets = _versions(document)
    clauses = {c.id: c for c in Clause.objects.of(document)}
    terms = {t.id: t for t in Term.objects.of(document).prefetch_related("renderings__version")}
    snapshot = _Snapshot(base, targets, clauses, {cid: c.position for cid, c in clauses.items()},
                         _texts(document, [base, *targets]), _beads(document, base, targets),
                         _plain_terms(terms), terms)
    if document.updated_at is not None:
        _snapshots[document.id] = (document.updated_at, snapshot)
    return snapshot


def concordance(document: Document, q: str) -> Concordance:
    """Every occurrence of ``q`` (cleaned with ``clean_query``) in ``document``."""
    if has_chinese(q):
        return _chinese_concordance(q, _snapshot(document))
    return _english_concordance(q, _snapshot(document))


def _kwic(text: str, start: int, end: int, width: int) -> tuple[str, str, str]:
    left, right = text[max(0, start - width):start], text[end:end + width]
    if start - width > 0:
        left = "…" + (left.split(" ", 1)[1] if " " in left[:15] and width > 30 else left)
    if end + width < len(text):
        right = (right.rsplit(" ", 1)[0] if " " in right[-15:] and width > 30 else right) + "…"
    return left.replace("\n", " "), text[start:end], right.replace("\n", " ")


def _chinese_concordance(q: str, s: _Snapshot) -> Concordance:
    term_id = s.term_written(q)
    term = s.plain.get(term_id) or glossary_module.Term(q, "", "", {})
    candidates = s.candidates(q, [s.base])
    in_order = sorted({cid for cid, _, _ in candidates}, key=s.order.get)
    # Per target: the occurrences with their renderings, found as the glossary finds them.
    identified = {target.id: {(o.ref, o.sentence, o.start): o for o in glossary_module.occurrences(
        glossary_module.Glossary("", (term,)), target.slug,
        [(cid, s.texts.get((cid, s.base.id), []), s.texts.get((cid, target.id), []),
          s.beads.get((cid, target.id), [])) for cid in in_order])} for target in s.targets}
    tallies = {t.id: Tally(t, list(term.renderings_for(t.slug))) for t in s.targets}
    lines = []
    for cid in in_order:
        for number, text in enumerate(s.texts.get((cid, s.base.id), []), start=1):
            if (cid, s.base.id, number) not in candidates:
                continue
            for start, end in term_spans(text, q):
                counterparts = []
                for target in s.targets:
                    translation = s.texts.get((cid, target.id))
                    tally = tallies[target.id]
                    if not translation:
                        counterparts.append(Counterpart(target, [], covered=False))
                        tally.uncovered += 1
                        continue
                    o = identified[target.id].get((cid, number, start))
                    aligned = list(o.aligned) if o else []
                    marked = [Marked(target, j, translation[j - 1],
                                     [(o.target_start, o.target_end)] if o.target_sentence == j else [])
                              for j in aligned]
                    counterparts.append(Counterpart(target, marked, o.rendering if o else ""))
                    if not aligned:
                        tally.unaligned += 1
                    elif o.rendering:
                        tally.found[o.rendering] += 1
                    else:
                        tally.unidentified += 1
                left, match, right = _kwic(text, start, end, CONTEXT["zh"])
                lines.append(Line(s.clauses[cid], s.base, number, number, left, match, right,
                                  counterparts))
    return Concordance(q, "zh", s.stored.get(term_id), [s.base], lines, list(tallies.values()))


def _english_concordance(q: str, s: _Snapshot) -> Concordance:
    # Glossary terms that some version renders with exactly this query.
    key = term_key(q)
    whole = s.renderings_by_key(key[0]) if key else {}
    rendered = {tid: t for tid, t in s.plain.items() if tid in whole.get(key, ())}
    # Latin letters and digits (IPv6, ISO, 2018) pass into a translation as they are: where the
    # Chinese of the bead has the same token, the alignment makes the rendering unambiguous.
    latin = q.isascii() and " " not in q
    candidates = s.candidates(q, s.targets)
    lines, groups = [], []
    for target in s.targets:
        in_order = sorted({cid for cid, vid, _ in candidates if vid == target.id}, key=s.order.get)
        found = glossary_module.occurrences(
            glossary_module.Glossary("", tuple(rendered.values())), target.slug,
            [(cid, s.texts.get((cid, s.base.id), []), s.texts.get((cid, target.id), []),
              s.beads.get((cid, target.id), [])) for cid in in_order])
        by_target = {(o.ref, o.target_sentence, o.target_start): o for o in found
                     if o.rendering and key and whole_key(o.rendering, chinese=key[0]) == key}
        tally = Tally(target)
        for cid in in_order:
            source = s.texts.get((cid, s.base.id), [])
            clause_beads = s.beads.get((cid, target.id), [])
            for number, text in enumerate(s.texts.get((cid, target.id), []), start=1):
                if (cid, target.id, number) not in candidates:
                    continue
                for start, end in term_spans(text, q):
                    zh = next((list(zh) for zh, en, _ in clause_beads if number in en), [])
                    o = by_target.get((cid, number, start))
                    marked = [Marked(s.base, i, source[i - 1],
                                     [(o.start, o.end)] if o and o.sentence == i else [])
                              for i in zh if i <= len(source)]
                    rendering = o.term if o else (_same_token(marked, q) if latin else "")
                    if not zh:
                        tally.unaligned += 1
                    elif rendering:
                        tally.found[rendering] += 1
                    else:
                        tally.unidentified += 1
                    left, match, right = _kwic(text, start, end, CONTEXT["en"])
                    lines.append(Line(s.clauses[cid], target, number, zh[0] if zh else None,
                                      left, match, right, [Counterpart(s.base, marked, rendering)]))
        groups.append(tally)
    lines.sort(key=lambda line: (line.clause.position, s.targets.index(line.version), line.sentence))
    term = next(iter(rendered), None) if len(rendered) == 1 else None
    return Concordance(q, "en", s.stored.get(term), s.targets, lines, groups)


def _same_token(sentences: list[Marked], q: str) -> str:
    """Mark ``q`` where the Chinese sentences have it as it is; the text found, or ""."""
    found = ""
    for sentence in sentences:
        spans = term_spans(sentence.text, q)
        sentence.spans.extend(spans)
        if spans and not found:
            found = sentence.text[spans[0][0]:spans[0][1]]
    return found


# --- the glossary table ---------------------------------------------------------------------

@dataclass
class GlossaryRow:
    term: Term
    uses: list[Tally]  # one per translation

    @property
    def inconsistent(self) -> bool:
        return any(u.inconsistent for u in self.uses)


def glossary_rows(document: Document) -> tuple[list[Version], list[GlossaryRow]]:
    """Every glossary term with, per translation, its renderings counted over the document."""
    s = _snapshot(document)
    rows = {tid: GlossaryRow(term, [
        Tally(v, [r.text for r in term.renderings.all() if r.version_id == v.id]) for v in s.targets])
        for tid, term in s.stored.items()}
    column = {v.id: i for i, v in enumerate(s.targets)}
    for term_id, version_id, rendering in (Occurrence.objects.filter(term__document=document)
                                           .values_list("term_id", "version_id", "rendering__text")):
        tally = rows[term_id].uses[column[version_id]]
        if rendering:
            tally.found[rendering] += 1
        else:
            tally.unidentified += 1
    return s.targets, list(rows.values())


def rendering_examples(document: Document) -> dict[tuple[int, int, str], tuple[str, str]]:
    """(term id, version id, rendering) -> (clause ref, the first sentence using it)."""
    first = {}
    for o in (Occurrence.objects.filter(term__document=document, rendering__isnull=False)
              .select_related("rendering", "clause").order_by("clause__position", "sentence")):
        first.setdefault((o.term_id, o.version_id, o.rendering.text), o)
    texts = _snapshot(document).texts
    return {key: (o.clause.ref, texts.get((o.clause_id, o.version_id), [])[o.target_sentence - 1])
            for key, o in first.items()}


# --- across the library ---------------------------------------------------------------------
# The library's concordance and glossary are the documents' own, side by side: each document is
# read through its snapshot (once per corpus revision), and nothing is counted twice.

@dataclass(eq=False)
class DocumentConcordance:
    """One document's share of a library concordance."""
    document: Document
    title: str
    concordance: Concordance

    @property
    def count(self) -> int:
        return len(self.concordance.lines)


@dataclass(eq=False)
class LibraryLine:
    part: DocumentConcordance
    line: Line


@dataclass
class LibraryConcordance:
    query: str
    language: str  # "zh": looked for in each base text; "en": in each English translation
    term: Term | None  # the glossary term, when the query is one (or renders one)
    parts: list[DocumentConcordance]  # the documents where it occurs, newest first
    searched: int  # how many documents were looked in

    @property
    def lines(self) -> list[LibraryLine]:
        return [LibraryLine(part, line) for part in self.parts for line in part.concordance.lines]

    @property
    def count(self) -> int:
        return sum(part.count for part in self.parts)


_names: tuple[tuple, dict[int, tuple[str, str]]] | None = None


def _titles(documents: list[Document]) -> dict[int, tuple[str, str]]:
    """``library_listing.titles(documents)``, read again only when a document changed (its
    ``updated_at``) or the library did: a query joining every title passage on every
    concordance otherwise."""
    global _names
    key = tuple((d.id, d.updated_at) for d in documents)
    kept = _names
    if kept is not None and kept[0] == key and None not in (d.updated_at for d in documents):
        return kept[1]
    names = library_listing.titles(documents)
    _names = (key, names)
    return names


def library_concordance(q: str) -> LibraryConcordance:
    """Every occurrence of ``q`` (cleaned with ``clean_query``) in every document, newest first."""
    # The documents as of the corpus revision, kept per process by the search catalogue.
    documents = sorted(catalogue.library().documents, key=lambda d: (-d.date.toordinal(), d.slug))
    names = _titles(documents)
    found = [(d, concordance(d, q)) for d in documents]
    term = next((c.term for _, c in found if c.term), None)
    parts = [DocumentConcordance(d, names[d.id][0], c) for d, c in found if c.lines]
    return LibraryConcordance(q, "zh" if has_chinese(q) else "en", term, parts, len(documents))


@dataclass
class DocumentUse:
    """How one document uses one glossary term: in its base text, and in each translation."""
    document: Document
    title: str
    occurrences: int  # in the base text
    uses: list[Tally]  # one per translation of the document


@dataclass
class RenderingHistory:
    """One rendering of a term by one version slug (en: every document's published translation)
    across the library: how often, and in which documents."""
    version: str
    text: str
    count: int
    documents: list[Document]  # oldest first

    @property
    def first(self) -> Document:
        return self.documents[0]

    @property
    def last(self) -> Document:
        return self.documents[-1]


@dataclass
class LibraryTerm:
    term: Term  # as stored for the first document that has it
    documents: list[DocumentUse]  # the documents where it occurs, oldest first

    @property
    def occurrences(self) -> int:
        return sum(d.occurrences for d in self.documents)

    @property
    def history(self) -> list[RenderingHistory]:
        """Every identified rendering per version slug, in the order the library first used
        them. Version slugs mean the same kind of version in every document, so the published
        translations' renderings are compared with each other, not with a machine's."""
        seen: dict[tuple[str, str], RenderingHistory] = {}
        for use in self.documents:
            for tally in use.uses:
                for text, n in tally.counts:
                    key = (tally.version.slug, text)
                    h = seen.setdefault(key, RenderingHistory(*key, 0, []))
                    h.count += n
                    if use.document not in h.documents:
                        h.documents.append(use.document)
        return list(seen.values())

    @property
    def inconsistent(self) -> bool:
        """Some version slug renders the term in more than one way across the library."""
        versions = [h.version for h in self.history]
        return len(versions) > len(set(versions))


def library_glossary() -> list[LibraryTerm]:
    """Every glossary term of the library, with the documents using it in date order (oldest
    first, so a rendering's history reads downwards), in the glossary's order."""
    documents = list(Document.objects.order_by("date", "slug"))
    names = library_listing.titles(documents)
    out: dict[str, LibraryTerm] = {}
    for document in documents:
        _, rows = glossary_rows(document)
        for row in rows:
            entry = out.setdefault(row.term.zh, LibraryTerm(row.term, []))
            if row.term.count or any(use.total for use in row.uses):
                entry.documents.append(DocumentUse(document, names[document.id][0],
                                                   row.term.count, row.uses))
    return list(out.values())


def library_terms() -> list[str]:
    """The glossary terms some document's base text has, in the glossary's order."""
    seen: dict[str, None] = {}
    for zh in Term.objects.filter(count__gt=0).order_by("position", "zh").values_list("zh", flat=True):
        seen.setdefault(zh, None)
    return list(seen)
