"""JSON-LD in a page's head, escaped as Django's ``json_script`` escapes its JSON."""
import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# What json_script escapes: no text can close the script element (</script>), open a comment
# (<!--) or start an entity. JSON readers decode \u003C and the rest back to the characters.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(value):
    """``<script type="application/ld+json">`` holding ``value``: a data block, which browsers
    never execute, so the Content-Security-Policy's script-src does not apply to it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
