"""Import-page fixtures: the library and staging folders in a temporary directory (never var/),
a staff editor, and the real gwr-2020 files (fixtures/documents/gwr-2020)."""
import pytest
from django.conf import settings

GWR_2020 = settings.LIBRARY_DIR / "gwr-2020"


@pytest.fixture(autouse=True)
def import_dirs(settings, tmp_path):
    settings.IMPORTS_DIR = tmp_path / "documents"
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings


@pytest.fixture
def zh_2020():
    return (GWR_2020 / "zh.txt").read_bytes()


@pytest.fixture
def en_2020():
    return (GWR_2020 / "en.txt").read_bytes()


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password="a long test password",
                                                 is_staff=True)


@pytest.fixture
def staff_client(client, editor):
    client.force_login(editor)
    return client
