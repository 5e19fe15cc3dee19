"""Place the paragraphs of an English translation under the Chinese clauses they translate.

Plain Python, no Django. ``place(clauses, paragraphs)`` takes the clauses of a Chinese document
in order (as its parser numbered them) and the paragraphs of an English translation in order
(one line of the English file each) and says, for every English paragraph, which clause it goes
under: ``Placed(ref, line, text, score, reason)``, in order, refs never going back. Where one
English paragraph renders the end of one clause and the start of the next it is cut at a
sentence boundary and each piece placed on its own; nothing is lost, nothing repeated. No
machine translation: the evidence is what survives translation (numbers, Latin tokens, labels,
dictionary words) and length.

Model
-----
Official translations are not paragraph-parallel: one Chinese paragraph becomes a lead sentence
and a list of twenty lines, two are merged, a heading becomes the bold lead of the next
paragraph. So the English is first cut into *units*: each paragraph, or the two halves of a
paragraph with a bold lead (``**1. Heading.** Body``), the likeliest place for a clause
boundary inside a paragraph. A monotone dynamic programme over (clauses, units) then chooses a
sequence of beads, after Gale & Church (1993) as ``reader.align`` does for sentences:

* 1:k - a clause and a run of k >= 1 units (a list of any length);
* 1:0 - a clause no unit renders; 0:1 - a unit with no Chinese (it goes under the clause before
  it, with a low score).

A bead costs ``-log P(type) - evidence + boundaries``:

* ``evidence`` is a sum of log-likelihood ratios, "these sides translate each other" against
  "they are neighbours in the same document": length (Gale & Church's ``delta`` with this
  genre's paragraph-level C and S2); the dictionary words each side finds in the other
  (CC-CEDICT, matched exactly as ``reader.align`` matches them, through its ``chinese_features`` and
  ``english_features``), where the chance of a word finding a match in a neighbour's text grows with the
  size of that text (logistic in its log: long English runs meet many words by chance); numbers
  (6.9% = 6.9 percent, 67.7万亿 = 67.7 trillion, 1312万 = 13.12 million, a month name = its
  number); the Latin tokens of the Chinese (GDP, 5G, M2) among the English; labels (一、 = I.,
  （三） = 3. or (3), 二是 = "Second,"); and the edges: how well the clause's first sentence
  agrees with the first sentence of its English and its last with the last, weighed as
  ``reader.align`` weighs a sentence pair (agreement only: a loose rendering costs nothing).
* ``boundaries``: every boundary between two units either separates clauses or not, with a
  probability that depends on how the first unit ends and the next begins (a unit ending with a
  semicolon or continued in lower case continues; a colon announces a list, or ends a lead
  paragraph; an unpunctuated line is a heading, a list item or a salutation; a label starts a
  clause; a bold lead is where a heading ends).

The search places whole units. Afterwards each boundary between clauses is weighed again
sentence by sentence (``reader.segment``) in the units on either side of it: where a clause was
left empty (a heading run into its paragraph without bold, two Chinese paragraphs merged into
one English one) or a unit was left without a clause, its sentences are shared out as is
likeliest, at a cost of INNER_CUT per cut; where no clause is empty a paragraph is cut only on
stronger evidence (SPAN_CUT), after a quick look says its end reads like the next clause. (n:m
beads in the search would judge a group of clauses by their words together, which favours
groups: more words on both sides, more matches by chance.)

Everything probabilistic is counted on real documents by ``fit``, from the paths their human
pairings admit: bead-type priors, boundary probabilities, C and S2, the dictionary match rates
of aligned and of neighbouring paragraphs, and how often numbers and Latin tokens are found
across. ``DEFAULTS`` were counted on the three Reports on the Work of the Government in
``fixtures/documents`` (2016, 2019, 2020); ``reader.placement_eval`` measures each report with
the figures counted on the other two (``manage.py evaluate_alignment --placement-only``): 0.991,
0.990 and 0.989 of their English paragraphs go under the clause that holds their Chinese
paragraph. The label weights, the edge weight, the cut costs and the temperature are choices.

The search is banded: a state (clauses done, units done) is considered only where the two
sides have used up similar shares of their text, in the narrowest of ``BANDS`` whose best path
keeps off its edges (a translation that leaves out a whole part needs a wider one), and a run
stops growing once it is far too long for its clause. A report of 150 clauses and 200
paragraphs places in well under a second once CC-CEDICT and jieba are loaded (once per process).

Score
-----
The posterior probability that the unit belongs under the clause it was placed under, by the
forward-backward algorithm over all bead sequences with ``exp(-cost / TEMPERATURE)`` as weight;
for a piece cut from a paragraph, that times how much likelier the cut made the clauses. A unit
placed by a 0:1 bead scores at most ``SKIP_SCORE``, as does a paragraph holding a run of Chinese
text; a paragraph that is mostly Chinese (a Chinese paragraph left in the English file) is not
aligned at all: it goes under the clause of the paragraph before it with score 0. Scores below
0.5 come with a reason.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from reader.align import C as SENTENCE_C, CEILING, CHANCE, S2 as SENTENCE_S2, TRANSLATED
from reader.align import chinese_features, english_features, chinese_length
from reader.segment import english_sentences


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


# --- parameters ---------------------------------------------------------------------------

# Counted by ``fit`` on gwr-2016, gwr-2019 and gwr-2020 together (see the module doc).
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


# --- placing ------------------------------------------------------------------------------

def place(clauses: list[Clause], paragraphs: list[Paragraph], *,
          priors: dict | None = None) -> list[Placed]:
    """Every paragraph (or piece of one) under the clause it translates, in order.

    ``priors``: parameters as ``fit`` returns them (``DEFAULTS`` for what it leaves out). With
    no clauses there is nothing to place under and the result is empty.
    """
    if not clauses or not paragraphs:
        return []
    model = _Model({**DEFAULTS, **(priors or {})})
    units = _units(paragraphs)
    table = _Table(model, clauses, units)
    path = table.best_path()
    marginals = table.marginals()
    return _placements(table, paragraphs, path, marginals)


def fit(examples) -> dict:
    """Parameters counted on aligned documents.

    ``examples``: ``(clauses, paragraphs, allowed)`` triples, ``allowed`` mapping an English
    line to the refs it may go under (the human pairing); lines it lacks are unconstrained. The
    path each document's pairing admits is found with the current parameters (``DEFAULTS`` at
    first), the parameters counted on those paths, and the whole done twice.
    """
    examples = list(examples)
    params = DEFAULTS
    for _ in range(2):
        stats = _Stats()
        for clauses, paragraphs, allowed in examples:
            if not clauses or not paragraphs:
                continue
            units = _units(paragraphs)
            by_paragraph = [allowed.get(p.line) or None for p in paragraphs]
            table = _Table(_Model(params), clauses, units, allowed=by_paragraph)
            if table.path is None:  # the pairing admits no path through these clauses
                table = _Table(_Model(params), clauses, units)
            stats.count(table, table.best_path())
        params = stats.estimate()
    return params


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


# --- features -----------------------------------------------------------------------------

ZH_NUMBER = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万亿|亿|万)?")
EN_NUMBER = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*(trillion|billion|million|thousand)\b)?",
                       re.IGNORECASE)
EN_WORD_NUMBER = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|a)\s+(?:(hundred)\s+)?"
    r"(trillion|billion|million|thousand|hundred)\b", re.IGNORECASE)
ZH_SCALES = {"万亿": 10 ** 12, "亿": 10 ** 8, "万": 10 ** 4}
EN_SCALES = {"trillion": 10 ** 12, "billion": 10 ** 9, "million": 10 ** 6, "thousand": 10 ** 3,
             "hundred": 100}
WORD_VALUES = dict(zip("a one two three four five six seven eight nine ten".split(),
                       [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
EN_MONTH = re.compile(r"\b(%s)\b" % "|".join(m.title() for m in MONTHS))

ZH_NUMERAL = "一二三四五六七八九十"
ZH_ENUMERATION = re.compile(
    rf"^(?:[（(]([{ZH_NUMERAL}]+)[）)]|([{ZH_NUMERAL}]+)[、.．]|([{ZH_NUMERAL}]+)(?:是|要)"
    rf"|第([{ZH_NUMERAL}]+)[，,、是]|(\d+)[.．、](?!\d)|[（(](\d+)[）)])")
EN_ENUMERATION = re.compile(
    r"^(?:\(([IVX]+|\d+)\)|([IVX]+)\s*[.．]|(\d+)\s*[.．)](?!\d)|"
    r"(First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth)\b)")
ORDINALS = {w: i for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1)}


def _key(value: float) -> str:
    return f"{value:.6g}"


def _zh_numbers(text: str) -> list[frozenset]:
    """Each number of a Chinese text as the keys it may be found by: as printed and scaled."""
    found: dict[str, frozenset] = {}
    for m in ZH_NUMBER.finditer(text):
        raw = float(m.group(1).replace(",", ""))
        scaled = raw * ZH_SCALES[m.group(2)] if m.group(2) else raw
        found.setdefault(_key(scaled), frozenset({_key(raw), _key(scaled)}))
    return list(found.values())


def _en_numbers(text: str) -> list[frozenset]:
    found: dict[str, frozenset] = {}
    for m in EN_NUMBER.finditer(text):
        raw = float(m.group(1).replace(",", ""))
        scaled = raw * EN_SCALES[m.group(2).lower()] if m.group(2) else raw
        found.setdefault(_key(scaled), frozenset({_key(raw), _key(scaled)}))
    for m in EN_WORD_NUMBER.finditer(text):
        value = WORD_VALUES[m.group(1).lower()] * (100 if m.group(2) else 1)
        value *= EN_SCALES[m.group(3).lower()]
        found.setdefault(_key(value), frozenset({_key(value)}))
    for m in EN_MONTH.finditer(text):
        value = MONTHS[m.group(1).lower()]
        found.setdefault(_key(value), frozenset({_key(value)}))
    return list(found.values())


def _zh_label(clause: Clause) -> int | None:
    for text in (clause.label, clause.text):
        m = ZH_ENUMERATION.match(text.strip()) if text else None
        if m:
            numeral = next(g for g in m.groups() if g)
            return int(numeral) if numeral.isdigit() else _chinese_value(numeral)
    return None


def _en_label(text: str) -> int | None:
    m = EN_ENUMERATION.match(text.strip())
    if not m:
        return None
    numeral = next(g for g in m.groups() if g)
    if numeral.isdigit():
        return int(numeral)
    if numeral.lower() in ORDINALS:
        return ORDINALS[numeral.lower()]
    return _roman_value(numeral)


def _chinese_value(numeral: str) -> int | None:
    digits = {c: n for n, c in enumerate(ZH_NUMERAL[:9], start=1)}
    if "十" not in numeral:
        return digits.get(numeral) if len(numeral) == 1 else None
    tens, _, units = numeral.partition("十")
    if (tens and tens not in digits) or (units and units not in digits) or "十" in units:
        return None
    return (digits[tens] if tens else 1) * 10 + (digits[units] if units else 0)


def _roman_value(numeral: str) -> int:
    values = [{"I": 1, "V": 5, "X": 10}[c] for c in numeral]
    return sum(-v if v < nxt else v for v, nxt in zip(values, values[1:] + [0]))


@dataclass(frozen=True)
class _ClauseFeatures:
    length: float
    words: int  # Chinese words with a dictionary translation
    index: dict  # English stem -> bitmask of the Chinese words it may render
    stems: frozenset
    numbers: list  # keys of each number
    number_keys: frozenset
    latin: tuple
    label: int | None
    first: _Sentence  # its first and last sentences
    last: _Sentence


@dataclass(frozen=True)
class _UnitFeatures:
    length: int
    stems: int  # English content words
    index: dict  # stem -> bitmask of its positions among the unit's content words
    stem_set: frozenset
    numbers: list
    number_keys: frozenset
    words: frozenset  # tokens a Latin token of the Chinese could be (lower case)
    label: int | None
    first: _Sentence  # its first and last sentences
    last: _Sentence


# Where sentences end, roughly: enough to find a paragraph's first and last sentence.
ZH_SENTENCE_END = re.compile(r"(?<=[。！？；])[”’）]*")
EN_SENTENCE_END = re.compile(r"(?<=[a-z0-9%)”\"][.!?;])\s+(?=[A-Z“\"(])")


def _sentence_texts(pattern: re.Pattern, text: str) -> list[str]:
    return [p.strip() for p in pattern.split(text) if p.strip()] or [text]


@dataclass(frozen=True)
class _Sentence:
    """A sentence's words for ``_edge``: each stem with the bitmask of the words it renders."""
    length: float
    words: int
    index: dict
    stems: frozenset


def _sentence(words, length: float) -> _Sentence:
    """From ``reader.align``'s ``ChineseFeatures.words`` (stems per word) or ``EnglishFeatures.stems``
    (one stem per word, each given as a one-stem tuple)."""
    index: dict[str, int] = {}
    for position, stems in enumerate(words):
        for stem in stems:
            index[stem] = index.get(stem, 0) | (1 << position)
    return _Sentence(length, len(words), index, frozenset(index))


_SENTENCE_RATIOS: dict[tuple[int, int], tuple[float, float]] = {}


def _sentence_ratios(side: int, other: int) -> tuple[float, float]:
    """``_word_ratios`` with ``reader.align``'s sentence-level chance and rates."""
    found = _SENTENCE_RATIOS.get((side, other))
    if found is None:
        by_chance = CEILING[side] * (1 - (1 - CHANCE[side]) ** other)
        found = _SENTENCE_RATIOS[side, other] = _word_ratios(by_chance, TRANSLATED[side])
    return found


def _edge(z: _Sentence, e: _Sentence) -> float:
    """How well a Chinese sentence and an English one agree, weighed as ``reader.align`` weighs
    a sentence pair: the words each finds in the other (as ``lexical_matches``) at its
    calibrated rates, and length. Only agreement counts (0 at worst), up to EDGE_CLIP."""
    zh = en = 0
    for stem in z.stems & e.stems:
        zh |= z.index[stem]
        en |= e.index[stem]
    zh_matched, en_matched = zh.bit_count(), en.bit_count()
    zh_found, zh_missed = _sentence_ratios(0, e.words)
    en_found, en_missed = _sentence_ratios(1, z.words)
    l_s = max(z.length, 1.0)
    delta = (e.length - SENTENCE_C * l_s) / math.sqrt(l_s * SENTENCE_S2)
    value = (zh_matched * zh_found + (z.words - zh_matched) * zh_missed
             + en_matched * en_found + (e.words - en_matched) * en_missed
             - _length_cost(delta))
    return max(0.0, min(EDGE_CLIP, value))


LATIN_TOKEN = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*")


def _latin(text: str) -> frozenset:
    """Latin tokens (GDP, 5G, M2), lower case: in Chinese the anchors, in English where to look."""
    return frozenset(t.lower() for t in LATIN_TOKEN.findall(text))


@lru_cache(maxsize=4096)
def _clause_features(clause: Clause) -> _ClauseFeatures:
    text = clause.text
    # Sentence by sentence (the words are the same), so that the first and last are at hand.
    sentences = [chinese_features(s) for s in _sentence_texts(ZH_SENTENCE_END, text)]
    index: dict[str, int] = {}
    position = 0
    for sentence in sentences:
        for stems in sentence.words:
            for stem in stems:
                index[stem] = index.get(stem, 0) | (1 << position)
            position += 1
    numbers = _zh_numbers(text)
    return _ClauseFeatures(
        length=chinese_length(text), words=position, index=index,
        stems=frozenset(index), numbers=numbers,
        number_keys=frozenset().union(*numbers), latin=tuple(sorted(_latin(text))),
        label=_zh_label(clause), first=_sentence(sentences[0].words, sentences[0].length),
        last=_sentence(sentences[-1].words, sentences[-1].length))


@lru_cache(maxsize=16384)
def _unit_features(text: str) -> _UnitFeatures:
    en = english_features(text)
    index: dict[str, int] = {}
    for position, stem in enumerate(en.stems):
        index[stem] = index.get(stem, 0) | (1 << position)
    numbers = _en_numbers(text)
    sentences = _sentence_texts(EN_SENTENCE_END, text)
    return _UnitFeatures(
        length=en.length, stems=len(en.stems), index=index, stem_set=frozenset(index),
        numbers=numbers, number_keys=frozenset().union(*numbers), words=_latin(text),
        label=_en_label(text), first=_english_sentence(sentences[0]),
        last=_english_sentence(sentences[-1]))


def _english_sentence(text: str) -> _Sentence:
    en = english_features(text)
    return _sentence([(stem,) for stem in en.stems], en.length)


@dataclass(frozen=True)
class _Pair:
    zh_words: int  # bitmask of the clause's words found in the unit
    en_words: int  # bitmask of the unit's words found in the clause
    zh_numbers: int  # bitmask of the clause's numbers found in the unit
    en_numbers: int  # how many of the unit's numbers are found in the clause
    latin: int  # bitmask of the clause's Latin tokens found in the unit


def _pair(clause: _ClauseFeatures, unit: _UnitFeatures) -> _Pair:
    zh_words = en_words = 0
    for stem in clause.stems & unit.stem_set:
        zh_words |= clause.index[stem]
        en_words |= unit.index[stem]
    zh_numbers = 0
    if clause.numbers and unit.numbers:
        for position, keys in enumerate(clause.numbers):
            if keys & unit.number_keys:
                zh_numbers |= 1 << position
    en_numbers = sum(1 for keys in unit.numbers if keys & clause.number_keys)
    latin = 0
    for position, token in enumerate(clause.latin):
        if token in unit.words:
            latin |= 1 << position
    return _Pair(zh_words, en_words, zh_numbers, en_numbers, latin)


# --- boundaries between units -------------------------------------------------------------

CUES = ("lead", "continues", "colon", "open", "label", "plain")
CLOSING = "”’\"')）]*"


def _cue(before: str, after: str, cut: str) -> str:
    """How a boundary between two units looks: what makes a clause boundary there likely."""
    if cut == "lead":
        return "lead"
    tail = before.rstrip().rstrip(CLOSING)
    head = after.lstrip()
    if head[:1].islower() or tail.endswith((";", "；")):
        return "continues"
    if tail.endswith((":", "：")):
        return "colon"
    if _en_label(head) is not None:
        return "label"
    if not tail.endswith((".", "!", "?", "。", "！", "？")):
        return "open"  # a heading, a list item, a salutation ("Fellow Deputies,")
    return "plain"


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
