"""Index faults: the search index answers for the corpus as it is, whatever happened to it.

Each test damages a real Whoosh index of the real seed document in a directory of its own (never
the session's shared test index): an index update killed after the database committed a new
corpus, the live generation's directory or the whole index deleted, ``CURRENT`` emptied or
garbled, a segment file truncated, two rebuilds in two processes at once, a rebuild killed
midway, a disk that fills up (a real tmpfs where the machine allows mounting one, and an
injected ENOSPC everywhere). What must follow: searches answer from the last good generation
(or say clearly that the index is being rebuilt, and rebuild it), never 200 with nothing found
and never a 500; the fault is logged; the next ``ingest`` (or ``build_search_index --if-stale``)
repairs what it left; a failed write leaves no partial generation and says why in one line.
"""
import errno
import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection
from haystack import connections
from whoosh.writing import SegmentWriter

from reader.models import Document, Passage
from search import services
from search.backend import CURRENT, MANIFEST
from search.services import backend, rebuild_search_index

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ["众创空间", "cloud computing", "互联网+"]
PLAIN_DOCUMENT = "gwr-2020"  # the smallest document of the library, for tests that re-ingest


@contextmanager
def index_at(path: Path):
    """Point the search backend at an index directory of the test's own."""
    info = connections.connections_info["default"]
    shared = info["PATH"]
    info["PATH"] = str(path)
    connections.reload("default")
    cache.clear()  # pages cached against the shared index must not answer for this one
    try:
        yield backend()
    finally:
        info["PATH"] = shared
        connections.reload("default")
        cache.clear()


_templates: dict[tuple, Path] = {}  # indexes of the seed with two complete generations, by passage ids


@pytest.fixture
def index(ingested, tmp_path_factory, tmp_path):
    """The seed in the database and an index of it in a temporary directory of this test: two
    complete generations (the live one and the previous one), as after two rebuilds. On SQLite
    every test's database starts over with the same rows and ids, so the index is built once
    and copied; PostgreSQL's sequences go on counting across rolled-back tests, so there each
    test's ids (which the index stores) need an index of their own."""
    ids = tuple(Passage.objects.order_by("pk").values_list("pk", flat=True))
    key = (ids[0], ids[-1], len(ids))
    if key not in _templates:
        built = tmp_path_factory.mktemp("index-template") / "index"
        with index_at(built):
            rebuild_search_index()
            rebuild_search_index()
        _templates[key] = built
    root = tmp_path / "index"
    shutil.copytree(_templates[key], root)
    with index_at(root) as b:
        yield b


def generation_dirs(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("gen-"))


def complete(root: Path, name: str) -> bool:
    return (root / name / MANIFEST).is_file()


def previous_generation(b) -> str:
    return next(name for name in generation_dirs(b.root) if name != b.live_generation())


def found(client) -> dict:
    """What a reader gets for each query from the API: status, count and the clauses."""
    cache.clear()
    answers = {}
    for q in QUERIES:
        response = client.get("/api/search", {"q": q, "limit": 100})
        data = response.json()
        answers[q] = (response.status_code, data.get("count"), [(r["document"], r["ref"], r["version"])
                                                               for r in data.get("results", [])])
    return answers


def index_errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("search") and r.levelno >= logging.ERROR]


def truncate_a_segment(generation: Path) -> None:
    segment = sorted(generation.glob("*.seg"))[0]
    with open(segment, "r+b") as handle:
        handle.truncate(segment.stat().st_size // 2)


# --- a lost or damaged index --------------------------------------------------------------------

def delete_the_live_generation(b):
    shutil.rmtree(b.root / b.live_generation())


def empty_current(b):
    (b.root / CURRENT).write_text("")


def garble_current(b):
    (b.root / CURRENT).write_bytes(b"\x00\xff\xfe garbled \x89PNG\r\n")


def delete_current(b):
    (b.root / CURRENT).unlink()


def truncate_a_live_segment(b):
    truncate_a_segment(b.root / b.live_generation())


@pytest.mark.parametrize("damage", [delete_the_live_generation, empty_current, garble_current,
                                    delete_current, truncate_a_live_segment])
def test_a_lost_or_damaged_live_generation_is_answered_from_the_last_good_one_and_logged(
        client, index, caplog, damage):
    before = found(client)
    assert all(status == 200 and count for status, count, _ in before.values()), before
    damage(index)

    after = found(client)

    assert after == before
    assert index_errors(caplog), "the fault must be logged as an error"
    live = index.live_generation()
    assert live in generation_dirs(index.root) and complete(index.root, live)  # CURRENT repaired
    page = client.get("/search/", {"q": "众创空间"})
    assert page.status_code == 200 and "Nothing found" not in page.content.decode()


def test_a_lost_live_generation_is_answered_from_the_previous_one_even_in_a_process_that_had_it_open(
        client, index, caplog):
    before = found(client)  # this process has the live generation open
    live = index.live_generation()
    shutil.rmtree(index.root / live)
    assert found(client) == before
    assert index.live_generation() != live


@pytest.mark.parametrize("damage", ["the whole index directory deleted", "every generation damaged"])
def test_an_index_that_nothing_can_answer_from_says_so_and_is_rebuilt(client, index, caplog, monkeypatch, damage):
    before = found(client)
    started = []
    monkeypatch.setattr(services, "_start", started.append, raising=False)  # run below, by hand
    if damage == "the whole index directory deleted":
        shutil.rmtree(index.root)
    else:
        for name in generation_dirs(index.root):
            truncate_a_segment(index.root / name)

    cache.clear()
    api = client.get("/api/search", {"q": "众创空间"})
    page = client.get("/search/", {"q": "众创空间"})

    assert api.status_code == 503 and page.status_code == 503
    assert "being rebuilt" in api.json()["error"] and "count" not in api.json()
    text = page.content.decode()
    assert "being rebuilt" in text and "Nothing found" not in text
    assert index_errors(caplog)
    assert len(started) == 1  # one rebuild, however many searches asked
    started[0]()  # the background rebuild, here in the test's thread (and database)
    assert found(client) == before
    assert all(complete(index.root, name) for name in generation_dirs(index.root))


def test_a_reader_never_makes_an_empty_index_in_place_of_a_lost_one(client, index, monkeypatch):
    monkeypatch.setattr(services, "_start", lambda run: None, raising=False)
    shutil.rmtree(index.root)
    cache.clear()
    assert client.get("/api/search", {"q": "众创空间"}).status_code == 503
    assert not index.root.exists() or not generation_dirs(index.root)


def test_emptying_the_index_never_prunes_the_last_generation_that_had_documents(index):
    with_documents = index.live_generation()
    for _ in range(3):
        index.clear()  # haystack's clear_index: an empty generation, live
    assert with_documents in generation_dirs(index.root)
    assert index.manifest(with_documents)["documents"]


# --- a stale index ------------------------------------------------------------------------------

def plain_document(tmp_path: Path, *, change: tuple[str, str] | None = None) -> Path:
    """A copy of one of the library's plain documents, its English text changed if asked."""
    folder = Path(shutil.copytree(settings.LIBRARY_DIR / PLAIN_DOCUMENT, tmp_path / PLAIN_DOCUMENT))
    if change:
        import hashlib
        english = folder / "en.txt"
        old_hash = hashlib.sha256(english.read_bytes()).hexdigest()
        text = english.read_text(encoding="utf-8")
        assert text.count(change[0]) == 1, change
        english.write_text(text.replace(change[0], change[1]), encoding="utf-8")
        manifest = folder / "manifest.toml"
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(
            old_hash, hashlib.sha256(english.read_bytes()).hexdigest()), encoding="utf-8")
    return folder


OLD_PHRASE = "aquaculture"
NEW_PHRASE = "zorblax"


def clauses_with(client, q: str) -> list[str]:
    cache.clear()
    response = client.get("/api/search", {"q": q, "document": PLAIN_DOCUMENT})
    assert response.status_code == 200, response.content
    return [r["ref"] for r in response.json()["results"]]


def english_line_with(word: str) -> str:
    text = (settings.LIBRARY_DIR / PLAIN_DOCUMENT / "en.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if word in line]
    assert len(lines) == 1 and text.count(word) == 1, f"{word!r} must occur once in {PLAIN_DOCUMENT}"
    return lines[0]


def test_an_index_update_killed_after_the_import_committed_is_repaired_by_the_next_ingest(
        client, db, tmp_path, monkeypatch):
    line = english_line_with(OLD_PHRASE)
    with index_at(tmp_path / "index"):
        call_command("ingest", sources=plain_document(tmp_path / "v1"), stdout=StringIO())
        where = clauses_with(client, OLD_PHRASE)
        assert len(where) == 1
        changed = plain_document(tmp_path / "v2", change=(line, line.replace(OLD_PHRASE, NEW_PHRASE)))

        calls = {"n": 0}
        add_document = SegmentWriter.add_document

        def killed_midway(self, **fields):
            calls["n"] += 1
            if calls["n"] > 50:
                raise KeyboardInterrupt("killed")  # what a kill looks like to the writer
            return add_document(self, **fields)

        monkeypatch.setattr(SegmentWriter, "add_document", killed_midway)
        with pytest.raises(KeyboardInterrupt):
            call_command("ingest", sources=changed, stdout=StringIO())
        monkeypatch.undo()
        assert clauses_with(client, OLD_PHRASE) == where and clauses_with(client, NEW_PHRASE) == []  # stale
        page = client.get("/search/", {"q": OLD_PHRASE}).content.decode()
        assert "has not yet caught up with the latest import" in page  # and says so

        out = StringIO()
        call_command("ingest", sources=changed, stdout=out)

        assert f"{PLAIN_DOCUMENT}: already up to date" in out.getvalue()
        assert f"Search index updated for {PLAIN_DOCUMENT}" in out.getvalue()
        assert "an update had failed or was interrupted" in out.getvalue()
        assert clauses_with(client, NEW_PHRASE) == where and clauses_with(client, OLD_PHRASE) == []
        assert "has not yet caught up" not in client.get("/search/", {"q": NEW_PHRASE}).content.decode()
        root = tmp_path / "index"
        assert all(complete(root, name) for name in generation_dirs(root))


def test_an_index_rolled_back_to_an_older_generation_is_brought_up_to_date_by_build_search_index_if_stale(
        client, index, caplog):
    live = index.live_generation()
    index.replace_document("guofa-2015-40", [], revision="an older import")  # what a rollback leaves
    assert found(client)["众创空间"][1] == 0
    assert any("out of date for guofa-2015-40" in r.getMessage() for r in caplog.records
               if r.levelno == logging.WARNING)

    out = StringIO()
    call_command("build_search_index", "--if-stale", stdout=out)

    assert "Search index updated for guofa-2015-40" in out.getvalue()
    assert found(client)["众创空间"][1] > 0 and index.live_generation() != live
    out = StringIO()
    call_command("build_search_index", "--if-stale", stdout=out)
    assert "up to date with the database, nothing to do" in out.getvalue()


def test_the_database_check_reports_a_stale_or_broken_index_and_nothing_when_it_is_whole(index):
    assert run_checks(tags=["search"], databases=["default"]) == []
    Document.objects.filter(slug="guofa-2015-40").update(fingerprint="0" * 64)  # a newer import

    stale = run_checks(tags=["search"], databases=["default"])
    assert [m.id for m in stale] == ["search.W001"]
    assert "guofa-2015-40" in stale[0].msg and "build_search_index" in stale[0].hint
    assert run_checks(tags=["search"]) == []  # stored data is checked only when asked to (--database)

    fallback = previous_generation(index)
    shutil.rmtree(index.root / index.live_generation())
    broken = run_checks(tags=["search"], databases=["default"])
    assert [m.id for m in broken] == ["search.W002", "search.W001"]
    assert "missing" in broken[0].msg and fallback in broken[0].msg

    out = StringIO()
    call_command("build_search_index", "--if-stale", stdout=out)
    assert f"{fallback} made live again" in out.getvalue()
    assert "Search index updated for guofa-2015-40" in out.getvalue()
    assert run_checks(tags=["search"], databases=["default"]) == []


# --- a full disk ----------------------------------------------------------------------------------

def no_space_after(count: int):
    calls = {"n": 0}
    add_document = SegmentWriter.add_document

    def add(self, **fields):
        calls["n"] += 1
        if calls["n"] > count:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return add_document(self, **fields)
    return add


def test_a_rebuild_that_runs_out_of_disk_leaves_no_partial_generation_and_says_why_in_one_line(
        client, index, monkeypatch):
    before, generations = found(client), generation_dirs(index.root)
    monkeypatch.setattr(SegmentWriter, "add_document", no_space_after(100))

    for _ in range(3):  # every retry, too
        with pytest.raises(CommandError) as failure:
            call_command("build_search_index", stdout=StringIO())
        message = str(failure.value)
        assert message.startswith("search index not rebuilt: no space left on device (")
        assert "\n" not in message
        assert generation_dirs(index.root) == generations
    with pytest.raises(CommandError, match=r"^search index not updated for guofa-2015-40: no space left"):
        call_command("build_search_index", document="guofa-2015-40", stdout=StringIO())
    assert generation_dirs(index.root) == generations
    monkeypatch.undo()
    assert found(client) == before


def test_an_ingest_whose_index_update_runs_out_of_disk_exits_with_one_line_and_the_next_ingest_finishes_it(
        client, db, tmp_path, monkeypatch):
    line = english_line_with(OLD_PHRASE)
    root = tmp_path / "index"
    with index_at(root):
        call_command("ingest", sources=plain_document(tmp_path / "v1"), stdout=StringIO())
        generations = generation_dirs(root)
        changed = plain_document(tmp_path / "v2", change=(line, line.replace(OLD_PHRASE, NEW_PHRASE)))
        monkeypatch.setattr(SegmentWriter, "add_document", no_space_after(10))
        with pytest.raises(CommandError) as failure:
            call_command("ingest", sources=changed, stdout=StringIO())
        assert str(failure.value).startswith(f"search index not updated for {PLAIN_DOCUMENT}: no space left on device")
        assert "\n" not in str(failure.value)
        assert generation_dirs(root) == generations
        assert clauses_with(client, OLD_PHRASE)
        monkeypatch.undo()
        call_command("ingest", sources=changed, stdout=StringIO())
        assert clauses_with(client, NEW_PHRASE) and not clauses_with(client, OLD_PHRASE)


# --- other processes: a file database both can read -------------------------------------------------

def file_database(path: Path) -> Path:
    """The test's database (the seed ingested), copied to a file that other processes can open."""
    if connection.vendor != "sqlite":
        pytest.skip("other processes read a file copy of the SQLite test database (its rows are "
                    "uncommitted, so no other process could see them on a server)")
    connection.ensure_connection()
    # A dump read through the test's own connection, which sees its uncommitted rows (SQLite's
    # backup API would wait forever for the test's transaction to end).
    target = sqlite3.connect(path)
    target.executescript("\n".join(connection.connection.iterdump()))
    target.close()
    return path


def manage(*args, database: Path, index_path: Path, **popen):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "DATABASE_URL": f"sqlite:///{database}", "SEARCH_INDEX_PATH": str(index_path)}
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def doc_count(b) -> int:
    searcher = b.searcher()
    try:
        return searcher.doc_count()
    finally:
        searcher.close()


def test_two_rebuilds_in_two_processes_at_once_end_with_one_complete_live_generation(ingested, tmp_path):
    database = file_database(tmp_path / "db.sqlite3")
    root = tmp_path / "index"
    builds = [manage("build_search_index", database=database, index_path=root) for _ in range(2)]
    results = [build.communicate(timeout=300) for build in builds]

    assert [build.returncode for build in builds] == [0, 0], results
    with index_at(root) as b:
        live = b.live_generation()
        assert live and complete(root, live)
        assert all(complete(root, name) for name in generation_dirs(root))  # no partial generation
        assert len(generation_dirs(root)) == 2  # the live one and the one before it
        assert doc_count(b) == Passage.objects.count()
        assert sorted(b.manifest(live)["documents"]) == ["guofa-2015-40"]


def test_a_rebuild_killed_midway_leaves_the_old_generation_live_and_the_next_rebuild_clears_its_remains(
        ingested, tmp_path):
    database = file_database(tmp_path / "db.sqlite3")
    root = tmp_path / "index"
    first = manage("build_search_index", database=database, index_path=root)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    live = (root / CURRENT).read_text().strip()

    killed = manage("build_search_index", database=database, index_path=root, start_new_session=True)
    deadline = time.monotonic() + 120
    while generation_dirs(root) == [live]:  # until it has started writing its generation
        assert killed.poll() is None and time.monotonic() < deadline, "the rebuild ended before it could be killed"
        time.sleep(0.01)
    time.sleep(0.2)
    assert killed.poll() is None, "the rebuild ended before it could be killed"
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    remains = [name for name in generation_dirs(root) if name != live]
    assert remains and not any(complete(root, name) for name in remains)

    with index_at(root) as b:
        assert b.live_generation() == live and doc_count(b) == Passage.objects.count()
        again = manage("build_search_index", database=database, index_path=root)
        assert again.wait(timeout=300) == 0, again.stderr.read()
        assert not set(remains) & set(generation_dirs(root))
        assert all(complete(root, name) for name in generation_dirs(root))
        assert live in generation_dirs(root)  # the previous one, kept for searchers still on it
        assert doc_count(b) == Passage.objects.count()


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs, where the machine lets the test mount one (root with CAP_SYS_ADMIN)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({(result.stderr or 'not root').strip()}); "
                    f"the injected ENOSPC tests cover the same code")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> None:
    stat = os.statvfs(disk)
    with open(disk / "filler", "wb") as handle:
        handle.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))


def test_a_rebuild_on_a_full_disk_says_so_in_one_line_removes_its_partial_generation_and_the_old_one_answers(
        client, ingested, tmp_path, small_disk):
    database = file_database(tmp_path / "db.sqlite3")
    root = small_disk / "index"
    first = manage("build_search_index", database=database, index_path=root)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    generations = generation_dirs(root)
    fill(small_disk, leave=256 * 1024)

    for _ in range(2):  # a retry adds nothing either
        build = manage("build_search_index", database=database, index_path=root)
        out, err = build.communicate(timeout=300)
        assert build.returncode == 1
        errors = [line for line in err.splitlines() if "Error" in line]  # jieba also talks on stderr
        assert len(errors) == 1 and "Traceback" not in err, err
        assert errors[0].startswith("CommandError: search index not rebuilt: no space left on device (")
        assert generation_dirs(root) == generations

    with index_at(root):
        assert found(client)["众创空间"][1] > 0
    (small_disk / "filler").unlink()
    build = manage("build_search_index", database=database, index_path=root)
    assert build.wait(timeout=300) == 0
    assert json.loads((root / (root / CURRENT).read_text().strip() / MANIFEST).read_text())["documents"]
