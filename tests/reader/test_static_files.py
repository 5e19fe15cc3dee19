"""Static URLs as production makes them (reader/staticfiles.py): the hashed file that
collectstatic wrote, each URL worked out once per process."""
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

from reader.staticfiles import StaticFilesStorage

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "reader.staticfiles.StaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    from django.test import override_settings

    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


def test_a_static_url_names_the_hashed_file_collectstatic_wrote_and_is_made_once(collected, monkeypatch):
    storage = StaticFilesStorage(location=collected, base_url="/static/")
    url = storage.url("reader/reader.css")
    assert re.fullmatch(r"/static/reader/reader\.[0-9a-f]{12}\.css", url)
    assert (Path(collected) / url.removeprefix("/static/")).read_text() \
        == (Path(collected) / "reader/reader.css").read_text()

    made = []
    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url",
                        lambda self, name, force=False: made.append(name) or f"/made/{name}")
    assert storage.url("reader/reader.css") == url and made == []  # kept
    assert storage.url("reader/print.css") == "/made/reader/print.css" and made == ["reader/print.css"]
