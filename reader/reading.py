"""What the reader pages and the API show, assembled from the corpus in a few queries.

Views stay thin: they parse the request, call one of these, and render. The library page's
listing is ``reader.library_listing``; links from citations 《…》 to library documents are
``reader.cross_references``.
"""
from __future__ import annotations

import difflib

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from .cross_references import CitationIndex, Piece
from .pinyin import ruby
from .models import Bead, Clause, Document, Note, Passage, Sentence, Version


# Beads scored below this are marked for a translator's attention, and so are translation
# passages whose placement under their clause the importer scored below it.
LOW_CONFIDENCE = 0.5


@dataclass
class SentenceView:
    """One sentence as the reader shows it, with the whitespace that precedes it."""

    before: str
    index: int
    text: str
    base: tuple[int, ...]  # indices of the base-text sentences it is aligned with
    gap: bool = False  # nothing renders it (1:0) or it renders nothing (0:1)
    low: bool = False  # its bead's score is below LOW_CONFIDENCE
    anchor: str = ""  # c-<ref>-s<N>, on the first shown sentence carrying base sentence N
    score: float | None = None
    ruby: tuple = ()  # ((character, pinyin), …) when the pinyin aid is on
    pieces: list[Piece] = field(default_factory=list)  # the text, cut where a citation links

    @property
    def base_attr(self) -> str:
        return " ".join(map(str, self.base))


@dataclass
class Cell:
    version: Version
    passage: Passage | None
    notes: list[Note] = field(default_factory=list)
    sentences: list[SentenceView] = field(default_factory=list)
    after: str = ""  # text after the last sentence (whitespace)

    @property
    def placement_uncertain(self) -> bool:
        """The importer is unsure this translation passage belongs under its clause."""
        score = self.passage.placement if self.passage else None
        return score is not None and score < LOW_CONFIDENCE


@dataclass
class Row:
    clause: Clause
    cells: list[Cell]
    clause_notes: list[Note] = field(default_factory=list)  # notes on no one version


def document_or_404(slug: str) -> Document:
    return get_object_or_404(Document, slug=slug)


def choose_versions(document: Document, requested: list[str]) -> tuple[list[Version], list[str]]:
    """The versions to show, from ``?v=a,b,c``; returns them and messages about bad values.

    Default: the base text and the first translation. At most as many as exist; unknown or
    repeated slugs are ignored and reported.
    """
    available = list(Version.objects.of(document))
    by_slug = {v.slug: v for v in available}
    chosen, problems = [], []
    for raw in requested:
        for slug in filter(None, (s.strip() for s in raw.split(","))):
            if slug not in by_slug:
                problems.append(f"Unknown version “{slug[:40]}” ignored.")
            elif by_slug[slug] not in chosen:
                chosen.append(by_slug[slug])
    if not chosen:
        base = next((v for v in available if v.is_base), available[0] if available else None)
        other = next((v for v in available if not v.is_chinese), None)
        chosen = [v for v in (base, other) if v]
    return chosen, problems


def rows(document: Document, versions: list[Version], clauses=None, *, with_pinyin: bool = False
         ) -> list[Row]:
    """One row per clause, one cell per version, with the notes that belong to each.

    ``with_pinyin``: Chinese sentences carry their characters' readings for ruby.
    """
    clauses = list(clauses if clauses is not None else Clause.objects.of(document).in_order())
    ids = [c.id for c in clauses]
    passages = {(p.clause_id, p.version_id): p
                for p in Passage.objects.filter(clause_id__in=ids, version__in=versions)}
    notes: dict[tuple[int, int | None], list[Note]] = {}
    for n in Note.objects.filter(Q(version__in=versions) | Q(version__isnull=True),
                                 clause_id__in=ids):
        notes.setdefault((n.clause_id, n.version_id), []).append(n)
    result = [Row(c, [Cell(v, passages.get((c.id, v.id)), notes.get((c.id, v.id), []))
                      for v in versions],
                  notes.get((c.id, None), []))
              for c in clauses]
    _add_sentences(result, versions, ids)
    citations = None
    for row in result:
        for cell in row.cells:
            for sentence in cell.sentences:
                if with_pinyin and cell.version.is_chinese:
                    sentence.ruby = ruby(sentence.text)
                if cell.version.is_chinese and "《" in sentence.text:
                    citations = citations or CitationIndex.of_library()
                    sentence.pieces = citations.pieces(sentence.text, document, sentence.ruby)
                else:
                    sentence.pieces = [Piece(sentence.text, ruby=sentence.ruby)]
    return result


def _add_sentences(rows: list[Row], versions: list[Version], clause_ids: list[int]) -> None:
    """Split each cell into sentences and tie every sentence to the base sentences it renders."""
    spans: dict[int, list[Sentence]] = {}
    for s in Sentence.objects.filter(passage__clause_id__in=clause_ids,
                                     passage__version__in=versions).order_by("index"):
        spans.setdefault(s.passage_id, []).append(s)
    beads: dict[tuple[int, int], list[Bead]] = {}
    by_clause: dict[int, list[Bead]] = {}
    for b in Bead.objects.filter(clause_id__in=clause_ids, target__in=versions):
        beads.setdefault((b.clause_id, b.target_id), []).append(b)
        by_clause.setdefault(b.clause_id, []).append(b)
    for row in rows:
        taken: set[int] = set()
        for cell in row.cells:
            if not cell.passage:
                continue
            text = cell.passage.text
            mapping: dict[int, tuple[tuple[int, ...], bool, float | None]] = {}
            if cell.version.is_base:
                for b in by_clause.get(row.clause.id, []):
                    for i in b.source_sentences:
                        _, gap, score = mapping.get(i, ((i,), False, None))
                        mapping[i] = ((i,), gap or not b.target_sentences,
                                      b.score if score is None else min(score, b.score))
            else:
                for b in beads.get((row.clause.id, cell.version.id), []):
                    for j in b.target_sentences:
                        mapping[j] = (tuple(b.source_sentences), not b.source_sentences, b.score)
            position = 0
            for s in spans.get(cell.passage.id, []):
                base, gap, score = mapping.get(s.index, ((s.index,), False, None)) \
                    if cell.version.is_base else mapping.get(s.index, ((), False, None))
                view = SentenceView(text[position:s.start], s.index, s.text, base, gap=gap,
                                    low=score is not None and score < LOW_CONFIDENCE, score=score)
                fresh = [n for n in base if n not in taken]
                if fresh:
                    view.anchor = f"c-{row.clause.ref}-s{fresh[0]}"
                    taken.update(fresh)
                cell.sentences.append(view)
                position = s.end
            cell.after = text[position:]


def outline(document: Document) -> list[Clause]:
    """Parts and sections in order, for the outline navigation."""
    return list(Clause.objects.of(document).in_order().filter(
        kind__in=[Clause.Kind.PART, Clause.Kind.SECTION]))


def clause_or_404(document: Document, ref: str) -> Clause:
    clause = Clause.objects.of(document).filter(ref=ref).first()
    if clause is None:
        raise Http404(f"No clause {ref} in {document.slug}")
    return clause


def neighbours(clause: Clause) -> tuple[Clause | None, Clause | None]:
    siblings = Clause.objects.of(clause.document)
    previous = siblings.filter(position__lt=clause.position).order_by("-position").first()
    following = siblings.filter(position__gt=clause.position).order_by("position").first()
    return previous, following


def ancestors(clause: Clause) -> list[Clause]:
    chain, node = [], clause.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def title_of(document: Document) -> str:
    """The document's title in its base version."""
    if document.title:
        return document.title
    p = Passage.objects.filter(clause__document=document, clause__ref="title",
                               version__is_base=True).first()
    return p.text if p else document.number


def passage_text(document: Document, ref: str, version_slug: str) -> str:
    p = Passage.objects.filter(clause__document=document, clause__ref=ref,
                               version__slug=version_slug).first()
    return p.text if p else ""


def english_title(text: str) -> str:
    """A title printed in capitals (REPORT ON THE WORK OF THE GOVERNMENT) in title case."""
    if not text or text != text.upper():
        return text
    small = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
    words = text.lower().split(" ")
    return " ".join(w if i and w in small else w[:1].upper() + w[1:] for i, w in enumerate(words))


def english_issuer(document: Document, english: Version | None) -> str:
    """The issuing body in English: the translation's signature, else the glossary's rendering
    of the issuer (国务院 → State Council), else the issuer as printed."""
    if english is None:
        return document.issuer
    signed = passage_text(document, "signature", english.slug).split("\n")[0]
    if signed:
        return signed
    from .models import Rendering
    rendering = (Rendering.objects.filter(term__document=document, term__zh=document.issuer,
                                          version=english).order_by("position").first())
    return rendering.text if rendering else document.issuer


def cited_ref(clause: Clause) -> str:
    """How a citation names a clause: its ref (2.1.3), or for front and back matter its kind."""
    return clause.ref if not clause.is_matter else clause.get_kind_display()


def citation(document: Document, clause: Clause, url: str) -> dict[str, str]:
    """Plain citations in English and Chinese, and a BibTeX entry, for one clause."""
    versions = list(Version.objects.of(document))
    base = next(v for v in versions if v.is_base)
    english = next((v for v in versions if v.language == "en"), None)
    zh_title = passage_text(document, "title", base.slug) or document.title
    en_title = english_title(passage_text(document, "title", english.slug)) if english else ""
    en_issuer = english_issuer(document, english)
    date = document.date
    where = cited_ref(clause)
    nested = (en_title or zh_title).replace("“", "‘").replace("”", "’")
    number_en = f" ({document.number})" if document.number else ""
    number_zh = f"（{document.number}）" if document.number else ""
    english_citation = (f"{en_issuer}, “{nested}”{number_en}, "
                        f"{date.day} {date:%B} {date.year}, clause {where}. {url}")
    chinese_citation = (f"{document.issuer}：《{zh_title}》{number_zh}，"
                        f"{date.year}年{date.month}月{date.day}日，第{where}条。{url}")
    bibtex = "\n".join([
        f"@misc{{{document.slug}:{clause.ref},",
        f"  author = {{{{{document.issuer}}} ({en_issuer})}},",
        f"  title = {{{{{zh_title}}}" + (f" [{en_title}]" if en_title else "") + f", clause {where}}},",
        *([f"  number = {{{document.number}}},"] if document.number else []),
        f"  date = {{{date.isoformat()}}},",
        f"  url = {{{url}}},",
        "}",
    ])
    return {"en": english_citation, "zh": chinese_citation, "bibtex": bibtex}


@dataclass
class AlignedBead:
    ref: str
    bead: "Bead"
    source: list[str]
    target: list[str]

    @property
    def anchor(self) -> str:
        """c-<ref>-s<N> of the bead's first Chinese sentence (or of the clause for 0:1)."""
        n = self.bead.source_sentences[0] if self.bead.source_sentences else None
        return f"c-{self.ref}-s{n}" if n else f"c-{self.ref}"


def version_pair(document: Document, source_slug: str | None, target_slug: str | None
                 ) -> tuple[Version, Version]:
    """The (source, target) versions of an alignment request, or ValueError saying why not.

    Alignments are stored from the base text to every other version; ``source`` defaults to
    the base, ``target`` to the first version in another language.
    """
    versions = {v.slug: v for v in Version.objects.of(document)}
    base = next(v for v in versions.values() if v.is_base)
    source_slug = (source_slug or base.slug).strip()
    if not target_slug:
        target_slug = next((v.slug for v in versions.values() if not v.is_chinese), "")
    for label, slug in (("source", source_slug), ("target", target_slug)):
        if slug not in versions:
            raise ValueError(f"Unknown {label} version “{slug[:40]}”; this document has "
                             + ", ".join(versions) + ".")
    if source_slug != base.slug:
        raise ValueError(f"Alignments start from the base text: source must be {base.slug}.")
    if target_slug == base.slug:
        raise ValueError("Source and target are the same version.")
    return versions[source_slug], versions[target_slug]


def aligned_beads(document: Document, source: Version, target: Version) -> list[AlignedBead]:
    """Every bead between two versions in document order, with the sentences' texts."""
    texts: dict[tuple[int, int], dict[int, str]] = {}
    for s in Sentence.objects.filter(passage__clause__document=document,
                                     passage__version__in=[source, target]).select_related("passage"):
        texts.setdefault((s.passage.clause_id, s.passage.version_id), {})[s.index] = s.text
    out = []
    beads = (Bead.objects.filter(clause__document=document, source=source, target=target)
             .select_related("clause").order_by("clause__position", "position"))
    for bead in beads:
        src = texts.get((bead.clause_id, source.id), {})
        tgt = texts.get((bead.clause_id, target.id), {})
        out.append(AlignedBead(bead.clause.ref, bead, [src[i] for i in bead.source_sentences],
                               [tgt[j] for j in bead.target_sentences]))
    return out


@dataclass
class Comparison:
    number: int  # the base sentence
    source: str
    renderings: list[tuple[Version, str]]  # (version, its sentence(s) rendering this one)
    diff: list[tuple[str, str]]  # word-level: ("same" | "first" | "second", words)


def word_diff(first: str, second: str) -> list[tuple[str, str]]:
    """Word-level difference of two renderings: runs of shared words, words only in the first,
    words only in the second (compared case-insensitively, shown as written).

    A word is what whitespace separates, so punctuation stays with the word it follows
    ("building.") or opens ("“Internet"), and each run reads as written, with no space before
    a full stop."""
    a, b = first.split(), second.split()
    matcher = difflib.SequenceMatcher(None, [w.lower() for w in a], [w.lower() for w in b], autojunk=False)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(("same", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(("first", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("second", " ".join(b[j1:j2])))
    return out


def comparisons(clause: Clause) -> tuple[list[Version], list[Comparison]]:
    """Each base sentence of a clause with its renderings in the other-language versions and a
    word diff between the first two of them."""
    versions = list(Version.objects.of(clause.document))
    base = next(v for v in versions if v.is_base)
    targets = [v for v in versions if v.language != base.language and not v.is_chinese]
    sentences: dict[int, dict[int, str]] = {}
    for s in Sentence.objects.filter(passage__clause=clause).select_related("passage"):
        sentences.setdefault(s.passage.version_id, {})[s.index] = s.text
    beads = list(Bead.objects.filter(clause=clause, source=base, target__in=targets))
    out = []
    for number, text in sorted(sentences.get(base.id, {}).items()):
        renderings = []
        for target in targets:
            if target.id not in sentences:
                continue
            bead = next((b for b in beads if b.target_id == target.id and number in b.source_sentences), None)
            rendering = " ".join(sentences[target.id][j] for j in (bead.target_sentences if bead else []))
            renderings.append((target, rendering))
        diff = word_diff(renderings[0][1], renderings[1][1]) if len(renderings) >= 2 else []
        out.append(Comparison(number, text, renderings, diff))
    return [v for v in targets if v.id in sentences], out


def findings(document: Document, target: Version) -> list:
    """The stored translation-check findings for one translation, in document order."""
    from .models import Finding
    return list(Finding.objects.filter(target=target, clause__document=document)
                .select_related("clause").order_by("position"))


@dataclass
class ReviewedBead:
    """A bead with the checks' findings about it, for the exports a reviewer works from."""
    item: AlignedBead
    findings: list = field(default_factory=list)

    @property
    def uncertain(self) -> bool:
        """The aligner is unsure these sentences render each other."""
        return self.item.bead.score < LOW_CONFIDENCE


@dataclass
class Review:
    """A translation laid out for review: every bead in document order with its findings."""
    document: Document
    source: Version
    target: Version
    beads: list[ReviewedBead]
    unplaced: list  # findings on a clause with no bead (one the version leaves out)


def review(document: Document, source: Version, target: Version) -> Review:
    """Every bead between the two versions, each with the findings about its sentences.

    A finding goes to the bead holding the translation's sentence it is about (an addition, an
    artefact: ``Finding.translated``), else to the bead holding its Chinese sentence; a
    finding on the whole clause goes to the clause's first bead.
    """
    beads = [ReviewedBead(item) for item in aligned_beads(document, source, target)]
    by_ref: dict[str, list[ReviewedBead]] = {}
    for reviewed in beads:
        by_ref.setdefault(reviewed.item.ref, []).append(reviewed)
    unplaced = []
    for finding in findings(document, target):
        clause_beads = by_ref.get(finding.clause.ref)
        if clause_beads:
            _bead_about(clause_beads, finding).findings.append(finding)
        else:
            unplaced.append(finding)
    return Review(document, source, target, beads, unplaced)


def _bead_about(beads: list[ReviewedBead], finding) -> ReviewedBead:
    j = finding.translated
    return (next((b for b in beads if j is not None and j in b.item.bead.target_sentences), None)
            or next((b for b in beads if finding.sentence in b.item.bead.source_sentences), None)
            or beads[0])
