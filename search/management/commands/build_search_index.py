"""`python manage.py build_search_index`: index every passage into a fresh generation."""
import time

from django.core.management.base import BaseCommand

from search.services import rebuild_search_index


class Command(BaseCommand):
    help = ("Build the search index from the database into a new index generation and switch "
            "to it atomically: searches keep answering from the old one until the new one is "
            "complete. Run after `ingest` (which runs it itself).")

    def handle(self, *args, **options):
        started = time.perf_counter()
        self.stdout.write("Building the search index …")
        count = rebuild_search_index(progress=lambda n: self.stdout.write(f"  {n} passages indexed"))
        self.stdout.write(self.style.SUCCESS(
            f"Search index: {count} passages in a new generation, now live "
            f"({time.perf_counter() - started:.1f} s)."))
