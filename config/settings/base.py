"""Settings shared by every environment. Secrets and hosts live in dev/test/production."""
import os
from pathlib import Path

import dj_database_url
import jinja2

BASE_DIR = Path(__file__).resolve().parents[2]

INSTALLED_APPS = [
    # The admin and what it needs: staff log in there and import documents from the browser.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "reader",
    "search",  # before haystack: its rebuild_index/update_index replace haystack's
    "haystack",
    "library",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "reader.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The pieces of a page repeated per result or per line (a page of search results,
        # concordance lines) and the search page's content, rendered by Jinja2 inside Django's
        # pages: reader/fragments.py. Every value is escaped; a name the template gets wrong is
        # an error, not "".
        "NAME": "fragments",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": True, "undefined": jinja2.StrictUndefined,
                    "environment": "reader.fragments.environment"},
    },
]

# SQLite by default; DATABASE_URL (e.g. postgres://user:pass@host/db) switches engines.
# Connections are kept for 10 minutes and checked before each request reuses one, so a
# database that restarted (or dropped the connection) costs a reconnect, not a 500.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}", conn_max_age=600,
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"

# The library the project ships: one folder per document, each holding manifest.toml and the
# verbatim source texts. `ingest` with no --sources imports every one of them.
LIBRARY_DIR = BASE_DIR / "fixtures" / "documents"
# The seed document (国发〔2015〕40号), collated from five damaged sources.
SOURCES_DIR = LIBRARY_DIR / "guofa-2015-40"
# Key terms and their known renderings, loaded at ingest (reader/glossary.py).
GLOSSARY_FILE = BASE_DIR / "fixtures" / "glossary.toml"
# Documents imported by staff from the browser (/import/, library/): one folder per document,
# like LIBRARY_DIR's, written only when the editor confirms the preview.
IMPORTS_DIR = BASE_DIR / "var" / "documents"
# Held by whoever is ingesting (manage.py ingest, the import page): one ingest at a time.
INGEST_LOCK_FILE = BASE_DIR / "var" / "ingest.lock"
# Uploads waiting for the editor's confirmation, one private folder per unguessable token;
# removed on confirm or discard, and swept once older than IMPORT_STAGING_MAX_AGE seconds.
IMPORT_STAGING_DIR = BASE_DIR / "var" / "import-staging"
IMPORT_STAGING_MAX_AGE = 6 * 3600
# The largest source file the import page accepts, per file.
IMPORT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024

# Search: haystack with the Chinese-aware Whoosh backend (search/backend.py). PATH holds index
# generations and a CURRENT pointer.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "search.backend.DuizhaoWhooshEngine",
        "PATH": os.environ.get("SEARCH_INDEX_PATH", str(BASE_DIR / "var" / "whoosh_index")),
    },
}
# Off: with it on, haystack opens a second "narrowing" searcher that can read another index
# generation than the first while a writer commits (about one search in ten came back empty).
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False

# Rendered pages are cached per process and keyed by the corpus revision (see reader/caching.py),
# so an ingest invalidates them everywhere without any process being told. Bounded in bytes per
# process: the largest page (a report's reader with pinyin in every version, 1.4 MB) is stored
# gzip-compressed in about 180 KB; an entry over MAX_ENTRY_BYTES is served but not kept.
CACHES = {
    "default": {
        "BACKEND": "reader.caching.PageCache",
        "LOCATION": "duizhao",
        "OPTIONS": {"MAX_BYTES": 32 * 2**20, "MAX_ENTRY_BYTES": 2 * 2**20, "MAX_ENTRIES": 2000},
        "TIMEOUT": 3600,
    },
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
