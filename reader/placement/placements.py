"""From the search's best path to ``Placed``: scores, reasons, and paragraphs re-cut.

Each unit gets the clause its bead gave it, scored by its posterior (0:1 units and paragraphs
with Chinese in them at most ``SKIP_SCORE``, with a reason); then each boundary between clauses
is weighed again sentence by sentence in the units on either side of it, and a paragraph that
renders the end of one clause and the start of the next is cut at a sentence boundary
(``INNER_CUT``, ``SPAN_CUT``); units not aligned follow the paragraph before them, and
neighbouring pieces under one clause are joined into one ``Placed``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from reader.segment import english_sentences

from .features import EN_SENTENCE_END, _UnitFeatures, _pair, _sentence_texts, _unit_features
from .model import CHINESE_INSIDE, SKIP_SCORE, TEMPERATURE
from .search import ONE_TO_K, ONE_TO_ZERO, ZERO_TO_ONE, _Bead, _evidence, _label, _Table
from .units import CJK, Paragraph, Placed, _Unit


# --- from the path to placements --------------------------------------------------------------

@dataclass
class _Piece:
    start: int  # offsets into the paragraph's text
    end: int
    clause: int
    score: float
    reason: str = ""


def _placements(table: _Table, paragraphs: list[Paragraph], path: list[_Bead],
                marginals: dict) -> list[Placed]:
    clauses, units = table.clauses, table.units
    by_unit: dict[int, dict[int, float]] = {}
    for (v, i), p in marginals.items():
        by_unit.setdefault(v, {})[i] = p
    pieces: dict[int, list[_Piece]] = {}  # aligned unit -> its pieces
    owner: list[int | None] = [None] * table.m  # the clause of each unit a 1:k bead placed
    for b in path:
        if b.kind == ZERO_TO_ONE:
            unit = units[table.aligned[b.u]]
            after = max(b.i - 1, 0)
            score = SKIP_SCORE * by_unit.get(b.u, {}).get(-1, 0.0)
            where = f"after {clauses[after].ref}" if b.i else f"before {clauses[after].ref}"
            pieces[b.u] = [_Piece(unit.start, unit.end, after, score,
                                  f"no Chinese paragraph matches it; placed {where}")]
        elif b.kind == ONE_TO_K:
            for v in range(b.u, b.u + b.du):
                unit = units[table.aligned[v]]
                owner[v] = b.i
                score = min(1.0, by_unit.get(v, {}).get(b.i, 0.0))
                pieces[v] = [_Piece(unit.start, unit.end, b.i, score,
                                    _doubt(clauses, by_unit.get(v, {}), b.i, score))]
    _recut_boundaries(table, owner, pieces)
    for v, unit_pieces in pieces.items():
        text = units[table.aligned[v]].text
        chinese = len(CJK.findall(text))
        if chinese >= CHINESE_INSIDE:
            for piece in unit_pieces:
                piece.score = min(piece.score, SKIP_SCORE)
                piece.reason = (f"it holds {chinese} Chinese characters: part of it is not a "
                                f"translation" + (f"; {piece.reason}" if piece.reason else ""))
    ordered: list[tuple[int, _Piece]] = []
    previous = None
    aligned_as = {k: v for v, k in enumerate(table.aligned)}
    for k, unit in enumerate(units):
        v = aligned_as.get(k)
        if v is not None:
            ordered.extend((k, piece) for piece in pieces[v])
            previous = pieces[v][-1].clause
            continue
        # Not aligned (mostly Chinese, or nothing to match): with the paragraph before it.
        following = next((pieces[w][0].clause for w in range(table.m) if w in pieces), 0)
        target = following if previous is None else previous
        where = (f"placed after {clauses[target].ref}" if previous is not None
                 else f"placed before {clauses[target].ref}")
        what = ("it is mostly Chinese characters, not a translation" if unit.chinese
                else "it has nothing to match")
        ordered.append((k, _Piece(unit.start, unit.end, target, 0.0, f"{what}; {where}")))
        previous = target
    return _merge(paragraphs, units, ordered, clauses)


def _doubt(clauses, alternatives: dict[int, float], chosen: int, score: float) -> str:
    if score >= 0.5:
        return ""
    others = [(p, i) for i, p in alternatives.items() if i != chosen]
    if not others:
        return "the evidence for this placement is weak"
    p, i = max(others)
    if i == -1:
        return f"it may render no Chinese paragraph at all ({p:.2f})"
    return f"it may belong under {clauses[i].ref} instead ({p:.2f})"


def _merge(paragraphs, units, ordered: list[tuple[int, _Piece]], clauses) -> list[Placed]:
    """One Placed per paragraph and clause: neighbouring pieces under the same clause joined."""
    out: list[Placed] = []
    current: list[tuple[int, _Piece]] = []

    def flush():
        if not current:
            return
        paragraph = paragraphs[units[current[0][0]].paragraph]
        first, last = current[0][1], current[-1][1]
        weakest = min((p for _, p in current), key=lambda p: p.score)
        out.append(Placed(clauses[first.clause].ref, paragraph.line,
                          paragraph.text[first.start:last.end], round(weakest.score, 4),
                          next((p.reason for _, p in current if p.reason), "")))
        current.clear()

    for k, piece in ordered:
        if current and (units[k].paragraph != units[current[-1][0]].paragraph
                        or piece.clause != current[-1][1].clause):
            flush()
        current.append((k, piece))
    flush()
    return out


# --- paragraphs that run across a clause boundary ----------------------------------------------

# Cutting a paragraph inside (at a sentence boundary) costs this much, in log-odds. The search
# places whole units; afterwards each boundary between clauses is looked at again, sentence by
# sentence, in the last unit before it and the first after it: a heading run into its
# paragraph, two Chinese paragraphs merged into one English one, a paragraph that ends one
# clause and starts the next. (Searching with n:m beads instead would judge a group of clauses
# by their words together, which favours groups: more words on both sides, more matches.)
INNER_CUT = 4.0
# Where no clause is left empty, the cut must be surer (the clauses on either side have English
# of their own; a sentence that happens to share words with the next clause is no reason).
SPAN_CUT = 10.0


def _recut_boundaries(table: _Table, owner: list, pieces: dict[int, list[_Piece]]) -> None:
    """Move each boundary between clauses inside the units around it where that is likelier,
    giving the clauses the search left empty, and the units it left without a clause (0:1),
    the sentences that render them."""
    runs: dict[int, list[int]] = {}
    for v, i in enumerate(owner):
        if i is not None:
            runs.setdefault(i, []).append(v)
    placed = sorted(runs)
    touched: set[int] = set()
    for k in range(-1, len(placed)):
        before = placed[k] if k >= 0 else None
        after = placed[k + 1] if k + 1 < len(placed) else None
        if before is None and after is None:
            continue
        first = before + 1 if before is not None else 0
        block = list(range(first, after if after is not None else table.n))
        x = runs[before][-1] if before is not None else None
        y = runs[after][0] if after is not None else None
        free = list(range(x + 1 if x is not None else 0, y if y is not None else table.m))
        units = ([x] if x is not None else []) + free + ([y] if y is not None else [])
        if not units or touched.intersection(units):
            continue
        if not block and not free and (x is None or y is None
                                       or not _may_run_across(table, before, after, x, y)):
            continue
        touched.update(_move_boundary(table, runs, block, before, after, x, free, y, pieces))


def _may_run_across(table: _Table, before: int, after: int, x: int, y: int) -> bool:
    """A quick look (sentences cut roughly, English words only) for whether the end of unit x
    reads like clause ``after`` or the start of unit y like ``before``: only then is the
    boundary between them weighed sentence by sentence."""
    model = table.model
    for unit_index, mine, other, from_end in ((x, before, after, True), (y, after, before, False)):
        texts = _sentence_texts(EN_SENTENCE_END, table.units[table.aligned[unit_index]].text)
        if len(texts) < 2:
            continue
        gains = []
        for text in texts:
            uf = _unit_features(text)
            gain = 0.0
            for clause, sign in ((other, 1), (mine, -1)):
                found, missed = model.ratios(1, table.cf[clause].words)
                matched = _pair(table.cf[clause], uf).en_words.bit_count()
                gain += sign * (matched * found + (uf.stems - matched) * missed)
            gains.append(gain)
        if from_end:
            gains.reverse()
        running = 0.0
        for gain in gains[:-1]:  # the unit keeps at least one sentence where it is
            running += gain
            if running > SPAN_CUT / 2:
                return True
    return False


def _move_boundary(table, runs, block, before, after, x, free, y, pieces) -> set[int]:
    """Share the sentences of unit x (the last of clause ``before``), of the units ``free``
    that follow it with no clause, and of unit y (the first of clause ``after``) among
    ``before``, the empty clauses ``block`` and ``after``, in order, as is likeliest;
    ``before`` keeps x's first sentence and ``after`` y's last. The aligned units changed."""
    model, units = table.model, table.units
    order = ([x] if x is not None else []) + free + ([y] if y is not None else [])
    spans = {v: _sentences(units[table.aligned[v]]) for v in order}
    if not free and all(len(spans[v]) < 2 for v in order):
        return set()
    sentences = [(v, span) for v in order for span in spans[v]]
    count = len(sentences)
    clauses = ([before] if before is not None else []) + block + ([after] if after is not None else [])
    fixed = {}
    if before is not None:
        fixed[before] = ([(table.uf[v], table.pair(before, v)) for v in runs[before][:-1]], [])
    if after is not None:
        fixed[after] = ([], [(table.uf[v], table.pair(after, v)) for v in runs[after][1:]])
    features: dict[tuple[int, int, int], _UnitFeatures] = {}

    def score(i, a, b):
        """Clause i with sentences[a:b] (and the units it keeps)."""
        parts = []
        for unit_index in dict.fromkeys(u for u, _ in sentences[a:b]):
            mine = [k for k in range(a, b) if sentences[k][0] == unit_index]
            key = (unit_index, mine[0], mine[-1])
            if key not in features:
                unit = units[table.aligned[unit_index]]
                start, end = sentences[mine[0]][1][0], sentences[mine[-1]][1][1]
                features[key] = _unit_features(unit.text[start - unit.start:end - unit.start])
            parts.append((features[key], _pair(table.cf[i], features[key])))
        head, tail = fixed.get(i, ([], []))
        parts = head + parts + tail
        if not parts:
            return -model.prior[ONE_TO_ZERO]
        return -model.prior[ONE_TO_K] + _evidence(model, table.cf[i], parts,
                                                   _label(table.cf[i], parts[0][0]))

    inner = INNER_CUT if block or free else SPAN_CUT

    def cut(a):
        return inner if 0 < a < count and sentences[a - 1][0] == sentences[a][0] else 0.0

    keeps_first = sum(len(spans[v]) for v in order[:1]) if x is not None else 0
    # best[g][c]: clauses[:g] given sentences[:c]; before keeps sentence 0, after the last.
    best = [[-math.inf] * (count + 1) for _ in range(len(clauses) + 1)]
    back = [[0] * (count + 1) for _ in range(len(clauses) + 1)]
    best[0][0] = 0.0
    for g, i in enumerate(clauses, start=1):
        ends = range(count + 1) if g < len(clauses) else (count,)
        for c in ends:
            if i == before and c == 0 and keeps_first:
                continue
            for a in range(c + 1):
                if best[g - 1][a] == -math.inf or (i == after and y is not None and a == count):
                    continue
                value = best[g - 1][a] + score(i, a, c) - (cut(a) if g > 1 else 0.0)
                if value > best[g][c]:
                    best[g][c], back[g][c] = value, a
    owners, c = [None] * count, count
    for g in range(len(clauses), 0, -1):
        a = back[g][c]
        for k in range(a, c):
            owners[k] = clauses[g - 1]
        c = a
    # As the search left them: x under before, the free units under no clause, y under after.
    current = [before if v == x else after if v == y else None for v, _ in sentences]
    if owners == current:
        return set()
    baseline = (sum(score(i, a, b) for i, a, b in _spans_of(clauses, current, sentences))
                - model.prior[ZERO_TO_ONE] * len(free))
    confidence = 1 / (1 + math.exp(-(best[len(clauses)][count] - baseline) / TEMPERATURE))
    if confidence <= 0.5:
        return set()
    changed = set()
    offset = 0
    for unit_index in order:
        unit_spans = spans[unit_index]
        mine = owners[offset:offset + len(unit_spans)]
        was = current[offset:offset + len(unit_spans)]
        offset += len(unit_spans)
        if mine == was:
            continue
        old = pieces[unit_index][0]
        unit = units[table.aligned[unit_index]]
        new = []
        for a, b, clause in _cut(unit, unit_spans, mine):
            if clause == old.clause and unit_index not in free:
                new.append(_Piece(a, b, clause, old.score, old.reason))
                continue
            score_ = confidence if unit_index in free else old.score * confidence
            new.append(_Piece(a, b, clause, score_, "" if score_ >= 0.5 else
                              "cut from a paragraph at a sentence boundary; the cut is "
                              "uncertain"))
        pieces[unit_index] = new
        changed.add(unit_index)
    return changed


def _spans_of(clauses, owners, sentences):
    """(clause, first, end) of each clause's sentences under ``owners`` (empty ones too; the
    sentences owned by none are left out)."""
    out = []
    for i in clauses:
        mine = [k for k, owner in enumerate(owners) if owner == i]
        out.append((i, mine[0], mine[-1] + 1) if mine else (i, 0, 0))
    return out


def _sentences(unit: _Unit) -> list[tuple[int, int]]:
    """(start, end) of each English sentence of a unit, offsets into its paragraph."""
    spans = english_sentences(unit.text)
    return [(unit.start + s.start, unit.start + s.end) for s in spans] or [(unit.start, unit.end)]


def _cut(unit: _Unit, spans: list[tuple[int, int]], owners: list[int]) -> list[tuple[int, int, int]]:
    """A unit cut where its sentences change owner: (start, end, clause), covering the unit
    but for the whitespace at each cut."""
    out = []
    start = unit.start
    for k in range(1, len(spans)):
        if owners[k] != owners[k - 1]:
            cut = spans[k][0]
            end = unit.start + len(unit.text[:cut - unit.start].rstrip())
            out.append((start, end, owners[k - 1]))
            start = cut
    out.append((start, unit.end, owners[-1]))
    return out
