"""Reader pages and the read-only JSON API. Clause refs are the document's own numbering, in the
shape ``RefConverter`` (reader/http.py) allows; the API checks its refs the same way."""
from django.urls import path, register_converter

from . import api, views
from .http import RefConverter

register_converter(RefConverter, "ref")

app_name = "reader"
urlpatterns = [
    path("api/documents", api.documents, name="api-documents"),
    path("api/documents/<slug:slug>", api.document, name="api-document"),
    path("api/documents/<slug:slug>/clauses", api.clauses, name="api-clauses"),
    # Any text, so that an unknown or malformed ref gets the view's JSON "No clause …" (the view
    # checks the ref's shape before it queries).
    path("api/documents/<slug:slug>/clauses/<str:ref>", api.clause, name="api-clause"),
    path("api/documents/<slug:slug>/alignment", api.alignment, name="api-alignment"),
    path("api/documents/<slug:slug>/checks", api.checks, name="api-checks"),
    path("api/documents/<slug:slug>/glossary", api.glossary, name="api-glossary"),
    path("api/documents/<slug:slug>/concordance", api.concordance, name="api-concordance"),
    path("api/concordance", api.library_concordance, name="api-library-concordance"),
    path("api/glossary", api.library_glossary, name="api-library-glossary"),
    path("", views.index, name="index"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("robots.txt", views.robots_txt, name="robots"),
    # Library-wide pages before the documents' own: no document may take these slugs.
    path("concordance/", views.library_concordance, name="library-concordance"),
    path("glossary/", views.library_glossary, name="library-glossary"),
    path("<slug:slug>/", views.document, name="document"),
    path("<slug:slug>/checks/", views.checks, name="checks"),
    path("<slug:slug>/concordance/", views.concordance, name="concordance"),
    path("<slug:slug>/glossary/", views.glossary, name="glossary"),
    path("<slug:slug>/glossary.csv", views.glossary_csv, name="glossary-csv"),
    path("<slug:slug>/glossary.tbx", views.glossary_tbx, name="glossary-tbx"),
    path("<slug:slug>/glossary-2008.tbx", views.glossary_tbx_2008, name="glossary-tbx-2008"),
    path("<slug:slug>/export.tmx", views.export_tmx, name="export-tmx"),
    path("<slug:slug>/export.xlf", views.export_xliff, name="export-xliff"),
    path("<slug:slug>/export.csv", views.export_csv, name="export-csv"),
    path("<slug:slug>/export.docx", views.export_docx, name="export-docx"),
    path("<slug:slug>/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("<slug:slug>/<ref:ref>/", views.clause, name="clause"),
    path("<slug:slug>/<ref:ref>/compare/", views.compare, name="compare"),
]
