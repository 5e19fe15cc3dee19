"""The parameters of placement, and the model the search reads them through.

``DEFAULTS`` (counted by ``fit`` on the three Reports on the Work of the Government), the
constants chosen rather than counted (label weights, edge weight, temperature, bands), and
``_Model``, which turns the parameters into the costs and log-likelihood ratios a bead is
weighed by: bead priors, boundary costs, Gale & Church length, dictionary-word ratios that
depend on the size of the other side, and anchors (numbers, Latin tokens).
"""
from __future__ import annotations

import math


# --- parameters ---------------------------------------------------------------------------

# Counted by ``fit`` on gwr-2016, gwr-2019 and gwr-2020 together (see ``reader.placement``).
DEFAULTS: dict = {
    "beads": {"1:k": 0.9892, "1:0": 0.0027, "0:1": 0.0081},
    "breaks": {"lead": 0.5537, "continues": 0.053, "colon": 0.5474, "open": 0.6674,
               "label": 0.9563, "plain": 0.7133},
    "length": {"C": 5.424, "S2": 47.93},
    "lexical": {"chance": [[-4.2145, 0.7836], [-4.2897, 0.79]], "translated": [0.5796, 0.5672]},
    "numbers": {"zh": [0.9167, 0.0237], "en": [0.7103, 0.0182]},
    "latin": [0.8889, 0.0333],
}


# Label agreement (一、 and I., （二） and (2), 三是 and "Third,"): the log-odds a label adds when
# the clause's and the first unit's labels say the same number, and takes away when they differ.
# Chosen, not counted: too few labels in three documents to count them apart from the rest.
LABEL_AGREES = 4.0
LABEL_DIFFERS = 6.0
# Posteriors of sums of word-level log-likelihood ratios are overconfident (the words of a
# paragraph are not independent); the forward-backward pass divides costs by this.
TEMPERATURE = 3.0
# A clause's first sentence and the first sentence of its English, and its last sentence and
# the last of its English, are usually translations of each other: where a clause's English
# begins and ends is weighed by how well those agree (clipped, and weighted: the words were
# counted once already).
EDGE_WEIGHT = 0.5
EDGE_CLIP = 10.0
SKIP_SCORE = 0.1
# Chinese characters in an English paragraph that put its score down to SKIP_SCORE.
CHINESE_INSIDE = 20
# Half-widths of the search bands tried, as shares of each side's text, and at least this many
# units either side.
BANDS = (0.05, 0.1, 0.2, 0.4)
BAND_UNITS = 3
FULL_TABLE = 2500  # tables with no more states than this are searched whole
MAX_DELTA = 8.0  # a run whose length is this many deviations too long stops growing


# --- the model's parameters, as the search uses them -----------------------------------------

class _Model:
    def __init__(self, params: dict):
        beads = params["beads"]
        self.prior = {kind: -math.log(max(p, 1e-9)) for kind, p in beads.items()}
        self.breaks = {cue: (-math.log(max(p, 1e-9)), -math.log(max(1 - p, 1e-9)))
                       for cue, p in params["breaks"].items()}
        self.C = params["length"]["C"]
        self.S2 = params["length"]["S2"]
        self.chance = params["lexical"]["chance"]
        self.translated = params["lexical"]["translated"]
        self.numbers_zh = _ratios(*params["numbers"]["zh"])
        self.numbers_en = _ratios(*params["numbers"]["en"])
        self.latin = _ratios(*params["latin"])
        self._ratios: dict[tuple[int, int], tuple[float, float]] = {}

    def length(self, l_s: float, l_t: float) -> float:
        """log P(delta) at paragraph level (negative; 0 for a perfect fit)."""
        l_s = max(l_s, 1.0)
        delta = (l_t - self.C * l_s) / math.sqrt(l_s * self.S2)
        return -_length_cost(delta)

    def ratios(self, side: int, other: int) -> tuple[float, float]:
        """(log-ratio of a matched word, of an unmatched one) on ``side`` (0 Chinese, 1
        English) against ``other`` words on the other side."""
        key = (side, other)
        found = self._ratios.get(key)
        if found is None:
            a, b = self.chance[side]
            by_chance = 1 / (1 + math.exp(-(a + b * math.log(other)))) if other else 0.0
            found = self._ratios[key] = _word_ratios(by_chance, self.translated[side])
        return found

    def lexical(self, zh_matched, zh_total, en_matched, en_total) -> float:
        zh_found, zh_missed = self.ratios(0, en_total)
        en_found, en_missed = self.ratios(1, zh_total)
        return (zh_matched * zh_found + (zh_total - zh_matched) * zh_missed
                + en_matched * en_found + (en_total - en_matched) * en_missed)


def _word_ratios(by_chance: float, translated: float) -> tuple[float, float]:
    """(log P(match | aligned) - log P(match | not), the same for no match) of one word, as in
    ``reader.align._word_evidence``: matched if translated, or else by chance."""
    if by_chance <= 0:
        return 0.0, 0.0
    by_chance = min(by_chance, 0.99)
    if_aligned = translated + (1 - translated) * by_chance
    return math.log(if_aligned / by_chance), math.log((1 - if_aligned) / (1 - by_chance))


def _ratios(if_aligned: float, by_chance: float) -> tuple[float, float]:
    """(log-ratio of a found anchor, of a missing one)."""
    if_aligned = min(max(if_aligned, 0.01), 0.99)
    by_chance = min(max(by_chance, 0.01), 0.99)
    return math.log(if_aligned / by_chance), math.log((1 - if_aligned) / (1 - by_chance))


def _length_cost(delta: float) -> float:
    return -math.log(max(math.erfc(abs(delta) / math.sqrt(2)), 1e-30))
