"""The pinyin reading aid in templates: a piece of sentence text, with its ruby when it has one."""
from django import template
from django.utils.html import format_html, format_html_join

from reader.pinyin import spell, words

register = template.Library()

# The pinyin is a visual aid: tagged as pinyin (so it is not taken for Chinese), and hidden from
# the accessibility tree so that a screen reader reads the characters once, without the
# romanisation between them (Playwright's and axe's name computation read rt text inline).
READING = '{}<rt lang="zh-Latn-pinyin" aria-hidden="true">{}</rt>'


@register.simple_tag
def ruby(piece):
    """The piece's text with each word's pinyin over it; escaped throughout.

    One ``<ruby>`` holds a run of words, each word a base followed by its ``<rt>``: the browser
    breaks lines between them as between separate rubies, with half the elements (the
    four-version pinyin reader has about 15,000 words in some 2,000 runs).
    """
    if not piece.ruby:
        return piece.text
    runs: list[tuple[bool, list]] = []  # (read?, [(text, syllables), …])
    for text, syllables in words(piece.ruby):
        if runs and runs[-1][0] == bool(syllables):
            runs[-1][1].append((text, syllables))
        else:
            runs.append((bool(syllables), [(text, syllables)]))
    return format_html_join("", "{}", (
        (format_html("<ruby>{}</ruby>", format_html_join("", READING, ((text, spell(syllables))
                                                                      for text, syllables in group)))
         if read else "".join(text for text, _ in group),)
        for read, group in runs))
