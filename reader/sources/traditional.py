"""Parser for the traditional-Chinese witness (004): Part 三 and the signature.

This module owns three repairs and nothing else:

* pinyin glosses glued to characters (``發(fā)展``) are removed;
* half-width punctuation is made full-width, as the simplified base prints it
  (by the same ``chinese.normalise`` the simplified witnesses go through);
* section headings garbled by an encoding round trip are rebuilt from their position and
  the simplified heading for that section, checked against what the bytes still say.

Characters are never converted to simplified here: zh-hant passages stay traditional, and
readings such as ``面向‘互聯網+’`` are kept as the witness prints them (the collation decides
what to make of them). Plain Python, no Django.
"""
from __future__ import annotations

import difflib
import re
from pathlib import PurePath

import opencc

from .base import REPAIR, Note, ParsedSource, Passage, SourceError, source_lines
from .chinese import normalise
from .numerals import CHINESE_NUMERALS, chinese, chinese_value

VERSION = "zh-hant"

_TONED_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
# One pinyin syllable, lowercase, tone marks allowed: (initial) vowels (final nasal / r).
_SYLLABLE = rf"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv{_TONED_VOWELS}]+(?:ng|n|r)?"
_CJK_CHAR = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PINYIN_GLOSS = re.compile(rf"(?<=[{_CJK_CHAR}?])\({_SYLLABLE}\)")

_PART_HEADING = re.compile(rf"^([{CHINESE_NUMERALS}]+)、(.+)$")
_SECTION_HEADING = re.compile(rf"^(（([{CHINESE_NUMERALS}]+)）)(.+。)$")
_NUMBERED_ITEM = re.compile(r"^(\d{1,4})[.．]\s*(.+)$")
_DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")

# A garbled heading is accepted only if its bytes still confirm this share of the rebuild.
_MIN_AGREEMENT = 0.5

_s2t = opencc.OpenCC("s2t")
_t2s = opencc.OpenCC("t2s")


def strip_pinyin(line: str) -> tuple[str, int]:
    """Remove parenthesised pinyin syllables glued after a character; return (text, count).

    Real parentheses (``(專項、基金等)``, ``(IPv6)``) do not hold a lone lowercase syllable
    and are left alone.
    """
    return _PINYIN_GLOSS.subn("", line)


def _short_name(filename: str) -> str:
    """``004_e16acc4d9ceec0b3.txt`` → ``004``: how notes name the witness in prose."""
    stem = PurePath(filename).stem
    return stem.split("_", 1)[0] or stem


def decode_round_trip(line: str) -> str:
    """What is left of a garbled heading once the bad round trip is undone, as far as it can be.

    The line was GBK bytes shifted by one byte and read again as GBK: drop the leading '?'
    (a lost byte), re-encode as GBK, drop the first byte, decode again. Glosses the shift
    hid (``發(fā)``) surface on decoding and are removed too. Undecodable bytes show as U+FFFD.
    """
    text, _ = strip_pinyin(line)
    text = text.lstrip("?")
    recovered = text.encode("gbk", errors="replace")[1:].decode("gbk", errors="replace")
    recovered, _ = strip_pinyin(recovered)
    return recovered


def reconstruct_heading(recovered: str, simplified: str) -> tuple[str, int, list[tuple[str, str]]]:
    """Rebuild a traditional heading from its simplified text and a partial byte recovery.

    The simplified heading is converted with OpenCC s2t; where the recovery lines up with it
    character for character (difflib, equal-length blocks) and the recovered character is a
    traditional form of the same simplified character, the witness's own form is kept (its
    ``寬松``, not OpenCC's ``寬鬆``). Returns the heading, how many of its characters the
    recovery confirms, and the (OpenCC, witness) pairs where the witness's form was preferred.
    """
    simplified, _ = normalise(simplified)
    converted = _s2t.convert(simplified)
    if len(converted) != len(simplified):  # s2t is one-to-one in practice; never misalign
        simplified = _t2s.convert(converted)
    rebuilt = list(converted)
    agreeing = 0
    preferred: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, converted, recovered, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            agreeing += i2 - i1
        elif op == "replace" and i2 - i1 == j2 - j1:
            for i, j in zip(range(i1, i2), range(j1, j2)):
                witness = recovered[j]
                if len(simplified) == len(converted) and _t2s.convert(witness) == simplified[i]:
                    preferred.append((converted[i], witness))
                    rebuilt[i] = witness
                    agreeing += 1
    return "".join(rebuilt), agreeing, preferred


def _summary_note(ref: str, filename: str, line: int, glosses: int, marks: int) -> Note | None:
    parts = []
    if glosses:
        parts.append(f"{glosses} pinyin gloss{'es' if glosses != 1 else ''} removed")
    if marks:
        parts.append(f"{marks} half-width punctuation mark{'s' if marks != 1 else ''} made full-width")
    if not parts:
        return None
    return Note(ref=ref, kind=REPAIR, version=VERSION, source=filename, line=line,
                body=f"{_short_name(filename)} line {line}: {'; '.join(parts)}.")


def _clean(raw: str) -> tuple[str, int, int]:
    text, glosses = strip_pinyin(raw)
    text, counts = normalise(text)
    return text, glosses, sum(counts.values())


def parse_traditional(text: str, filename: str, simplified_headings: dict[str, str]) -> ParsedSource:
    """Parse the traditional witness: one part heading, its sections and items, a signature.

    ``simplified_headings`` maps section refs ("3.1") to the simplified base heading
    ("（一）夯实发展基础。"); it is used only to rebuild headings the witness garbled.
    """
    parsed = ParsedSource(filename=filename, version=VERSION)
    lines = source_lines(text)
    if not lines:
        raise SourceError(filename, None, "the file is empty")

    # The signature closes the file: the issuer's name, then the date.
    if len(lines) < 2 or not _DATE_LINE.match(lines[-1][1].strip()):
        raise SourceError(filename, lines[-1][0], "expected the signature date on the last line")
    issuer_no, issuer = lines[-2]
    if "。" in issuer or _NUMBERED_ITEM.match(issuer) or _PART_HEADING.match(issuer):
        raise SourceError(filename, issuer_no, "expected the issuer's name before the signature date")
    body, signature = lines[:-2], lines[-2:]

    first_no, first = body[0] if body else signature[0]
    part_match = _PART_HEADING.match(first.strip()) if body else None
    if not part_match:
        raise SourceError(filename, first_no, "expected a part heading such as 三、保障支撐")
    part_numeral = part_match.group(1)
    try:
        part_ref = str(chinese_value(part_numeral))
    except ValueError:
        raise SourceError(filename, first_no, f"part number {part_numeral} is not a Chinese numeral") from None
    part_text, glosses, marks = _clean(part_match.group(2).strip())
    parsed.add(Passage(ref=part_ref, text=f"{part_numeral}、{part_text}", lines=(first_no,), label=f"{part_numeral}、"))
    if note := _summary_note(part_ref, filename, first_no, glosses, marks):
        parsed.notes.append(note)

    section = 0
    section_ref = ""
    item = 0
    for line_no, raw in body[1:]:
        stripped = raw.strip()
        item_match = _NUMBERED_ITEM.match(stripped)
        if item_match:
            if not section_ref:
                raise SourceError(filename, line_no,
                                  f"numbered item before any section heading of Part {part_numeral}")
            number = int(item_match.group(1))
            if number != item + 1:
                hint = " (a section heading is missing?)" if number == 1 else ""
                raise SourceError(filename, line_no,
                                  f"item {number} follows item {item} of section {section_ref}{hint}")
            item = number
            ref = f"{section_ref}.{number}"
            item_text, glosses, marks = _clean(item_match.group(2))
            parsed.add(Passage(ref=ref, text=f"{number}.{item_text}", lines=(line_no,), label=f"{number}."))
            if note := _summary_note(ref, filename, line_no, glosses, marks):
                parsed.notes.append(note)
            continue

        if _PART_HEADING.match(stripped):
            raise SourceError(filename, line_no, f"a second part heading; this witness covers Part {part_numeral} only")

        # Anything else stands where a section heading stands: the next section in order.
        if section_ref and item == 0:
            raise SourceError(filename, line_no, f"section {section_ref} has no numbered items")
        section += 1
        section_ref = f"{part_ref}.{section}"
        item = 0
        expected_label = f"（{chinese(section)}）"
        cleaned, glosses, marks = _clean(stripped)
        heading_match = _SECTION_HEADING.match(cleaned)
        if heading_match:
            label, heading_text = heading_match.group(1), heading_match.group(3)
            if label != expected_label:
                raise SourceError(filename, line_no,
                                  f"section {label} where section {expected_label} of Part {part_numeral} "
                                  "should come: a section is missing or out of order")
            parsed.add(Passage(ref=section_ref, text=label + heading_text, lines=(line_no,), label=label))
            if note := _summary_note(section_ref, filename, line_no, glosses, marks):
                parsed.notes.append(note)
            continue

        parsed.add(_repair_garbled_heading(parsed, raw=stripped, line_no=line_no, ref=section_ref,
                                           position=section, part_numeral=part_numeral,
                                           simplified_headings=simplified_headings))

    if section_ref and item == 0:
        raise SourceError(filename, body[-1][0], f"section {section_ref} has no numbered items")

    signature_text = "\n".join(normalise(strip_pinyin(raw.strip())[0])[0] for _, raw in signature)
    parsed.add(Passage(ref="signature", text=signature_text, lines=tuple(n for n, _ in signature)))
    return parsed


def _repair_garbled_heading(parsed: ParsedSource, *, raw: str, line_no: int, ref: str, position: int,
                            part_numeral: str, simplified_headings: dict[str, str]) -> Passage:
    """Rebuild the heading of section ``position`` from the simplified text; record a note."""
    filename = parsed.filename
    expected_label = f"（{chinese(position)}）"
    simplified = simplified_headings.get(ref)
    if not simplified:
        raise SourceError(filename, line_no,
                          f"line is neither a numbered item nor a section heading, and no simplified "
                          f"heading for section {ref} was given to rebuild it from")
    recovered = decode_round_trip(raw)
    heading, agreeing, preferred = reconstruct_heading(recovered, simplified)
    heading_match = _SECTION_HEADING.match(heading)
    if not heading_match or heading_match.group(1) != expected_label:
        raise SourceError(filename, line_no,
                          f"the simplified heading for section {ref} ({simplified}) is not "
                          f"section {expected_label}")
    if agreeing < _MIN_AGREEMENT * len(heading):
        raise SourceError(filename, line_no,
                          f"line is neither a numbered item nor a section heading, and its bytes "
                          f"(“{recovered}”) do not match the heading of section {expected_label}")
    if agreeing == len(heading):
        agreement = "which agrees in every character"
    else:
        agreement = (f"which agrees in {agreeing} of the heading's {len(heading)} characters; "
                     "the rest is the simplified text converted to traditional")
    kept = ""
    if preferred:
        pairs = "、".join(f"{witness} (OpenCC: {opencc_form})" for opencc_form, witness in preferred)
        kept = f" Where the bytes give another traditional form of the same character the witness's is kept: {pairs}."
    body = (f"Heading garbled by an encoding round trip; reconstructed from its position "
            f"(section {position} of Part {part_numeral}) and the simplified text; the bytes decode "
            f"in part to “{recovered}”, {agreement}.{kept}")
    parsed.notes.append(Note(ref=ref, kind=REPAIR, version=VERSION, source=filename, line=line_no,
                             reading=raw, adopted=heading, body=body))
    return Passage(ref=ref, text=heading_match.group(1) + heading_match.group(3), lines=(line_no,), label=heading_match.group(1))
