"""Build a whole document's corpus from its source files and manifest, in plain Python.

``build_corpus(directory)`` reads ``manifest.toml`` and the verbatim source files beside it and
returns a ``Corpus``: the document's metadata, its versions, the clause refs in document order
with their kinds, every passage of every version, every note, and the fate of every non-blank
source line. It touches no database; ``reader.services.corpus_ingest`` writes the result.

Two pipelines: a manifest whose sources use the ``plain`` parser is any document of the genre,
one plain text per version (``reader.sources.plain_document``); the seed document's manifest
names the parsers written for its five damaged witnesses (``reader.sources.witnesses``).
``library_folders`` lists the documents of a library directory.
"""
from __future__ import annotations

import hashlib
import json
import re
import stat
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..glossary import Glossary
from ..segment import Span
from .base import REPAIR, LineFate, Note, SourceError, kind_of, parent_of, toml_error_line

MANIFEST = "manifest.toml"
# Genres of the documents (reader.models.Document.Genre has the same values), and how a title
# says which it is when the manifest does not.
GENRES = ("opinions", "plan", "report", "notice", "decision", "regulations", "other")
GENRE_OF_TITLE = [
    (re.compile(r"报告$"), "report"),
    (re.compile(r"(指导)?意见$"), "opinions"),
    (re.compile(r"(规划|纲要|计划|方案)(（[^）]*）)?$"), "plan"),
    (re.compile(r"通知$"), "notice"),
    (re.compile(r"决定$"), "decision"),
    (re.compile(r"(条例|办法|规定|细则)$"), "regulations"),
]
# Path segments the site uses itself: no document may take them as its slug.
RESERVED_SLUGS = {"api", "search", "concordance", "glossary", "static", "admin", "accounts",
                  "import", "library", "favicon.ico", "robots.txt"}
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
# The keys a manifest may use, per table: a misspelt key is an error, not silently ignored.
KNOWN_KEYS = {
    "the manifest": {"document", "versions", "sources"},
    "[document]": {"slug", "number", "issuer", "date", "title", "genre", "description"},
    "[[versions]]": {"slug", "language", "label", "kind", "base", "description"},
    "[[sources]]": {"file", "sha256", "language", "parts", "coverage", "provenance", "defects"},
    "part": {"parser", "feeds", "priority", "first_line", "last_line", "layout_spaces"},
}


def _unknown_keys(table, where: str) -> None:
    if isinstance(table, dict):
        unknown = sorted(set(table) - KNOWN_KEYS[where])
        if unknown:
            raise SourceError(MANIFEST, None, f"{where}: unknown key “{unknown[0][:40]}” (known: "
                              f"{', '.join(sorted(KNOWN_KEYS[where]))})")


@dataclass
class CorpusPassage:
    ref: str
    version: str
    text: str
    label: str
    provenance: str  # source, collated, converted or reconstructed
    source: str
    lines: str
    placement: float | None = None  # how sure the importer is of the clause (translations)


@dataclass
class SourceReport:
    filename: str
    text: str
    fates: dict[int, LineFate]
    manifest: dict
    bom: bool = False  # the file began with a byte order mark (taken off; see bom_notes)

    def unaccounted(self) -> list[int]:
        return [n for n, raw in enumerate(self.text.split("\n"), start=1)
                if raw.strip() and n not in self.fates]


@dataclass
class Corpus:
    document: dict
    versions: list[dict]
    refs: list[str]
    passages: list[CorpusPassage]
    notes: list[Note]
    sources: list[SourceReport] = field(default_factory=list)
    # (version, ref) -> the passage's sentences, with offsets into its text
    sentences: dict[tuple[str, str], list[Span]] = field(default_factory=dict)
    glossary: Glossary | None = None  # the key terms and their known renderings
    kinds: dict[str, str] = field(default_factory=dict)  # ref -> kind, where not by its shape

    def fingerprint(self) -> str:
        """A hash of everything that would be written: equal fingerprints, nothing to do."""
        data = {
            "document": {k: str(v) for k, v in self.document.items()},
            "versions": self.versions,
            "refs": self.refs,
            "kinds": self.kinds,
            "passages": [asdict(p) for p in self.passages],
            "notes": [asdict(n) for n in self.notes],
            "glossary": self.glossary.as_data() if self.glossary else None,
        }
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    def passage(self, version: str, ref: str) -> CorpusPassage | None:
        return next((p for p in self.passages if p.version == version and p.ref == ref), None)

    def kind(self, ref: str) -> str:
        return self.kinds.get(ref) or kind_of(ref)

    def parent(self, ref: str) -> str | None:
        """The enclosing part or section that exists in this document, None at the top."""
        parent = parent_of(ref)
        known = set(self.refs)
        while parent is not None and parent not in known:
            parent = parent_of(parent)
        return parent

    @property
    def title(self) -> str:
        """The title: the manifest's, else the base text's title clause."""
        if self.document.get("title"):
            return self.document["title"]
        base = next(v["slug"] for v in self.versions if v.get("base"))
        passage = self.passage(base, "title")
        return passage.text if passage else ""

    @property
    def genre(self) -> str:
        if self.document.get("genre"):
            return self.document["genre"]
        return next((genre for pattern, genre in GENRE_OF_TITLE if pattern.search(self.title)), "other")


def read_source(directory: Path, entry: dict) -> str:
    """The text of a source file, checked against the manifest's hash and decoded strictly
    (a byte order mark stays: ``strip_bom`` takes it off and ``bom_notes`` records that)."""
    return read_source_bytes(directory, entry).decode("utf-8")


BOM = "\ufeff"


def strip_bom(text: str) -> tuple[str, bool]:
    """The text without a leading U+FEFF byte order mark, and whether it had one."""
    return (text[1:], True) if text.startswith(BOM) else (text, False)


def bom_notes(reports) -> list[Note]:
    """A repair note for every source that began with a byte order mark, on the clause its
    first line went into (the mark is taken off before parsing: it is no text)."""
    notes = []
    for report in reports:
        if not report.bom:
            continue
        first = min((n for n, fate in report.fates.items() if fate.refs), default=None)
        if first is None:
            continue
        fate = report.fates[first]
        notes.append(Note(fate.refs[0], REPAIR, f"{report.filename}: the U+FEFF byte order mark "
                          f"at the start of the file removed (an encoding marker, not text).",
                          version=fate.versions[0] if fate.versions else "",
                          source=report.filename, line=first))
    return notes


def read_source_bytes(directory: Path, entry: dict) -> bytes:
    """The bytes of a source file, checked against the manifest's hash and as valid UTF-8."""
    name = entry["file"]
    path = directory / name
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise SourceError(name, None, "is a directory, not a source file")
        if not stat.S_ISREG(mode):  # a FIFO or a device would block or never end
            raise SourceError(name, None, "is not a regular file (a pipe, socket or device?)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(name, None, "file listed in the manifest is missing") from None
    except OSError as exc:
        raise SourceError(name, None, f"cannot be read: {exc.strerror or exc}") from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SourceError(name, line, f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    if b"\x00" in data:  # valid UTF-8, but no text has one (and PostgreSQL cannot store it)
        at = data.index(b"\x00")
        raise SourceError(name, data[:at].count(b"\n") + 1,
                          f"a NUL byte (at byte {at}): this is a damaged or binary file, not text")
    digest = hashlib.sha256(data).hexdigest()
    if entry.get("sha256") and digest != entry["sha256"]:
        raise SourceError(name, None, f"content differs from the verbatim copy recorded in the "
                          f"manifest (sha256 {digest[:12]}…, expected {entry['sha256'][:12]}…)")
    return data


def load_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    try:
        if path.exists() and not path.is_file():
            raise SourceError(MANIFEST, None, f"{path} is not a regular file")
        manifest = tomllib.loads(strip_bom(path.read_text(encoding="utf-8"))[0])
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise SourceError(MANIFEST, None, f"no manifest in {directory}") from exc
    except PermissionError as exc:
        raise SourceError(MANIFEST, None, f"cannot be read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(MANIFEST, toml_error_line(exc), str(exc)) from exc
    check_manifest(manifest)
    return manifest


def manifest_parsers(manifest: dict) -> set[str]:
    return {part.get("parser") for source in manifest.get("sources", []) for part in source.get("parts", [])}


def check_manifest(manifest: dict) -> None:
    """Raise SourceError naming what is missing or malformed, before anything is parsed."""
    from .plain_document import PARSERS as PLAIN_PARSERS
    from .witnesses import PARSERS as WITNESS_PARSERS

    def need(table, key, kind, where):
        value = table.get(key) if isinstance(table, dict) else None
        if not isinstance(value, kind):
            raise SourceError(MANIFEST, None, f"{where}: “{key}” is missing or not a "
                              f"{kind.__name__ if isinstance(kind, type) else kind[0].__name__}")
        return value

    _unknown_keys(manifest, "the manifest")
    document = need(manifest, "document", dict, "the manifest")
    _unknown_keys(document, "[document]")
    for key in ("slug", "issuer"):
        need(document, key, str, "[document]")
    for key in ("number", "title", "genre"):
        if key in document and not isinstance(document[key], str):
            raise SourceError(MANIFEST, None, f"[document]: “{key}” must be a string")
    if not SLUG.match(document["slug"]) or document["slug"] in RESERVED_SLUGS:
        raise SourceError(MANIFEST, None, f"[document]: “{document['slug'][:60]}” is not a usable "
                          f"slug (lower-case letters, digits and hyphens; not one of the site's "
                          f"own paths such as search or api)")
    if document.get("genre") and document["genre"] not in GENRES:
        raise SourceError(MANIFEST, None, f"[document]: genre “{document['genre'][:40]}” is not one "
                          f"of {', '.join(GENRES)}")
    if not hasattr(document.get("date"), "isoformat") or hasattr(document.get("date"), "hour"):
        raise SourceError(MANIFEST, None, "[document]: “date” is missing or not a date (YYYY-MM-DD)")
    versions = need(manifest, "versions", list, "the manifest")
    slugs = set()
    for n, version in enumerate(versions, start=1):
        _unknown_keys(version, "[[versions]]")
        for key in ("slug", "language", "label", "kind"):
            need(version, key, str, f"[[versions]] #{n}")
        if not SLUG.match(version["slug"]):
            raise SourceError(MANIFEST, None, f"[[versions]] #{n}: “{version['slug'][:40]}” is not "
                              f"a usable slug")
        if version["slug"] in slugs:
            raise SourceError(MANIFEST, None, f"[[versions]]: “{version['slug']}” appears twice")
        if version["kind"] not in ("original", "script", "translation", "machine"):
            raise SourceError(MANIFEST, None, f"[[versions]] {version['slug']}: kind must be "
                              f"original, script, translation or machine")
        slugs.add(version["slug"])
    if sum(1 for v in versions if v.get("base") is True) != 1:
        raise SourceError(MANIFEST, None, "exactly one version must have base = true")
    base = next(v for v in versions if v.get("base") is True)
    if not base["language"].lower().startswith("zh"):
        raise SourceError(MANIFEST, None, "the base version must be the Chinese original "
                          "(language zh-Hans or zh-Hant)")
    for n, source in enumerate(need(manifest, "sources", list, "the manifest"), start=1):
        _unknown_keys(source, "[[sources]]")
        name = need(source, "file", str, f"[[sources]] #{n}")
        if "/" in name or "\\" in name or name in ("", ".", "..") or name == MANIFEST:
            raise SourceError(MANIFEST, None, f"[[sources]] #{n}: “{name}” is not a file name")
        for part in need(source, "parts", list, f"[[sources]] {name}"):
            _unknown_keys(part, "part")
            parser = need(part, "parser", str, f"[[sources]] {name} part")
            if parser not in PLAIN_PARSERS | WITNESS_PARSERS:
                raise SourceError(MANIFEST, None, f"{name}: unknown parser “{parser}”")
            if need(part, "feeds", str, f"[[sources]] {name} part") not in slugs:
                raise SourceError(MANIFEST, None, f"{name}: feeds unknown version “{part['feeds']}”")
            for key in ("first_line", "last_line", "priority"):
                if key in part and (not isinstance(part[key], int) or isinstance(part[key], bool)):
                    raise SourceError(MANIFEST, None, f"{name}: “{key}” must be a whole number")
    parsers = manifest_parsers(manifest)
    if parsers & PLAIN_PARSERS and parsers - PLAIN_PARSERS:
        raise SourceError(MANIFEST, None, "the plain parser reads whole files, one per version; "
                          "it cannot be combined with the witness parsers in one manifest")


def build_corpus(directory: Path, glossary: Path | None = None) -> Corpus:
    """The corpus of the manifest in ``directory``, with the glossary file ``glossary`` if given."""
    from .plain_document import PARSERS as PLAIN_PARSERS, build_plain_corpus
    from .witnesses import build_collated_corpus

    directory = Path(directory)
    manifest = load_manifest(directory)
    if manifest_parsers(manifest) <= PLAIN_PARSERS:
        return build_plain_corpus(directory, manifest, glossary)
    return build_collated_corpus(directory, manifest, glossary)


def library_folders(directory: Path) -> list[Path]:
    """The document folders of a library (each holding a manifest), or the folder itself when it
    is one document's."""
    directory = Path(directory)
    if (directory / MANIFEST).is_file():
        return [directory]
    return sorted(p for p in directory.iterdir() if (p / MANIFEST).is_file()) if directory.is_dir() else []
