"""haystack's `update_index`, replaced like `rebuild_index`: a fresh generation, switched to atomically."""
from .rebuild_index import Command  # noqa: F401
