"""Pieces of a page rendered by Jinja2: what a page repeats per result or per line, and the
search page's content.

Django's template engine resolves each ``{{ value }}`` through a chain of lookups, filters and
checks, about 2.5 µs each. A page of twenty search results shows some 300 values and took
1.4 ms to render that way, half of an uncached search; Jinja2 compiles a template to Python and
rendered the same HTML in 0.3 ms. So the repeated pieces (``templates/search/_results.jinja``,
``templates/reader/_kwic_lines.jinja``) are Jinja2 templates, and so is the search page's
content (``templates/search/_main.jinja``: its form's options took 0.13 ms in Django, 0.02 ms
here), for the page made anew for nearly every request. They are rendered by Django's own
Jinja2 backend (the "fragments" engine in settings) and placed in the Django page by a template
tag. The rest of each page, its layout (``base.html``) above all, stays a Django template.

The engine escapes every value (autoescape) as Django's does, so what a fragment returns is
HTML safe to place as it is; a name a fragment gets wrong raises instead of rendering empty.
The filters the fragments share with Django templates are Django's own functions.
"""
import jinja2
from django.template import defaultfilters, engines
from django.utils.safestring import SafeString, mark_safe

from reader.templatetags.language_tags import zh_spans


def environment(**options) -> jinja2.Environment:
    """The fragments' environment (settings name it): Django's ``pluralize`` and ``urlencode``,
    ``zh_spans`` and ``route(name)`` as the Django templates have them."""
    from reader.templatetags.reader_tags import route  # that module renders fragments itself

    env = jinja2.Environment(**options)
    env.filters.update(pluralize=defaultfilters.pluralize, urlencode=defaultfilters.urlencode, zh_spans=zh_spans)
    env.globals["route"] = route
    return env


def render_fragment(name: str, context: dict) -> SafeString:
    """The fragment template ``name`` rendered with ``context``: escaped HTML."""
    return mark_safe(engines["fragments"].get_template(name).render(context))
