"""Template tags of the search page."""
from django import template
from django.template.loader import render_to_string

register = template.Library()

_LINES = "search_tags.result_document"


@register.simple_tag(takes_context=True)
def result_document(context, hit):
    """The line naming a result's document (title, number, date), rendered once per document
    on a page and repeated for its other results: the same six values, escaped once, where a
    page of twenty results rendered them twenty times."""
    lines = context.render_context.get(_LINES)
    if lines is None:
        lines = context.render_context[_LINES] = {}
    line = lines.get(hit.document)
    if line is None:
        line = lines[hit.document] = render_to_string("search/_result_document.html", {"hit": hit})
    return line
