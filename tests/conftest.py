"""Fixtures shared by every test package: the real corpus, parsed once, and written on demand.

``corpus`` is the plain-Python result of parsing fixtures/documents/guofa-2015-40/ with fixtures/glossary.toml
(no database). ``ingested``
writes it into the test database and returns the Document, so a test starts from exactly what
``python manage.py ingest`` would leave behind.

``shelved`` writes the whole library (the seed and the three reports the project ships) once
for a test module and removes it after; ``library`` is that library for one test, with the
page cache cleared, as {slug: Document}. ``indexed_library`` adds the library's search index
(in the test settings' temporary directory), built once for a test module. A module that needs
more (another document) defines its own ``shelved`` on top of this one.
"""
import pytest
from django.conf import settings
from django.core.cache import cache

from reader.models import Document
from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus
from search.services import rebuild_search_index

REPORTS = ("gwr-2016", "gwr-2019", "gwr-2020")  # the reports the project ships, oldest first


@pytest.fixture(scope="session")
def corpus():
    return build_corpus(settings.SOURCES_DIR, settings.GLOSSARY_FILE)


@pytest.fixture
def ingested(db, corpus):
    return corpus_ingest(corpus=corpus).document


@pytest.fixture(scope="session")
def report_corpora(corpus):
    return [build_corpus(settings.LIBRARY_DIR / slug, settings.GLOSSARY_FILE) for slug in REPORTS]


@pytest.fixture(scope="module")
def shelved(django_db_setup, django_db_blocker, corpus, report_corpora):
    """The seed and the three reports, written once for a test module and removed after it."""
    with django_db_blocker.unblock():
        for each in [corpus, *report_corpora]:
            corpus_ingest(corpus=each)
    yield
    with django_db_blocker.unblock():
        Document.objects.all().delete()


@pytest.fixture(scope="module")
def indexed_library(shelved, django_db_blocker):
    with django_db_blocker.unblock():
        rebuild_search_index()


@pytest.fixture
def library(shelved, db):
    cache.clear()
    return {d.slug: d for d in Document.objects.all()}
