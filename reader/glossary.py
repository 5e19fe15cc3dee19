"""The glossary of key terms, and where each term occurs and how each translation renders it.

Plain Python, no Django. ``load_glossary(path)`` reads ``fixtures/glossary.toml``: one entry per
Chinese term (simplified), with its category, a short gloss and, per version slug, the English
renderings the versions were found to use. ``occurrences`` finds every occurrence of every term
in the base text and, through the sentence alignment, its rendering in one translation.

Matching is the search's (``search.analysis.term_spans``): scripts folded, Latin words stemmed,
so the glossary lists a rendering once ("mass creation spaces" also finds "mass creation space").

A rendering is identified only where the glossary lists it for that version: within one bead,
the term's occurrences in the Chinese sentences and the listed renderings in the English ones
are paired in order; an occurrence left without one is "not identified", shown with its aligned
sentence and never guessed at. A term inside a longer glossary term (大众创业 in
大众创业、万众创新) is counted as the longer term only, and an English span is claimed by the
longest term first, so that one rendering never counts twice.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pypinyin import lazy_pinyin

from search.analysis import fold, term_spans

from .sources.base import SourceError, toml_error_line

CATEGORIES = {
    "plan": "The plan and its slogans",
    "technology": "Technologies and infrastructure",
    "economy": "Economy, finance and commerce",
    "governance": "Governance and society",
    "department": "Departments",
}


@dataclass(frozen=True)
class Term:
    zh: str
    category: str
    gloss: str
    renderings: dict[str, tuple[str, ...]]  # version slug -> renderings, most used first
    line: int | None = None  # in the glossary file

    def renderings_for(self, version: str) -> tuple[str, ...]:
        return self.renderings.get(version, ())

    @property
    def slug(self) -> str:
        return term_slug(self.zh)


def term_slug(zh: str) -> str:
    """A stable ASCII identifier from the pinyin: 众创空间 → zhong-chuang-kong-jian, 互联网+ →
    hu-lian-wang-plus (used in TBX ids and page anchors)."""
    parts = []
    for piece in lazy_pinyin(zh.replace("+", " plus "), errors=lambda s: s.split()):
        parts.extend(re.findall(r"[a-z0-9]+", piece.lower()))
    return "-".join(parts)


@dataclass(frozen=True)
class Glossary:
    filename: str
    terms: tuple[Term, ...]

    def as_data(self) -> list[dict]:
        return [{"zh": t.zh, "category": t.category, "gloss": t.gloss,
                 "renderings": {k: list(v) for k, v in sorted(t.renderings.items())}}
                for t in self.terms]


def load_glossary(path: Path) -> Glossary:
    """The glossary file, checked: every problem is a ``SourceError`` naming file and line."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourceError(name, None, "glossary file not found") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(name, None, f"not valid UTF-8 ({exc.reason})") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(name, toml_error_line(exc), str(exc)) from exc
    entries = data.get("terms")
    if not isinstance(entries, list) or not entries:
        raise SourceError(name, None, "expected a list of [[terms]]")
    lines = raw.split("\n")
    terms = []
    seen: dict[str, int | None] = {}
    slugs: dict[str, str] = {}
    for number, entry in enumerate(entries, start=1):
        zh = entry.get("zh") if isinstance(entry, dict) else None
        line = _line_of(lines, zh) if isinstance(zh, str) else None
        where = f"term {number}" + (f" ({zh})" if isinstance(zh, str) else "")
        if not isinstance(zh, str) or not zh.strip() or not term_spans(zh, zh):
            raise SourceError(name, line, f"{where}: `zh` must be a Chinese term")
        if fold(zh) in seen:
            raise SourceError(name, line, f"{where}: {zh} is listed twice "
                              f"(first at line {seen[fold(zh)]})")
        seen[fold(zh)] = line
        slug = term_slug(zh)
        if not slug or slug in slugs:
            raise SourceError(name, line, f"{where}: its identifier {slug!r} (from the pinyin) "
                              f"is not unique; " + (f"{slugs[slug]} has it too" if slug else ""))
        slugs[slug] = zh
        category = entry.get("category", "")
        if category not in CATEGORIES:
            raise SourceError(name, line, f"{where}: category {category!r} is not one of "
                              + ", ".join(CATEGORIES))
        gloss = entry.get("gloss", "")
        if not isinstance(gloss, str):
            raise SourceError(name, line, f"{where}: `gloss` must be text")
        renderings = entry.get("renderings", {})
        if not isinstance(renderings, dict):
            raise SourceError(name, line, f"{where}: `renderings` must map versions to lists")
        clean: dict[str, tuple[str, ...]] = {}
        for version, listed in renderings.items():
            if not isinstance(listed, list) or not all(isinstance(r, str) for r in listed):
                raise SourceError(name, line, f"{where}: renderings.{version} must be a list of text")
            for r in listed:
                if not term_spans(r, r):
                    raise SourceError(name, line, f"{where}: rendering {r!r} has no words to match")
            if len({fold(r) for r in listed}) != len(listed):
                raise SourceError(name, line, f"{where}: renderings.{version} lists a rendering twice")
            if listed:
                clean[version] = tuple(r.strip() for r in listed)
        terms.append(Term(zh.strip(), category, gloss.strip(), clean, line))
    return Glossary(name, tuple(terms))


def _line_of(lines: list[str], zh: str) -> int | None:
    pattern = re.compile(r'^\s*zh\s*=\s*"' + re.escape(zh) + '"')
    return next((n for n, text in enumerate(lines, start=1) if pattern.match(text)), None)


# --- occurrences ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a term in the base text and how one translation renders it."""
    term: str  # the glossary's Chinese
    ref: str
    sentence: int  # base sentence, 1-based
    start: int  # offsets in that sentence's text
    end: int
    version: str  # the translation
    aligned: tuple[int, ...]  # the translation's sentences aligned with the base sentence
    rendering: str = ""  # the glossary rendering found; "" if none was identified
    target_sentence: int | None = None  # where it was found, and its offsets there
    target_start: int | None = None
    target_end: int | None = None


Beads = list[tuple[list[int], list[int], float]]


def term_occurrences(glossary: Glossary, sentences: list[str]) -> dict[int, list[tuple[Term, int, int]]]:
    """Sentence number (1-based) -> [(term, start, end)] of a passage's base sentences, in
    text order, a term inside a longer term's occurrence left out."""
    by_length = sorted(glossary.terms, key=lambda t: -len(t.zh))
    out = {}
    for number, text in enumerate(sentences, start=1):
        taken: list[tuple[Term, int, int]] = []
        for term in by_length:
            for start, end in term_spans(text, term.zh):
                if not any(start < e and s < end for _, s, e in taken):
                    taken.append((term, start, end))
        if taken:
            out[number] = sorted(taken, key=lambda x: x[1])
    return out


def occurrences(glossary: Glossary, version: str, clauses, in_base: dict | None = None) -> list[Occurrence]:
    """Every occurrence of every term in the base text of the clauses a translation covers,
    with its rendering in that translation where the glossary identifies it.

    ``clauses``: iterable of (ref, base sentences, translation sentences, beads), beads 1-based
    ``([zh…], [en…], score)`` as stored. ``in_base``: ref -> ``term_occurrences`` of its base
    sentences, if the caller has them already (the same for every translation).
    """
    found = []
    for ref, source, target, beads in clauses:
        if not target:
            continue
        in_source = in_base[ref] if in_base is not None else term_occurrences(glossary, source)
        if not in_source:
            continue
        for zh, en, _ in beads:
            if not zh:
                continue
            chinese = [(term, number, start, end) for number in zh
                       for term, start, end in in_source.get(number, ())]
            renderings = _renderings_in(version, chinese, {j: target[j - 1] for j in en})
            for term, number, start, end in chinese:
                match = renderings.get(term.zh, [])
                if match:
                    rendering, j, s, e = match.pop(0)
                    found.append(Occurrence(term.zh, ref, number, start, end, version, tuple(en),
                                            rendering, j, s, e))
                else:
                    found.append(Occurrence(term.zh, ref, number, start, end, version, tuple(en)))
    return found


def _renderings_in(version: str, chinese: list, sentences: dict[int, str]
                   ) -> dict[str, list[tuple[str, int, int, int]]]:
    """Term -> [(rendering, sentence, start, end)] in text order: for each term of one bead's
    Chinese (``chinese``: (term, sentence, start, end)), as many of its listed renderings in the
    bead's translation ``sentences`` as it has occurrences.

    Terms choose in order of length, longest first, and a span once chosen is not chosen again,
    so 大众创业、万众创新 takes "mass entrepreneurship and innovation" before 大众创业 could take
    its first two words. A term prefers the renderings the glossary lists first (the version's
    usual ones): in "innovative factories, maker spaces … and other such new mass creation
    spaces", 众创空间 is "mass creation spaces", though "maker spaces" (创客空间) comes first.
    """
    needed: dict[str, int] = {}
    terms: dict[str, Term] = {}
    for term, *_ in chinese:
        needed[term.zh] = needed.get(term.zh, 0) + 1
        terms[term.zh] = term
    claimed: list[tuple[int, int, int]] = []
    out: dict[str, list[tuple[str, int, int, int]]] = {}
    for zh in sorted(terms, key=lambda z: (-len(z), z)):
        candidates = []
        for priority, rendering in enumerate(terms[zh].renderings_for(version)):
            for j, text in sentences.items():
                for s, e in term_spans(text, rendering):
                    candidates.append((priority, -(e - s), j, s, e, rendering))
        chosen = []
        for priority, _, j, s, e, rendering in sorted(candidates):
            if len(chosen) == needed[zh]:
                break
            if any(j == cj and s < ce and cs < e for cj, cs, ce in claimed):
                continue
            claimed.append((j, s, e))
            chosen.append((rendering, j, s, e))
        if chosen:
            out[zh] = sorted(chosen, key=lambda m: (m[1], m[2]))
    return out


# --- summaries ------------------------------------------------------------------------------

@dataclass
class Usage:
    """How one version renders one term across the document."""
    version: str
    counts: Counter = field(default_factory=Counter)  # rendering -> occurrences
    unidentified: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.unidentified

    @property
    def inconsistent(self) -> bool:
        return len(self.counts) > 1

    def ranked(self, listed=()) -> list[tuple[str, int]]:
        return ranked(self.counts, listed)


def ranked(counts: Counter, listed=()) -> list[tuple[str, int]]:
    """Renderings by use, most first; ties in the glossary's order (``listed``), then by text."""
    order = {r: i for i, r in enumerate(listed)}
    return sorted(counts.items(), key=lambda rc: (-rc[1], order.get(rc[0], len(order)), rc[0]))


def usage(found: list[Occurrence]) -> dict[tuple[str, str], Usage]:
    """(term, version) -> Usage."""
    out: dict[tuple[str, str], Usage] = {}
    for o in found:
        u = out.setdefault((o.term, o.version), Usage(o.version))
        if o.rendering:
            u.counts[o.rendering] += 1
        else:
            u.unidentified += 1
    return out
