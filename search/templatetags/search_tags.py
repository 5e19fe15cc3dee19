"""Template tags of the search page."""
from django import template

from reader.fragments import render_fragment

register = template.Library()


@register.simple_tag(takes_context=True)
def search_main(context):
    """The search page's content, the form and the results (rendered by Jinja2: see
    reader.fragments), from the page's context."""
    return render_fragment("search/_main.jinja", context.flatten())
