"""`python manage.py bench_site`: the production server under load, measured with wrk.

Run through `make bench`, which gives it a throwaway database and index. It times a full
ingest (with the index build), starts gunicorn with production settings on a free port, and
for each endpoint runs wrk with concurrent connections, reporting throughput and p50/p95
latency, each also as a ratio of the static file's figures (the floor: whitenoise serving a
file from the same server). Then the heaviest reader pages loaded in headless Chromium as a
slow phone would (element count, HTML bytes, Total Blocking Time: reader/management/page_load.py).
Then a soak: 16 connections for 30 s over the main pages and
search, while the search index is rebuilt twice; any error or non-2xx response is reported.
"""
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from reader.management.base import ProjectCommand

REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d, \\"non2xx\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95)))
end
"""

WRK_THREADS = 2

ROTATE = """
local paths = {%s}
-- wrk's threads each run this script: thread k takes paths k, k + THREADS, … so that no path
-- is requested twice in a run shorter than the list.
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  counter = id or 0
end
request = function()
  local path = paths[(counter %% #paths) + 1]
  counter = counter + WRK_THREADS
  return wrk.format("GET", path, {["Accept-Encoding"] = "gzip"})
end
""".replace("WRK_THREADS", str(WRK_THREADS))

WORST_CASES = ["国", "的", "the", "互联网"]  # single characters and the commonest words


def distinct_queries(count: int = 6000) -> list[str]:
    """Different real queries, Chinese and English alternating, from the library's own text:
    two- and three-character runs of its Chinese, its English words and word pairs. Uncached
    rows request each URL once (the list is longer than a run), so the page cache (whose key is the canonical request: an
    added junk parameter is the same entry) never answers for them. Every tenth query is a
    worst case (a single character or a very common word), made distinct by its document
    filter and page (one in 50 of the first 3,000)."""
    import random
    from reader.models import Document, Passage

    rng = random.Random(13)
    zh, en = set(), set()
    for text in Passage.objects.values_list("text", flat=True).order_by("id"):
        for run in re.findall(r"[\u4e00-\u9fff]{2,}", text):
            for i in range(len(run) - 1):
                zh.add(run[i:i + 2 + i % 2])
        words = re.findall(r"[A-Za-z]{4,}", text)
        en.update(w.lower() for w in words)
        en.update(f"{a} {b}".lower() for a, b in zip(words, words[1:]))
    zh, en = sorted(zh), sorted(en)
    rng.shuffle(zh)
    rng.shuffle(en)
    ordinary = [t for pair in zip(zh, en) for t in pair]
    documents = [""] + sorted(Document.objects.values_list("slug", flat=True))
    worst = ([(w, d, 1) for d in documents for w in WORST_CASES]  # each has a page 2 in the library:
             + [(w, "", page) for page in (2, 3) for w in WORST_CASES])  # a page past the last is a 400
    out = []
    for i, term in enumerate(ordinary[:count]):
        if i % 50 == 49 and worst:
            w, d, page = worst.pop(0)
            out.append(f"{q(w)}&document={d}&page={page}" if d else f"{q(w)}&page={page}")
        else:
            out.append(q(term))
    return out


def q(text):
    return quote(text, safe="")


def _round_robin(lists):
    """One item of each list in turn, until all are used up."""
    iterators = [iter(items) for items in lists]
    while iterators:
        for it in list(iterators):
            item = next(it, None)
            if item is None:
                iterators.remove(it)
            else:
                yield item


class Command(ProjectCommand):
    help = ("Benchmark the production server with wrk: throughput and p50/p95 per endpoint as "
            "ratios of a static file's, ingest and index time, and a 30 s soak with 16 "
            "connections during index rebuilds. Use a throwaway database (make bench does).")

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--soak", type=int, default=30, help="seconds of the soak phase")
        parser.add_argument("--page-runs", type=int, default=3,
                            help="loads of each page in Chromium for its element count and blocking time")

    def handle(self, *args, duration, connections, soak, page_runs, **options):
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed (make bench installs it: apt-get install wrk)")
        started = time.perf_counter()
        call_command("ingest", stdout=open(os.devnull, "w"))
        self.stdout.write(f"Ingest of the library + search index from the sources: "
                          f"{time.perf_counter() - started:.1f} s")
        self.time_import()
        self.time_checks()

        port = self.free_port()
        server = self.start_server(port)
        try:
            base = f"http://127.0.0.1:{port}"
            self.wait_for(base + "/")
            served = self.worker_memory(base, server.pid, self.distinct_terms())
            asked = {q(t) for t in served}
            queries = [t for t in distinct_queries(24000) if t not in asked]  # none any worker has seen
            endpoints = [
                ("static file", ["/static/reader/reader.css"]),
                ("library page", ["/"]),
                ("reader page", ["/guofa-2015-40/"]),
                ("reader page (report)", ["/gwr-2019/"]),
                ("clause page", ["/guofa-2015-40/2.1.3/"]),
                ("clauses API", ["/api/documents/guofa-2015-40/clauses"]),
                ("glossary page", ["/guofa-2015-40/glossary/"]),
                ("search zh (cached)", [f"/search/?q={q('众创空间')}"]),
                ("search en (cached)", [f"/search/?q={q('cloud computing')}"]),
                # A different query on every request, Chinese and English mixed, worst cases
                # among them: what a reader feels, with nothing from the page cache.
                ("search page (uncached)", [f"/search/?q={t}" for t in queries[0::4]]),
                ("search API (uncached)", [f"/api/search?q={t}" for t in queries[1::4]]),
                ("concordance (uncached)", [f"/guofa-2015-40/concordance/?q={t}"
                                            for t in queries[2::4] if "&" not in t]),
                ("library concordance (uncached)", [f"/concordance/?q={t}"
                                                    for t in queries[3::4] if "&" not in t]),
            ]
            self.stdout.write(f"\nwrk: {connections} connections, {duration} s per endpoint, "
                              f"gunicorn with {self.workers()} workers, production settings")
            self.stdout.write(f"{'endpoint':32} {'req/s':>8} {'p50':>9} {'p95':>9} {'×static req/s':>14} "
                              f"{'×static p50':>12} {'errors':>7}")
            floor = None
            served = 0
            for name, paths in endpoints:
                result = self.wrk(base, paths, duration, connections)
                served += result["requests"] if "uncached" in name else 0
                rps = result["requests"] / (result["duration_us"] / 1e6)
                floor = floor or (rps, result["p50_us"])
                self.stdout.write(
                    f"{name:32} {rps:8.0f} {result['p50_us'] / 1000:7.1f}ms {result['p95_us'] / 1000:7.1f}ms "
                    f"{rps / floor[0]:13.2f}× {result['p50_us'] / max(floor[1], 1):11.1f}× "
                    f"{result['errors'] + result['non2xx']:7d}")
            self.stdout.write(f"\nWorker memory (resident MB, anonymous+file-backed) after the uncached rows "
                              f"({served} more distinct searches and concordances): "
                              f"{self.rss_text(self.worker_rss(server.pid))}")
            self.page_loads(base, runs=page_runs)
            self.soak(base, soak)
        finally:
            server.terminate()
            server.wait(timeout=20)

    def distinct_terms(self, limit: int = 4000) -> list[str]:
        """Concordance and search terms, each different, in an order that mixes kinds: the
        glossary's terms and renderings, single characters, common words (国, 的, the and
        the like are there: they are the worst case), Chinese word pairs and English words
        of the texts."""
        from collections import Counter

        from reader.models import Rendering, Sentence, Term
        from search.analysis import fold, word_tokens

        kinds = [list(Term.objects.order_by("zh").values_list("zh", flat=True).distinct()),
                 list(Rendering.objects.order_by("text").values_list("text", flat=True).distinct())]
        chars, words, pairs = Counter(), Counter(), Counter()
        for text, language in Sentence.objects.values_list("text", "passage__version__language"):
            if language.startswith("zh"):
                tokens = [w for w, _, _ in word_tokens(fold(text))]
                chars.update(c for c in text if "\u4e00" <= c <= "\u9fff")
                pairs.update(a + b for a, b in zip(tokens, tokens[1:]) if len(a + b) <= 8)
            else:
                words.update(w for w in re.findall(r"[A-Za-z]{3,}", text))
        kinds += [[c for c, _ in chars.most_common()], [w for w, _ in words.most_common()],
                  [p for p, _ in pairs.most_common()]]
        out, seen = [], set()
        for term in _round_robin(kinds):
            if term not in seen and len(term) <= 30:
                seen.add(term)
                out.append(term)
            if len(out) == limit:
                break
        return out

    @staticmethod
    def worker_rss(master: int) -> list[tuple[int, int]]:
        """(anonymous, file-backed) resident MB of each gunicorn worker (the master's children),
        smallest first. File-backed pages are mostly the index's files, mapped once per open
        searcher (one per thread) and shared with the kernel's page cache, not the worker's own."""
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(master):
                sizes.append((int(fields["RssAnon"].split()[0]) // 1024, int(fields["RssFile"].split()[0]) // 1024))
        return sorted(sizes)

    @staticmethod
    def rss_text(sizes: list[tuple[int, int]]) -> str:
        return "[" + ", ".join(f"{anon}+{mapped}" for anon, mapped in sizes) + "]"

    def serve(self, base: str, paths, connections: int = 16) -> int:
        """Request each path once, ``connections`` at a time (as wrk does, so that every thread
        of every worker serves some); returns how many."""
        from concurrent.futures import ThreadPoolExecutor

        def get(path):
            with urllib.request.urlopen(base + path, timeout=60) as response:
                response.read()

        with ThreadPoolExecutor(connections) as pool:
            return sum(1 for _ in pool.map(get, list(paths)))

    def worker_memory(self, base, master: int, distinct: list[str], n: int = 600):
        """Resident size of the gunicorn workers with the library loaded (every thread of every
        worker having served searches and concordances), then after n and 2n distinct search
        and concordance queries (each worker serves a share of them)."""
        warm = ["/", "/guofa-2015-40/", f"/api/search?q={q('互联网')}", f"/concordance/?q={q('互联网')}",
                f"/api/search?q={q('development')}", f"/concordance/?q={q('development')}",
                f"/search/?q={q('the')}&page=2", f"/guofa-2015-40/concordance/?q={q('发展')}"]
        self.serve(base, warm * 4 * self.workers() * 8)  # every thread has its searcher open
        loaded = self.worker_rss(master)
        queries = distinct[:2 * n]
        halves = [queries[:n], queries[n:]]
        after = []
        for half in halves:
            self.serve(base, (p for t in half for p in (f"/api/search?q={q(t)}", f"/concordance/?q={q(t)}")))
            after.append(self.worker_rss(master))
        self.stdout.write(
            f"\nWorker memory (resident MB, anonymous+file-backed, each of {len(loaded)} workers): library "
            f"loaded and every thread warm {self.rss_text(loaded)}; after {len(halves[0])} distinct searches "
            f"+ concordances {self.rss_text(after[0])}; after {len(queries)} {self.rss_text(after[1])} "
            f"(page cache bounded at {settings.CACHES['default'].get('OPTIONS', {}).get('MAX_BYTES', 0) // 2**20} "
            f"MB a worker; file-backed: the index files each thread's searcher maps)")
        return queries

    # The heaviest reader pages: the seed document in its four versions with pinyin, and the
    # longest report in its three.
    PAGE_LOADS = [
        ("reader, 4 versions + pinyin", "/guofa-2015-40/?v=zh-hans,zh-hant,en,en-mt&pinyin=1"),
        ("reader, 4 versions", "/guofa-2015-40/?v=zh-hans,zh-hant,en,en-mt"),
        ("report, 3 versions + pinyin", "/gwr-2019/?v=zh-hans,zh-hant,en&pinyin=1"),
    ]

    def page_loads(self, base, runs):
        """What the heaviest pages cost a phone's browser (reader/management/page_load.py)."""
        from reader.management import page_load

        if not page_load.CHROMIUM.exists():
            self.stdout.write(self.style.WARNING(
                f"\nPage loads skipped: {page_load.CHROMIUM} is missing (make browser-deps installs it)"))
            return
        self.stdout.write(f"\nPage loads in headless Chromium, {page_load.MOBILE['viewport']['width']} px, "
                          f"CPU slowed {page_load.CPU_SLOWDOWN}x (Lighthouse mobile), median of {runs}; "
                          f"TBT: long tasks' time over 50 ms with rendering, and from 'longtask' "
                          f"entries alone (which leave rendering out)")
        self.stdout.write(f"{'page':30} {'elements':>9} {'HTML':>9} {'gzip':>8} {'TBT':>8} "
                          f"{'TBT(longtask)':>14} {'load':>8}")
        for name, path in self.PAGE_LOADS:
            load, _ = page_load.measure(base + path, runs=runs)
            self.stdout.write(
                f"{name:30} {load.elements:9,.0f} {load.html_bytes / 1024:7.0f}KB "
                f"{load.html_gzip_bytes / 1024:6.0f}KB {load.blocking_ms:6.0f}ms "
                f"{load.long_task_blocking_ms:12.0f}ms {load.load_ms:6.0f}ms")

    def soak(self, base, seconds):
        pages = ["/", "/gwr-2019/", "/gwr-2020/3.0.1/", "/guofa-2015-40/",
                 "/guofa-2015-40/?v=zh-hans,en,en-mt", "/guofa-2015-40/2.1.3/", "/guofa-2015-40/3.5.2/",
                 "/api/documents/guofa-2015-40/clauses/3.1.1", "/static/reader/reader.css"]
        searches = [f"/search/?q={t}" if i % 2 else f"/api/search?q={t}"
                    for i, t in enumerate(distinct_queries(6000)[::-1])]
        paths = [p for i, s in enumerate(searches) for p in (pages[i % len(pages)], s)]
        self.stdout.write(f"\nSoak: 16 connections for {seconds} s, the main pages and a different "
                          f"search on every other request, index rebuilt twice meanwhile")
        rebuilds = []

        def rebuild_later():
            for delay in (seconds / 3, seconds / 3):
                time.sleep(delay)
                t = time.perf_counter()
                subprocess.run([sys.executable, "manage.py", "build_search_index"], check=True,
                               stdout=subprocess.DEVNULL, env=os.environ.copy())
                rebuilds.append(time.perf_counter() - t)

        import threading
        thread = threading.Thread(target=rebuild_later)
        thread.start()
        result = self.wrk(base, paths, seconds, 16)
        thread.join()
        rps = result["requests"] / (result["duration_us"] / 1e6)
        self.stdout.write(f"  {result['requests']} requests, {rps:.0f} req/s, p50 {result['p50_us'] / 1000:.1f} ms, "
                          f"p95 {result['p95_us'] / 1000:.1f} ms; errors {result['errors']}, "
                          f"non-2xx {result['non2xx']}; index rebuilds took "
                          + ", ".join(f"{r:.1f} s" for r in rebuilds))
        if result["errors"] or result["non2xx"]:
            raise CommandError("the soak saw errors")

    def time_import(self, slug: str = "gwr-2019", rounds: int = 3):
        """Importing one ~150-paragraph document into the library, index update included: as
        a command from a new process (what an editor runs) and its phases in a warm one."""
        from reader.models import Document
        from reader.services import corpus_ingest
        from reader.sources.corpus import build_corpus
        from search import services

        folder = Path(settings.LIBRARY_DIR) / slug
        env = {**os.environ}
        cold, phases = [], []
        for _ in range(rounds):
            Document.objects.filter(slug=slug).delete()
            started = time.perf_counter()
            subprocess.run([sys.executable, "manage.py", "ingest", "--sources", str(folder)],
                           env=env, check=True, stdout=subprocess.DEVNULL)
            cold.append(time.perf_counter() - started)
        for _ in range(rounds):
            Document.objects.filter(slug=slug).delete()
            t0 = time.perf_counter()
            corpus = build_corpus(folder, settings.GLOSSARY_FILE)
            t1 = time.perf_counter()
            corpus_ingest(corpus=corpus)
            t2 = time.perf_counter()
            update = getattr(services, "update_document_index", None)
            update(slug) if update else services.rebuild_search_index()
            t3 = time.perf_counter()
            phases.append((t1 - t0, t2 - t1, t3 - t2, t3 - t0))
        paragraphs = sum(1 for line in (folder / "zh.txt").read_text(encoding="utf-8").split("\n")
                         if line.strip())
        median = [statistics.median(p[i] for p in phases) for i in range(4)]
        self.stdout.write(
            f"Import of one document ({slug}, {paragraphs} Chinese paragraphs, "
            f"{len(corpus.passages)} passages), index update included: `ingest --sources` in a "
            f"new process median {statistics.median(cold):.1f} s of {rounds}; in a warm process "
            f"median {median[3]:.1f} s (parse and place {median[0]:.1f} s, write "
            f"{median[1]:.1f} s, index {median[2]:.1f} s)")

    def time_checks(self, rounds: int = 5):
        """Median time of the translation checks and the glossary occurrences (done at ingest)."""
        from reader.checks import check_document
        from reader.sources.corpus import build_corpus
        from reader.models import Bead

        for folder in (settings.SOURCES_DIR, Path(settings.LIBRARY_DIR) / "gwr-2019"):
            corpus = build_corpus(folder, settings.GLOSSARY_FILE)
            document = corpus.document["slug"]
            for slug in (v["slug"] for v in corpus.versions if not v["language"].startswith("zh")):
                stored = {}
                for bead in (Bead.objects.filter(clause__document__slug=document, target__slug=slug)
                             .select_related("clause").order_by("position")):
                    stored.setdefault(bead.clause.ref, []).append(
                        (bead.source_sentences, bead.target_sentences, bead.score))
                times = []
                for _ in range(rounds):
                    started = time.perf_counter()
                    check_document(corpus, slug, beads_for=lambda ref: stored.get(ref, []))
                    times.append(time.perf_counter() - started)
                self.stdout.write(f"Translation checks with glossary occurrences, {document} {slug}: "
                                  f"median {statistics.median(times) * 1000:.0f} ms of {rounds}")

    def wrk(self, base, paths, duration, connections):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            listed = ", ".join(json.dumps(p) for p in paths)
            script.write(ROTATE % listed + REPORT)
        try:
            out = subprocess.run(
                ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                 "-s", script.name, base + paths[0]],
                capture_output=True, text=True, check=True).stdout
        finally:
            os.unlink(script.name)
        match = re.search(r"RESULT (\{.*\})", out)
        if not match:
            raise CommandError(f"wrk gave no result:\n{out}")
        return json.loads(match.group(1))

    def workers(self):
        return int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() * 2 + 1))

    def start_server(self, port):
        key = Path(settings.BASE_DIR) / "var" / "secret_key"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
               "DJANGO_SECRET_KEY": key.read_text().strip() if key.exists() else "bench-" + "x" * 50,
               "ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SECURE_SSL_REDIRECT": "0",
               "PORT": str(port), "ACCESS_LOG": os.devnull}
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        return subprocess.Popen([str(gunicorn), "-c", "config/gunicorn.py", "config.wsgi"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_for(self, url, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise CommandError(f"the server did not answer {url} within {seconds} s")

    @staticmethod
    def free_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
