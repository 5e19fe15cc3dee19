from django.apps import AppConfig


class ReaderConfig(AppConfig):
    """Documents, versions, clauses and passages; the reader pages and the JSON API."""

    name = "reader"
