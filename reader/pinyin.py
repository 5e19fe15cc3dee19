"""Pinyin for Chinese text, character by character, with pypinyin's phrase data.

Each Han character gets the reading pypinyin gives it in the context of the whole sentence, so
heteronyms read right (银行 yínháng, 行业 hángyè, 发展 fāzhǎn), in either script. Other
characters get none.
Plain Python, no Django.
"""
from __future__ import annotations

import re
from functools import lru_cache

import opencc
from pypinyin import Style, pinyin

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
