"""Small template helpers for note markers."""
from collections import Counter

from django import template

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
