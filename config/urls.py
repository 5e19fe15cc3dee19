"""Top-level URLs: the admin and the import pages (staff only), search (its paths would otherwise
read as document slugs), then the reader. "admin" and "import" are reserved document slugs."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("import/", include("library.urls")),
    path("", include("search.urls")),
    path("", include("reader.urls")),
]
