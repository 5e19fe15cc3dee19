"""What each side of a pair says that survives translation, and how unit boundaries look.

Numbers (as printed and scaled: 67.7万亿 = 67.7 trillion), labels (一、 = I., 三是 = "Third,"),
Latin tokens, dictionary words (through ``reader.align``'s features) and first and last
sentences of a clause (``_ClauseFeatures``) and of an English unit (``_UnitFeatures``); what a
clause and a unit share (``_Pair``); how well two sentences agree (``_edge``); and the cue a
boundary between two units gives (``_cue``: a semicolon continues, a label starts a clause).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from reader.align import C as SENTENCE_C, CEILING, CHANCE, S2 as SENTENCE_S2, TRANSLATED
from reader.align import chinese_features, english_features, chinese_length

from .model import EDGE_CLIP, _length_cost, _word_ratios
from .units import Clause


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
