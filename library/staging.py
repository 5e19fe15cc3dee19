"""Uploaded source files between the upload and the editor's confirmation, and the folder they
become: plain functions over the file system, no database.

An upload is staged in a private folder under ``settings.IMPORT_STAGING_DIR`` named by an
unguessable token (the view ties the token to the editor's session): the two source files as
uploaded, byte for byte, the ``manifest.toml`` generated for them (with their sha256), and the
preview computed from them (``preview.json``). Nothing else is written until the editor
confirms; then ``publish`` copies the manifest and the sources to
``settings.IMPORTS_DIR/<slug>/``, replacing a previous import of that slug, and the staged
folder is removed. Staged folders older than ``settings.IMPORT_STAGING_MAX_AGE`` are stale:
they are no longer served and are swept away.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from reader.sources.corpus import MANIFEST

PREVIEW = "preview.json"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


@dataclass
class Upload:
    """One source file as the editor sent it, and the version it feeds."""

    filename: str  # the name it is stored under: zh.txt, en.txt
    original_name: str  # the name on the editor's disk, for messages and the provenance
    data: bytes
    language: str  # BCP 47 tag of the version it feeds
    feeds: str  # that version's slug

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


# --- staging ------------------------------------------------------------------------------

def staging_root() -> Path:
    return Path(settings.IMPORT_STAGING_DIR)


def stage(uploads: list[Upload], manifest: str) -> tuple[str, Path]:
    """Write the uploads and their manifest into a new private folder; returns (token, folder)."""
    root = staging_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(32)
    folder = root / token
    folder.mkdir(mode=0o700)
    for upload in uploads:
        _write(folder / upload.filename, upload.data)
    _write(folder / MANIFEST, manifest.encode("utf-8"))
    return token, folder


def staged_folder(token: str) -> Path | None:
    """The staged folder of ``token``, or None if the token is malformed, unknown or stale."""
    if not TOKEN.match(token or ""):
        return None
    folder = staging_root() / token
    if not (folder / MANIFEST).is_file():
        return None
    if _is_stale(folder, time.time()):
        discard(token)
        return None
    return folder


def discard(token: str) -> None:
    if TOKEN.match(token or ""):
        shutil.rmtree(staging_root() / token, ignore_errors=True)


def sweep_stale(now: float | None = None) -> int:
    """Remove staged folders older than IMPORT_STAGING_MAX_AGE; returns how many went."""
    root = staging_root()
    if not root.is_dir():
        return 0
    now = time.time() if now is None else now
    swept = 0
    for folder in root.iterdir():
        if folder.is_dir() and TOKEN.match(folder.name) and _is_stale(folder, now):
            shutil.rmtree(folder, ignore_errors=True)
            swept += 1
    return swept


def _is_stale(folder: Path, now: float) -> bool:
    try:
        return now - folder.stat().st_mtime > settings.IMPORT_STAGING_MAX_AGE
    except FileNotFoundError:
        return True


def write_preview(folder: Path, preview: dict) -> None:
    _write(folder / PREVIEW, json.dumps(preview, ensure_ascii=False).encode("utf-8"))


def read_preview(folder: Path) -> dict:
    return json.loads((folder / PREVIEW).read_text(encoding="utf-8"))


def _write(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)


# --- publishing ---------------------------------------------------------------------------

def publish(folder: Path, slug: str) -> Path:
    """Copy a staged document (its manifest and the sources it names) to IMPORTS_DIR/<slug>/,
    replacing what an earlier import of ``slug`` left there; returns the new folder.

    The new folder is complete before it takes the old one's place, so a failure leaves the
    previous import as it was.
    """
    import tomllib

    manifest = tomllib.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    names = [MANIFEST] + [source["file"] for source in manifest["sources"]]
    imports = Path(settings.IMPORTS_DIR)
    imports.mkdir(parents=True, exist_ok=True)
    target = imports / slug
    fresh = imports / f".{slug}.{folder.name}.new"
    old = imports / f".{slug}.{folder.name}.old"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        fresh.mkdir()
        for name in names:
            shutil.copyfile(folder / name, fresh / name)
        if target.exists():
            target.rename(old)
        try:
            fresh.rename(target)
        except OSError:
            if old.exists():
                old.rename(target)
            raise
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return target


# --- the manifest -------------------------------------------------------------------------

def manifest_toml(document: dict, versions: list[dict], uploads: list[Upload], *,
                  uploaded_by: str, uploaded_at: datetime.datetime) -> str:
    """The manifest.toml of an uploaded document, every value quoted for TOML.

    ``document`` holds slug, issuer and date (a datetime.date) and optionally number, title and
    genre (empty values are left out); ``versions`` the [[versions]] tables in order.
    """
    when = uploaded_at.strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# Imported from the browser by {_comment(uploaded_by)} on {when} (library/).", ""]
    out.append("[document]")
    for key in ("slug", "number", "issuer", "date", "title", "genre"):
        if document.get(key):
            out.append(f"{key} = {toml_value(document[key])}")
    for version in versions:
        out += ["", "[[versions]]"]
        out += [f"{key} = {toml_value(value)}" for key, value in version.items()]
    for upload in uploads:
        out += ["", "[[sources]]",
                f"file = {toml_value(upload.filename)}",
                f"sha256 = {toml_value(upload.sha256)}",
                f"language = {toml_value(upload.language)}",
                f"provenance = {toml_value(f'Uploaded as “{upload.original_name}” by {uploaded_by} on {when}.')}",
                f"parts = [{{ parser = \"plain\", feeds = {toml_value(upload.feeds)} }}]"]
    return "\n".join(out) + "\n"


def toml_value(value) -> str:
    """A TOML literal for a string, a bool or a date."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return toml_string(value)
    raise TypeError(f"no TOML literal for {type(value).__name__}")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, the rest as is."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:  # a lone surrogate cannot be written as UTF-8
            out.append("\uFFFD")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _comment(text: str) -> str:
    """Text safe inside a TOML comment: one line, no control characters."""
    return "".join(ch if ch.isprintable() else " " for ch in text)
