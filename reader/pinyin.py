"""Pinyin for Chinese text, with pypinyin's phrase data, by character and by word.

Each Han character gets the reading pypinyin gives it in the context of the whole sentence, so
heteronyms read right (银行 yínháng, 行业 hángyè, 发展 fāzhǎn), in either script. Other
characters get none. The reader shows these readings word by word (the words search cuts,
``search.analysis.word_tokens``), spelled as a word is in pinyin: 国务院 guówùyuàn, 档案 dàng'àn.
Plain Python, no Django.
"""
from __future__ import annotations

import re
from functools import lru_cache

import opencc
from pypinyin import Style, pinyin

from search.analysis import fold, segmenter, word_tokens

_t2s = opencc.OpenCC("t2s")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=8192)
def ruby(text: str) -> tuple[tuple[str, str], ...]:
    """((character, reading or ""), …) for every character of ``text``.

    Traditional text is read through its simplified form (pypinyin's phrase data is fuller
    there), character for character.
    """
    basis = _t2s.convert(text)
    if len(basis) != len(text):
        basis = text
    readings = iter(r[0] for r in pinyin(basis, style=Style.TONE, errors="ignore"))
    out = []
    for ch in text:
        out.append((ch, next(readings, "") if HAN.match(ch) else ""))
    return tuple(out)


@lru_cache(maxsize=8192)
def words(readings: tuple[tuple[str, str], ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``ruby()``'s readings grouped by word: ((text, (reading, …)), …) covering every character.

    A word's run of read characters is one group with their readings, character for character;
    everything else (punctuation, Latin, a '+' after 互联网) is a group with no reading.
    """
    text = "".join(ch for ch, _ in readings)
    starts = {start for _, start, _ in word_tokens(fold(text))}
    groups: list[tuple[str, list[str]]] = []
    for i, (ch, reading) in enumerate(readings):
        previous = groups[-1] if groups else None
        if previous and bool(previous[1]) == bool(reading) and not (reading and i in starts):
            groups[-1] = (previous[0] + ch, previous[1] + [reading] if reading else previous[1])
        else:
            groups.append((ch, [reading] if reading else []))
    out = []
    for group, syllables in groups:
        if len(group) <= LONGEST_WORD or len(syllables) != len(group):
            out.append((group, tuple(syllables)))
            continue
        for start, end in _parts(fold(group)):
            out.append((group[start:end], tuple(syllables[start:end])))
    return tuple(out)


# A word longer than this (智能制造, 工业和信息化部) is shown as its shorter words: the
# browser may break a line inside a ruby's characters but not inside its pinyin, which then
# runs past the column.
LONGEST_WORD = 3


def _parts(word: str) -> list[tuple[int, int]]:
    """(start, end) of the shorter words that make up a long one, by jieba's search mode (its
    dictionary words inside the word), longest first from the left; a character on its own
    where none starts."""
    inside: dict[int, int] = {}
    for _, start, end in segmenter().tokenize(word, mode="search", HMM=False):
        if end - start <= LONGEST_WORD:
            inside[start] = max(inside.get(start, start + 1), end)
    parts, i = [], 0
    while i < len(word):
        end = inside.get(i, i + 1)
        parts.append((i, end))
        i = end
    return parts


def spell(syllables: tuple[str, ...]) -> str:
    """A word's syllables written as one word, with an apostrophe where a syllable beginning
    with a, o or e would run into the one before it (dàng'àn, not dàngàn)."""
    out = ""
    for syllable in syllables:
        if out and syllable[:1].lower() in VOWEL_ONSETS:
            out += "'"
        out += syllable
    return out


VOWEL_ONSETS = set("aāáǎàoōóǒòeēéěè")
