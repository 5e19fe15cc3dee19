"""haystack's Whoosh backend, made Chinese-aware and safe to rebuild under readers.

What changes against the stock backend (subclassed, not copied):

* Schema: the passage text is indexed three ways, with the analyzers of ``search.analysis``:
  ``text`` (jieba words and stemmed English words, sequential positions), ``chars`` (one token
  per Chinese character, so any Chinese string is found where it occurs) and ``spell``
  (unstemmed English words for suggestions). Keys are exact-match ID fields.
* Generations: ``PATH`` holds numbered index directories and a ``CURRENT`` file naming the live
  one. A rebuild writes a complete new generation and then replaces ``CURRENT`` atomically, so
  a reader never sees an empty or half-written index (stock ``rebuild_index`` clears first and
  readers get ``EmptyIndexError`` or nothing). Readers notice the switch on their next search.
  The previous generation is kept for searchers still open on it; older ones are removed.
* One segment per document: a rebuild writes each document's passages as a Whoosh segment of
  their own, and ``replace_document`` copies the live generation, drops that document's
  segment from the copy, writes its passages as a new one and switches to it the same way.
  Adding or re-importing a document therefore neither rewrites the others nor shows readers a
  half-updated index, and BM25's index-wide statistics stay exact: Whoosh counts a deleted
  passage in them until its segment is merged away, and a merge counts lengths as stored
  (rounded), so deleting inside a shared segment, or merging, would shift every other
  document's scores a little. Writers take a lock file in ``PATH``, so two updates in
  different processes cannot both start from the same generation and lose one another's change.
* One searcher per search, from one index generation: no second "narrowing" searcher that
  could read another generation (``HAYSTACK_LIMIT_TO_REGISTERED_MODELS`` is off).
* ``remove`` uses an ``AsyncWriter`` like ``update`` does, instead of a plain writer that hits
  ``LockError`` (which ``SILENTLY_FAIL`` would log and swallow), and does not merge segments.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import NamedTuple

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import ID
from haystack.utils import get_identifier
from whoosh import index as whoosh_index
from whoosh.fields import ID as WhooshID
from whoosh.fields import NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import AsyncWriter

from .analysis import char_analyzer, spelling_analyzer, word_analyzer

CURRENT = "CURRENT"
WRITE_LOCK = "WRITE.lock"
KEEP_GENERATIONS = 2
_lock = threading.Lock()


class Replacement(NamedTuple):
    removed: int  # passages of the document taken out of the index
    written: int  # passages of the document put in


class SharedSegment(Exception):
    """A document's passages share a segment with other documents' (an index written another
    way): it cannot be replaced on its own without disturbing the others' statistics."""


def drop_emptied_segments(writer, segments):
    """Whoosh merge policy: keep every segment as it is, except those whose passages have all
    been deleted, which go (files and statistics)."""
    return [segment for segment in segments if segment.doc_count() > 0]


class DuizhaoWhooshBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.root = Path(self.path)
        self.generation = None

    # --- generations -------------------------------------------------------------------------

    def live_generation(self) -> str | None:
        try:
            return (self.root / CURRENT).read_text().strip() or None
        except FileNotFoundError:
            return None

    def setup(self):
        """Open the live generation, creating an empty first one if there is none."""
        with _lock:
            self.root.mkdir(parents=True, exist_ok=True)
            live = self.live_generation()
            if live is None or not (self.root / live).exists():
                live = self._new_generation_dir()
                self.content_field_name, self.schema = self._schema()
                FileStorage(str(self.root / live)).create_index(self.schema)
                self._switch_to(live)
            self.path = str(self.root / live)
            self.generation = live
            super().setup()

    def _schema(self):
        from haystack import connections
        return self.build_schema(connections[self.connection_alias].get_unified_index().all_searchfields())

    def _new_generation_dir(self) -> str:
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
        (self.root / name).mkdir(parents=True)
        return name

    def _switch_to(self, name: str) -> None:
        tmp = self.root / f"{CURRENT}.{os.getpid()}.tmp"
        tmp.write_text(name + "\n")
        os.replace(tmp, self.root / CURRENT)
        generations = sorted((p for p in self.root.iterdir() if p.is_dir() and p.name.startswith("gen-")),
                             key=lambda p: p.stat().st_mtime)
        keep = {name} | {p.name for p in generations[-KEEP_GENERATIONS:]}
        for old in generations:
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def refresh_if_switched(self) -> None:
        """Reopen if another process (or a rebuild) made a new generation live."""
        if not self.setup_complete or self.live_generation() != self.generation:
            self.setup_complete = False
            self.setup()

    @contextmanager
    def writing(self):
        """Hold the index's write lock (across threads and processes) while making a generation."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / WRITE_LOCK, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def _new_generation(self):
        """A new, empty generation directory; removed again if making it fails, so a failed
        write never counts among the generations kept for open searchers."""
        name = self._new_generation_dir()
        try:
            yield name
        except BaseException:
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise

    def rebuild(self, documents, progress=None) -> int:
        """Write ``documents`` (haystack-prepared dicts, grouped by document) to a fresh
        generation, one segment per document, and make it live; returns how many."""
        content_field_name, schema = self._schema()
        with self.writing(), self._new_generation() as name:
            ix = FileStorage(str(self.root / name)).create_index(schema)
            count = 0
            for _, passages in groupby(documents, key=lambda doc: doc["document"]):
                writer = ix.writer(limitmb=128, procs=1)
                for doc in passages:
                    writer.add_document(**self._whoosh_fields(doc))
                    count += 1
                    if progress and count % 1000 == 0:
                        progress(count)
                writer.commit(merge=False)
            with _lock:
                self._switch_to(name)
        self.setup_complete = False
        self.setup()
        return count

    def replace_document(self, slug: str, documents) -> Replacement | None:
        """Make live a copy of the live generation in which document ``slug`` has exactly the
        passages ``documents`` (haystack-prepared dicts, possibly none), as a segment of its
        own; the other documents' segments are copied as they are.

        Returns None, writing nothing, when that cannot be done exactly: no live generation
        to start from, one built with other fields, or one where the document shares a
        segment with others. The caller rebuilds the whole index instead.
        """
        content_field_name, schema = self._schema()
        with self.writing():
            live = self.live_generation()
            source = self.root / live if live else None
            if source is None or not source.exists():
                return None
            storage = FileStorage(str(source))
            if not storage.index_exists() or set(storage.open_index().schema.names()) != set(schema.names()):
                return None
            try:
                with self._new_generation() as name:
                    replaced = self._replace_in_copy(source, self.root / name, slug, documents)
                    with _lock:
                        self._switch_to(name)
            except SharedSegment:
                return None
        self.setup_complete = False
        self.setup()
        return replaced

    def _replace_in_copy(self, source: Path, copy: Path, slug: str, documents) -> Replacement:
        for item in source.iterdir():
            if item.is_file() and not item.name.endswith("WRITELOCK"):
                shutil.copy2(item, copy / item.name)
        writer = FileStorage(str(copy)).open_index().writer(limitmb=128, procs=1)
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
        self.refresh_if_switched()
        try:
            return self.index.refresh().searcher()
        except whoosh_index.EmptyIndexError:
            self.setup_complete = False
            self.setup()
            return self.index.searcher()


class DuizhaoWhooshEngine(WhooshEngine):
    backend = DuizhaoWhooshBackend


