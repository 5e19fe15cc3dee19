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
* One searcher per search, from one index generation: no second "narrowing" searcher that
  could read another generation (``HAYSTACK_LIMIT_TO_REGISTERED_MODELS`` is off).
* ``remove`` uses an ``AsyncWriter`` like ``update`` does, instead of a plain writer that hits
  ``LockError`` (which ``SILENTLY_FAIL`` would log and swallow).
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

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
KEEP_GENERATIONS = 2
_lock = threading.Lock()


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

    def rebuild(self, documents, progress=None) -> int:
        """Write ``documents`` (haystack-prepared dicts) to a fresh generation and make it live."""
        content_field_name, schema = self._schema()
        name = self._new_generation_dir()
        ix = FileStorage(str(self.root / name)).create_index(schema)
        writer = ix.writer(limitmb=128, procs=1)
        count = 0
        for doc in documents:
            writer.add_document(**{k: self._from_python(v) for k, v in doc.items() if k != "boost"})
            count += 1
            if progress and count % 1000 == 0:
                progress(count)
        writer.commit()
        with _lock:
            self._switch_to(name)
        self.setup_complete = False
        self.setup()
        return count

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
        self.index = self.index.refresh()
        writer = AsyncWriter(self.index)
        writer.delete_by_term(ID, get_identifier(obj_or_string))
        writer.commit()

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


