"""`python manage.py build_search_index`: index every passage (or one document's) into a fresh
generation."""
import time

from django.core.management.base import CommandError

from reader.management.base import ProjectCommand
from search.services import rebuild_search_index, update_document_index


class Command(ProjectCommand):
    help = ("Build the search index from the database into a new index generation and switch "
            "to it atomically: searches keep answering from the old one until the new one is "
            "complete. Run after `ingest` (which runs it itself). With --document SLUG, only "
            "that document's passages are indexed anew; the others are kept as they are.")

    def add_arguments(self, parser):
        parser.add_argument("--document", metavar="SLUG",
                            help="re-index this document only (the rest of the index is copied)")

    def handle(self, *args, **options):
        started = time.perf_counter()
        slug = options.get("document")
        if slug:
            self.stdout.write(f"Indexing {slug} …")
            try:
                count = update_document_index(slug)
            except LookupError as problem:
                raise CommandError(str(problem)) from None
            self.stdout.write(self.style.SUCCESS(
                f"Search index: {count} passages of {slug} in a new generation, now live "
                f"({time.perf_counter() - started:.1f} s)."))
            return
        self.stdout.write("Building the search index …")
        count = rebuild_search_index(progress=lambda n: self.stdout.write(f"  {n} passages indexed"))
        self.stdout.write(self.style.SUCCESS(
            f"Search index: {count} passages in a new generation, now live "
            f"({time.perf_counter() - started:.1f} s)."))
