"""What placement is given and gives back, and the units the English is cut into.

``Paragraph`` (a line of the English file) and ``Clause`` (a clause of the Chinese, as its parser
numbered it) go in, ``Placed`` comes out (all three re-exported by ``reader.placement``). Before
the search each paragraph becomes one unit, or two where a bold lead ends (``_units``), and a
paragraph that is mostly Chinese is marked to be left out of the alignment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    line: int  # 1-based line in the English file
    text: str  # bold markers already removed
    # Where a bold lead ended ("**1. Heading.** Body" -> len("1. Heading.")), None if none.
    lead: int | None = None


@dataclass(frozen=True)
class Clause:
    ref: str
    kind: str
    label: str
    text: str


@dataclass(frozen=True)
class Placed:
    ref: str  # the clause it goes under
    line: int  # the English paragraph's line
    text: str  # the paragraph, or the piece of it (split at a sentence boundary)
    score: float  # confidence in [0, 1]
    reason: str = ""  # for low scores, 0:1 and Chinese-in-English: one human sentence


# --- units --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Unit:
    paragraph: int  # index into the paragraphs
    start: int  # offsets into the paragraph's text
    end: int
    text: str
    chinese: bool  # mostly Chinese characters: not aligned
    cut: str  # how this unit begins: "" (a paragraph) or "lead" (the body after a bold lead)


CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_LETTER = re.compile("[A-Za-z]")


def _units(paragraphs: list[Paragraph]) -> list[_Unit]:
    units = []
    for index, paragraph in enumerate(paragraphs):
        text = paragraph.text
        chinese = _mostly_chinese(text)
        lead = paragraph.lead
        if (lead is not None and 0 < lead < len(text) and text[:lead].strip()
                and text[lead:].strip() and not chinese):
            rest = lead + len(text[lead:]) - len(text[lead:].lstrip())
            head_end = len(text[:lead].rstrip())
            units.append(_Unit(index, 0, head_end, text[:head_end], False, ""))
            units.append(_Unit(index, rest, len(text), text[rest:], False, "lead"))
        else:
            units.append(_Unit(index, 0, len(text), text, chinese, ""))
    return units


def _mostly_chinese(text: str) -> bool:
    """More Chinese than English by content (a Chinese character says about as much as four
    Latin letters; the plain parser's test for a Chinese paragraph in a translation)."""
    return len(CJK.findall(text)) > len(LATIN_LETTER.findall(text)) / 4


def _alignable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
