"""Top-level URLs: the admin and the import pages (staff only), search (its paths would otherwise
read as document slugs), then the reader. "admin" and "import" are reserved document slugs.

Errors answer JSON under /api/ and the HTML error pages elsewhere (reader/http.py)."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("import/", include("library.urls")),
    path("", include("search.urls")),
    path("", include("reader.urls")),
]

handler400 = "reader.http.bad_request"
handler403 = "reader.http.permission_denied"
handler404 = "reader.http.not_found"
handler500 = "reader.http.server_error"
