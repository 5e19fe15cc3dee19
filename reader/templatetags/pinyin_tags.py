"""The pinyin reading aid in templates: a piece of sentence text, with its ruby when it has one."""
from django import template
from django.utils.html import format_html, format_html_join

from reader.pinyin import spell, words

register = template.Library()

# The pinyin is a visual aid: tagged as pinyin (so it is not taken for Chinese), and hidden from
# the accessibility tree so that a screen reader reads the characters once, without the
# romanisation between them (Playwright's and axe's name computation read rt text inline).
WORD = '<ruby>{}<rt lang="zh-Latn-pinyin" aria-hidden="true">{}</rt></ruby>'


@register.simple_tag
def ruby(piece):
    """The piece's text, each word with its reading in one ``<ruby>``; escaped throughout."""
    if not piece.ruby:
        return piece.text
    return format_html_join("", "{}", ((format_html(WORD, text, spell(syllables)) if syllables else text,)
                                       for text, syllables in words(piece.ruby)))
