"""Top-level URLs: the reader (documents, clauses, API) and search."""
from django.urls import include, path

urlpatterns = [
    path("", include("reader.urls")),
]
