"""One ingest at a time, across processes: ``manage.py ingest`` and the editors' import page.

Two ingests writing at once would fail on SQLite ("database is locked") and, on any database,
race on the search index. ``ingest_lock()`` takes an exclusive lock on a file
(``settings.INGEST_LOCK_FILE``, in ``var/``) without waiting: if another process holds it,
``IngestBusy`` says so at once. The operating system releases the lock when its holder exits,
so a killed ingest never leaves a stale lock behind.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


class IngestBusy(RuntimeError):
    """Another ingest holds the lock; the message says so, for the person who started this one."""


def lock_file() -> Path:
    return Path(getattr(settings, "INGEST_LOCK_FILE", Path(settings.BASE_DIR) / "var" / "ingest.lock"))


@contextmanager
def ingest_lock():
    path = lock_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            raise IngestBusy(f"another ingest is running ({holder or 'lock ' + str(path)}); "
                             f"try again when it has finished") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
