"""The language of mixed text: English sentences that quote Chinese terms ("网信办 is rendered …"),
citations, search queries. A screen reader picks its voice, and the browser its font, from the
``lang`` of the element holding the text, so each run of Chinese in otherwise English text gets
its own ``<span lang="zh-Hans">`` (``zh-Hant`` where it is written in traditional characters).
"""
import re

import opencc
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
# CJK punctuation (、。《》〔〕…) and full-width forms (（）：，) belong to the Chinese around them.
CJK = HAN + "\u3000-\u303f\uff00-\uffef"
# A run of Chinese: Han characters and CJK punctuation, with the figures and "+" written inside
# it (国发〔2015〕40号, 2015年7月1日, 互联网+); it holds at least one Han character.
CHINESE_RUN = re.compile(f"[{CJK}]*[{HAN}](?:[{CJK}0-9.+]*[{CJK}])?\\+?")
HAN_CHARACTER = re.compile(f"[{HAN}]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
_to_simplified = opencc.OpenCC("t2s")


def chinese_language(run: str) -> str:
    """zh-Hant if the run has characters simplified Chinese writes otherwise, else zh-Hans."""
    return "zh-Hant" if _to_simplified.convert(run) != run else "zh-Hans"


@register.filter
def zh_spans(text) -> str:
    """Plain text as HTML, escaped, with each run of Chinese in a span carrying its language.

    Safe by construction, like search highlights: every piece of the text is escaped and the
    only markup is the literal ``<span lang="…">`` added here, its value one of two constants.
    A bleach pass over the result (allowing only that) left it unchanged, at the cost of
    parsing every search page's query, notice and scope as HTML;
    ``tests/reader/test_language_of_text.py`` checks the output against that pass on every
    sentence, note and finding of the library and on hostile text."""
    text = "" if text is None else str(text)
    pieces, last = [], 0
    for match in CHINESE_RUN.finditer(text):
        pieces.append(escape(text[last:match.start()]))
        run = match.group()
        pieces.append(f'<span lang="{chinese_language(run)}">{escape(run)}</span>')
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))


@register.filter
def own_language(text, language: str) -> str:
    """The language of a sentence that is not in its version's language, else "".

    A translation's source can carry the Chinese original where a translation should be (the
    importer keeps it as found, with a note): such a sentence, mostly Han characters, is Chinese.
    """
    text = "" if text is None else str(text)
    if str(language).startswith("zh"):
        return ""
    han = len(HAN_CHARACTER.findall(text))
    if han and han >= len(LATIN_LETTER.findall(text)):
        return chinese_language(text)
    return ""
