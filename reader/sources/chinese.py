"""Parse a Chinese witness of a State Council document into passages keyed by clause ref.

A witness is one source file (or the Chinese half of one) in simplified characters. Parsing
normalises what is not substance (punctuation width, quote direction, the U+2015 dash, and, for
PDF extractions, line-break spaces) and records every such change as a REPAIR note on the
passage, so a reader can see what differs from the source line. Substantive disagreements
between witnesses are the business of ``collate``.

The structure is the document's own: a title, addressees, preamble paragraphs, parts
(``一、``), sections (``（一）``), then either unnumbered paragraphs (Part 一), a lead paragraph
plus numbered items (Part 二) or numbered items only (Part 三), and a signature.
"""
from __future__ import annotations

import re
from collections import Counter

from .base import (METADATA, REPAIR, LineFate, Note, ParsedSource, Passage,
                   SourceError, source_lines)
from .numerals import CHINESE_NUMERALS as NUMERALS
from .numerals import chinese_value as numeral_value

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Lines that belong to the page a witness was copied from, not to the document.
FURNITURE = {
    "在本页阅读全文": "web page furniture: a 'read the full text on this page' link",
}
FURNITURE_PATTERNS = [
    (re.compile(r"^[（(]下转第[一二三四五六七八九十\d]+版[）)]$"),
     "print furniture: a newspaper 'continued on page N' line"),
]

TITLE = re.compile(r"^国务院关于.+的(指导)?意见$")
NUMBER = re.compile(r"^国发〔\d{4}〕\d+号$")
ADDRESSEES = re.compile(r"^各.+[：:]$")
PART = re.compile(rf"^([{NUMERALS}]+)、")
SECTION = re.compile(rf"^[（(]\s*([{NUMERALS}]+)\s*[）)]")
ITEM = re.compile(r"^(\d{1,4})[.．、]")  # more digits is no item number
ISSUER = re.compile(r"^中华人民共和国国务院$")
DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
RESPONSIBILITY = re.compile(r"^[（(][^（()）]+负责[^（()）]*[）)]$")


# --- normalisation -------------------------------------------------------------------------

HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}
QUOTES = "\"“”"


def normalise(text: str, *, layout_spaces: bool = False) -> tuple[str, Counter]:
    """Standard Chinese punctuation; returns the text and a count of each kind of change.

    ``layout_spaces``: the witness is a PDF extraction whose spaces are line breaks, so every
    space next to a Chinese character or full-width mark is removed. Other witnesses keep their
    spaces (``《中共中央 国务院关于…》`` has a real one).
    """
    counts: Counter = Counter()
    if "\u2015" in text:
        counts["dashes"] += text.count("\u2015")
        text = text.replace("\u2015", "\u2014")
    if layout_spaces:
        text = _drop_spaces(text, counts)
    out = []
    for i, ch in enumerate(text):
        if ch in HALF_TO_FULL:
            prev = text[i - 1] if i else ""
            nxt = text[i + 1] if i + 1 < len(text) else ""
            # keep "1,000" and "3:2"; a full stop is left alone (item labels are "1.")
            if ch in ",:" and prev.isdigit() and nxt.isdigit():
                out.append(ch)
                continue
            counts["width"] += 1
            out.append(HALF_TO_FULL[ch])
        else:
            out.append(ch)
    text = "".join(out)
    # Double quotes pair up: the odd ones open, the even ones close.
    out, opening = [], True
    for ch in text:
        if ch in QUOTES:
            want = "“" if opening else "”"
            if ch == '"':
                counts["width"] += 1
            elif ch != want:
                counts["quotes"] += 1
            out.append(want)
            opening = not opening
        else:
            out.append(ch)
    return "".join(out), counts


def _drop_spaces(text: str, counts: Counter) -> str:
    def keep(a: str, b: str) -> bool:
        return a.isascii() and a.isalnum() and b.isascii() and b.isalnum()
    out = []
    for i, ch in enumerate(text):
        if ch in " \u3000" and 0 < i < len(text) - 1:
            prev = out[-1] if out else ""
            nxt = text[i + 1]
            if nxt in " \u3000":
                counts["spaces"] += 1
                continue
            if not keep(prev, nxt):
                counts["spaces"] += 1
                continue
        out.append(ch)
    return "".join(out).strip()


REPAIR_WORDS = {
    "spaces": "PDF line-break space(s) removed",
    "width": "half-width punctuation mark(s) made full-width",
    "quotes": "quotation mark(s) turned the right way",
    "dashes": "U+2015 bar(s) replaced by the em dash",
}


def describe_repairs(counts: Counter) -> str:
    return "; ".join(f"{counts[k]} {REPAIR_WORDS[k]}" for k in REPAIR_WORDS if counts.get(k))


# --- parsing -------------------------------------------------------------------------------

def _number(numeral: str, filename: str, n: int, what: str) -> int:
    try:
        return numeral_value(numeral)
    except ValueError:
        raise SourceError(filename, n, f"{what} number {numeral} is not a Chinese numeral") from None


def parse_witness(text: str, filename: str, *, version: str = "zh-hans",
                  layout_spaces: bool = False, first_line: int = 1,
                  last_line: int | None = None) -> ParsedSource:
    """Passages of a simplified Chinese witness, lines ``first_line``..``last_line`` only.

    Lines outside that range are left without a fate for another parser to account for.
    """
    if last_line is not None and text.count("\n") + 1 < last_line:
        # A file cut short would otherwise just feed fewer clauses, and the error would surface
        # later, in whichever source needed the missing text.
        lines = source_lines(text)
        raise SourceError(filename, lines[-1][0] if lines else None,
                          f"the file ends before line {last_line}, where this witness should end: "
                          f"is it truncated?")
    parsed = ParsedSource(filename, version)
    part = section = 0
    para = item = 0
    lead_ref: str | None = None
    signature: list[tuple[int, str]] = []

    def add(ref: str, n: int, line: str, label: str = "") -> None:
        clean, counts = normalise(line, layout_spaces=layout_spaces)
        parsed.add(Passage(ref, clean, (n,), label))
        if counts:
            parsed.notes.append(Note(ref, REPAIR, f"{filename} line {n}: {describe_repairs(counts)}.",
                                     version=version, source=filename, line=n, reading=line))

    for n, line in source_lines(text):
        if n < first_line or (last_line is not None and n > last_line):
            continue
        line = line.strip()
        if line in FURNITURE:
            parsed.drop(n, FURNITURE[line])
            continue
        furniture = next((why for rx, why in FURNITURE_PATTERNS if rx.match(line)), None)
        if furniture:
            parsed.drop(n, furniture)
            continue
        if signature or ISSUER.match(line):
            if not (ISSUER.match(line) or DATE.match(line)):
                raise SourceError(filename, n, f"unexpected text after the signature: {line[:30]}")
            signature.append((n, line))
            continue
        if part == 0 and TITLE.match(normalise(line)[0]):
            add("title", n, line)
            continue
        if part == 0 and NUMBER.match(line):
            parsed.metadata["number"] = line
            parsed.fates[n] = LineFate(n, METADATA, versions=(version,),
                                       reason="document number (document metadata)")
            continue
        if part == 0 and not parsed.passages.get("0.1") and ADDRESSEES.match(line):
            add("addressees", n, line)
            continue
        m = PART.match(line)
        if m:
            part = _number(m.group(1), filename, n, "part")
            expected = max((int(r) for r in parsed.passages if r.isdigit()), default=0) + 1
            if part != expected and parsed.passages:
                raise SourceError(filename, n, f"part {m.group(1)} where part {expected} was expected")
            section = para = item = 0
            lead_ref = None
            add(str(part), n, line, m.group(0))
            continue
        m = SECTION.match(line)
        if m and part and len(line) < 40:
            value = _number(m.group(1), filename, n, "section")
            if value != section + 1:
                raise SourceError(filename, n, f"section ({m.group(1)}) where section {section + 1} was expected")
            section, para, item, lead_ref = value, 0, 0, None
            add(f"{part}.{section}", n, line, normalise(m.group(0).replace(" ", ""))[0])
            continue
        m = ITEM.match(line)
        if m and part:
            if not section:
                raise SourceError(filename, n, "a numbered item before any section heading")
            value = int(m.group(1))
            if value != item + 1:
                raise SourceError(filename, n, f"item {value} where item {item + 1} was expected")
            item = value
            add(f"{part}.{section}.{item}", n, line, m.group(0))
            continue
        if part == 0:
            para += 1
            add(f"0.{para}", n, line)
            continue
        if not section:
            raise SourceError(filename, n, f"text before the first section of part {part}: {line[:30]}")
        if item:
            raise SourceError(filename, n, f"an unnumbered paragraph after item {item}: {line[:30]}")
        if part == 1:
            para += 1
            add(f"{part}.{section}.{para}", n, line)
            continue
        # Parts 二 and 三: one lead paragraph before the items (ref N.M.0).
        if lead_ref and RESPONSIBILITY.match(line):
            # The PDF split the lead paragraph before its responsibility parenthesis: rejoin.
            passage = parsed.passages[lead_ref]
            clean, counts = normalise(line, layout_spaces=layout_spaces)
            passage.text += clean
            passage.lines += (n,)
            parsed.fates[n] = LineFate(n, "used", (lead_ref,), (version,))
            parsed.notes.append(Note(
                lead_ref, REPAIR,
                f"{filename} lines {passage.lines[0]} and {n}: the lead paragraph is split in two "
                f"before its responsibility parenthesis; rejoined."
                + (f" Line {n}: {describe_repairs(counts)}." if counts else ""),
                version=version, source=filename, line=n, reading=line))
            continue
        if lead_ref:
            raise SourceError(filename, n, f"a second unnumbered paragraph in section {part}.{section}")
        lead_ref = f"{part}.{section}.0"
        add(lead_ref, n, line)

    if signature:
        lines = tuple(n for n, _ in signature)
        parsed.add(Passage("signature", "\n".join(t for _, t in signature), lines))
    return parsed
