"""Counting the parameters on documents whose paragraphs a human has paired.

``_Stats`` tallies, over the paths the pairings admit, the bead types, how often each boundary
cue separates clauses, the lengths of aligned pairs (for C and S2, ``_length_model``), the
dictionary-word matches of aligned and of neighbouring text (a logistic in the size of the
other side, ``_logistic``) and how often numbers and Latin tokens are found across; its
``estimate`` is what ``reader.placement.fit`` returns.
"""
from __future__ import annotations

import math

from .features import CUES
from .model import DEFAULTS
from .search import ONE_TO_K, ONE_TO_ZERO, ZERO_TO_ONE, _Bead, _Table


# --- fitting ------------------------------------------------------------------------------

class _Stats:
    """Counts over the paths the human pairings admit, and the parameters they give."""

    def __init__(self):
        self.beads = {ONE_TO_K: 0, ONE_TO_ZERO: 0, ZERO_TO_ONE: 0}
        self.cues = {cue: [0, 0] for cue in CUES}  # cue -> [boundaries, clause breaks]
        self.lengths: list[tuple[float, float]] = []
        # side -> list of (matched, total, other side's total), aligned and neighbouring
        self.words = {True: ([], []), False: ([], [])}
        self.numbers = {True: [[0, 0], [0, 0]], False: [[0, 0], [0, 0]]}  # zh, en: found, total
        self.latin = {True: [0, 0], False: [0, 0]}

    def count(self, table: _Table, path: list[_Bead]) -> None:
        owner: list[int | None] = [None] * table.m
        runs = []
        for b in path:
            self.beads[b.kind] += 1
            if b.kind == ONE_TO_K:
                runs.append((b.i, range(b.u, b.u + b.du)))
                for v in range(b.u, b.u + b.du):
                    owner[v] = b.i
            elif b.kind == ZERO_TO_ONE:
                owner[b.u] = max(b.i - 1, 0)
        for v in range(1, table.m):
            if owner[v] is None or owner[v - 1] is None:
                continue
            tally = self.cues[table.cues[v]]
            tally[0] += 1
            tally[1] += owner[v] != owner[v - 1]
        for k, (i, run) in enumerate(runs):
            cf = table.cf[i]
            self.lengths.append((cf.length, sum(table.uf[v].length + 1 for v in run) - 1))
            self._pair(table, i, run, aligned=True)
            for other in (k - 2, k - 1, k + 1, k + 2):
                if 0 <= other < len(runs):
                    self._pair(table, i, runs[other][1], aligned=False)

    def _pair(self, table, i, run, aligned):
        cf = table.cf[i]
        words = numbers = latin = 0
        en_matched = en_total = en_numbers = en_number_total = 0
        for v in run:
            p = table.pair(i, v)
            words |= p.zh_words
            numbers |= p.zh_numbers
            latin |= p.latin
            en_matched += p.en_words.bit_count()
            en_total += table.uf[v].stems
            en_numbers += p.en_numbers
            en_number_total += len(table.uf[v].numbers)
        self.words[aligned][0].append((words.bit_count(), cf.words, en_total))
        self.words[aligned][1].append((en_matched, en_total, cf.words))
        zh, en = self.numbers[aligned]
        zh[0] += numbers.bit_count()
        zh[1] += len(cf.numbers)
        en[0] += en_numbers
        en[1] += en_number_total
        self.latin[aligned][0] += latin.bit_count()
        self.latin[aligned][1] += len(cf.latin)

    def estimate(self) -> dict:
        total = sum(self.beads.values()) + len(self.beads)
        beads = {kind: round((n + 1) / total, 4) for kind, n in self.beads.items()}
        boundaries = sum(t[0] for t in self.cues.values())
        overall = (sum(t[1] for t in self.cues.values()) + 1) / (boundaries + 2)
        breaks = {cue: round((t[1] + 2 * overall) / (t[0] + 2), 4) for cue, t in self.cues.items()}
        C, S2 = _length_model(self.lengths)
        chance, translated = [], []
        for side in (0, 1):
            a, b = _logistic([(m, t, math.log(other)) for m, t, other in self.words[False][side]
                              if other and t])
            found = expected = words = 0.0
            for m, t, other in self.words[True][side]:
                if other:
                    found += m
                    words += t
                    expected += t / (1 + math.exp(-(a + b * math.log(other))))
            rate = (found - expected) / (words - expected) if words > expected else 0.5
            chance.append([round(a, 4), round(b, 4)])
            translated.append(round(min(max(rate, 0.05), 0.95), 4))

        def rates(good, bad):
            return [round((good[0] + 1) / (good[1] + 2), 4), round((bad[0] + 1) / (bad[1] + 2), 4)]

        return {
            "beads": beads,
            "breaks": breaks,
            "length": {"C": round(C, 3), "S2": round(S2, 2)},
            "lexical": {"chance": chance, "translated": translated},
            "numbers": {"zh": rates(self.numbers[True][0], self.numbers[False][0]),
                        "en": rates(self.numbers[True][1], self.numbers[False][1])},
            "latin": rates(self.latin[True], self.latin[False]),
        }


def _logistic(records: list[tuple[float, float, float]]) -> tuple[float, float]:
    """(a, b) of P = 1 / (1 + exp(-(a + b x))) for records (successes, trials, x), by maximum
    likelihood (Newton's method)."""
    a, b = -3.0, 0.5
    for _ in range(50):
        ga = gb = haa = hab = hbb = 0.0
        for m, t, x in records:
            p = 1 / (1 + math.exp(-(a + b * x)))
            r, w = m - t * p, t * p * (1 - p)
            ga += r
            gb += r * x
            haa += w
            hab += w * x
            hbb += w * x * x
        det = haa * hbb - hab * hab
        if det <= 1e-12:
            break
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        a, b = a + da, b + db
        if abs(da) + abs(db) < 1e-9:
            break
    return a, b


def _length_model(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    """C and S2 as in ``reader.align``: ratio of the sums, then variance per Chinese character,
    estimated again without the pairs more than 3 deviations out."""
    pairs = [(s, t) for s, t in pairs if s > 0]
    if not pairs:
        return DEFAULTS["length"]["C"], DEFAULTS["length"]["S2"]
    for _ in range(2):
        C = sum(t for _, t in pairs) / sum(s for s, _ in pairs)
        S2 = sum((t - C * s) ** 2 for s, t in pairs) / sum(s for s, _ in pairs)
        kept = [(s, t) for s, t in pairs if abs(t - C * s) <= 3 * math.sqrt(s * S2)]
        if len(kept) == len(pairs) or not kept:
            break
        pairs = kept
    C = sum(t for _, t in pairs) / sum(s for s, _ in pairs)
    S2 = sum((t - C * s) ** 2 for s, t in pairs) / sum(s for s, _ in pairs)
    return C, max(S2, 1.0)
