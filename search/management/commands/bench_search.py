"""`python manage.py bench_search`: search latency against the raw Whoosh floor, 1× and 50×.

Run it through `make bench`, which points DATABASE_URL and SEARCH_INDEX_PATH at a temporary
database and index: this command writes 49 extra documents to whatever database it is given.
"""
import os
import random
import statistics
import time

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test.utils import override_settings

from reader.management.base import ProjectCommand
from django.db import transaction

from reader.models import Clause, Document, Passage, Version
from search import scoring
from search.analysis import parse_query, whoosh_query
from search.searching import search
from search.services import backend, rebuild_search_index

# The worst cases are in the mix: one common character (国, 的) and very common words (the,
# 互联网) match a large share of the library and must stay inside the same bounds.
QUERIES = {
    "Chinese": ["众创空间", "互联网+", "网络安全", "云计算", "國", "创空", "国", "的", "互联网"],
    "English": ["manufacture", "cloud computing", "enterprises", "IPv6", "credit information", "the"],
    "phrase": ['"cloud computing"', '"互联网+"行动', '"大众创业"', '"Internet of Things"'],
}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Command(ProjectCommand):
    help = ("Benchmark search: p50/p95 of the full search (query, ranking, highlighting, aligned "
            "sentences), with its terms' posting lists kept and read afresh, next to the raw "
            "Whoosh query time for the same queries, at 1× and at a "
            "50× corpus made by reshuffling the document's clauses under new slugs. Use a "
            "throwaway database (make bench does).")

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--scale", type=int, default=50)

    def handle(self, *args, repeat, scale, **options):
        if not Document.objects.exists():
            call_command("ingest", stdout=self.stdout)
        self.stdout.write(f"Search benchmark: median and 95th percentile over {repeat} runs per query.")
        self.measure("1×", repeat)
        self.stdout.write(f"\nMaking a {scale}× corpus …")
        started = time.perf_counter()
        self.multiply(scale)
        self.stdout.write(f"  {Passage.objects.count()} passages written in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        rebuild_search_index(procs=1)
        alone = time.perf_counter() - started
        started = time.perf_counter()
        count = rebuild_search_index()
        built = time.perf_counter() - started
        self.stdout.write(f"  index of {count} passages built in {built:.1f} s ({os.cpu_count()} CPUs); "
                          f"by one process {alone:.1f} s: {built / alone:.0%} of its time")
        self.measure(f"{scale}×", repeat)

    def measure(self, label, repeat):
        # Timed as production runs it (make bench gives its commands development settings): no
        # query log kept by a debug cursor, the corpus revision remembered for a second.
        with override_settings(DEBUG=False, CORPUS_REVISION_TTL=1.0):
            self._measure(label, repeat)

    def _measure(self, label, repeat):
        # "search" is a search as a running server makes it, with the posting lists of the
        # terms asked for lately kept (search.scoring); "cold" reads every posting list afresh,
        # as the first search for its terms does. "whoosh" is the raw query: Whoosh's top 20.
        self.stdout.write(f"\n[{label}] {'kind':8} {'search p50':>11} {'p95':>8} {'cold p50':>9} {'p95':>8} "
                          f"{'whoosh p50':>11} {'p95':>8} {'ratio p50':>10} {'cold':>6}")
        for kind, queries in QUERIES.items():
            full, cold, raw = [], [], []
            for q in queries:
                search(q)  # warm caches
                wquery = whoosh_query(parse_query(q))
                searcher = backend().searcher()
                try:
                    for _ in range(repeat):
                        t = time.perf_counter()
                        searcher.search(wquery, limit=20)
                        raw.append(time.perf_counter() - t)
                finally:
                    searcher.close()
                for _ in range(repeat):
                    scoring.forget()
                    t = time.perf_counter()
                    search(q)
                    cold.append(time.perf_counter() - t)
                search(q)
                for _ in range(repeat):
                    t = time.perf_counter()
                    search(q)
                    full.append(time.perf_counter() - t)
            ms = lambda v: f"{v * 1000:8.1f}ms"  # noqa: E731
            self.stdout.write(
                f"[{label}] {kind:8} {ms(statistics.median(full)):>11} {ms(percentile(full, 95)):>8} "
                f"{ms(statistics.median(cold)):>9} {ms(percentile(cold, 95)):>8} "
                f"{ms(statistics.median(raw)):>11} {ms(percentile(raw, 95)):>8} "
                f"{statistics.median(full) / statistics.median(raw):9.1f}× "
                f"{statistics.median(cold) / statistics.median(raw):5.1f}×")

    @transaction.atomic
    def multiply(self, scale):
        original = Document.objects.order_by("id").first()
        if original is None:
            raise CommandError("no document to multiply")
        clauses = list(Clause.objects.of(original).in_order())
        versions = list(Version.objects.of(original))
        passages = {(p.clause_id, p.version_id): p.text for p in Passage.objects.filter(clause__document=original)}
        rng = random.Random(2015)
        for n in range(1, scale):
            doc = Document.objects.create(slug=f"{original.slug}-x{n:02d}", number=f"{original.number}-x{n}",
                                          issuer=original.issuer, date=original.date)
            new_versions = {v.id: Version.objects.create(
                document=doc, slug=v.slug, language=v.language, label=v.label, kind=v.kind,
                position=v.position, is_base=v.is_base) for v in versions}
            order = clauses[:]
            rng.shuffle(order)  # the same texts, under other refs: a different document to the index
            new_clauses = Clause.objects.bulk_create([
                Clause(document=doc, ref=c.ref, kind=c.kind, position=c.position) for c in clauses])
            rows = []
            for target, source in zip(new_clauses, order):
                for v in versions:
                    text = passages.get((source.id, v.id))
                    if text is not None:
                        rows.append(Passage(clause=target, version=new_versions[v.id], text=text,
                                            provenance=Passage.Provenance.SOURCE))
            Passage.objects.bulk_create(rows, batch_size=1000)
