"""Template tags of the search page."""
from django import template

from reader.fragments import render_fragment

register = template.Library()


@register.simple_tag
def search_results(hits):
    """The list of a page of results (rendered by Jinja2: see reader.fragments)."""
    return render_fragment("search/_results.jinja", {"hits": hits})
