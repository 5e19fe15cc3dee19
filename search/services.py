"""Writes to the search index, each into a fresh generation that is then switched to atomically:
the whole library (``rebuild_search_index``) or one document (``update_document_index``,
``remove_document_index``), leaving the other documents' entries as they are."""
from haystack import connections

from reader.models import Document, Passage


def backend(using: str = "default"):
    return connections[using].get_backend()


def _passage_index(using: str):
    return connections[using].get_unified_index().get_index(Passage)


def rebuild_search_index(*, using: str = "default", progress=None) -> int:
    """Index every passage into a new index generation and make it live; returns the count."""
    index = _passage_index(using)
    passages = index.index_queryset(using=using).order_by("clause__document_id", "id")  # a segment per document
    documents = (index.full_prepare(obj) for obj in passages.iterator(chunk_size=500))
    return backend(using).rebuild(documents, progress=progress)


def update_document_index(slug: str, *, using: str = "default") -> int:
    """Make the index hold exactly the passages document ``slug`` has in the database, without
    touching the other documents' entries; returns how many of its passages were indexed.

    Searches keep answering from the previous generation until the new one is complete. With
    no live generation yet, or one the document cannot be replaced in on its own (built with
    other fields, or by an older version of this code), the whole library is rebuilt.
    """
    if not Document.objects.filter(slug=slug).exists():
        raise LookupError(f"No document “{slug}” in the database to index; "
                          f"use remove_document_index to take one out of the index.")
    index = _passage_index(using)
    passages = index.index_queryset(using=using).filter(clause__document__slug=slug)
    documents = (index.full_prepare(obj) for obj in passages.iterator(chunk_size=500))
    replaced = backend(using).replace_document(slug, documents)
    if replaced is None:
        rebuild_search_index(using=using)
        return passages.count()
    return replaced.written


def remove_document_index(slug: str, *, using: str = "default") -> int:
    """Take document ``slug`` out of the index (the others stay as they are); returns how many
    passages were removed. Call it once the document's rows are gone: where the index has to
    be rebuilt whole, it is rebuilt from the database."""
    replaced = backend(using).replace_document(slug, [])
    if replaced is None:
        rebuild_search_index(using=using)
        return 0
    return replaced.removed
