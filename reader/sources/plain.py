"""The ``plain`` parser: any Chinese policy document, or its translation, given as plain text.

Plain Python, no Django. This is the generic parser of the library: one paragraph a line (or
paragraphs separated by blank lines, hard-wrapped lines joined), light Markdown copied from web
pages removed and recorded. The two halves:

``parse_chinese`` finds the document's structure from its own numbering and returns passages
keyed by clause ref (the scheme is in ``reader/sources/base.py`` and the README):

* front matter, before the body: the title (the first line), the document number
  (``国发〔2015〕40号``), the occasion (``——2019年3月5日在…会议上``), the speaker
  (``国务院总理　李克强``), the addressees (``各省、自治区…：``) or the salutation (``各位代表：``);
* parts ``一、`` or ``第一章``/``第一部分`` (refs ``1``, ``2`` …), sections ``（一）`` or ``第一节``
  (``1.1`` …); where a document has sections but no parts, its sections are its parts;
* paragraphs and numbered items (``1.``, ``（1）``) in document order inside their part
  (``1.0.1`` …) or section (``1.1.1`` …); paragraphs before the first part are the preamble
  (``0.1`` …). A section whose numbered items 1…n follow exactly one lead paragraph keeps the
  printed numbers: the lead is ``p.s.0`` and item k is ``p.s.k``. A heading line that goes on
  after its heading (``**（一）稳定…区间。**我们宏观调控…``) is two clauses: the heading (the
  bold span, else the first sentence) and the section's first paragraph;
* closing matter at the end: the signature (the issuing body), the date, and a remark such as
  ``（此件公开发布）``.

Enumerations inside a paragraph (``一是…二是…``) stay inside it. A heading number out of sequence
is not a heading (a list inside the text): the line is a paragraph and keeps its label. A
document with no numbering is a sequence of paragraphs. Punctuation is normalised as for every
Chinese witness (``chinese.normalise``), and each change is a repair note.

``parse_english`` reads a translation into paragraphs (with where a bold lead ends, a hint for
splitting "**1. Heading.** Body" at its heading); ``reader.placement`` decides which clause each
paragraph goes under.

``read_text`` decodes a source strictly and rejects what is not a document: an empty file, a
binary file, a file that is not UTF-8 (naming the line), a file in the wrong language.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .base import (DROPPED, REPAIR, TRANSLATION, LineFate, Note, ParsedSource, Passage,
                   SourceError)
from .chinese import describe_repairs, normalise
from .numerals import CHINESE_DIGITS

CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile("[A-Za-z]")
NUMERAL = f"[{CHINESE_DIGITS}十百零〇两]+"

# --- structure of the Chinese text ---------------------------------------------------------

PART = re.compile(rf"^(?:(?P<cn>{NUMERAL})[、，,．.]|第(?P<ord>{NUMERAL})(?:部分|章|篇)[　 ]*)")
SECTION = re.compile(rf"^(?:[（(]\s*(?P<cn>{NUMERAL})\s*[）)]|第(?P<ord>{NUMERAL})节[　 ]*)")
ITEM = re.compile(r"^(?:(?P<n>\d{1,3})[.．、](?!\d)|[（(](?P<p>\d{1,3})[）)])")
NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d{1,4}\s*号$")
OCCASION = re.compile(r"^(?:[—―－\-]{1,2}|[（(]).*\d{4}年.*(?:会议|大会|会上|论坛).*[）)]?$")
SALUTATION = re.compile(r"^各位[^，。；,;]{1,12}[：:！!]$")
ADDRESSEES = re.compile(r"^各[^。！？]{2,}[：:]$")
DATE = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月"
                  r"[一二三四五六七八九十]{1,3}日)$")
REMARK = re.compile(r"^[（(][^（()）]{2,30}[）)]$")
SENTENCE_END = re.compile(r"[。！？!?][”’」』）)]*")
# A translation's paragraph with this many Chinese characters holds Chinese text, not just a
# quoted term: a page's mix-up, kept and flagged.
MIXED_CHINESE = 20
# A line of the front matter has no sentence of its own: short, no full stop.
SHORT = 40

BOLD = re.compile(r"\*\*")
HYPHEN_DASH = re.compile(r"^(?:-{2,}|－{2,}|—(?!—))")
HEADING_MARK = re.compile(r"^#{1,6}\s+")
FORMATTING_ONLY = re.compile(r"^[\s*#_\-=~`>|]*$")

_SCALE = {"十": 10, "百": 100}


def numeral_value(numeral: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零三 → 103, 〇 → 0 (heading numbers in any common form)."""
    digits = {c: n for n, c in enumerate("零" + CHINESE_DIGITS)} | {"〇": 0, "两": 2}
    if all(c in digits for c in numeral):  # 一〇三 written digit by digit
        value = 0
        for c in numeral:
            value = value * 10 + digits[c]
        return value
    total, current = 0, 0
    for c in numeral:
        if c in digits:
            current = digits[c]
        else:
            total += (current or 1) * _SCALE[c]
            current = 0
    return total + current


# --- reading a source ----------------------------------------------------------------------

def read_text(data: bytes, filename: str, language: str) -> str:
    """The text of a source file, or a SourceError saying why it is not a document.

    ``language`` is the BCP 47 tag of what the file feeds: a Chinese version's file must be
    mostly Chinese, any other version's file mostly not.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(filename, 1, "the file is UTF-16; save it as UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        line = data[:data.index(b"\x00")].count(b"\n") + 1
        raise SourceError(filename, line, "a NUL byte: this is a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SourceError(filename, line, f"not valid UTF-8 ({exc.reason} at byte {exc.start}); "
                          f"save the file as UTF-8") from exc
    controls = [i for i, ch in enumerate(text) if ord(ch) < 32 and ch not in "\n\r\t\f"]
    if controls:
        line = text[:controls[0]].count("\n") + 1
        raise SourceError(filename, line, f"control character U+{ord(text[controls[0]]):04X}: "
                          f"this is not a plain-text file")
    if not text.strip():
        raise SourceError(filename, None, "the file is empty")
    check_language(text, filename, language)
    return text


def check_language(text: str, filename: str, language: str) -> None:
    chinese = len(CJK.findall(text))
    latin = len(LATIN.findall(text))
    share = chinese / (chinese + latin / 4) if chinese + latin else 0.0  # ~4 letters a word
    wants_chinese = language.lower().startswith("zh")
    if wants_chinese and share < 0.5:
        raise SourceError(filename, None, f"this file feeds a {language} version but is not "
                          f"Chinese text ({chinese} Chinese characters, {latin} Latin letters)")
    if not wants_chinese and share > 0.5:
        raise SourceError(filename, None, f"this file feeds a {language} version but is mostly "
                          f"Chinese text ({chinese} Chinese characters, {latin} Latin letters)")


# --- paragraphs ----------------------------------------------------------------------------

@dataclass
class Paragraph:
    """A paragraph of a source file with its line numbers and what cleaning it took."""
    lines: tuple[int, ...]
    raw: str  # as the file has it (lines joined with "\n")
    text: str = ""  # cleaned
    lead: int | None = None  # where a bold lead span ends in ``text``
    repairs: Counter = field(default_factory=Counter)
    noted: bool = False  # its repairs are recorded (once, though it may feed two clauses)


def paragraphs(text: str, *, chinese: bool, dropped: dict[int, str]) -> list[Paragraph]:
    """The paragraphs of a file, formatting removed; lines with nothing left go to ``dropped``.

    One paragraph a line, unless the file separates paragraphs by blank lines and hard-wraps
    them (most blocks of several lines): then a block is a paragraph and its lines are joined.
    """
    lines = [(n, raw.rstrip("\r\n").strip()) for n, raw in enumerate(text.split("\n"), start=1)]
    blocks: list[list[tuple[int, str]]] = [[]]
    for n, line in lines:
        if line:
            blocks[-1].append((n, line))
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    wrapped = len(blocks) > 1 and sum(len(b) > 1 for b in blocks) > len(blocks) / 2
    out: list[Paragraph] = []
    for block in blocks:
        groups: list[list[tuple[int, str]]] = []
        for n, line in block:
            if wrapped and groups and not _starts_paragraph(line, chinese):
                groups[-1].append((n, line))
            else:
                groups.append([(n, line)])
        for group in groups:
            paragraph = _clean(group, chinese)
            if paragraph.text:
                out.append(paragraph)
            else:
                for n, _ in group:
                    dropped[n] = "formatting only (Markdown or a rule), no text"
    return out


def _starts_paragraph(line: str, chinese: bool) -> bool:
    bare = BOLD.sub("", line).strip()
    if chinese:
        return bool(PART.match(bare) or SECTION.match(bare) or ITEM.match(bare))
    return bool(re.match(r"^(?:[IVXLC]+[.．]|\(?\d{1,3}[.)．]\s)", bare))


def _clean(group: list[tuple[int, str]], chinese: bool) -> Paragraph:
    raw = "\n".join(line for _, line in group)
    paragraph = Paragraph(tuple(n for n, _ in group), raw)
    pieces = []
    for _, line in group:
        if HEADING_MARK.match(line):
            line = HEADING_MARK.sub("", line)
            paragraph.repairs["markdown heading"] += 1
        pieces.append(line)
    if len(pieces) > 1:
        paragraph.repairs["joined lines"] += len(pieces) - 1
    text = re.sub(r"[ \t]+", " ", ("" if chinese else " ").join(pieces)).strip()
    marks = [m.start() for m in BOLD.finditer(text)]
    lead_text = ""
    if marks:
        paragraph.repairs["bold"] += len(marks)
        if marks[0] == 0 and len(marks) >= 2:
            lead_text = text[2:marks[1]].strip()
        text = re.sub(r"[ \t]+", " ", BOLD.sub("", text)).strip()
    if FORMATTING_ONLY.match(text):
        text = ""
    if lead_text and text.startswith(lead_text) and len(lead_text) < len(text):
        paragraph.lead = len(lead_text)
    paragraph.text = text
    return paragraph


REPAIR_WORDS = {
    "bold": "Markdown bold marker(s) (**) removed: formatting copied from a web page, not text",
    "markdown heading": "Markdown heading mark (#) removed",
    "joined lines": "line break(s) inside the paragraph joined (the source is hard-wrapped)",
    "hyphen dash": "hyphens (--) made the Chinese dash (——)",
}


def describe_formatting(counts: Counter) -> str:
    return "; ".join(f"{counts[k]} {REPAIR_WORDS[k]}" for k in REPAIR_WORDS if counts.get(k))


# --- the Chinese text ----------------------------------------------------------------------

@dataclass
class _Container:
    """A part or section being filled with paragraphs: (ref prefix, [(paragraph, label, value)])."""
    prefix: str
    entries: list = field(default_factory=list)


def parse_chinese(text: str, filename: str, version: str = "zh-hans") -> ParsedSource:
    """Passages of a Chinese document keyed by clause ref, with ``kinds`` and every line's fate."""
    parsed = ParsedSource(filename, version)
    dropped: dict[int, str] = {}
    found = paragraphs(text, chinese=True, dropped=dropped)
    for n, reason in dropped.items():
        parsed.drop(n, reason)
    if not found:
        raise SourceError(filename, None, "no text: every line is empty or formatting")

    for p in found:
        if HYPHEN_DASH.match(p.text):
            p.text = HYPHEN_DASH.sub("——", p.text)
            p.repairs["hyphen dash"] += 1
        clean, counts = normalise(p.text)
        if counts:
            p.repairs.update(counts)
        p.text = clean

    front, body, back = _split_matter(found)
    for ref, p in front:
        _add(parsed, ref, p, "front", version)
        if ref == "number":
            parsed.metadata["number"] = p.text
    if front and front[0][0] == "title":
        parsed.metadata["title"] = front[0][1].text
    _parse_body(parsed, body, version)
    for ref, p in back:
        _add(parsed, ref, p, "back", version)
    return parsed


def _split_matter(found: list[Paragraph]
                  ) -> tuple[list[tuple[str, Paragraph]], list[Paragraph], list[tuple[str, Paragraph]]]:
    """Front matter (named), the body, and closing matter (named)."""
    front: list[tuple[str, Paragraph]] = []
    i = 0
    seen: set[str] = set()
    while i < len(found):
        p = found[i]
        kind = _front_kind(p.text, i == 0, seen)
        if kind is None:
            break
        front.append((kind, p))
        seen.add(kind)
        i += 1
        if kind in ("salutation", "addressees"):
            break  # the body starts after whoever is addressed
    body = found[i:]
    back: list[tuple[str, Paragraph]] = []
    # Closing matter: a remark, a date, a signature, read from the end.
    tail = list(body[-3:])
    names: list[str] = []
    if tail and REMARK.match(tail[-1].text) and len(body) > 1:
        names.insert(0, "remark")
        tail.pop()
    if tail and DATE.match(tail[-1].text):
        names.insert(0, "date")
        tail.pop()
        if tail and _is_signature(tail[-1].text):
            names.insert(0, "signature")
            tail.pop()
    elif tail and names == ["remark"] and _is_signature(tail[-1].text):
        names.insert(0, "signature")
    if "date" not in names and "signature" not in names:
        names = []  # a parenthesis at the end of the body is no remark on its own
    if names:
        back = list(zip(names, body[len(body) - len(names):]))
        body = body[:len(body) - len(names)]
    return front, body, back


def _front_kind(text: str, first: bool, seen: set[str]) -> str | None:
    if PART.match(text) or SECTION.match(text) or ITEM.match(text):
        return None
    if NUMBER_LINE.match(text) and "number" not in seen:
        return "number"
    if OCCASION.match(text) and len(text) < 80 and "occasion" not in seen:
        return "occasion"
    if SALUTATION.match(text):
        return "salutation"
    if ADDRESSEES.match(text) and len(text) < 200:
        return "addressees"
    if first:
        return "title" if not SENTENCE_END.search(text[:-1]) or len(text) < SHORT * 2 else None
    if ("occasion" in seen and "speaker" not in seen and len(text) <= SHORT // 2
            and not SENTENCE_END.search(text) and "，" not in text):
        return "speaker"
    return None


def _is_signature(text: str) -> bool:
    return len(text) <= 30 and not SENTENCE_END.search(text) and "，" not in text


def _add(parsed: ParsedSource, ref: str, p: Paragraph, kind: str, version: str,
         text: str | None = None, label: str = "") -> None:
    parsed.add(Passage(ref, p.text if text is None else text, p.lines, label))
    parsed.kinds[ref] = kind
    _note_repairs(parsed, ref, p, version)


def _note_repairs(parsed: ParsedSource, ref: str, p: Paragraph, version: str) -> None:
    if not p.repairs or p.noted:
        return
    p.noted = True  # a paragraph split into two clauses is repaired once
    chinese = {k: v for k, v in p.repairs.items() if k not in REPAIR_WORDS}
    words = "; ".join(filter(None, [describe_formatting(p.repairs), describe_repairs(Counter(chinese))]))
    where = f"line {p.lines[0]}" if len(p.lines) == 1 else f"lines {p.lines[0]}–{p.lines[-1]}"
    parsed.notes.append(Note(ref, REPAIR, f"{parsed.filename} {where}: {words}.", version=version,
                             source=parsed.filename, line=p.lines[0], reading=p.raw))


def _heading_split(p: Paragraph, label_end: int) -> tuple[str, str]:
    """(heading, rest) of a heading line: the bold span if it starts the line, else up to the
    first sentence end; the whole line if nothing follows."""
    text = p.text
    if p.lead is not None and p.lead > label_end:
        cut = p.lead
    else:
        m = SENTENCE_END.search(text, label_end)
        cut = m.end() if m else len(text)
    heading, rest = text[:cut].rstrip(), text[cut:].strip()
    return heading, rest


def _parse_body(parsed: ParsedSource, body: list[Paragraph], version: str) -> None:
    has_parts = any(_part_match(p.text) for p in body)
    part = 0
    section = 0
    container = _Container("0")  # the preamble
    containers: list[_Container] = [container]

    def heading(p: Paragraph, ref: str, kind: str, label: str) -> None:
        nonlocal container
        head, rest = _heading_split(p, len(label))
        _add(parsed, ref, p, kind, version, text=head, label=label)
        container = _Container(ref if kind == "section" else f"{ref}.0")
        containers.append(container)
        if rest:
            container.entries.append((p, "", None, rest))

    expected_part = 1
    for p in body:
        text = p.text
        part_m = _part_match(text) if has_parts else None
        section_m = SECTION.match(text) if has_parts else _part_match(text, sections_too=True)
        if part_m and _value(part_m) == expected_part:
            part, section, expected_part = expected_part, 0, expected_part + 1
            heading(p, str(part), "part", part_m.group(0).strip())
            continue
        if has_parts and section_m and part and _value(section_m) == section + 1:
            section += 1
            heading(p, f"{part}.{section}", "section", section_m.group(0).strip())
            continue
        if not has_parts and section_m and _value(section_m) == expected_part:
            part, expected_part = expected_part, expected_part + 1
            heading(p, str(part), "part", section_m.group(0).strip())
            continue
        item_m = ITEM.match(text)
        if item_m:
            container.entries.append((p, item_m.group(0), int(item_m.group("n") or item_m.group("p")), text))
        else:
            container.entries.append((p, "", None, text))

    for c in containers:
        _number_container(parsed, c, version)
    # Document order: the refs were added container by container; restore the order of lines.
    order = {}
    for i, (ref, passage) in enumerate(parsed.passages.items()):
        order[ref] = (passage.lines[0] if passage.lines else 0, 0 if parsed.kinds[ref] != "clause" else 1, i)
    parsed.passages = dict(sorted(parsed.passages.items(), key=lambda kv: order[kv[0]]))


def _part_match(text: str, sections_too: bool = False):
    m = PART.match(text)
    if m is None and sections_too:
        m = SECTION.match(text)
    return m


def _value(m) -> int:
    return numeral_value(m.group("cn") or m.group("ord"))


def _number_container(parsed: ParsedSource, c: _Container, version: str) -> None:
    """Refs for the paragraphs of one part, section or the preamble: in order from 1, except that
    one lead paragraph before items numbered 1…n makes the lead .0 and keeps the printed numbers."""
    entries = c.entries
    values = [value for _, _, value, _ in entries]
    first_item = next((i for i, v in enumerate(values) if v is not None), None)
    keep_printed = (first_item == 1 and not c.prefix.endswith(".0") and c.prefix != "0"
                    and values[1:] == list(range(1, len(values))))
    start = 0 if keep_printed else 1
    for k, (p, label, _, text) in enumerate(entries, start=start):
        ref = f"{c.prefix}.{k}"
        _add(parsed, ref, p, "clause", version, text=text, label=label)


# --- translations --------------------------------------------------------------------------

@dataclass
class EnglishSource:
    """A translation's paragraphs, the fates of its dropped lines and its repairs by line."""
    filename: str
    version: str
    paragraphs: list[Paragraph]
    dropped: dict[int, str]
    chinese_lines: set[int]  # paragraphs written in Chinese (a page's mix-up): kept, flagged


def parse_english(text: str, filename: str, version: str = "en") -> EnglishSource:
    """The paragraphs of a translation, Markdown removed and recorded."""
    dropped: dict[int, str] = {}
    found = paragraphs(text, chinese=False, dropped=dropped)
    if not found:
        raise SourceError(filename, None, "no text: every line is empty or formatting")
    chinese = {p.lines[0] for p in found if len(CJK.findall(p.text)) >= MIXED_CHINESE
               or len(CJK.findall(p.text)) > len(LATIN.findall(p.text)) / 4}
    return EnglishSource(filename, version, found, dropped, chinese)


def english_notes(source: EnglishSource, refs_of_line: dict[int, list[str]]) -> list[Note]:
    """Repair notes for the translation's cleaned lines, on the clause each line went under,
    and a translation note for every paragraph written in Chinese."""
    notes = []
    for p in source.paragraphs:
        refs = refs_of_line.get(p.lines[0], [])
        if not refs:
            continue
        where = f"line {p.lines[0]}" if len(p.lines) == 1 else f"lines {p.lines[0]}–{p.lines[-1]}"
        if p.repairs:
            notes.append(Note(refs[0], REPAIR, f"{source.filename} {where}: "
                              f"{describe_formatting(p.repairs)}.", version=source.version,
                              source=source.filename, line=p.lines[0], reading=p.raw))
        if p.lines[0] in source.chinese_lines:
            count = len(CJK.findall(p.text))
            notes.append(Note(refs[0], TRANSLATION, f"{source.filename} {where} holds Chinese text "
                              f"({count} Chinese characters), not translation: the source mixed "
                              f"the Chinese original into the translation here. Kept as found.",
                              version=source.version, source=source.filename, line=p.lines[0]))
    return notes


def fates(source: EnglishSource, refs_of_line: dict[int, list[str]]) -> dict[int, LineFate]:
    out = {n: LineFate(n, DROPPED, reason=reason) for n, reason in source.dropped.items()}
    for p in source.paragraphs:
        refs = tuple(refs_of_line.get(p.lines[0], ()))
        for n in p.lines:
            out[n] = LineFate(n, "used", refs, (source.version,))
    return out
