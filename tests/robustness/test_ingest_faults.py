"""Ingest faults: a damaged source or manifest fails cleanly and leaves what is served alone.

Each test ingests the real sources with the command (which also builds the search index), then
runs it again on a damaged copy in a temporary directory: a file cut off in the middle of a line,
re-encoded as GBK or holding bytes that are not UTF-8, a file missing, a manifest that is not
valid TOML. Where the damage changes a file, the copied manifest gets the file's new sha256, so
that the parse itself is what must notice. The command must fail with a CommandError naming the
file (and the line, where the fault has one), and the database, the live index generation and
what a search finds must be exactly as before.
"""
import hashlib
import os
import re
import shutil
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from reader.models import Bead, Clause, Document, Note, Passage, Sentence, Version
from search.searching import search
from search.services import backend

CHINESE_WEB = "000_a6d06f46de0d681d.txt"
NEWSPAPER = "001_a8d5c490817db3bf.txt"
BLOG = "002_97e1ecdbb18a24da.txt"
MACHINE = "003_a8db5f3189125df7.txt"
TRADITIONAL = "004_e16acc4d9ceec0b3.txt"
MANIFEST = "manifest.toml"

# (version, ref) of passages whose text must survive a failed ingest, one per version.
WATCHED = [("zh-hans", "title"), ("zh-hans", "3.1"), ("zh-hant", "3.1"), ("en", "2.1.1"),
           ("en-mt", "3.2.1"), ("zh-hant", "signature")]
QUERIES = ["互联网+", "众创空间", "cloud computing"]


def served() -> dict:
    """What a reader gets: row counts, watched texts, the live index and what searches find."""
    return {
        "rows": {model.__name__: model.objects.count()
                 for model in (Document, Version, Clause, Passage, Sentence, Bead, Note)},
        "fingerprints": list(Document.objects.values_list("slug", "fingerprint")),
        "texts": {(v, ref): Passage.objects.get(version__slug=v, clause__ref=ref).text
                  for v, ref in WATCHED},
        "generation": backend().live_generation(),
        "searches": {q: [(hit.ref, hit.version.slug) for hit in search(q, per_page=100).hits]
                     for q in QUERIES},
    }


@pytest.fixture
def before(db):
    """The real sources ingested by the command, with a live index; what is served then."""
    call_command("ingest", sources=settings.SOURCES_DIR, stdout=StringIO())
    state = served()
    assert state["generation"] is not None
    assert all(state["searches"].values()), state["searches"]
    return state


@pytest.fixture
def sources(tmp_path) -> Path:
    """A copy of the seed document's sources to damage."""
    return Path(shutil.copytree(settings.SOURCES_DIR, tmp_path / "sources"))


def replace_bytes(directory: Path, name: str, data: bytes, *, record_hash: bool = True) -> None:
    """Give a copied source new content; record its sha256 in the copied manifest if asked."""
    path = directory / name
    old = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(data)
    if record_hash:
        manifest = directory / MANIFEST
        text = manifest.read_text(encoding="utf-8")
        assert old in text
        manifest.write_text(text.replace(old, hashlib.sha256(data).hexdigest()), encoding="utf-8")


def lines_of(name: str) -> list[bytes]:
    return (settings.SOURCES_DIR / name).read_bytes().split(b"\n")


def failed_ingest(directory: Path) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("ingest", sources=directory, stdout=StringIO())
    return str(failure.value)


def assert_names(message: str, name: str, line: int | None = None) -> None:
    if line is None:
        assert name in message, message
    else:
        assert f"{name}:{line}:" in message, message


# --- (a) a file cut off in the middle of a line ----------------------------------------------------

@pytest.mark.parametrize("name, line", [
    (BLOG, 100),  # the English half: "(7) High-efficiency “Internet Plus” logistics."
    (BLOG, 300),  # the Chinese half: 4.促进智慧健康养老产业发展。…
    (MACHINE, 11),  # the run-on line holding the second preamble paragraph and Part 三
    (TRADITIONAL, 20),  # 3.增強走出去服務能力。…
])
def test_a_source_cut_off_in_the_middle_of_a_line_fails_naming_that_line_and_serves_what_it_did(
        before, sources, name, line):
    lines = lines_of(name)
    text = lines[line - 1].decode("utf-8")
    assert len(text) > 20
    cut = b"\n".join(lines[:line - 1] + [text[:len(text) // 2].encode("utf-8")])
    replace_bytes(sources, name, cut)

    assert_names(failed_ingest(sources), name, line)
    assert served() == before


def test_a_partial_witness_cut_off_is_caught_by_the_hash_the_manifest_records(before, sources):
    """000 stops mid-document anyway, so a shorter 000 still parses: the sha256 must catch it."""
    lines = lines_of(CHINESE_WEB)
    line_14 = lines[13].decode("utf-8")
    replace_bytes(sources, CHINESE_WEB, b"\n".join(lines[:13] + [line_14[:3].encode("utf-8")]),
                  record_hash=False)

    message = failed_ingest(sources)
    assert_names(message, CHINESE_WEB)
    assert "sha256" in message
    assert served() == before


def test_a_source_cut_off_inside_a_character_fails_naming_that_line(before, sources):
    lines = lines_of(CHINESE_WEB)
    assert not lines[13].isascii()
    replace_bytes(sources, CHINESE_WEB, b"\n".join(lines[:13] + [lines[13][:7]]))  # 2⅓ characters

    message = failed_ingest(sources)
    assert_names(message, CHINESE_WEB, 14)
    assert "UTF-8" in message
    assert served() == before


# --- (b) not UTF-8 -----------------------------------------------------------------------------------

def first_line_that_is_not_utf8(data: bytes) -> int:
    for n, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return n
    raise AssertionError("every line is valid UTF-8")


@pytest.mark.parametrize("name", [NEWSPAPER, TRADITIONAL])
def test_a_source_re_encoded_as_gbk_fails_naming_its_first_line_that_is_not_utf8(before, sources, name):
    data = (settings.SOURCES_DIR / name).read_text(encoding="utf-8").encode("gbk")
    replace_bytes(sources, name, data)

    message = failed_ingest(sources)
    assert_names(message, name, first_line_that_is_not_utf8(data))
    assert "UTF-8" in message
    assert served() == before


@pytest.mark.parametrize("name, line, junk", [
    (BLOG, 300, b"\xc3\x28"),  # a two-byte sequence with a bad second byte
    (NEWSPAPER, 47, b"\xff"),  # a byte UTF-8 never uses
    (MACHINE, 11, b"\xe4\xba"),  # a three-byte character cut short
])
def test_invalid_utf8_bytes_inside_a_line_fail_naming_that_line(before, sources, name, line, junk):
    lines = lines_of(name)
    lines[line - 1] = lines[line - 1][:9] + junk + lines[line - 1][9:]
    replace_bytes(sources, name, b"\n".join(lines))

    message = failed_ingest(sources)
    assert_names(message, name, line)
    assert "UTF-8" in message
    assert served() == before


# --- (c) a file missing ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [NEWSPAPER, MACHINE])
def test_a_source_file_missing_fails_naming_it(before, sources, name):
    (sources / name).unlink()

    message = failed_ingest(sources)
    assert_names(message, name)
    assert "missing" in message
    assert served() == before


def test_a_missing_manifest_fails_naming_it(before, sources):
    (sources / MANIFEST).unlink()

    assert_names(failed_ingest(sources), MANIFEST)
    assert served() == before


# --- (d) a manifest that is not TOML -----------------------------------------------------------------

@pytest.mark.parametrize("old, new", [
    ('slug = "guofa-2015-40"', 'slug = "guofa-2015-40'),  # unterminated string
    ("[[versions]]", "[[versions]"),  # unclosed table header
    ('label = "English"', 'label = "English"\nlabel = "English"'),  # a key given twice
    ("parts = [{ parser", "parts = [{ parser parser"),  # a key without '='
])
def test_a_manifest_with_a_toml_syntax_error_fails_naming_it_and_the_line(before, sources, old, new):
    manifest = sources / MANIFEST
    text = manifest.read_text(encoding="utf-8")
    assert old in text
    damaged = text.replace(old, new, 1)
    manifest.write_text(damaged, encoding="utf-8")
    # The line the parser stops at: where the damage is, or the line after a duplicated key.
    line = damaged[:damaged.index(new)].count("\n") + 1 + new.count("\n")

    message = failed_ingest(sources)
    assert MANIFEST in message
    assert re.search(rf"(?:{re.escape(MANIFEST)}:|line ){line}\b", message), message
    assert served() == before


@pytest.mark.parametrize("old, new", [
    ('file = "001_a8d5c490817db3bf.txt"', 'fil = "001_a8d5c490817db3bf.txt"'),  # KeyError
    ('number = "国发〔2015〕40号"', 'numbr = "国发〔2015〕40号"'),  # KeyError
    ("base = true", "base = false"),  # StopIteration: no base version
    ("last_line = 425", 'last_line = "425"'),  # TypeError
], ids=["file-key-misspelt", "number-key-misspelt", "no-base-version", "line-as-string"])
def test_a_manifest_that_is_toml_but_lacks_what_ingest_needs_fails_naming_it(before, sources, old, new):
    manifest = sources / MANIFEST
    text = manifest.read_text(encoding="utf-8")
    assert old in text
    manifest.write_text(text.replace(old, new, 1), encoding="utf-8")

    assert_names(failed_ingest(sources), MANIFEST)
    assert served() == before


# --- (f) a source that cannot be read as a file ------------------------------------------------

def test_a_directory_in_place_of_a_source_is_a_one_line_error_naming_it(before, sources):
    (sources / MACHINE).unlink()
    (sources / MACHINE).mkdir()
    message = failed_ingest(sources)
    assert_names(message, MACHINE)
    assert "is a directory" in message and "\n" not in message
    assert served() == before


def test_a_pipe_in_place_of_a_source_fails_at_once_instead_of_hanging(before, sources):
    (sources / MACHINE).unlink()
    os.mkfifo(sources / MACHINE)  # nobody writes to it: reading it would wait for ever
    started = time.monotonic()
    message = failed_ingest(sources)
    assert time.monotonic() - started < 60
    assert_names(message, MACHINE)
    assert "not a regular file" in message
    assert served() == before


def test_a_source_that_cannot_be_read_is_a_one_line_error_naming_it(before, sources, monkeypatch):
    """Permission denied (as root, a chmod would not stop the read, so the refusal is injected)."""
    real = Path.read_bytes

    def read_bytes(path):
        if path.name == MACHINE:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    message = failed_ingest(sources)
    assert_names(message, MACHINE)
    assert "cannot be read: Permission denied" in message and "Traceback" not in message
    assert served() == before


# --- (g) two ingests at once ---------------------------------------------------------------------

def test_a_second_ingest_while_one_is_running_says_so_and_writes_nothing(before, sources):
    from reader.locks import ingest_lock
    with ingest_lock():  # the first ingest, still running
        message = failed_ingest(sources)
    assert "another ingest is running" in message
    assert served() == before
    call_command("ingest", sources=sources, stdout=StringIO())  # and afterwards it runs


# --- (h) a byte order mark ----------------------------------------------------------------------

def test_a_byte_order_mark_is_taken_off_the_text_and_recorded_as_a_repair(before, sources):
    replace_bytes(sources, BLOG, b"\xef\xbb\xbf" + (settings.SOURCES_DIR / BLOG).read_bytes())
    call_command("ingest", sources=sources, stdout=StringIO())
    title = Passage.objects.get(clause__ref="title", version__slug="en")
    assert not title.text.startswith("\ufeff") and title.text.startswith("State Council Guiding")
    note = Note.objects.get(clause__ref="title", version__slug="en", kind="repair",
                            body__contains="byte order mark")
    assert note.source == BLOG and note.line == 1


def test_a_byte_order_mark_in_a_plain_source_is_taken_off_and_recorded(db, tmp_path):
    folder = Path(shutil.copytree(settings.LIBRARY_DIR / "gwr-2020", tmp_path / "gwr-2020"))
    replace_bytes(folder, "en.txt", b"\xef\xbb\xbf" + (folder / "en.txt").read_bytes())
    call_command("ingest", sources=folder, stdout=StringIO())
    title = Passage.objects.get(clause__ref="title", version__slug="en")
    assert title.text == "REPORT ON THE WORK OF THE GOVERNMENT"
    assert Note.objects.filter(clause__ref="title", version__slug="en",
                               body__contains="byte order mark").count() == 1


# --- (i) options: no abbreviations, a real --force ----------------------------------------------

def test_an_abbreviated_or_unknown_option_is_refused_not_taken_for_another(db, sources):
    for option in ("--forc", "--rep", "--force-col"):
        with pytest.raises(CommandError, match="unrecognized arguments"):
            call_command("ingest", option, sources=sources, stdout=StringIO())
    assert not Passage.objects.exists()


def test_force_realigns_and_renews_a_document_where_nothing_changed(before, sources):
    beads = set(Bead.objects.values_list("id", flat=True))
    revision = Document.objects.get().updated_at
    out = StringIO()
    call_command("ingest", "--force", sources=sources, stdout=out)
    assert "already up to date" not in out.getvalue()
    assert "Search index updated" in out.getvalue()
    assert not beads & set(Bead.objects.values_list("id", flat=True))  # every bead written anew
    assert Document.objects.get().updated_at > revision
    assert served()["searches"] == before["searches"]


# --- (j) a NUL byte ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, line", [(CHINESE_WEB, 14), (BLOG, 100), (TRADITIONAL, 20)])
def test_a_nul_byte_in_a_witness_fails_naming_the_file_and_line_instead_of_being_stored(
        before, sources, name, line):
    """Valid UTF-8, so only a check of its own stops it: SQLite would store it silently and
    PostgreSQL refuse the row with a raw DataError."""
    lines = lines_of(name)
    text = lines[line - 1].decode("utf-8")
    lines[line - 1] = (text[:3] + "\x00" + text[3:]).encode("utf-8")
    replace_bytes(sources, name, b"\n".join(lines))

    message = failed_ingest(sources)
    assert_names(message, name, line)
    assert "NUL" in message and "Traceback" not in message
    assert served() == before
    # (not text__contains: SQLite's LIKE ends the pattern at the NUL, PostgreSQL refuses it)
    assert not any("\x00" in text for text in Passage.objects.values_list("text", flat=True))
