"""Pieces of a page rendered by Jinja2: what a page repeats per result or per line.

Django's template engine resolves each ``{{ value }}`` through a chain of lookups, filters and
checks, about 2.5 µs each. A page of twenty search results shows some 300 values and took
1.4 ms to render that way, half of an uncached search; Jinja2 compiles a template to Python and
rendered the same HTML in 0.3 ms. So the repeated pieces (``templates/search/_results.jinja``,
``templates/reader/_kwic_lines.jinja``) are Jinja2 templates, rendered by Django's own Jinja2
backend (the "fragments" engine in settings) and placed in the Django page by a template tag.
The rest of each page stays a Django template.

The engine escapes every value (autoescape) as Django's does, so what a fragment returns is
HTML safe to place as it is; a name a fragment gets wrong raises instead of rendering empty.
"""
from django.template import engines
from django.utils.safestring import SafeString, mark_safe


def render_fragment(name: str, context: dict) -> SafeString:
    """The fragment template ``name`` rendered with ``context``: escaped HTML."""
    return mark_safe(engines["fragments"].get_template(name).render(context))
