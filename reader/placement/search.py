"""The search: the lattice of beads over (clauses, units), its best path and marginals.

``_Table`` builds the 1:k, 1:0 and 0:1 beads within a band around the diagonal (the narrowest of
``BANDS`` whose best path keeps off its edges), costs each by its prior, its evidence
(``_evidence``: length, words, numbers, Latin tokens, labels, edges) and the boundaries it
crosses, and finds the cheapest path and, by forward-backward at ``TEMPERATURE``, the posterior
of each unit under each clause. When fitting, it admits only what a human pairing allows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .features import (_ClauseFeatures, _Pair, _UnitFeatures, _clause_features, _cue, _edge,
                       _pair, _unit_features)
from .model import (BAND_UNITS, BANDS, EDGE_WEIGHT, FULL_TABLE, LABEL_AGREES, LABEL_DIFFERS,
                    MAX_DELTA, TEMPERATURE, _Model, _length_cost)
from .units import Clause, _Unit, _alignable


# --- the search table -----------------------------------------------------------------------

ONE_TO_K, ONE_TO_ZERO, ZERO_TO_ONE = "1:k", "1:0", "0:1"


@dataclass(frozen=True)
class _Bead:
    i: int  # the clause (clauses before it are done)
    u: int  # the first unit (index among the aligned units)
    di: int
    du: int
    kind: str
    cost: float


def _evidence(model: _Model, cf: _ClauseFeatures, parts: list[tuple[_UnitFeatures, _Pair]],
              label: float = 0.0) -> float:
    """Log-likelihood ratio of a clause and the English ``parts`` (features, pair) rendering
    each other, ``label`` the label agreement of its first part."""
    words = numbers = latin = 0
    en_matched = en_total = en_numbers = en_number_total = 0
    l_t = -1
    for uf, p in parts:
        words |= p.zh_words
        numbers |= p.zh_numbers
        latin |= p.latin
        en_matched += p.en_words.bit_count()
        en_total += uf.stems
        en_numbers += p.en_numbers
        en_number_total += len(uf.numbers)
        l_t += uf.length + 1
    return (model.length(cf.length, max(l_t, 0))
            + model.lexical(words.bit_count(), cf.words, en_matched, en_total)
            + _anchor(model.numbers_zh, numbers.bit_count(), len(cf.numbers))
            + _anchor(model.numbers_en, en_numbers, en_number_total)
            + _anchor(model.latin, latin.bit_count(), len(cf.latin))
            + label)


def _label(cf: _ClauseFeatures, uf: _UnitFeatures) -> float:
    if cf.label is None or uf.label is None:
        return 0.0
    return LABEL_AGREES if cf.label == uf.label else -LABEL_DIFFERS


class _Table:
    """The lattice of beads over (clauses, aligned units) and its best path and marginals."""

    def __init__(self, model: _Model, clauses: list[Clause], units: list[_Unit],
                 allowed: list | None = None):
        self.model = model
        self.clauses = clauses
        self.units = units
        # Units that take part in the alignment; the others (Chinese, nothing to match) follow
        # their neighbours.
        self.aligned = [k for k, unit in enumerate(units)
                        if not unit.chinese and _alignable(unit.text)]
        self.cf = [_clause_features(c) for c in clauses]
        self.uf = [_unit_features(units[k].text) for k in self.aligned]
        self.pairs: dict[tuple[int, int], _Pair] = {}
        self.edges: dict[tuple[int, int, int], float] = {}
        n, m = len(clauses), len(self.aligned)
        self.n, self.m = n, m
        self.break_cost = [0.0] * (m + 1)
        self.stay_cost = [0.0] * (m + 1)
        self.cues = [""] * (m + 1)
        for v in range(1, m):
            before, after = units[self.aligned[v - 1]], units[self.aligned[v]]
            cut = after.cut if after.paragraph == before.paragraph else ""
            cue = _cue(before.text, after.text, cut)
            self.cues[v] = cue
            self.break_cost[v], self.stay_cost[v] = model.breaks[cue]
        self.allowed = None
        if allowed is not None:  # fitting: only what the human pairing admits
            refs = {c.ref: i for i, c in enumerate(clauses)}
            self.allowed = []
            for k in self.aligned:
                refs_ok = allowed[units[k].paragraph]
                self.allowed.append(None if refs_ok is None
                                    else {refs[r] for r in refs_ok if r in refs})
        # The narrowest band whose best path keeps off its edges (a path along an edge may
        # have been pushed there by it: a translation that leaves out a whole part).
        for width in (*BANDS, None):
            self.beads = self._beads(width)
            if width is not None and not self._reachable():
                continue
            self.path = self._best_path()
            if width is None or self.path is None or not self._on_edge(self.path):
                break

    def pair(self, i: int, v: int) -> _Pair:
        key = (i, v)
        found = self.pairs.get(key)
        if found is None:
            found = self.pairs[key] = _pair(self.cf[i], self.uf[v])
        return found

    def head(self, i: int, v: int) -> float:
        """Agreement of clause i's first sentence with unit v's (a run starting at v)."""
        key = (i, v, 0)
        found = self.edges.get(key)
        if found is None:
            found = self.edges[key] = EDGE_WEIGHT * _edge(self.cf[i].first, self.uf[v].first)
        return found

    def tail(self, i: int, v: int) -> float:
        """Agreement of clause i's last sentence with unit v's (a run ending with v)."""
        key = (i, v, 1)
        found = self.edges.get(key)
        if found is None:
            found = self.edges[key] = EDGE_WEIGHT * _edge(self.cf[i].last, self.uf[v].last)
        return found

    # -- the lattice --

    def _band(self, width: float | None):
        """For each count i of clauses done, the counts u of units done allowed with it."""
        n, m = self.n, self.m
        if width is None or (n + 1) * (m + 1) <= FULL_TABLE:
            return [(0, m)] * (n + 1)
        zh = _shares([c.length for c in self.cf])
        en = _shares([u.length for u in self.uf])
        bounds = []
        lo = 0
        for i in range(n + 1):
            while lo < m and en[lo] < zh[i] - width:
                lo += 1
            hi = lo
            while hi < m and en[hi + 1] <= zh[i] + width:
                hi += 1
            bounds.append((max(0, lo - BAND_UNITS), min(m, hi + BAND_UNITS)))
        bounds[0] = (0, bounds[0][1])
        bounds[n] = (bounds[n][0], m)
        return bounds

    def _beads(self, width: float | None) -> dict[tuple[int, int], list[_Bead]]:
        n, m = self.n, self.m
        bounds = self.bounds = self._band(width)
        prior = self.model.prior
        out: dict[tuple[int, int], list[_Bead]] = {}
        for i in range(n + 1):
            lo, hi = bounds[i]
            for u in range(lo, hi + 1):
                beads = out[i, u] = []
                if i < n and bounds[i + 1][0] <= u <= bounds[i + 1][1]:
                    beads.append(_Bead(i, u, 1, 0, ONE_TO_ZERO, prior[ONE_TO_ZERO]))
                if u < m and u + 1 <= hi and self._may(i, u, skip=True):
                    stay = self.stay_cost[u] if u else 0.0
                    beads.append(_Bead(i, u, 0, 1, ZERO_TO_ONE, prior[ZERO_TO_ONE] + stay))
                if i < n and u < m:
                    self._runs(i, u, beads)
        return out

    def _may(self, i: int, v: int, skip: bool = False) -> bool:
        """Whether the human pairing (when fitting) lets unit v go under clause i (or, with
        ``skip``, under none)."""
        if self.allowed is None or self.allowed[v] is None:
            return True
        return not skip and i in self.allowed[v]

    def _runs(self, i, u, beads):
        """1:k beads from (i, u): the run grows unit by unit, its features ORed in."""
        model = self.model
        cf = self.cf[i]
        start = model.prior[ONE_TO_K] + (self.break_cost[u] if u else 0.0)
        fixed = _label(cf, self.uf[u]) + self.head(i, u)
        lo, hi = self.bounds[i + 1]
        l_s = max(cf.length, 1.0)
        expected, spread = model.C * l_s, math.sqrt(l_s * model.S2)
        en_found, en_missed = model.ratios(1, cf.words)
        numbers_zh, numbers_en, latin_ratios = model.numbers_zh, model.numbers_en, model.latin
        zh_total, zh_numbers, zh_latin = cf.words, len(cf.numbers), len(cf.latin)
        l_t = -1
        words = numbers = latin = 0
        en_matched = en_total = en_numbers = en_number_total = 0
        inner = 0.0
        v = u
        while v < self.m and v + 1 <= hi and self._may(i, v):
            if v > u:
                inner += self.stay_cost[v]
            p = self.pair(i, v)
            uf = self.uf[v]
            words |= p.zh_words
            en_matched += p.en_words.bit_count()
            en_total += uf.stems
            if p.zh_numbers or p.en_numbers or uf.numbers:
                numbers |= p.zh_numbers
                en_numbers += p.en_numbers
                en_number_total += len(uf.numbers)
            latin |= p.latin
            l_t += uf.length + 1
            delta = (l_t - expected) / spread
            if v + 1 >= lo:
                zh_found, zh_missed = model.ratios(0, en_total)
                zh_matched = words.bit_count()
                evidence = (-_length_cost(delta)
                            + zh_matched * zh_found + (zh_total - zh_matched) * zh_missed
                            + en_matched * en_found + (en_total - en_matched) * en_missed
                            + fixed + self.tail(i, v))
                if zh_numbers:
                    evidence += _anchor(numbers_zh, numbers.bit_count(), zh_numbers)
                if en_number_total:
                    evidence += _anchor(numbers_en, en_numbers, en_number_total)
                if zh_latin:
                    evidence += _anchor(latin_ratios, latin.bit_count(), zh_latin)
                beads.append(_Bead(i, u, 1, v + 1 - u, ONE_TO_K, start + inner - evidence))
            if delta > MAX_DELTA:
                break
            v += 1

    def _reachable(self) -> bool:
        seen = {(0, 0)}
        for state in sorted(self.beads):
            if state in seen:
                for b in self.beads[state]:
                    seen.add((b.i + b.di, b.u + b.du))
        return (self.n, self.m) in seen

    # -- paths --

    def best_path(self) -> list[_Bead]:
        return self.path

    def _on_edge(self, path: list[_Bead]) -> bool:
        for b in path:
            lo, hi = self.bounds[b.i]
            if (lo > 0 and b.u <= lo) or (hi < self.m and b.u >= hi):
                return True
        return False

    def _best_path(self) -> list[_Bead] | None:
        best = {(0, 0): 0.0}
        back: dict[tuple[int, int], _Bead] = {}
        for state in sorted(self.beads):
            here = best.get(state)
            if here is None:
                continue
            for b in self.beads[state]:
                end = (b.i + b.di, b.u + b.du)
                cost = here + b.cost
                if cost < best.get(end, math.inf):
                    best[end] = cost
                    back[end] = b
        if (self.n, self.m) not in best:
            return None
        path = []
        state = (self.n, self.m)
        while state != (0, 0):
            b = back[state]
            path.append(b)
            state = (b.i, b.u)
        return path[::-1]

    def marginals(self) -> dict[tuple[int, int], float]:
        """(aligned unit, clause) -> posterior probability that the unit goes under the clause
        by a 1:k bead; (unit, -1) that it is a 0:1 bead."""
        states = sorted(self.beads)
        forward = {(0, 0): 0.0}
        for state in states:
            here = forward.get(state)
            if here is None:
                continue
            for b in self.beads[state]:
                end = (b.i + b.di, b.u + b.du)
                forward[end] = _logaddexp(forward.get(end, -math.inf), here - b.cost / TEMPERATURE)
        backward = {(self.n, self.m): 0.0}
        for state in reversed(states):
            total = backward.get(state, -math.inf)
            for b in self.beads[state]:
                after = backward.get((b.i + b.di, b.u + b.du))
                if after is not None:
                    total = _logaddexp(total, after - b.cost / TEMPERATURE)
            if total > -math.inf:
                backward[state] = total
        z = forward.get((self.n, self.m), -math.inf)
        out: dict[tuple[int, int], float] = {}
        if z == -math.inf:
            return out
        for state in states:
            here = forward.get(state)
            if here is None:
                continue
            for b in self.beads[state]:
                after = backward.get((b.i + b.di, b.u + b.du))
                if after is None or not b.du:
                    continue
                p = math.exp(min(0.0, here - b.cost / TEMPERATURE + after - z))
                if p < 1e-6:
                    continue
                i = b.i if b.di else -1
                for v in range(b.u, b.u + b.du):
                    out[v, i] = out.get((v, i), 0.0) + p
        return out


def _anchor(ratios, found: int, total: int) -> float:
    if not total:
        return 0.0
    return found * ratios[0] + (total - found) * ratios[1]


def _shares(lengths) -> list[float]:
    total = sum(lengths) or 1.0
    out, running = [0.0], 0.0
    for length in lengths:
        running += length
        out.append(running / total)
    return out


def _logaddexp(a: float, b: float) -> float:
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))
