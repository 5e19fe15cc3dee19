"""Top-level URLs: search first (its paths would otherwise read as document slugs), then the reader."""
from django.urls import include, path

urlpatterns = [
    path("", include("search.urls")),
    path("", include("reader.urls")),
]
