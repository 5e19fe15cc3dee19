"""Writes to the search index, and whether it answers for the corpus as it is in the database.

Every write goes into a fresh generation that is then switched to atomically: the whole library
(``rebuild_search_index``) or one document (``update_document_index``,
``remove_document_index``), leaving the other documents' entries as they are. Each generation
records the fingerprint of every document it indexed, so ``compare`` can tell which documents
the index does not hold as the database does (a rebuild that failed or was killed after an
import committed; searches say so, ``out_of_date``), and ``sync_search_index`` brings it up to
date: the documents that differ, or everything when no generation can answer. ``ingest`` ends
with it, and ``manage.py build_search_index --if-stale`` runs it on its own.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field

from django.db import connection as database
from haystack import connections

from reader.models import Document, Passage

from .backend import IndexBusy, IndexUnavailable, IndexWriteFailed  # noqa: F401 - raised from here

logger = logging.getLogger(__name__)


def backend(using: str = "default"):
    return connections[using].get_backend()


def _passage_index(using: str):
    return connections[using].get_unified_index().get_index(Passage)


def document_revisions() -> dict[str, str]:
    """Each document in the database and the fingerprint of the corpus it was ingested from."""
    return dict(Document.objects.values_list("slug", "fingerprint"))


def rebuild_search_index(*, using: str = "default", progress=None, wait: bool = True,
                         procs: int | None = None) -> int:
    """Index every passage into a new index generation and make it live; returns the count.
    Documents are written by ``procs`` processes at once (default: one per CPU; see
    ``backend.rebuild``). Raises ``IndexWriteFailed`` (one line) if the file system refuses the
    write, and with ``wait=False`` ``IndexBusy`` if another process is writing the index."""
    revisions = document_revisions()  # read before the passages: never newer than they are
    index = _passage_index(using)
    passages = index.index_queryset(using=using).order_by("clause__document_id", "id")  # a segment per document
    with closing(_prepared(index, passages)) as documents:
        return backend(using).rebuild(documents, progress=progress, revisions=revisions, wait=wait,
                                      procs=procs)


def _prepared(index, passages):
    """The index's documents for ``passages``, read in chunks (``PassageIndex.prepared``).
    Closed by the caller, so a write that fails midway closes the database cursor there and
    then (on PostgreSQL a server-side cursor, which garbage collection would otherwise close
    later, inside another transaction)."""
    return index.prepared(passages)


def _replace(slug: str, using: str):
    """Replace document ``slug``'s entries in a copy of the live generation; None if that
    cannot be done on its own (the caller rebuilds)."""
    revision = Document.objects.filter(slug=slug).values_list("fingerprint", flat=True).first()
    if revision is None:
        return backend(using).replace_document(slug, [], revision=None)
    index = _passage_index(using)
    passages = index.index_queryset(using=using).filter(clause__document__slug=slug)
    with closing(_prepared(index, passages)) as documents:
        return backend(using).replace_document(slug, documents, revision=revision)


def update_document_index(slug: str, *, using: str = "default") -> int:
    """Make the index hold exactly the passages document ``slug`` has in the database, without
    touching the other documents' entries; returns how many of its passages were indexed.

    Searches keep answering from the previous generation until the new one is complete. With
    no live generation that can answer, or one the document cannot be replaced in on its own
    (built with other fields, or by an older version of this code), the whole library is
    rebuilt.
    """
    if not Document.objects.filter(slug=slug).exists():
        raise LookupError(f"No document “{slug}” in the database to index; "
                          f"use remove_document_index to take one out of the index.")
    replaced = _replace(slug, using)
    if replaced is None:
        rebuild_search_index(using=using)
        return Passage.objects.filter(clause__document__slug=slug).count()
    return replaced.written


def remove_document_index(slug: str, *, using: str = "default") -> int:
    """Take document ``slug`` out of the index (the others stay as they are); returns how many
    passages were removed. Call it once the document's rows are gone: where the index has to
    be rebuilt whole, it is rebuilt from the database."""
    replaced = backend(using).replace_document(slug, [], revision=None)
    if replaced is None:
        rebuild_search_index(using=using)
        return 0
    return replaced.removed


# --- is the index the corpus's? ----------------------------------------------------------------

def compare(manifest: dict | None, revisions: dict[str, str]) -> tuple[list[str], list[str]]:
    """(documents out of date, documents no longer in the database) for a generation's
    manifest; a generation made before manifests holds every document from an unknown one."""
    indexed = (manifest or {}).get("documents", {})
    out_of_date = sorted(slug for slug, revision in revisions.items()
                         if (indexed.get(slug) or {}).get("revision") != revision)
    return out_of_date, sorted(set(indexed) - set(revisions))


_warned: set = set()


def out_of_date(*, using: str = "default") -> list[str]:
    """Documents whose entries in the generation now answering searches are not those of the
    database (an update still to come, or one that failed); logged once per process and state."""
    b = backend(using)
    documents, _ = compare(b.manifest(b.generation), document_revisions())
    key = (b.generation, tuple(documents))
    if documents and key not in _warned:
        _warned.add(key)
        logger.warning("Search index generation %s is out of date for %s: run `manage.py "
                       "build_search_index --if-stale` (or `manage.py ingest`).",
                       b.generation, ", ".join(documents))
    return documents


@dataclass
class SyncReport:
    rebuilt: int | None = None  # passages, if the whole index was rebuilt
    reason: str = ""  # why it was rebuilt whole
    updated: list[tuple[str, int]] = field(default_factory=list)  # (document, passages indexed)
    removed: list[tuple[str, int]] = field(default_factory=list)  # (document, passages taken out)
    repaired: list[str] = field(default_factory=list)  # documents out of date before this run (not renewed on request)
    recovered: str = ""  # the live generation could not answer and an earlier one was made live again

    @property
    def changed(self) -> bool:
        return self.rebuilt is not None or bool(self.updated or self.removed or self.recovered)

    def lines(self) -> list[str]:
        """What was done, a line each, for a command's output."""
        if self.rebuilt is not None:
            return [f"Search index rebuilt: {self.rebuilt} passages, switched atomically ({self.reason})."]
        lines = [f"Search index: {self.recovered}."] if self.recovered else []
        for slug, count in self.updated:
            why = " (indexed from an earlier import: an update had failed or was interrupted)" \
                if slug in self.repaired else ""
            lines.append(f"Search index updated for {slug}: {count} passages, switched atomically{why}.")
        lines += [f"Search index: {slug} taken out ({count} passages), no longer in the database."
                  for slug, count in self.removed]
        return lines


def sync_search_index(*, renew=(), using: str = "default") -> SyncReport:
    """Bring the index up to date with the database and return what was done.

    Documents whose fingerprint in the live generation differs from the database's (or that
    it lacks), and those in ``renew``, are indexed anew one by one; documents no longer in the
    database are taken out. If no generation can answer, or the live one predates manifests,
    the whole library is rebuilt. Raises ``IndexWriteFailed`` (one line) if a write fails.
    """
    report = SyncReport()
    health = backend(using).health()
    if health.manifest is None:
        if health.live is None and not backend(using).generations():
            report.reason = "there was none"
        elif health.problem:
            report.reason = f"{health.problem}, and no earlier generation can answer"
        else:
            report.reason = "the live generation was made before generations recorded what they hold"
        report.rebuilt = rebuild_search_index(using=using)
        return report
    if health.problem:  # a complete earlier generation can answer: start from it
        backend(using).setup_complete = False
        backend(using).setup()
        report.recovered = f"{health.problem}; {health.answering} made live again"
    stale, gone = compare(health.manifest, document_revisions())
    report.repaired = [slug for slug in stale if slug not in renew]
    for slug in sorted(set(stale) | (set(renew) - set(gone))):
        replaced = _replace(slug, using)
        if replaced is None:
            report.reason = f"{slug} could not be updated on its own"
            report.rebuilt = rebuild_search_index(using=using)
            report.updated = []
            return report
        report.updated.append((slug, replaced.written))
    for slug in gone:
        replaced = backend(using).replace_document(slug, [], revision=None)
        if replaced is None:
            report.reason = f"{slug} could not be removed on its own"
            report.rebuilt = rebuild_search_index(using=using)
            return report
        report.removed.append((slug, replaced.removed))
    return report


# --- when nothing can answer -------------------------------------------------------------------

RETRY_AFTER = 60  # seconds between two background rebuilds of one index by one process
_rebuilding = threading.Lock()  # one background rebuild per process
_started: dict[str, float] = {}  # index path -> when this process last started rebuilding it


def _start(target) -> None:
    """Run ``target`` in a thread of its own, with a database connection of its own, closed
    when it ends."""
    def thread():
        try:
            target()
        finally:
            database.close()  # this thread's connection, never the caller's

    threading.Thread(target=thread, name="search-index-rebuild", daemon=True).start()


def rebuild_in_background(*, using: str = "default") -> bool:
    """Start rebuilding the whole index in a thread of this process, for searches that find
    no generation able to answer; returns whether it started. A rebuild takes seconds and has
    no place inside a request: searches say the index is being rebuilt meanwhile. Not started
    if one is running here, if one started less than ``RETRY_AFTER`` seconds ago (a rebuild
    failing on a full disk is not retried by every search), or, when it comes to writing, if
    another process is already writing the index."""
    root = str(backend(using).root)
    if time.monotonic() - _started.get(root, -RETRY_AFTER) < RETRY_AFTER:
        return False
    if not _rebuilding.acquire(blocking=False):
        return False
    _started[root] = time.monotonic()

    def run():
        try:
            count = rebuild_search_index(using=using, wait=False)
            logger.warning("Search index rebuilt from the database after it could not answer: "
                           "%s passages.", count)
        except IndexBusy:
            logger.warning("Search index not rebuilt here: another process is writing it.")
        except Exception:
            logger.exception("Search index could not be rebuilt.")
        finally:
            _rebuilding.release()

    _start(run)
    return True
