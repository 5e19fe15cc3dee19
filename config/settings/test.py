"""Tests: an in-memory database, the real templates and static files, DEBUG off.

The database is SQLite in memory unless DATABASE_URL points at PostgreSQL
(``postgres://…``, as ``make test-postgres`` sets it): then it is that server, configured as in
production (base.py), and pytest-django creates and drops ``test_<name>`` on it.
"""
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":  # noqa: F405
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
STORAGES = {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A real file index in a temporary directory, never the development one.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "search.backend.DuizhaoWhooshEngine",
        "PATH": tempfile.mkdtemp(prefix="duizhao-test-index-"),
    },
}

# Documents imported from the browser, and uploads waiting for confirmation: never var/.
IMPORTS_DIR = Path(tempfile.mkdtemp(prefix="duizhao-test-imports-"))
IMPORT_STAGING_DIR = Path(tempfile.mkdtemp(prefix="duizhao-test-staging-"))
# One ingest at a time (reader/locks.py): the tests' own lock file.
INGEST_LOCK_FILE = Path(tempfile.mkdtemp(prefix="duizhao-test-lock-")) / "ingest.lock"
