"""What the reader pages and the API show, assembled from the corpus in a few queries.

Views stay thin: they parse the request, call one of these, and render.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Clause, Document, Note, Passage, Version


@dataclass
class Cell:
    version: Version
    passage: Passage | None
    notes: list[Note] = field(default_factory=list)


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


def rows(document: Document, versions: list[Version], clauses=None) -> list[Row]:
    """One row per clause, one cell per version, with the notes that belong to each."""
    clauses = list(clauses if clauses is not None else Clause.objects.of(document).in_order())
    ids = [c.id for c in clauses]
    passages = {(p.clause_id, p.version_id): p
                for p in Passage.objects.filter(clause_id__in=ids, version__in=versions)}
    notes: dict[tuple[int, int | None], list[Note]] = {}
    for n in Note.objects.filter(Q(version__in=versions) | Q(version__isnull=True),
                                 clause_id__in=ids):
        notes.setdefault((n.clause_id, n.version_id), []).append(n)
    return [Row(c, [Cell(v, passages.get((c.id, v.id)), notes.get((c.id, v.id), []))
                    for v in versions],
                notes.get((c.id, None), []))
            for c in clauses]


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
    p = Passage.objects.filter(clause__document=document, clause__ref="title",
                               version__is_base=True).first()
    return p.text if p else document.number


def passage_text(document: Document, ref: str, version_slug: str) -> str:
    p = Passage.objects.filter(clause__document=document, clause__ref=ref,
                               version__slug=version_slug).first()
    return p.text if p else ""


def citation(document: Document, clause: Clause, url: str) -> dict[str, str]:
    """Plain citations in English and Chinese, and a BibTeX entry, for one clause."""
    versions = list(Version.objects.of(document))
    base = next(v for v in versions if v.is_base)
    english = next((v for v in versions if v.language == "en"), None)
    zh_title = passage_text(document, "title", base.slug)
    en_title = passage_text(document, "title", english.slug) if english else ""
    en_issuer = (passage_text(document, "signature", english.slug).split("\n")[0]
                 if english else "") or document.issuer
    date = document.date
    where = clause.ref if not clause.is_matter else clause.get_kind_display()
    nested = (en_title or zh_title).replace("“", "‘").replace("”", "’")
    english_citation = (f"{en_issuer}, “{nested}” ({document.number}), "
                        f"{date.day} {date:%B} {date.year}, clause {where}. {url}")
    chinese_citation = (f"{document.issuer}：《{zh_title}》（{document.number}），"
                        f"{date.year}年{date.month}月{date.day}日，第{where}条。{url}")
    bibtex = "\n".join([
        f"@misc{{{document.slug}:{clause.ref},",
        f"  author = {{{{{document.issuer}}} ({en_issuer})}},",
        f"  title = {{{{{zh_title}}}" + (f" [{en_title}]" if en_title else "") + f", clause {where}}},",
        f"  number = {{{document.number}}},",
        f"  date = {{{date.isoformat()}}},",
        f"  url = {{{url}}},",
        "}",
    ])
    return {"en": english_citation, "zh": chinese_citation, "bibtex": bibtex}
