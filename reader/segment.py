"""Split a passage into sentences, in Chinese or English. Plain Python, no Django.

Every function returns ``Span``s with offsets into the passage, so the sentences are exactly
the passage's own text: joined with the whitespace between them they give the passage back.

Chinese: a sentence ends after 。！？ together with any closing quote or bracket; a line break
also ends one (the signature's two lines). So an item's heading (``1.强化创业创新支撑。``) is its
first sentence and a trailing responsibility parenthesis (``（发展改革委……等负责）``) is a
sentence of its own.

English: pysbd (rule-based sentence boundary disambiguation, which knows ``etc.``, ``e.g.``,
``No.``) and then three repairs for what policy translations do: a clause label on its own
(``3.``, ``(3)``) is joined to the sentence it labels; a stray closing bracket that starts a
segment (``etc.). ) Open source``) goes back to the sentence it closes; a responsibility
parenthesis at the end of a passage is a sentence of its own, as in the Chinese, even where
the translation left out the full stop before it; a segment that starts with a comma (pysbd cut
at "areas., borrow") goes back to the sentence it continues.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
import threading

CLOSERS = "”’」』）》〕】)\"'"
ZH_END = re.compile(rf"[。！？]+[{re.escape(CLOSERS)}]*|\n")
LABEL_ONLY = re.compile(r"^\s*(\(?[0-9IVXivx]{1,4}[.)]|\([0-9IVX]{1,4}\))\s*$")
RESPONSIBILITY_EN = re.compile(r"\((?:[^()]|\([^()]*\))*\)\s*$")
# Words that make a closing parenthesis a list of responsible bodies, not an aside.
BODIES = re.compile(r"\b(Ministry|Commission|Office|Administration|Bureau|Bank|departments|"
                    r"governments|responsible|lead)\b")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def _spans(text: str, cuts: list[int]) -> list[Span]:
    """Spans between cut offsets, whitespace trimmed, empty ones dropped."""
    out = []
    for a, b in zip([0, *cuts], [*cuts, len(text)]):
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if piece.strip():
            out.append(Span(a + lead, b - trail, piece.strip()))
    return out


def chinese_sentences(text: str) -> list[Span]:
    return _spans(text, [m.end() for m in ZH_END.finditer(text)])


_local = threading.local()


def _segmenter():
    """pysbd's segmenter, one per thread: ``segment()`` keeps the text it works on in the
    object, so two threads sharing one (gunicorn's threaded workers) would mix their texts."""
    segmenter = getattr(_local, "segmenter", None)
    if segmenter is None:
        import pysbd
        segmenter = _local.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return segmenter


def english_sentences(text: str) -> list[Span]:
    cuts: list[int] = []
    for line_start, line in _lines(text):
        for span in _segmenter().segment(line):
            if span.start > 0:
                cuts.append(line_start + span.start)
        cuts.append(line_start + len(line))
    cuts = sorted(set(c for c in cuts if 0 < c < len(text)))
    spans = _spans(text, cuts)
    return _repair_english(text, spans)


def _lines(text: str):
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1


def _repair_english(text: str, spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    pending_label: Span | None = None
    for span in spans:
        if pending_label:
            span = Span(pending_label.start, span.end, text[pending_label.start:span.end])
            pending_label = None
        if LABEL_ONLY.match(span.text):
            pending_label = span
            continue
        if span.text[0] in ",;:" and out:
            # pysbd cut after a full stop that a comma follows ("areas., borrow"): rejoin.
            prev = out.pop()
            span = Span(prev.start, span.end, text[prev.start:span.end])
        stray = re.match(r"^\)\s*", span.text)
        if stray and out and "\n" not in text[out[-1].end:span.start]:
            # ")" that closes the previous sentence's bracket: give it back.
            prev = out.pop()
            cut = span.start + stray.end()
            out.append(Span(prev.start, span.start + 1, text[prev.start:span.start + 1]))
            if text[cut:span.end].strip():
                span = Span(cut, span.end, text[cut:span.end])
            else:
                continue
        out.append(span)
    if pending_label:
        out.append(pending_label)
    if out:
        out[-1:] = _split_final_parenthesis(text, out[-1])
    return out


def _split_final_parenthesis(text: str, span: Span) -> list[Span]:
    """"… platforms. (Ministry of …, are responsible)" → the sentence and the parenthesis."""
    m = RESPONSIBILITY_EN.search(span.text)
    if not m or m.start() == 0:
        return [span]
    before = span.text[:m.start()].rstrip()
    if not (before.endswith((".", "!", "?", ".”", ".\"")) or BODIES.search(m.group(0))):
        return [span]
    cut = span.start + m.start()
    return [Span(span.start, span.start + len(before), before), Span(cut, span.end, text[cut:span.end])]


def sentences(text: str, language: str) -> list[Span]:
    """Sentences of ``text`` in a BCP 47 ``language`` (zh-Hans, zh-Hant, en …)."""
    return chinese_sentences(text) if language.lower().startswith("zh") else english_sentences(text)
