from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Bilingual search (indexes, the Chinese-aware backend, search pages): see issue 4."""

    name = "search"

    def ready(self):
        from . import checks  # noqa: F401 - registers the index's system checks
