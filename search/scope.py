"""What a search can be narrowed to (a document, a version, a part) and how to say it, read from
the corpus: the documents, their versions and the headings of their parts are rows, so a new
document is a new choice, not a code change."""
from __future__ import annotations

from reader.models import Clause, Document, Passage, Version
from reader.reading import title_of

from .search_indexes import part_of

PREAMBLE = "0"
MATTER = "matter"
HEADING_LENGTH = 40  # characters of a part's heading shown in the part selector


def document_title(document: Document) -> str:
    """The title to show for a document: its own, or (rows from before titles) its base text's."""
    return document.title or title_of(document)


def document_label(document: Document, title: str) -> str:
    """A document as the document selector names it: its title (``document_title``), number
    and date."""
    facts = [document.number, document.date.isoformat()] if document.number else [document.date.isoformat()]
    return f"{title} ({', '.join(facts)})"


def parts(document: Document) -> list[tuple[str, str]]:
    """The document's parts as (value, label), labels from its own text: its preamble, each
    part by its number and heading ("Part 一 · 行动要求"), then its front and back matter."""
    refs = list(Clause.objects.of(document).in_order().values_list("ref", "kind"))
    headings = {ref: (label, text) for ref, label, text in Passage.objects.filter(
        clause__document=document, clause__kind=Clause.Kind.PART, version__is_base=True,
    ).values_list("clause__ref", "label", "text")}
    choices = []
    if any(part_of(ref) == PREAMBLE for ref, _ in refs):
        choices.append((PREAMBLE, "Preamble"))
    for ref, kind in refs:
        if kind == Clause.Kind.PART and part_of(ref) == ref:
            choices.append((ref, _part_label(ref, *headings.get(ref, ("", "")))))
    matter = [ref for ref, kind in refs if part_of(ref) == MATTER]
    if matter:
        choices.append((MATTER, ", ".join(matter).capitalize()))
    return choices


def part_options(document: Document) -> list[tuple[str, str, str]]:
    """The part selector's options as (value, text, language). An <option> holds text in one
    language only, so a part is offered by its heading as the document writes it (一、行动要求),
    in the document's language, and the preamble and the front and back matter in English."""
    base = Version.objects.filter(document=document, is_base=True).first()
    language = base.language if base else "zh-Hans"
    headings = {ref: text for ref, text in Passage.objects.filter(
        clause__document=document, clause__kind=Clause.Kind.PART, version__is_base=True,
    ).values_list("clause__ref", "text")}
    options = []
    for value, label in parts(document):
        if value in (PREAMBLE, MATTER) or not headings.get(value):
            options.append((value, label, "en"))
        else:
            heading = headings[value].strip()
            if len(heading) > HEADING_LENGTH:
                heading = heading[:HEADING_LENGTH - 1] + "…"
            options.append((value, heading, language))
    return options


def _part_label(ref: str, label: str, text: str) -> str:
    number = label.strip().rstrip("、.．，, ") or ref
    heading = text[len(label):] if label and text.startswith(label) else text
    heading = heading.strip()
    if len(heading) > HEADING_LENGTH:
        heading = heading[:HEADING_LENGTH - 1] + "…"
    return f"Part {number} · {heading}" if heading else f"Part {number}"


def part_values(document: Document | None = None) -> set[str]:
    """The part values a search accepts: the document's, or any document's in the library."""
    if document is not None:
        return {value for value, _ in parts(document)}
    return {part_of(ref) for ref in Clause.objects.values_list("ref", flat=True).distinct()}


def describe(document: Document | None, version: str | None, part: str | None, lib) -> str:
    """What was searched, in words, for the page that says nothing was found. ``lib``: the
    library as ``search.catalogue`` keeps it."""
    chosen = lib.choices(document)
    if version:
        label = next((v.label for v in chosen if v.slug == version), "")
        where = f"version {version}" + (f" ({label})" if label else "")
    else:
        where = f"all versions ({', '.join(v.label for v in chosen)})"
    if document is not None:
        where += f" of {lib.titles[document.id]}"
    else:
        count = len(lib.documents)
        where += {1: " of the one document", 2: " of both documents"}.get(count, f" of all {count} documents")
    if part:
        if document is not None:
            where += ", " + dict(parts(document)).get(part, f"part {part}")
        else:
            each = {PREAMBLE: "the preamble", MATTER: "the front and back matter"}.get(part, f"part {part}")
            where += f", {each} of each"
    return where
