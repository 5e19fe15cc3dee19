"""`python manage.py build_search_index`: index every passage (or one document's) into a fresh
generation, or (--if-stale) only what the index does not hold as the database does."""
import time

from django.core.management.base import CommandError

from reader.management.base import ProjectCommand
from search.services import (IndexWriteFailed, rebuild_search_index, sync_search_index,
                             update_document_index)


class Command(ProjectCommand):
    help = ("Build the search index from the database into a new index generation and switch "
            "to it atomically: searches keep answering from the old one until the new one is "
            "complete. Run after `ingest` (which runs it itself). With --document SLUG, only "
            "that document's passages are indexed anew; the others are kept as they are. With "
            "--if-stale, only the documents the index holds from another import than the "
            "database's (or lacks) are indexed anew, and the whole index only if no generation "
            "of it can answer.")

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--document", metavar="SLUG",
                            help="re-index this document only (the rest of the index is copied)")
        target.add_argument("--if-stale", action="store_true",
                            help="index only what differs from the database; nothing if up to date")

    def handle(self, *args, **options):
        try:
            self.build(**options)
        except IndexWriteFailed as failure:
            raise CommandError(str(failure)) from None

    def build(self, *, document=None, if_stale=False, **options):
        started = time.perf_counter()
        if if_stale:
            report = sync_search_index()
            for line in report.lines():
                self.stdout.write(line)
            if not report.changed:
                self.stdout.write(self.style.SUCCESS("Search index up to date with the database, nothing to do."))
            return
        if document:
            self.stdout.write(f"Indexing {document} …")
            try:
                count = update_document_index(document)
            except LookupError as problem:
                raise CommandError(str(problem)) from None
            self.stdout.write(self.style.SUCCESS(
                f"Search index: {count} passages of {document} in a new generation, now live "
                f"({time.perf_counter() - started:.1f} s)."))
            return
        self.stdout.write("Building the search index …")
        count = rebuild_search_index(progress=lambda n: self.stdout.write(f"  {n} passages indexed"))
        self.stdout.write(self.style.SUCCESS(
            f"Search index: {count} passages in a new generation, now live "
            f"({time.perf_counter() - started:.1f} s)."))
