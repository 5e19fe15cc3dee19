"""Importing a document from the browser: stage the upload with its preview, then, once the
editor confirms, write it to the library folder, ingest it and update the search index.

The same pipeline as ``manage.py ingest --sources FOLDER``: ``build_corpus`` reads the folder,
``corpus_ingest`` writes the document in one transaction (adding it, or updating the document
of that slug), and the search index is updated for that document.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reader.models import Document
from reader.locks import ingest_lock
from reader.services import corpus_ingest
from reader.sources.base import SourceError
from reader.sources.corpus import build_corpus, library_folders, load_manifest
from search import services as search_services

from . import preview, staging


def stage_import(uploads: list[staging.Upload], document: dict, versions: list[dict], *,
                 uploaded_by: str) -> str:
    """Stage the uploads and compute their preview; returns the token.

    Raises ``SourceError`` (naming the file and line) when the files do not make a document;
    then nothing stays behind.
    """
    manifest = staging.manifest_toml(document, versions, uploads, uploaded_by=uploaded_by,
                                     uploaded_at=timezone.now())
    token, folder = staging.stage(uploads, manifest)
    try:
        corpus = build_corpus(folder)  # the glossary is left for the ingest: it only adds terms
        staging.write_preview(folder, preview.summarise(corpus))
    except BaseException:
        staging.discard(token)
        raise
    return token


@dataclass
class Replacement:
    """What an import would replace: the document of that slug and the versions it would lose."""

    document: Document
    versions_removed: list[str]
    shipped: bool  # the slug is also a document of the shipped library (settings.LIBRARY_DIR)


def replacement(summary: dict) -> Replacement | None:
    slug = summary["document"]["slug"]
    document = Document.objects.filter(slug=slug).first()
    if document is None:
        return None
    kept = {v["slug"] for v in summary["versions"]}
    removed = [v.label for v in document.versions.all() if v.slug not in kept]
    return Replacement(document, removed, slug in shipped_slugs())


def shipped_slugs() -> set[str]:
    slugs = set()
    for folder in library_folders(Path(settings.LIBRARY_DIR)):
        try:
            slugs.add(load_manifest(folder)["document"]["slug"])
        except SourceError:
            continue
    return slugs


@dataclass
class Imported:
    slug: str
    created: bool
    unchanged: bool
    folder: Path
    indexed: int


def import_staged(folder: Path) -> Imported:
    """Ingest a staged document and publish its folder to IMPORTS_DIR, both or neither; then
    update the search index for it. Raises SourceError if the files no longer parse."""
    corpus = build_corpus(folder, settings.GLOSSARY_FILE)
    slug = corpus.document["slug"]
    with ingest_lock():  # one ingest at a time, this one or `manage.py ingest` (IngestBusy)
        created = not Document.objects.filter(slug=slug).exists()
        with transaction.atomic():
            result = corpus_ingest(corpus=corpus)
            published = staging.publish(folder, slug)  # if this fails, the ingest is rolled back
        return Imported(slug, created, result.unchanged, published, update_search_index(slug))


def update_search_index(slug: str) -> int:
    """As ``manage.py ingest`` does: the one document's entries, or the whole index where the
    search app cannot update one document."""
    update = getattr(search_services, "update_document_index", None)
    if update is None:
        return search_services.rebuild_search_index()
    return update(slug)
