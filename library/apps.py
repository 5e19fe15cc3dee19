from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """The library's import from the browser: staff upload a document, preview it, import it."""

    name = "library"
    default_auto_field = "django.db.models.BigAutoField"
