"""Measure paragraph placement (``reader.placement``) against the human pairings of real documents.

Plain Python, no Django. For every document folder under ``fixtures/documents`` with a pairing
in ``tests/reader/paragraph_pairs/<slug>.jsonl`` (one line per Chinese paragraph group:
``{"zh": [zh.txt lines], "en": [en.txt lines]}``), the Chinese is parsed into clauses by
``reader.sources.plain``, the English read one paragraph a line, and every English paragraph
placed. A paragraph is placed correctly when every piece of it lands under a clause whose
source lines meet the Chinese lines it is paired with; lines paired with no Chinese
(``"zh": []``: the Chinese is missing from zh.txt) and lines in no pair are not counted.

Leave-one-out: each document is placed with the parameters ``fit`` counts on the others, so the
figure says what a document nobody tuned anything on would get; it is also placed with the
shipped ``DEFAULTS`` (counted on all of them).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from reader.placement import DEFAULTS, Clause, Paragraph, Placed, fit, place

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "fixtures" / "documents"
PAIRS = ROOT / "tests" / "reader" / "paragraph_pairs"


@dataclass
class Document:
    slug: str
    clauses: list[Clause]
    paragraphs: list[Paragraph]
    lines: dict[str, tuple[int, ...]]  # ref -> the zh.txt lines it came from
    expected: dict[int, tuple[int, ...]]  # en.txt line -> the zh.txt lines it renders

    def allowed(self) -> dict[int, set[str]]:
        """en.txt line -> the refs it may go under (those that came from its Chinese lines)."""
        return {line: {ref for ref, lines in self.lines.items() if set(lines) & set(zh)}
                for line, zh in self.expected.items()}


@dataclass
class Result:
    slug: str
    measured: int
    correct: int
    misplaced: list[tuple[int, str, str]] = field(default_factory=list)  # line, placed, expected
    seconds: float = 0.0

    @property
    def share(self) -> float:
        return self.correct / self.measured if self.measured else 1.0


def load(slug: str) -> Document:
    from reader.sources.plain import parse_chinese, parse_english

    folder = DOCUMENTS / slug
    zh_text = (folder / "zh.txt").read_text(encoding="utf-8")
    en_text = (folder / "en.txt").read_text(encoding="utf-8")
    parsed = parse_chinese(zh_text, f"{slug}/zh.txt")
    clauses = [Clause(ref, parsed.kinds.get(ref, "clause"), passage.label, passage.text)
               for ref, passage in parsed.passages.items()]
    lines = {ref: tuple(passage.lines) for ref, passage in parsed.passages.items()}
    expected = {}
    for raw in (PAIRS / f"{slug}.jsonl").read_text(encoding="utf-8").splitlines():
        if raw.strip():
            pair = json.loads(raw)
            if pair["zh"]:
                for line in pair["en"]:
                    expected[line] = tuple(pair["zh"])
    english = parse_english(en_text, f"{slug}/en.txt")
    paragraphs = [Paragraph(p.lines[0], p.text, p.lead) for p in english.paragraphs]
    return Document(slug, clauses, paragraphs, lines, expected)


def slugs() -> list[str]:
    return sorted(p.stem for p in PAIRS.glob("*.jsonl") if (DOCUMENTS / p.stem / "zh.txt").exists())


def measure(document: Document, placed: list[Placed]) -> Result:
    allowed = document.allowed()
    refs_of: dict[int, list[str]] = {}
    for p in placed:
        refs_of.setdefault(p.line, []).append(p.ref)
    result = Result(document.slug, 0, 0)
    for line, ok in sorted(allowed.items()):
        result.measured += 1
        refs = refs_of.get(line, [])
        if refs and all(ref in ok for ref in refs):
            result.correct += 1
        else:
            result.misplaced.append((line, ", ".join(refs) or "nowhere", ", ".join(sorted(ok))))
    return result


def fitted(documents: list[Document]) -> dict:
    return fit((d.clauses, d.paragraphs, d.allowed()) for d in documents)


def evaluate(slugs_: list[str] | None = None) -> list[tuple[Result, Result]]:
    """(held-out, with DEFAULTS) results for each document."""
    documents = [load(slug) for slug in (slugs_ or slugs())]
    out = []
    for document in documents:
        others = [d for d in documents if d is not document]
        priors = fitted(others) if others else DEFAULTS
        started = time.perf_counter()
        held_out = measure(document, place(document.clauses, document.paragraphs, priors=priors))
        held_out.seconds = time.perf_counter() - started
        started = time.perf_counter()
        shipped = measure(document, place(document.clauses, document.paragraphs))
        shipped.seconds = time.perf_counter() - started
        out.append((held_out, shipped))
    return out
