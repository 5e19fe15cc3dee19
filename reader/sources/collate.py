"""Collate Chinese witnesses into one base text and record every other reading.

Method. For each clause the witnesses that cover it are compared with the first of them in
priority order (the copy text), character by character (``difflib``). Each place where some
witness differs is a *site*. At a site the reading with the most witnesses wins; a tie is
broken by evidence from the whole document: how often each reading, with a character of
context either side, is attested anywhere in the witnesses (``互联网+`` is printed dozens of
times, ``互联网十`` only where one OCR copy misread it; ``面向`` is common, ``面身`` occurs
once). A tie that the evidence cannot break keeps the copy text. Every reading not adopted is
kept as a VARIANT note naming its file and line, with the reason the other was preferred.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from .base import VARIANT, Note, ParsedSource, Passage


# same(witness, copy_reading, start, end) -> True when the witness's characters start:end are
# only another spelling of copy_reading (a script conversion artefact), not a variant.
Same = Callable[[str, str, int, int], bool]


@dataclass
class Site:
    start: int  # span in the copy text
    end: int
    readings: dict[str, list[str]]  # reading -> filenames of the witnesses that have it


def _sites(copy: str, others: list[tuple[str, str]], copy_name: str,
           same: Same | None = None) -> list[Site]:
    """Sites where any witness differs from the copy text, with who reads what.

    A replacement of equal length is split into one site per character, so that two
    neighbouring differences (面身“ against 面向‘) are weighed separately.
    """
    spans: dict[tuple[int, int], dict[str, str]] = {}
    for name, text in others:
        ops = difflib.SequenceMatcher(None, copy, text, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                continue
            if tag == "replace" and i2 - i1 == j2 - j1:
                pieces = [(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
            else:
                pieces = [(i1, i2, j1, j2)]
            for a, b, c, d in pieces:
                if copy[a:b] == text[c:d] or (same and same(name, copy[a:b], c, d)):
                    continue
                spans.setdefault((a, b), {})[name] = text[c:d]
    sites = []
    for (i1, i2), differing in sorted(spans.items()):
        readings: dict[str, list[str]] = {copy[i1:i2]: [copy_name]}
        for name, _ in others:
            reading = differing.get(name)
            if reading is None:
                if _touches(spans, name, i1, i2):
                    continue  # this witness differs here in another way; counted at that site
                reading = copy[i1:i2]
            readings.setdefault(reading, []).append(name)
        sites.append(Site(i1, i2, readings))
    return sites


def _touches(spans, name, i1, i2) -> bool:
    for (a, b), differing in spans.items():
        if name in differing and (a, b) != (i1, i2) and a < max(i2, i1 + 1) and max(b, a + 1) > i1:
            return True
    return False


def _attestations(reading: str, left: str, right: str, corpus: str) -> int:
    """How often the reading occurs in the witnesses with its neighbours, or next to one."""
    whole = corpus.count(left + reading + right)
    if not reading:
        return whole
    return whole + corpus.count(left + reading) + corpus.count(reading + right)


def collate(witnesses: list[ParsedSource], version: str = "zh-hans",
            same: Callable[[str, str, str, int, int], bool] | None = None,
            ) -> tuple[ParsedSource, list[Note]]:
    """The base text of ``version`` from ``witnesses`` (in priority order) and its variants.

    Passages come in the document order of the witness that covers the most clauses.
    ``same(witness, ref, copy_reading, start, end)`` may declare a difference no variant.
    """
    fullest = max(witnesses, key=lambda w: len(w.passages))
    order = list(fullest.passages)
    for w in witnesses:  # a clause only a lesser witness has (none today) goes after its neighbour
        for ref in w.passages:
            if ref not in order:
                order.append(ref)
    corpus = "\n".join(p.text for w in witnesses for p in w.passages.values())
    base = ParsedSource("(collated)", version)
    notes: list[Note] = []
    for ref in order:
        covering = [w for w in witnesses if ref in w.passages]
        copy_w = covering[0]
        copy = copy_w.passages[ref].text
        others = [(w.filename, w.passages[ref].text) for w in covering[1:]]
        line_of = {w.filename: w.passages[ref].lines[0] for w in covering}
        same_here = (lambda name, reading, a, b: same(name, ref, reading, a, b)) if same else None
        decisions = []  # (site, ranked readings, why), in text order
        for site in _sites(copy, others, copy_w.filename, same_here):
            left = copy[max(0, site.start - 1):site.start]
            right = copy[site.end:site.end + 1]
            ranked = sorted(site.readings.items(), key=lambda kv: (
                -len(kv[1]),
                -_attestations(kv[0], left, right, corpus),
                0 if copy_w.filename in kv[1] else 1))
            adopted, supporters = ranked[0]
            if len(supporters) > len(ranked[1][1]):
                why = f"adopted the reading of {', '.join(supporters)} (majority of witnesses)"
            else:
                why = (f"adopted “{adopted or '∅'}”, attested {_attestations(adopted, left, right, corpus)} "
                       f"times in the witnesses, over “{ranked[1][0] or '∅'}”, attested "
                       f"{_attestations(ranked[1][0], left, right, corpus)} times")
            decisions.append((site, ranked, why))
        # Apply the adopted readings, remembering where each site lands in the final text.
        text, shift, placed = copy, 0, []
        for site, ranked, why in decisions:
            adopted = ranked[0][0]
            start = site.start + shift
            text = text[:start] + adopted + text[start + site.end - site.start:]
            shift += len(adopted) - (site.end - site.start)
            placed.append((start, start + len(adopted), ranked, why))
        for start, end, ranked, why in placed:
            adopted = ranked[0][0]
            context_l, context_r = text[max(0, start - 4):start], text[end:end + 4]
            for reading, names in ranked[1:]:
                for name in names:
                    notes.append(Note(
                        ref, VARIANT,
                        f"{name} line {line_of[name]} reads “…{context_l}{reading or '∅'}{context_r}…” "
                        f"where the text has “…{context_l}{adopted or '∅'}{context_r}…”; {why}.",
                        version=version, source=name, line=line_of[name],
                        reading=reading, adopted=adopted))
        passage = copy_w.passages[ref]
        base.passages[ref] = Passage(ref, text, passage.lines, passage.label)
    notes.sort(key=lambda n: order.index(n.ref))
    return base, notes
