"""haystack's Whoosh backend, made Chinese-aware and safe to rebuild under readers.

What changes against the stock backend (subclassed, not copied):

* Schema: the passage text is indexed three ways, with the analyzers of ``search.analysis``:
  ``text`` (jieba words and stemmed English words, sequential positions), ``chars`` (one token
  per Chinese character, so any Chinese string is found where it occurs) and ``spell``
  (unstemmed English words for suggestions). Keys are exact-match ID fields.
* Generations: ``PATH`` holds numbered index directories and a ``CURRENT`` file naming the live
  one. A rebuild writes a complete new generation, then its manifest (``REVISION.json``: the
  fields, and each document indexed with the fingerprint of the corpus it was indexed from),
  and then replaces ``CURRENT`` atomically, so a reader never sees an empty or half-written
  index (stock ``rebuild_index`` clears first and readers get ``EmptyIndexError`` or nothing).
  A generation without a manifest is incomplete: a write that failed or was killed. Readers
  notice the switch on their next search.
* Faults: a reader whose live generation cannot answer (``CURRENT`` missing, empty or naming
  nothing, the directory gone, a segment file damaged, other fields) logs an error and answers
  from the newest complete generation that can, making it live again; if none can, it raises
  ``IndexUnavailable`` and never creates an empty index in its place. A write that fails
  removes its partial generation and leaves the live one as it was; a full disk (or any other
  ``OSError``) becomes ``IndexWriteFailed`` with a one-line message. The next writer removes
  what a killed one left behind. Old generations are pruned only by writers, keeping the
  previous one for searchers still open on it, and never the last complete one with documents
  in favour of an empty one.
* One segment per document: a rebuild writes each document's passages as a Whoosh segment of
  their own, and ``replace_document`` copies the live generation, drops that document's
  segment from the copy, writes its passages as a new one and switches to it the same way.
  Adding or re-importing a document therefore neither rewrites the others nor shows readers a
  half-updated index, and BM25's index-wide statistics stay exact: Whoosh counts a deleted
  passage in them until its segment is merged away, and a merge counts lengths as stored
  (rounded), so deleting inside a shared segment, or merging, would shift every other
  document's scores a little. Every write (a rebuild, a document's update, a pruning) holds
  an exclusive ``flock`` on ``WRITE.lock`` in ``PATH``, so writers in different processes take
  turns instead of starting from the same generation or deleting one another's work; the
  operating system releases it when its holder dies.
* One searcher per search, from one index generation: no second "narrowing" searcher that
  could read another generation (``HAYSTACK_LIMIT_TO_REGISTERED_MODELS`` is off). Searches
  share one open searcher (``shared_searcher``) as long as the generation's files are exactly
  those it was opened on; opening one reads every segment's header and cost about a tenth of
  a search.
* ``remove`` uses an ``AsyncWriter`` like ``update`` does, instead of a plain writer that hits
  ``LockError`` (which ``SILENTLY_FAIL`` would log and swallow), and does not merge segments.
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import multiprocessing
import os
import re
import shutil
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import NamedTuple

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import ID
from haystack.utils import get_identifier
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID as WhooshID
from whoosh.fields import NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.qparser import FuzzyTermPlugin, QueryParser
from whoosh.writing import AsyncWriter, SegmentWriter

from .analysis import char_analyzer, segmenter, spelling_analyzer, word_analyzer

logger = logging.getLogger(__name__)

CURRENT = "CURRENT"
MANIFEST = "REVISION.json"
WRITE_LOCK = "WRITE.lock"
KEEP_GENERATIONS = 2
GENERATION_NAME = re.compile(r"gen-[0-9A-Za-z_.-]+")
# Errors of this process or machine, not of the index: a reader retries later instead of
# turning away from a generation that is fine.
TRANSIENT = {errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EINTR, errno.EAGAIN}
_lock = threading.Lock()
# Whoosh's searcher remembers the idf of every term it was asked about, without bound; a shared
# searcher's memo is emptied past this many, so that memory does not grow with the number of
# distinct queries served.
IDF_CACHE_LIMIT = 20_000


class Replacement(NamedTuple):
    removed: int  # passages of the document taken out of the index
    written: int  # passages of the document put in


class SharedSegment(Exception):
    """A document's passages share a segment with other documents' (an index written another
    way): it cannot be replaced on its own without disturbing the others' statistics."""


class IndexUnavailable(RuntimeError):
    """No generation of the index can answer: none was built, or every one is damaged."""


class IndexWriteFailed(RuntimeError):
    """A write to the index failed on the file system (a full disk, a read-only mount): its
    partial generation is removed, the live one stays live. The message is one line."""


class IndexBusy(RuntimeError):
    """Another process is writing the index (only raised when asked not to wait)."""


class Health(NamedTuple):
    """What a reader would get, found without changing anything."""
    live: str | None  # what CURRENT names
    problem: str  # why the live generation cannot answer; "" when it can
    answering: str | None  # the generation searches answer from (the live one, or a fallback)
    manifest: dict | None  # the answering generation's manifest (None: built before manifests)


def drop_emptied_segments(writer, segments):
    """Whoosh merge policy: keep every segment as it is, except those whose passages have all
    been deleted, which go (files and statistics)."""
    return [segment for segment in segments if segment.doc_count() > 0]


def one_line(problem: BaseException) -> str:
    text = " ".join(str(problem).split()) or type(problem).__name__
    return f"{type(problem).__name__}: {text}"[:200]


def _transient(problem: BaseException) -> bool:
    return isinstance(problem, MemoryError) or (isinstance(problem, OSError) and problem.errno in TRANSIENT)


# --- segments written in parallel ---------------------------------------------------------------
# A rebuild's time is analysing the text (jieba is pure Python) and Whoosh turning postings into
# a segment, both per document, and each document is a segment of its own: worker processes
# write whole segments side by side, each exactly as a writer of its own would, and the rebuild
# lists them in one table of contents. Nothing is merged, so every statistic is the one a
# single process writes, and so is every score.

class _PrivateTempStorage(FileStorage):
    """The generation's directory, with a scratch directory per process: Whoosh names a
    writer's after the index alone, and a writer finishing would remove another's."""

    def temp_storage(self, name=None):
        return super().temp_storage(f"{name or 'scratch'}-{os.getpid()}.tmp")


class _SegmentWriter(SegmentWriter):
    """Whoosh's writer, reading each passage's field lengths once while it writes the postings
    (Whoosh's reader looks them up again, and stats the column file, for every posting: a
    sixth of a rebuild's time)."""

    def per_document_reader(self):
        reader = super().per_document_reader()
        reader.doc_field_length = lru_cache(maxsize=None)(reader.doc_field_length)
        return reader


def _codec():
    """Whoosh's codec without zlib on posting blocks: compressing them was a twentieth of a
    build, and decompressing them is paid on every search that reads them, for files about a
    third smaller."""
    return W3Codec(compression=0)


def _write_segment(path: str, passages: list[dict]):
    """Write ``passages`` (Whoosh field values) as one new segment of the index in ``path`` and
    return it, without listing it in the index's table of contents."""
    writer = _SegmentWriter(_PrivateTempStorage(path).open_index(), _lk=False, limitmb=128, codec=_codec())
    try:
        for fields in passages:
            writer.add_document(**fields)
        segment = writer._finalize_segment()
    except BaseException:
        writer.cancel()
        raise
    writer._finish()
    return segment


class _SegmentWriters:
    """Writes segments in ``procs`` worker processes (default: one per CPU), or here with one,
    and outside the main thread of a process with other threads (the background rebuild of a
    web worker): forking copies locks that other threads may hold."""

    def __init__(self, procs: int | None = None):
        if procs is None:
            procs = os.cpu_count() or 1
            if threading.current_thread() is not threading.main_thread() or threading.active_count() > 1:
                procs = 1
        self.procs = procs
        self.pool = None
        self.pending = []

    def __enter__(self):
        if self.procs > 1:
            segmenter()  # loaded once, here, and shared with the workers by fork
            self.pool = ProcessPoolExecutor(self.procs, mp_context=multiprocessing.get_context("fork"))
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        return False

    def write(self, path: str, passages: list[dict]) -> None:
        if self.pool is None:
            self.pending.append(_write_segment(path, passages))
            return
        self.pending.append(self.pool.submit(_write_segment, path, passages))
        waiting = [f for f in self.pending if not f.done()]
        if len(waiting) > 2 * self.procs:  # read ahead of the workers, but not the whole library
            waiting[0].result()

    def segments(self) -> list:
        """The segments written, in the order they were given."""
        return [item.result() if self.pool is not None else item for item in self.pending]


class DuizhaoWhooshBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.root = Path(self.path)
        self.generation = None
        self._schema_built = None
        self._manifests: dict[str, dict | None] = {}
        self._reported = None  # the last fallback logged, so that it is logged once
        self._shared = None  # (files it was opened on, searcher): see shared_searcher

    # --- generations -------------------------------------------------------------------------

    def live_generation(self) -> str | None:
        """What ``CURRENT`` names (checked by the readers, not here), None if nothing."""
        try:
            raw = (self.root / CURRENT).read_bytes()
        except OSError:
            return None
        return raw.decode("utf-8", "replace").strip() or None

    def generations(self) -> list[str]:
        """The generation directories in ``PATH``, complete or not."""
        try:
            return [p.name for p in self.root.iterdir() if p.is_dir() and GENERATION_NAME.fullmatch(p.name)]
        except OSError:
            return []

    def manifest(self, name: str | None) -> dict | None:
        """A generation's manifest: ``{"built": time, "fields": [...], "documents": {slug:
        {"revision": fingerprint, "passages": n}}}``; None if it has none or it is unreadable."""
        if not name or not GENERATION_NAME.fullmatch(name):
            return None
        if name in self._manifests:
            return self._manifests[name]
        try:
            data = json.loads((self.root / name / MANIFEST).read_text(encoding="utf-8"))
            found = data if isinstance(data, dict) and isinstance(data.get("documents"), dict) else None
        except (OSError, ValueError):
            return None  # not remembered: it may yet be written
        self._manifests[name] = found
        return found

    def problem(self, name: str | None, *, live: bool = False) -> str:
        """Why generation ``name`` cannot answer searches, or "" if it can: it exists, it is
        complete (has its manifest; a live one made before manifests existed is accepted), it
        has this code's fields and every segment opens."""
        if name is None:
            return "CURRENT names no generation (missing, empty or unreadable)"
        if not GENERATION_NAME.fullmatch(name):
            return f"CURRENT does not name a generation ({name[:40]!r})"
        path = self.root / name
        if not path.is_dir():
            return f"generation {name} is missing"
        if not live and self.manifest(name) is None:
            return f"generation {name} is incomplete (no {MANIFEST})"
        try:
            stored = FileStorage(str(path)).open_index()
            if set(stored.schema.names()) != set(self._schema()[1].names()):
                return f"generation {name} was built with other fields"
            stored.searcher().close()
        except Exception as problem:  # damaged files raise whatever their reader hits first
            if _transient(problem):
                raise
            return f"generation {name} cannot be read ({one_line(problem)})"
        return ""

    def _last_good(self, exclude=()) -> str | None:
        """The newest complete generation that can answer."""
        complete = [(self.manifest(name).get("built", 0), name) for name in self.generations()
                    if name not in exclude and self.manifest(name) is not None]
        for _, name in sorted(complete, reverse=True):
            if not self.problem(name):
                return name
        return None

    def health(self) -> Health:
        """The live generation, whether it can answer and, if not, which one would."""
        live = self.live_generation()
        problem = self.problem(live, live=True)
        answering = live if not problem else self._last_good(exclude={live})
        return Health(live, problem, answering, self.manifest(answering))

    def setup(self):
        """Open the generation searches answer from: the live one, or if it cannot answer the
        newest complete one that can (logged as an error, and made live). Raises
        ``IndexUnavailable`` when none can; an empty index is never made up in its place."""
        with _lock:
            live = self.live_generation()
            problem = self.problem(live, live=True)
            name = live
            if not problem:
                self._reported = None
            else:
                name = self._last_good(exclude={live})
                if (live, name) != self._reported:
                    self._reported = (live, name)
                    if name is None:
                        logger.error("Search index unavailable: %s, and no earlier generation in %s "
                                     "can answer.", problem, self.root)
                    else:
                        logger.error("Search index: %s; answering from %s, the newest complete "
                                     "generation that can.", problem, name)
                if name is None:
                    self.setup_complete = False
                    raise IndexUnavailable(f"{problem}, and no earlier generation can answer")
                self._make_live_again(live, name)
            self._open(name)

    def _open(self, name: str) -> None:
        """haystack's ``setup`` for one existing generation (haystack's own would create an
        empty index wherever it finds none)."""
        self.content_field_name, self.schema = self._schema()
        self.path = str(self.root / name)
        self.storage = FileStorage(self.path)
        self.index = self.storage.open_index(schema=self.schema)
        self.parser = QueryParser(self.content_field_name, schema=self.schema)
        self.parser.add_plugins([FuzzyTermPlugin])
        self.generation = name
        self.setup_complete = True

    def _make_live_again(self, broken: str | None, good: str) -> None:
        """Point ``CURRENT`` at ``good`` if it still names ``broken`` and no writer is busy (a
        writer would switch to something better anyway)."""
        try:
            with self.writing(wait=False):
                if self.live_generation() == broken:
                    self._write_current(good)
        except (IndexBusy, OSError):
            pass

    def _schema(self):
        if self._schema_built is None:
            from haystack import connections
            self._schema_built = self.build_schema(
                connections[self.connection_alias].get_unified_index().all_searchfields())
        return self._schema_built

    def _new_generation_dir(self) -> str:
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
        (self.root / name).mkdir(parents=True)
        return name

    def _write_current(self, name: str) -> None:
        tmp = self.root / f"{CURRENT}.{os.getpid()}.tmp"
        try:
            tmp.write_text(name + "\n")
            os.replace(tmp, self.root / CURRENT)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _switch_to(self, name: str) -> None:
        """Make complete generation ``name`` live and prune; called holding the write lock."""
        self._write_current(name)
        self._prune(name)

    def _prune(self, live: str) -> None:
        """Remove what no reader needs: generations left incomplete by a failed or killed
        write (no writer is running, we hold the lock), and complete ones beyond the newest
        ``KEEP_GENERATIONS`` (the previous one stays for searchers still open on it). If the
        live generation is empty, the newest one that has documents is kept too."""
        for stray in self.root.glob(f"{CURRENT}.*.tmp"):
            stray.unlink(missing_ok=True)
        complete = []
        for name in self.generations():
            if name == live:
                continue
            if not (self.root / name / MANIFEST).exists():
                shutil.rmtree(self.root / name, ignore_errors=True)
                continue
            manifest = self.manifest(name)
            if manifest is not None:  # (an unreadable one is left alone)
                complete.append((manifest.get("built", 0), name, manifest))
        good = [(name, manifest) for _, name, manifest in sorted(complete, key=lambda c: c[0], reverse=True)
                if not self.problem(name)]
        keep = {name for name, _ in good[:KEEP_GENERATIONS - 1]}
        if not (self.manifest(live) or {}).get("documents"):
            keep.update([name for name, manifest in good if manifest.get("documents")][:1])
        for _, name, _ in complete:
            if name not in keep:
                shutil.rmtree(self.root / name, ignore_errors=True)
                self._manifests.pop(name, None)

    def refresh_if_switched(self) -> None:
        """Reopen if another process (or a rebuild) made a new generation live."""
        if not self.setup_complete or self.live_generation() != self.generation:
            self.setup_complete = False
            self.setup()

    @contextmanager
    def writing(self, wait: bool = True):
        """Hold the index's write lock (across threads and processes) while making a
        generation; with ``wait=False``, raise ``IndexBusy`` at once if another writer has it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / WRITE_LOCK, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise IndexBusy(f"another process is writing the search index in {self.root}") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def _new_generation(self, what: str):
        """A new, empty generation directory; removed again if making it fails, so that a
        failed write leaves nothing behind. A file-system error (a full disk) becomes
        ``IndexWriteFailed``, saying in one line that the index was not ``what``."""
        name = None
        try:
            name = self._new_generation_dir()
            yield name
        except BaseException as failure:
            if name is not None:
                shutil.rmtree(self.root / name, ignore_errors=True)
            if isinstance(failure, OSError):
                reason = (os.strerror(failure.errno) if failure.errno else str(failure)).lower()
                raise IndexWriteFailed(f"search index not {what}: {reason} ({self.root}); "
                                       f"the previous generation stays live") from failure
            raise

    def _write_manifest(self, name: str, documents: dict[str, dict]) -> None:
        manifest = {"built": time.time(), "fields": sorted(self._schema()[1].names()),
                    "documents": dict(sorted(documents.items()))}
        path = self.root / name / MANIFEST
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def rebuild(self, documents, progress=None, *, revisions: dict[str, str] | None = None,
                wait: bool = True, procs: int | None = None) -> int:
        """Write ``documents`` (haystack-prepared dicts, grouped by document) to a fresh
        generation, one segment per document, record ``revisions`` (document slug ->
        fingerprint, for every document, with passages or not) in its manifest and make it
        live; returns how many passages. The segments are written by ``procs`` processes at
        once (``_SegmentWriters``), then listed, in the order given, in one table of contents."""
        content_field_name, schema = self._schema()
        revisions = revisions or {}
        with self.writing(wait=wait), self._new_generation("rebuilt") as name, \
                _SegmentWriters(procs) as writers:
            path = str(self.root / name)
            storage = FileStorage(path)
            storage.create_index(schema)
            count = 0
            indexed = {slug: {"revision": revision, "passages": 0} for slug, revision in revisions.items()}
            for slug, passages in groupby(documents, key=lambda doc: doc["document"]):
                batch = [self._whoosh_fields(doc) for doc in passages]
                writers.write(path, batch)
                before, count = count, count + len(batch)
                if progress and count // 1000 > before // 1000:
                    progress(count)
                indexed[slug] = {"revision": revisions.get(slug, ""), "passages": len(batch)}
            segments = writers.segments()
            if segments:
                TOC(schema, segments, 1).write(storage, "MAIN")
                clean_files(storage, "MAIN", 1, segments)
            self._write_manifest(name, indexed)
            with _lock:
                self._switch_to(name)
        self.setup_complete = False
        self.setup()
        return count

    def replace_document(self, slug: str, documents, revision: str | None = "") -> Replacement | None:
        """Make live a copy of the live generation in which document ``slug`` has exactly the
        passages ``documents`` (haystack-prepared dicts, possibly none), as a segment of its
        own, recorded in the manifest as indexed from ``revision`` (None: the document is
        gone, and so is its entry); the other documents' segments are copied as they are.

        Returns None, writing nothing, when that cannot be done exactly: no live generation
        that can answer, one without a manifest, built with other fields, or one where the
        document shares a segment with others. The caller rebuilds the whole index instead.
        """
        with self.writing():
            live = self.live_generation()
            manifest = self.manifest(live)
            if manifest is None or self.problem(live, live=True):
                return None
            source = self.root / live
            try:
                with self._new_generation(f"updated for {slug}") as name:
                    replaced = self._replace_in_copy(source, self.root / name, slug, documents)
                    indexed = dict(manifest["documents"])
                    indexed.pop(slug, None)
                    if revision is not None:
                        indexed[slug] = {"revision": revision, "passages": replaced.written}
                    self._write_manifest(name, indexed)
                    with _lock:
                        self._switch_to(name)
            except SharedSegment:
                return None
        self.setup_complete = False
        self.setup()
        return replaced

    def _replace_in_copy(self, source: Path, copy: Path, slug: str, documents) -> Replacement:
        for item in source.iterdir():
            if item.is_file() and not item.name.endswith("WRITELOCK") and item.name != MANIFEST:
                shutil.copy2(item, copy / item.name)
        writer = FileStorage(str(copy)).open_index().writer(limitmb=128, procs=1, codec=_codec())
        try:
            deleted_before = [segment.deleted_count() for segment in writer.segments]
            removed = writer.delete_by_term("document", slug)
            if any(segment.deleted_count() > before and segment.doc_count() > 0
                   for segment, before in zip(writer.segments, deleted_before)):
                raise SharedSegment(slug)
            written = 0
            for doc in documents:
                writer.add_document(**self._whoosh_fields(doc))
                written += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=drop_emptied_segments)
        return Replacement(removed, written)

    def _whoosh_fields(self, prepared: dict) -> dict:
        return {k: self._from_python(v) for k, v in prepared.items() if k != "boost"}

    # --- schema ------------------------------------------------------------------------------

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        names = set(schema.names())
        specific = {
            "text": TEXT(analyzer=word_analyzer(), phrase=True, stored=False),
            "chars": TEXT(analyzer=char_analyzer(), phrase=True, stored=False),
            "spell": TEXT(analyzer=spelling_analyzer(), phrase=False, stored=False, spelling=True),
            "position": NUMERIC(stored=True, numtype=int, sortable=True),
        }
        rebuilt = {}
        for name in schema.names():
            if name in specific:
                rebuilt[name] = specific[name]
            elif name == "clause_key":
                # A column too, so counting distinct clauses needs no stored-field reads.
                rebuilt[name] = WhooshID(stored=True, sortable=True)
            elif name in ("document", "version", "language", "ref", "part"):
                rebuilt[name] = WhooshID(stored=True)
            else:
                rebuilt[name] = schema[name]
        missing = set(specific) - names - {"position"}
        if missing:
            raise ValueError(f"search index lacks fields {sorted(missing)}")
        return content_field_name, Schema(**rebuilt)

    # --- writes ------------------------------------------------------------------------------

    def remove(self, obj_or_string, commit=True):
        if not self.setup_complete:
            self.setup()
        with self.writing():
            self.refresh_if_switched()
            self.index = self.index.refresh()
            writer = AsyncWriter(self.index)
            writer.delete_by_term(ID, get_identifier(obj_or_string))
            writer.commit(merge=False)  # merging would mix documents' segments

    def clear(self, models=None, commit=True):
        """Make an empty generation live (readers never see a half-cleared index)."""
        self.rebuild([])

    # --- reads -------------------------------------------------------------------------------

    def searcher(self):
        """A searcher on the generation searches answer from (see ``setup``). A generation that
        opened but whose files turn out missing or damaged is set aside the same way, once;
        raises ``IndexUnavailable`` when nothing can answer."""
        try:
            self.refresh_if_switched()
            return self.index.refresh().searcher()
        except Exception as problem:
            if isinstance(problem, IndexUnavailable) or _transient(problem):
                raise
            logger.error("Search index: generation %s cannot be read (%s).", self.generation, one_line(problem))
            self.setup_complete = False
            self._manifests.pop(self.generation, None)
            self.setup()
            return self.index.refresh().searcher()


    def shared_searcher(self):
        """The searcher of ``searcher()``, kept open across searches: not to be closed by the
        caller.

        It is reused only while ``CURRENT`` and every file of the generation it reads (name,
        size, modification time, inode) are as they were when it was opened, which one
        directory listing tells: a rebuild or an update (a new generation or a new table of
        contents), a deleted generation or a damaged segment file makes the next search close
        it and go through ``searcher()`` again, with all its fault handling. (A truncated
        segment must never be read through an old memory map: that kills the process.)

        Thread-safe because haystack gives each thread a backend of its own, so each thread
        has its own searcher (Whoosh's are not safe to share across threads); at most one per
        thread, replaced, never accumulated, however many distinct queries are served.
        """
        files = self._files_of_live_generation()
        if self._shared is not None:
            opened_on, searcher = self._shared
            if files is not None and files == opened_on:
                if len(searcher._idf_cache) > IDF_CACHE_LIMIT:
                    searcher._idf_cache.clear()
                return searcher
            self._shared = None
            searcher.close()
        searcher = self.searcher()
        if files is None or files[0] != self.generation:  # fell back, or switched meanwhile
            files = self._files_of_live_generation()
        if files is not None and files[0] == self.generation:
            self._shared = (files, searcher)
        return searcher

    def _files_of_live_generation(self) -> tuple | None:
        """What ``CURRENT`` names and the (name, size, mtime, inode) of each of its files;
        None when that cannot be read (``searcher()`` then decides what answers)."""
        live = self.live_generation()
        if live is None or not GENERATION_NAME.fullmatch(live):
            return None
        try:
            with os.scandir(self.root / live) as entries:
                files = []
                for entry in entries:
                    st = entry.stat()
                    files.append((entry.name, st.st_size, st.st_mtime_ns, st.st_ino))
        except OSError:
            return None
        return (live, tuple(sorted(files)))


class DuizhaoWhooshEngine(WhooshEngine):
    backend = DuizhaoWhooshBackend


