"""haystack's `rebuild_index`, replaced: it builds a fresh index generation and switches to it.

haystack's own version clears the live index before refilling it, which empties or breaks the
search of anyone reading meanwhile.
"""
from .build_search_index import Command as BuildSearchIndex


class Command(BuildSearchIndex):
    def add_arguments(self, parser):
        # Accept (and ignore) haystack's options so scripts written for it keep working.
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("-r", "--remove", action="store_true")
        parser.add_argument("-k", "--workers", type=int, default=0)
        parser.add_argument("-b", "--batch-size", type=int, default=None)
        parser.add_argument("-a", "--age", type=int, default=None)
