"""The import pages, staff only, under /import/: upload, preview, then confirm or discard."""
from django.urls import path

from . import views

app_name = "library"
urlpatterns = [
    path("", views.upload, name="import"),
    path("<str:token>/", views.preview, name="preview"),
    path("<str:token>/confirm/", views.confirm, name="confirm"),
    path("<str:token>/discard/", views.discard, name="discard"),
]
