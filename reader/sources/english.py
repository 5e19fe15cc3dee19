"""Parse the two English renderings of the State Council's "Internet Plus" opinions.

``parse_published_translation`` owns the English half of 002 (version ``en``): a translation
published on a blog in 2015 that follows the Chinese paragraph for paragraph, with list items
indented and some section labels that slip. ``parse_machine_translation`` owns 003 (version
``en-mt``): a machine translation of the front matter, the preamble and Part 三 in which the
second preamble paragraph and all of Part 三 are one run-on line.

Both place passages by structure (order and layout), never by their printed labels: a label is
kept in ``Passage.label`` as printed, and wherever it disagrees with the position a TRANSLATION
note says so. Text is kept as published (only indentation and trailing whitespace go).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .base import (METADATA, TRANSLATION, USED, LineFate, Note, ParsedSource, Passage,
                   SourceError, source_lines)
from .numerals import chinese, label_value, roman

CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


# --- the published translation (002, English half) ----------------------------------------

VERSION_EN = "en"
PUBLISHED_PART = re.compile(r"^(?P<label>[IVXLC]+),\s")  # "I, Programme requirements"
PUBLISHED_SECTION = re.compile(r"^(?P<label>\(\d{1,4}\))\s")  # "(1) Overall thinking"
PUBLISHED_ITEM = re.compile(r"^\s+(?P<label>\d{1,4}\.)\s")  # items are the indented lines
PUBLISHED_NUMBER = re.compile(r"^GF No\.")
PUBLISHED_ISSUER = "State Council"  # first line of the signature
BLOG_FURNITURE = {
    "Posted on Updated on": "blog furniture (post date placeholders), not part of the document",
}
COMMENT_FORM_START = "Leave a Reply"
COMMENT_FORM_REASON = "blog comment form (WordPress), not part of the document"


class _Block:
    """A part or section heading with what follows it, before refs are assigned."""

    def __init__(self, line: int, text: str, label: str):
        self.line, self.text, self.label = line, text, label
        self.children: list[_Block] = []  # sections of a part
        self.paragraphs: list[tuple[int, str]] = []  # unindented lines of a section
        self.items: list[tuple[int, str, str]] = []  # (line, text, label) of a section


def parse_published_translation(text: str, filename: str) -> ParsedSource:
    """Passages of the English translation in the first half of 002.

    Accounts for the English lines and the blog comment form at the end of the file; the
    Chinese lines in between are left without a fate for the Chinese parser.
    """
    parsed = ParsedSource(filename, VERSION_EN)
    lines = source_lines(text)
    form_at = next((i for i, (_, raw) in enumerate(lines) if raw.strip() == COMMENT_FORM_START),
                   len(lines))
    for n, _ in lines[form_at:]:
        parsed.drop(n, COMMENT_FORM_REASON)
    english = []
    for n, raw in lines[:form_at]:
        if CJK.search(raw):
            break
        english.append((n, raw))
    if not english:
        raise SourceError(filename, None, "no English text before the Chinese")

    body_at = _published_front_matter(parsed, english)
    parts, signature = _published_blocks(filename, english[body_at:])
    if not parts:
        raise SourceError(filename, english[-1][0], "no part heading (\"I, …\") found")
    if not signature:
        raise SourceError(filename, english[-1][0],
                          f"no signature (a line \"{PUBLISHED_ISSUER}\") after the last part")
    _published_passages(parsed, parts)
    parsed.add(Passage("signature", "\n".join(t for _, t in signature),
                       tuple(n for n, _ in signature)))
    return parsed


def _published_front_matter(parsed: ParsedSource, english: list[tuple[int, str]]) -> int:
    """Title, furniture, number, addressees and preamble; returns the index of the first part."""
    filename = parsed.filename
    n, title = english[0]
    parsed.add(Passage("title", title.strip(), (n,)))
    addressees_seen = False
    preamble = 0
    for i, (n, raw) in enumerate(english[1:], start=1):
        line = raw.strip()
        if PUBLISHED_PART.match(line):
            if preamble == 0:
                raise SourceError(filename, n, "part heading before any preamble paragraph")
            return i
        if PUBLISHED_SECTION.match(line) or PUBLISHED_ITEM.match(raw):
            raise SourceError(filename, n, "section heading or item before any part heading")
        if line in BLOG_FURNITURE:
            parsed.drop(n, BLOG_FURNITURE[line])
        elif PUBLISHED_NUMBER.match(line):
            parsed.metadata["number"] = line
            parsed.fates[n] = LineFate(n, METADATA, versions=(parsed.version,),
                                       reason="document number, kept as metadata")
        elif not addressees_seen:
            if not line.endswith(":"):
                raise SourceError(filename, n, "expected the addressees (a line ending in ':')")
            parsed.add(Passage("addressees", line, (n,)))
            addressees_seen = True
        else:
            preamble += 1
            parsed.add(Passage(f"0.{preamble}", line, (n,)))
    raise SourceError(filename, english[-1][0], "no part heading (\"I, …\") found")


def _published_blocks(filename: str, body: list[tuple[int, str]]
                      ) -> tuple[list[_Block], list[tuple[int, str]]]:
    """Group the body lines under parts and sections by layout; split off the signature."""
    parts: list[_Block] = []
    signature: list[tuple[int, str]] = []
    for n, raw in body:
        line = raw.strip()
        if signature or line == PUBLISHED_ISSUER:
            signature.append((n, line))
        elif m := PUBLISHED_PART.match(line):
            parts.append(_Block(n, line, m["label"]))
        elif m := PUBLISHED_SECTION.match(line):
            parts[-1].children.append(_Block(n, line, m["label"]))
        else:
            section = parts[-1].children[-1] if parts[-1].children else None
            if section is None:
                raise SourceError(filename, n, "item or paragraph before any section heading")
            if m := PUBLISHED_ITEM.match(raw):
                # A list that starts again at 1 means a section heading went missing; placing
                # the items under the previous section would silently misnumber them.
                if section.items and label_value(m["label"]) == 1:
                    raise SourceError(filename, n, "item list restarts at 1 within a section: "
                                                   "is a section heading missing?")
                section.items.append((n, line, m["label"]))
            elif section.items:
                raise SourceError(filename, n, "unnumbered paragraph after the numbered items "
                                               "of a section")
            else:
                section.paragraphs.append((n, line))
    return parts, signature


def _published_passages(parsed: ParsedSource, parts: list[_Block]) -> None:
    """Assign refs by position and note every printed label that disagrees with it."""
    filename = parsed.filename
    for p, part in enumerate(parts, start=1):
        parsed.add(Passage(str(p), part.text, (part.line,), part.label))
        if label_value(part.label) != p:
            _note(parsed, str(p), part.line, f"Part {chinese(p)} is labelled “{part.label}” "
                  f"in this translation; placed by structure as Part {roman(p)}.")
        for s, section in enumerate(part.children, start=1):
            ref = f"{p}.{s}"
            where = f"Part {roman(p)} section ({chinese(s)})"
            parsed.add(Passage(ref, section.text, (section.line,), section.label))
            if label_value(section.label) != s:
                _note(parsed, ref, section.line,
                      f"Section ({chinese(s)}) of Part {roman(p)} is labelled "
                      f"“{section.label}” in this translation; placed by structure as "
                      f"section {s}.")
            if not section.items:
                if not section.paragraphs:
                    raise SourceError(filename, section.line, "section heading with no text")
                for k, (n, line) in enumerate(section.paragraphs, start=1):
                    parsed.add(Passage(f"{ref}.{k}", line, (n,)))
                continue
            if len(section.paragraphs) > 1:
                raise SourceError(filename, section.paragraphs[1][0],
                                  "more than one unnumbered paragraph before numbered items")
            for n, line in section.paragraphs:
                parsed.add(Passage(f"{ref}.0", line, (n,)))
            for i, (n, line, label) in enumerate(section.items, start=1):
                parsed.add(Passage(f"{ref}.{i}", line, (n,), label))
                if label_value(label) != i:
                    _note(parsed, f"{ref}.{i}", n,
                          f"Item {i} of {where} is labelled “{label}” in this translation; "
                          f"placed by structure as item {i}.")


# --- the machine translation (003) ---------------------------------------------------------

VERSION_MT = "en-mt"
SITE_HEADLINE = re.compile(r"^Full text of ")
MT_NUMBER = re.compile(r"\[\d{4}\]\s*No\.\s*\d+")  # "Guo Fa [2015] No.40 Document"
# A label at a sentence start inside the run-on line: "(1)", "1." or "(VI)" after ". " or ") ".
RUN_ON_LABEL = re.compile(r"(?<=[.)\"”])\s+(?P<label>\((?:\d{1,4}|[IVXLC]{1,8})\)|\d{1,4}\.)(?=\s)")
SPLIT_YEAR = re.compile(r"\b(?:19|20) \d\d\b")
MASK = "* * *"


def parse_machine_translation(text: str, filename: str,
                              part_three_items: list[int]) -> ParsedSource:
    """Passages of the machine translation in 003.

    ``part_three_items`` is the number of numbered items in each section of Part 三 as the
    Chinese base text has them; the run-on line is split against that expected sequence.
    """
    parsed = ParsedSource(filename, VERSION_MT)
    lines = source_lines(text)
    if lines and SITE_HEADLINE.match(lines[0][1]):
        parsed.drop(lines[0][0], "headline added by the publishing site, not part of the document")
        lines = lines[1:]
    if len(lines) < 6:
        raise SourceError(filename, lines[-1][0] if lines else None,
                          "expected title, number, addressees, two preamble lines and a signature")
    (title_n, title), (number_n, number), (addr_n, addressees), (pre_n, preamble) = lines[:4]
    run_on_n, run_on = lines[4]
    signature = lines[5:]

    parsed.add(Passage("title", title.strip(), (title_n,)))
    if not MT_NUMBER.search(number):
        raise SourceError(filename, number_n, "expected the document number (\"… [2015] No.40\")")
    parsed.metadata["number"] = number.strip()
    parsed.fates[number_n] = LineFate(number_n, METADATA, versions=(VERSION_MT,),
                                      reason="document number, kept as metadata")
    parsed.add(Passage("addressees", addressees.strip(), (addr_n,)))
    parsed.add(Passage("0.1", preamble.strip(), (pre_n,)))

    refs = []
    for ref, label, passage_text in _split_run_on(filename, run_on_n, run_on.strip(),
                                                  part_three_items):
        parsed.add(Passage(ref, passage_text, (run_on_n,), label))
        refs.append(ref)
        if ref != "0.2":
            _note_label_form(parsed, ref, label, run_on_n)
    # add() gives a line the fate of the last passage that used it; this line feeds them all.
    parsed.fates[run_on_n] = LineFate(run_on_n, USED, tuple(refs), (VERSION_MT,))
    _note(parsed, "3", run_on_n,
          "Part III's heading (三、保障支撑) is absent from this machine translation: its "
          "sections run on from the preamble in one paragraph, split here by structure.")

    parsed.add(Passage("signature", "\n".join(t.strip() for _, t in signature),
                       tuple(n for n, _ in signature)))
    for passage in parsed.passages.values():
        _note_artefacts(parsed, passage)
    return parsed


def _expected_starts(part_three_items: list[int]) -> Iterator[tuple[str, int]]:
    """(ref, number) of each section and item of Part 三, in document order."""
    for s, count in enumerate(part_three_items, start=1):
        yield f"3.{s}", s
        for i in range(1, count + 1):
            yield f"3.{s}.{i}", i


def _split_run_on(filename: str, n: int, line: str, part_three_items: list[int]
                  ) -> list[tuple[str, str, str]]:
    """Split the run-on line into (ref, printed label, text): 0.2, then Part 三 in order.

    Labels are unreliable in form ("(3)" for an item, "(VI)" for a section) but their values
    run in order, so each expected start is the next sentence-initial label with its value.
    Stray characters (a ")" closing a broken responsibility line) stay with the text they follow.
    """
    candidates = list(RUN_ON_LABEL.finditer(line))
    starts: list[tuple[str, str, int]] = []
    c = 0
    for ref, number in _expected_starts(part_three_items):
        while c < len(candidates) and label_value(candidates[c]["label"]) != number:
            c += 1
        if c == len(candidates):
            kind = "section" if ref.count(".") == 1 else "item"
            raise SourceError(filename, n, f"cannot find the start of {kind} {ref} "
                                           f"(a label numbered {number}) in the run-on paragraph")
        starts.append((ref, candidates[c]["label"], candidates[c].start("label")))
        c += 1
    pieces = [("0.2", "", 0)] + starts
    ends = [at for _, _, at in starts] + [len(line)]
    return [(ref, label, line[at:end].strip()) for (ref, label, at), end in zip(pieces, ends)]


def _note_label_form(parsed: ParsedSource, ref: str, label: str, line: int) -> None:
    """Note a label whose form is not the one its place calls for: "(N)" sections, "N." items."""
    parts = ref.split(".")
    s = int(parts[1])
    if len(parts) == 2:
        expected = f"({s})"
        what = f"Section ({chinese(s)}) of Part III"
    else:
        expected = f"{parts[2]}."
        what = f"Item {parts[2]} of Part III section ({chinese(s)})"
    if label != expected:
        _note(parsed, ref, line, f"{what} is labelled “{label}” in this machine translation "
              f"(expected “{expected}”); placed by structure.")


def _note_artefacts(parsed: ParsedSource, passage: Passage) -> None:
    """One note per passage for each kind of artefact a reader would otherwise trip over."""
    line = passage.lines[0]
    opened, closed = passage.text.count("("), passage.text.count(")")
    if opened != closed:
        stray = "an unclosed “(”" if opened > closed else "a stray “)”"
        _note(parsed, passage.ref, line, f"unbalanced parenthesis ({stray}): this machine "
              "translation breaks parentheses, mostly the responsibility line, across items.")
    if MASK in passage.text:
        _note(parsed, passage.ref, line, f"“{MASK}” stands where the publishing site masked "
              "characters; the Chinese text has the words.")
    if m := SPLIT_YEAR.search(passage.text):
        number = m[0].replace(" ", "")
        _note(parsed, passage.ref, line,
              f"“{m[0]}” is the number {number} split by a stray space; kept as published.")


def _note(parsed: ParsedSource, ref: str, line: int, body: str) -> None:
    parsed.notes.append(Note(ref, TRANSLATION, body, version=parsed.version,
                             source=parsed.filename, line=line))
