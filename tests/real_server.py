"""What the tests that start a real server (gunicorn with production settings, in a process of
its own) share: a settings module that keeps the files the server may write in the test's own
directory, and a free port to listen on."""
import socket
from pathlib import Path

SETTINGS = '''from pathlib import Path
from config.settings.production import *  # noqa: F401,F403
# Production settings, with the files this test may write kept in its own directory.
HERE = Path({here!r})
STATIC_ROOT = HERE / "static"
INGEST_LOCK_FILE = HERE / "ingest.lock"
IMPORTS_DIR = HERE / "imports"
IMPORT_STAGING_DIR = HERE / "staging"
'''


def write_settings(here: Path, module: str) -> None:
    """Write the settings module ``module`` into ``here`` (put ``here`` on the server's PYTHONPATH)."""
    (here / f"{module}.py").write_text(SETTINGS.format(here=str(here)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
