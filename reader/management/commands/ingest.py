"""`python manage.py ingest`: parse the documents' source texts and write the library."""
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from reader.management.base import ProjectCommand

from reader.locks import IngestBusy, ingest_lock
from reader.services import corpus_ingest
from reader.sources.base import SourceError
from reader.sources.corpus import MANIFEST, build_corpus, library_folders, load_manifest
from search import services as search_services


def search_index_is_live() -> bool:
    return search_services.backend().live_generation() is not None


class Command(ProjectCommand):
    help = ("Import documents into the library: every document folder under fixtures/documents/ "
            "(settings.LIBRARY_DIR) and those imported from the browser (settings.IMPORTS_DIR), "
            "or the one folder given with --sources (its manifest.toml "
            "names the source files and what they feed). Each document is written in one "
            "transaction, adds or updates that document only, and a second run changes nothing; "
            "a failing source leaves that document as it was and names the file and line. The "
            "search index is updated for the documents that changed. --report lists the fate of "
            "every non-blank source line.")

    def add_arguments(self, parser):
        parser.add_argument("--sources", type=Path, default=None,
                            help="a document folder (manifest.toml and the source files), or a "
                                 "library folder of such folders (default: settings.LIBRARY_DIR)")
        parser.add_argument("--glossary", type=Path, default=None,
                            help="the glossary of key terms and their renderings "
                                 "(default: settings.GLOSSARY_FILE)")
        parser.add_argument("--report", action="store_true",
                            help="print, per source file, what became of every non-blank line")
        parser.add_argument("--force", action="store_true",
                            help="realign every clause and renew the search index and cached pages "
                                 "of every document, even where nothing changed")

    def handle(self, *args, **options):
        try:
            with ingest_lock():
                self.ingest(**options)
        except IngestBusy as busy:
            raise CommandError(f"ingest not started: {busy}") from None

    def ingest(self, *, sources=None, glossary=None, report=False, force=False, **options):
        glossary = Path(glossary or settings.GLOSSARY_FILE)
        if sources:
            folders = library_folders(Path(sources))
            if not folders:
                raise CommandError(f"ingest failed: no {MANIFEST} in {sources} or in its folders")
        else:
            folders = self._library()
        changed, failed = [], []
        for folder in folders:
            started = time.monotonic()
            self.stdout.write(f"{folder.name}: reading {folder} …")
            try:
                corpus = build_corpus(folder, glossary)
            except SourceError as exc:
                failed.append(f"{folder.name}: {exc}")
                self.stderr.write(self.style.ERROR(f"{folder.name}: not imported, left as it was: {exc}"))
                continue
            glossary_terms = len(corpus.glossary.terms) if corpus.glossary else 0
            self.stdout.write(f"  parsed {len(corpus.sources)} files: {len(corpus.refs)} clauses, "
                              f"{len(corpus.passages)} passages in {len(corpus.versions)} versions, "
                              f"{len(corpus.notes)} notes; {glossary_terms} glossary terms.")
            result = corpus_ingest(corpus=corpus, force=force)
            slug = result.document.slug
            if result.unchanged:
                self.stdout.write(self.style.SUCCESS(f"  {slug}: already up to date, nothing changed."))
            else:
                changed.append(slug)
                self.stdout.write(self.style.SUCCESS(
                    f"  {slug}: {result.created} rows created, {result.updated} updated, "
                    f"{result.deleted} deleted ({time.monotonic() - started:.1f} s)."))
            if report:
                self.stdout.write(line_report(corpus))
        self._update_index(changed)
        if failed:
            raise CommandError("ingest failed for " + "; ".join(failed))

    def _library(self) -> list[Path]:
        """The shipped documents, then those imported from the browser (settings.IMPORTS_DIR);
        an imported document replaces a shipped one of the same slug, as its import did."""
        shipped = library_folders(Path(settings.LIBRARY_DIR))
        imported = library_folders(Path(settings.IMPORTS_DIR)) if getattr(settings, "IMPORTS_DIR", None) else []
        imported_slugs = {slug_of(folder) for folder in imported} - {None}
        kept = []
        for folder in shipped:
            if slug_of(folder) in imported_slugs:
                self.stdout.write(f"{folder.name}: skipped, replaced by the import in "
                                  f"{Path(settings.IMPORTS_DIR) / folder.name}")
            else:
                kept.append(folder)
        return kept + imported

    def _update_index(self, changed: list[str]) -> None:
        """Bring the search index up to date with the database: the documents this run changed,
        and any the index holds from another import (an index update that failed or was killed
        after an earlier ingest committed), or the whole library if no generation can answer.
        A write the file system refuses (a full disk) is one line and a non-zero exit."""
        try:
            report = search_services.sync_search_index(renew=changed)
        except search_services.IndexWriteFailed as failure:
            raise CommandError(str(failure)) from None
        for line in report.lines():
            self.stdout.write(line)


def slug_of(folder: Path) -> str | None:
    """The slug a document folder's manifest gives, None if it cannot be read."""
    try:
        return load_manifest(folder)["document"]["slug"]
    except SourceError:
        return None


def line_report(corpus) -> str:
    """Every non-blank line of every source and what became of it."""
    variant_lines = {(n.source, n.line) for n in corpus.notes if n.kind == "variant"}
    rebuilt_lines = {(n.source, n.line) for n in corpus.notes if n.kind == "repair" and n.adopted}
    out = []
    for source in corpus.sources:
        lines = source.text.split("\n")
        counted = sum(1 for raw in lines if raw.strip())
        out.append(f"\n== {source.filename} ({counted} non-blank lines; "
                   f"{source.manifest.get('coverage', '')})")
        for n, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            fate = source.fates.get(n)
            excerpt = raw.strip()[:24]
            if fate is None:
                out.append(f"{n:5}  UNACCOUNTED  {excerpt}")
                continue
            if fate.fate == "used":
                what = f"used for {', '.join(fate.refs)} ({', '.join(fate.versions)})"
                if (source.filename, n) in variant_lines:
                    what += "; variant reading(s) recorded"
                if (source.filename, n) in rebuilt_lines:
                    what += "; garbled in the source, reconstructed (see its repair note)"
            elif fate.fate == "dropped":
                what = f"dropped: {fate.reason}"
            else:
                what = f"{fate.fate}: {fate.reason}"
            out.append(f"{n:5}  {what}  | {excerpt}")
    return "\n".join(out)
