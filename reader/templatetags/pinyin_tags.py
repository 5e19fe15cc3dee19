"""The pinyin reading aid in templates: a piece of sentence text, with its ruby when it has one."""
from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def ruby(piece):
    """The piece's text, each character with a reading in ``<ruby>``; escaped throughout."""
    if not piece.ruby:
        return piece.text
    return format_html_join("", "{}", ((format_html("<ruby>{}<rt>{}</rt></ruby>", ch, py) if py else ch,)
                                       for ch, py in piece.ruby))
