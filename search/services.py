"""Writes to the search index: a full rebuild into a fresh generation, then an atomic switch."""
from haystack import connections

from reader.models import Passage


def backend(using: str = "default"):
    return connections[using].get_backend()


def rebuild_search_index(*, using: str = "default", progress=None) -> int:
    """Index every passage into a new index generation and make it live; returns the count."""
    index = connections[using].get_unified_index().get_index(Passage)
    documents = (index.full_prepare(obj) for obj in index.index_queryset(using=using).iterator(chunk_size=500))
    return backend(using).rebuild(documents, progress=progress)
