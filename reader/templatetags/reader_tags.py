"""Small template helpers: note markers, concordance lines (grouped by document), the URLs
every page links to."""
from collections import Counter

from django import template
from django.urls import get_script_prefix, reverse

from reader.fragments import render_fragment

register = template.Library()

# Order and symbol of each kind of note in a marker.
SYMBOLS = {"variant": "≠", "translation": "†", "repair": "✎"}


@register.filter
def note_counts(notes):
    """[(kind, count)] in a fixed order, for a marker summarising a cell's notes."""
    counts = Counter(n.kind for n in notes)
    return [(kind, counts[kind]) for kind in SYMBOLS if counts[kind]]


@register.filter
def note_symbol(kind):
    return SYMBOLS.get(kind, "•")


# What each symbol stands for, singular and plural, for the marker's name and tooltip.
WORDS = {"variant": ("variant reading", "variant readings"),
         "translation": ("translation note", "translation notes"),
         "repair": ("repair", "repairs")}


@register.filter
def note_words(kind, count):
    one, many = WORDS.get(kind, ("note", "notes"))
    return one if count == 1 else many


@register.filter
def sentence_tip(sentence, is_base):
    """What a sentence's marking means (a gap, a doubtful alignment), for its tooltip; or ""."""
    if sentence.gap:
        return ("No sentence in the shown translation renders this" if is_base
                else "Renders nothing in the Chinese text")
    if sentence.low and sentence.score is not None:
        return f"Alignment uncertain (score {sentence.score:.2f})"
    return ""


@register.filter
def by_document(items):
    """[(part, [line, …])] of a page of library concordance lines (terms.LibraryLine), in
    order, one group per document: what ``{% regroup %}`` gives, with the lines themselves."""
    groups = []
    for item in items:
        if not groups or groups[-1][0] is not item.part:
            groups.append((item.part, []))
        groups[-1][1].append(item.line)
    return groups


@register.simple_tag
def kwic_lines(lines, document_url):
    """Concordance lines as list items, linked to their sentences in the reader at
    ``document_url`` (rendered by Jinja2: see reader.fragments)."""
    return render_fragment("reader/_kwic_lines.jinja", {"lines": lines, "document_url": document_url})


_routes: dict[tuple[str, str], str] = {}  # (URL name, script prefix) -> URL


@register.simple_tag
def route(name):
    """``{% url name %}`` for a view that takes no arguments, reversed once per process (and
    script prefix): every page's header and footer link the same few views, and reversing a
    name took about 35 µs each time."""
    key = (name, get_script_prefix())
    url = _routes.get(key)
    if url is None:
        url = _routes[key] = reverse(name)
    return url
