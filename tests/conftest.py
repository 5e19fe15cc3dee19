"""Fixtures shared by every test package: the real corpus, parsed once, and written on demand.

``corpus`` is the plain-Python result of parsing fixtures/documents/guofa-2015-40/ with fixtures/glossary.toml
(no database). ``ingested``
writes it into the test database and returns the Document, so a test starts from exactly what
``python manage.py ingest`` would leave behind.
"""
import pytest
from django.conf import settings

from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus


@pytest.fixture(scope="session")
def corpus():
    return build_corpus(settings.SOURCES_DIR, settings.GLOSSARY_FILE)


@pytest.fixture
def ingested(db, corpus):
    return corpus_ingest(corpus=corpus).document
