"""`python manage.py ingest`: parse the source texts and write the corpus."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reader.services import corpus_ingest
from reader.sources.base import SourceError
from reader.sources.corpus import build_corpus
from search.services import backend, rebuild_search_index


def search_index_is_live() -> bool:
    return backend().live_generation() is not None


class Command(BaseCommand):
    help = ("Parse the verbatim source texts in fixtures/sources/ (see manifest.toml) and write "
            "the document, its versions, clauses, passages and notes. Idempotent and atomic: a "
            "failing source leaves the previous corpus as it was. Rebuilds the search index "
            "when the corpus changed. --report lists the fate of every non-blank source line.")

    def add_arguments(self, parser):
        parser.add_argument("--sources", type=Path, default=None,
                            help="directory holding manifest.toml and the source files "
                                 "(default: settings.SOURCES_DIR)")
        parser.add_argument("--glossary", type=Path, default=None,
                            help="the glossary of key terms and their renderings "
                                 "(default: settings.GLOSSARY_FILE)")
        parser.add_argument("--report", action="store_true",
                            help="print, per source file, what became of every non-blank line")

    def handle(self, *args, sources=None, glossary=None, report=False, **options):
        directory = Path(sources or settings.SOURCES_DIR)
        glossary = Path(glossary or settings.GLOSSARY_FILE)
        self.stdout.write(f"Reading sources in {directory} and the glossary {glossary} …")
        try:
            corpus = build_corpus(directory, glossary)
        except SourceError as exc:
            raise CommandError(f"ingest failed, corpus left as it was: {exc}") from exc
        self.stdout.write(f"Parsed {len(corpus.sources)} files: {len(corpus.refs)} clauses, "
                          f"{len(corpus.passages)} passages in {len(corpus.versions)} versions, "
                          f"{len(corpus.notes)} notes; {len(corpus.glossary.terms)} glossary terms.")
        result = corpus_ingest(corpus=corpus)
        slug = result.document.slug
        if result.unchanged:
            self.stdout.write(self.style.SUCCESS(f"{slug}: already up to date, nothing changed."))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{slug}: {result.created} rows created, {result.updated} updated, "
                f"{result.deleted} deleted."))
        if not result.unchanged or not search_index_is_live():
            count = rebuild_search_index()
            self.stdout.write(f"Search index rebuilt: {count} passages, switched atomically.")
        if report:
            self.stdout.write(line_report(corpus))


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
