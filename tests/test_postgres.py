"""PostgreSQL, tested (issue 11 §2): what SQLite let pass, each fault injected on purpose.

The suite runs on SQLite in memory (`make test`) and on a throwaway PostgreSQL cluster
(`make test-postgres`, DATABASE_URL=postgres://…). These tests run on both, except the restart,
which needs PostgreSQL (skipped, with the reason, on SQLite):

- Search ranks clauses of equal score the same way on both databases: the results of a handful
  of queries, ties included, are exactly the expected list, and stay so when the index is built
  from the passages in the opposite order (the order rows happen to lie in differs between the
  two databases; Whoosh breaks equal scores by the order it was given passages).
- A NUL in any path segment or query value a visitor can send is answered, never a 500
  (PostgreSQL refuses a NUL in text with a DataError where SQLite took it). A NUL in a
  source file is refused at ingest naming file and line: tests/robustness/test_ingest_faults.py.
- The database restarting under a running server (gunicorn with production settings, its own
  throwaway cluster): the next request is answered, not a 500, because connections kept for
  reuse are checked first (CONN_HEALTH_CHECKS). The same server without the check answers
  exactly that 500, which shows the restart really broke the kept connection. With the
  database stopped, requests fail at once; the first one after it is back is answered.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus
from tests.real_server import free_port, write_settings
from search.search_indexes import PassageIndex
from search.searching import search
from search.services import rebuild_search_index, update_document_index

ROOT = Path(__file__).resolve().parents[1]
SEED = "guofa-2015-40"
REPORT = "gwr-2020"
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


# --- search: equal scores in the same order on every database ------------------------------------

@pytest.fixture(scope="module")
def report_corpus():
    return build_corpus(settings.LIBRARY_DIR / REPORT, settings.GLOSSARY_FILE)


@pytest.fixture
def two_documents(db, corpus, report_corpus):
    """The seed document and the 2020 report in the database, and an index built from them."""
    corpus_ingest(corpus=corpus)
    corpus_ingest(corpus=report_corpus)
    rebuild_search_index()


def ranking(key: tuple) -> list[str]:
    """The results of ``(query, (option, value), …)`` as "document ref version" strings."""
    return [f"{hit.document} {hit.ref} {hit.version.slug}" for hit in search(key[0], **dict(key[1:])).hits]


# The results in order. The version named is the clause's best passage: where zh-hans and
# zh-hant score the same (most clauses: the same characters in both scripts), the reader's first,
# zh-hans; a PostgreSQL run once showed zh-hant there instead. Clauses of equal score (互联网+:
# 2.2, 2.3, 2.4, 2.5 all the same) come in document order.
EXPECTED = {
    ('互联网+', ('per_page', 10)): [
        "guofa-2015-40 1.3.6 zh-hans",
        "guofa-2015-40 3.7.3 zh-hans",
        "guofa-2015-40 2.2 zh-hans",
        "guofa-2015-40 2.3 zh-hans",
        "guofa-2015-40 2.4 zh-hans",
        "guofa-2015-40 2.5 zh-hans",
        "guofa-2015-40 2.8 zh-hans",
        "guofa-2015-40 2.10 zh-hans",
        "guofa-2015-40 2.1 zh-hans",
        "guofa-2015-40 2.6 zh-hans",
    ],
    ('互联网+', ('per_page', 10), ('page', 2)): [
        "guofa-2015-40 2.7 zh-hans",
        "guofa-2015-40 2.9 zh-hans",
        "guofa-2015-40 2.11 zh-hans",
        "guofa-2015-40 3.7.2 zh-hans",
        "guofa-2015-40 title zh-hans",
        "guofa-2015-40 0.2 zh-hans",
        "guofa-2015-40 3.6.3 zh-hans",
        "guofa-2015-40 3.4.2 zh-hans",
        "guofa-2015-40 3.6.2 zh-hans",
        "guofa-2015-40 3.7.1 zh-hans",
    ],
    ('国务院',): [
        "gwr-2020 speaker zh-hans",
        "guofa-2015-40 title zh-hans",
        "guofa-2015-40 addressees zh-hans",
        "gwr-2020 0.1 zh-hans",
        "gwr-2020 1.0.16 zh-hans",
        "guofa-2015-40 3.3.1 zh-hans",
        "guofa-2015-40 signature zh-hans",
        "gwr-2020 1.0.12 zh-hans",
        "guofa-2015-40 3.3.3 zh-hans",
    ],
    ('国务院', ('version', 'zh-hant')): [
        "gwr-2020 speaker zh-hant",
        "guofa-2015-40 title zh-hant",
        "guofa-2015-40 addressees zh-hant",
        "gwr-2020 0.1 zh-hant",
        "gwr-2020 1.0.16 zh-hant",
        "guofa-2015-40 3.3.1 zh-hant",
        "guofa-2015-40 signature zh-hant",
        "gwr-2020 1.0.12 zh-hant",
        "guofa-2015-40 3.3.3 zh-hant",
    ],
    ('国', ('per_page', 10), ('page', 2)): [
        "guofa-2015-40 3.2.2 zh-hans",
        "gwr-2020 8.0.16 zh-hans",
        "gwr-2020 1.0.2 zh-hans",
        "guofa-2015-40 title zh-hans",
        "gwr-2020 2.0.2 zh-hans",
        "guofa-2015-40 addressees zh-hans",
        "guofa-2015-40 3.3.3 zh-hans",
        "gwr-2020 8.0.15 zh-hans",
        "gwr-2020 occasion zh-hans",
        "guofa-2015-40 3.4.1 zh-hans",
    ],
    ('各', ('per_page', 10)): [
        "guofa-2015-40 3.7.3 zh-hans",
        "guofa-2015-40 addressees zh-hans",
        "gwr-2020 1.0.16 zh-hans",
        "guofa-2015-40 3.3.1 zh-hans",
        "guofa-2015-40 3.7.2 zh-hans",
        "gwr-2020 1.0.12 zh-hans",
        "guofa-2015-40 3.1.1 zh-hans",
        "guofa-2015-40 1.2.2 zh-hans",
        "guofa-2015-40 1.1.1 zh-hans",
        "guofa-2015-40 1.3.1 zh-hans",
    ],
    ('cloud computing', ('per_page', 10)): [
        "guofa-2015-40 3.1.2 en",
        "guofa-2015-40 2.5.1 en",
        "guofa-2015-40 3.6.2 en",
        "guofa-2015-40 3.1.3 en-mt",
        "guofa-2015-40 2.2.1 en",
        "guofa-2015-40 1.3.4 en",
        "guofa-2015-40 2.7.0 en",
        "guofa-2015-40 3.6.1 en",
        "guofa-2015-40 2.3.3 en",
        "guofa-2015-40 2.2.4 en",
    ],
    ('中华人民共和国',): [
        "gwr-2020 1.0.8 zh-hans",
        "guofa-2015-40 signature zh-hans",
    ],
}


def test_equal_scores_rank_the_same_on_every_database(two_documents):
    for key, expected in EXPECTED.items():
        assert ranking(key) == expected, key
    # There are ties to break: clauses of equal score on one page, and zh-hant passages that
    # score exactly as the zh-hans passages shown in their place.
    scores = [hit.score for hit in search("互联网+", per_page=10).hits]
    assert len(set(scores)) < len(scores) - 3
    assert [hit.score for hit in search("国务院").hits] == \
        [hit.score for hit in search("国务院", version="zh-hant").hits]


def test_equal_scores_rank_the_same_whatever_order_the_index_was_given_passages(two_documents, monkeypatch):
    """The fault: each document re-indexed from its passages in the opposite order (clauses and
    versions backwards), as another database's physical row order might hand them over."""
    ordered = PassageIndex.index_queryset
    monkeypatch.setattr(PassageIndex, "index_queryset", lambda self, using=None: ordered(self, using)
                        .order_by("-clause__position", "-version__position"))
    for slug in (SEED, REPORT):
        update_document_index(slug)
    for key, expected in EXPECTED.items():
        assert ranking(key) == expected, key


def test_the_index_is_given_passages_in_library_and_document_order(two_documents):
    rows = list(PassageIndex().index_queryset().values_list(
        "clause__document__slug", "clause__position", "version__position"))
    assert rows == sorted(rows, key=lambda row: (row[0] != REPORT, row[1], row[2]))  # 2020 first


# --- NUL in what a visitor sends -----------------------------------------------------------------

NUL_URLS = [
    f"/api/documents/{SEED}/clauses/%00",
    f"/api/documents/{SEED}/clauses/2.1%00",
    f"/api/documents/{SEED}%00",
    f"/api/documents/{SEED}/alignment?source=zh-hans&target=en%00",
    f"/api/documents/{SEED}/checks?target=%00",
    f"/api/documents/{SEED}/concordance?q=%00",
    "/api/search?q=%E4%BA%92%00",
    f"/api/search?q=x&document={SEED}%00",
    f"/{SEED}/%00/",
    f"/{SEED}/?v=zh-hans,%00",
    f"/{SEED}/checks/?target=%00",
    "/search/?q=%00",
    "/concordance/?q=%E4%BA%92%00",
    "/?issuer=%00&year=2019",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_in_a_url_is_never_a_server_error(client, ingested, url):
    assert client.get(url).status_code < 500


# --- the database restarts under a running server ------------------------------------------------

def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0)
    return Path(found[-1]).parent if found else None


class Cluster:
    """A throwaway PostgreSQL cluster in a directory of its own, listening on a Unix socket there
    only; as root (CI), run by the postgres user, since PostgreSQL refuses to run as root."""

    def __init__(self, bindir: Path):
        self.bin = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="duizhao-pgtest-"))
        self.owner = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.owner = ["runuser", "-u", "postgres", "--"]
        self.data = self.dir / "data"

    def ctl(self, *args):
        subprocess.run([*self.owner, str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                        str(self.dir / "server.log"), "-w", "-s", *args], check=True, timeout=120)

    def create(self):
        subprocess.run([*self.owner, str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                        "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, stdout=subprocess.DEVNULL, timeout=120)
        self.start()
        subprocess.run([str(self.bin / "psql"), "-h", str(self.dir), "-U", "postgres", "-d", "postgres",
                        "-qX", "-c", "CREATE ROLE duizhao LOGIN", "-c", "CREATE DATABASE duizhao OWNER duizhao"],
                       check=True, timeout=60)

    def start(self):
        self.ctl("start", "-o", f"-k {self.dir} -c listen_addresses='' -c fsync=off")

    @property
    def url(self) -> str:
        return f"postgres://duizhao@{urllib.parse.quote(str(self.dir), safe='')}/duizhao"

    def remove(self):
        subprocess.run([*self.owner, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "-s", "stop"], stderr=subprocess.DEVNULL, timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)


WITHOUT_CHECKS = '''from restart_settings import *  # noqa: F401,F403
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
'''


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Server:
    """gunicorn as `make run` starts it (config/gunicorn.py), one worker with one thread, so
    every request goes through the same kept database connection."""

    def __init__(self, env: dict, settings_module: str, log: Path):
        self.port = free_port()
        self.log = log
        env = {**env, "DJANGO_SETTINGS_MODULE": settings_module, "PORT": str(self.port),
               "WEB_CONCURRENCY": "1", "THREADS": "1"}
        with open(log, "w") as errors:
            self.process = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c",
                                             "config/gunicorn.py", "config.wsgi"], cwd=ROOT, env=env,
                                            stdout=subprocess.DEVNULL, stderr=errors)
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(self.url("/api/documents"), timeout=2).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.3)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.mark.skipif(not ON_POSTGRES, reason="restarts a PostgreSQL cluster: runs under "
                    "`make test-postgres` (DATABASE_URL=postgres://…), not on SQLite")
def test_after_the_database_restarts_the_next_request_is_answered_not_a_500(tmp_path):
    bindir = postgres_bin()
    if bindir is None:
        pytest.fail("PostgreSQL's server programs are missing (make test-postgres installs them)")
    cluster = Cluster(bindir)
    servers = []
    try:
        cluster.create()
        write_settings(tmp_path, "restart_settings")
        (tmp_path / "restart_without_checks.py").write_text(WITHOUT_CHECKS)
        keep = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env = {**keep, "PYTHONPATH": f"{tmp_path}:{ROOT}", "DATABASE_URL": cluster.url,
               "DJANGO_SECRET_KEY": "restart-test-" + "k" * 50, "ALLOWED_HOSTS": "127.0.0.1",
               "DJANGO_SECURE_SSL_REDIRECT": "0", "SEARCH_INDEX_PATH": str(tmp_path / "index"),
               "ACCESS_LOG": os.devnull}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, timeout=300,
                       env={**env, "DJANGO_SETTINGS_MODULE": "restart_settings"})
        checked = Server(env, "restart_settings", tmp_path / "checked.log")
        servers.append(checked)
        unchecked = Server(env, "restart_without_checks", tmp_path / "unchecked.log")
        servers.append(unchecked)
        # Each worker now keeps a connection, used by every request (the corpus revision is read
        # from the database at most once a second: production's CORPUS_REVISION_TTL).
        for server in servers:
            assert [status_of(server.url("/api/documents")) for _ in range(3)] == [200, 200, 200]

        cluster.ctl("restart", "-m", "fast")
        time.sleep(1.2)  # past production's CORPUS_REVISION_TTL: the next request asks the database

        assert [status_of(checked.url("/api/documents")) for _ in range(3)] == [200, 200, 200]
        # Without the check: exactly the one 500 per worker the issue reports, then recovery.
        assert [status_of(unchecked.url("/api/documents")) for _ in range(3)] == [500, 200, 200]

        # The database down for a while: every request fails at once (no hang), and the first
        # request once it is back is answered.
        cluster.ctl("stop", "-m", "fast")
        time.sleep(1.2)
        started = time.monotonic()
        assert status_of(checked.url("/api/documents")) == 500
        assert time.monotonic() - started < 10
        cluster.start()
        time.sleep(1.2)
        assert status_of(checked.url("/api/documents")) == 200
    finally:
        for server in servers:
            server.stop()
        cluster.remove()
