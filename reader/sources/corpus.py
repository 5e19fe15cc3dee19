"""Build a whole document's corpus from its source files and manifest, in plain Python.

``build_corpus(directory)`` reads ``manifest.toml`` and the verbatim source files beside it and
returns a ``Corpus``: the document's metadata, its versions, the clause refs in document order,
every passage of every version, every note, and the fate of every non-blank source line. It
touches no database; ``reader.services.corpus_ingest`` writes the result.

Order of work: parse the simplified witnesses and collate them; use that text to rebuild the
traditional witness's garbled headings; add the traditional witness (converted to simplified)
as one more witness and collate again; fill the traditional version's gaps by OpenCC; parse the
translations, placing their paragraphs by the structure of the base text.
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import opencc

from ..segment import Span, sentences
from .base import (REPAIR, USED, LineFate, Note, ParsedSource, Passage, SourceError,
                   kind_of, toml_error_line)
from .chinese import parse_witness
from .collate import collate
from .english import parse_machine_translation, parse_published_translation
from .traditional import parse_traditional
from ..glossary import Glossary, load_glossary

MANIFEST = "manifest.toml"

_s2t = opencc.OpenCC("s2t")
_t2s = opencc.OpenCC("t2s")
# The traditional spellings a simplified reading may have (着 is 著 in Taiwan's standard).
_TRADITIONAL_SPELLINGS = [_s2t, opencc.OpenCC("s2tw"), opencc.OpenCC("s2hk")]


@dataclass
class CorpusPassage:
    ref: str
    version: str
    text: str
    label: str
    provenance: str  # source, collated, converted or reconstructed
    source: str
    lines: str


@dataclass
class SourceReport:
    filename: str
    text: str
    fates: dict[int, LineFate]
    manifest: dict

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

    def fingerprint(self) -> str:
        """A hash of everything that would be written: equal fingerprints, nothing to do."""
        data = {
            "document": {k: str(v) for k, v in self.document.items()},
            "versions": self.versions,
            "refs": self.refs,
            "passages": [asdict(p) for p in self.passages],
            "notes": [asdict(n) for n in self.notes],
            "glossary": self.glossary.as_data() if self.glossary else None,
        }
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    def passage(self, version: str, ref: str) -> CorpusPassage | None:
        return next((p for p in self.passages if p.version == version and p.ref == ref), None)


def read_source(directory: Path, entry: dict) -> str:
    """The text of a source file, checked against the manifest's hash and decoded strictly."""
    name = entry["file"]
    path = directory / name
    if not path.exists():
        raise SourceError(name, None, "file listed in the manifest is missing")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SourceError(name, line, f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    digest = hashlib.sha256(data).hexdigest()
    if entry.get("sha256") and digest != entry["sha256"]:
        raise SourceError(name, None, f"content differs from the verbatim copy recorded in the "
                          f"manifest (sha256 {digest[:12]}…, expected {entry['sha256'][:12]}…)")
    return text


def load_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceError(MANIFEST, None, f"no manifest in {directory}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(MANIFEST, toml_error_line(exc), str(exc)) from exc
    check_manifest(manifest)
    return manifest


PARSERS = {"chinese-witness", "chinese-traditional", "english-published", "english-machine"}


def check_manifest(manifest: dict) -> None:
    """Raise SourceError naming what is missing or malformed, before anything is parsed."""
    def need(table, key, kind, where):
        value = table.get(key) if isinstance(table, dict) else None
        if not isinstance(value, kind):
            raise SourceError(MANIFEST, None, f"{where}: “{key}” is missing or not a "
                              f"{kind.__name__ if isinstance(kind, type) else kind[0].__name__}")
        return value

    document = need(manifest, "document", dict, "the manifest")
    for key in ("slug", "number", "issuer"):
        need(document, key, str, "[document]")
    if not hasattr(document.get("date"), "isoformat"):
        raise SourceError(MANIFEST, None, "[document]: “date” is missing or not a date (YYYY-MM-DD)")
    versions = need(manifest, "versions", list, "the manifest")
    slugs = set()
    for n, version in enumerate(versions, start=1):
        for key in ("slug", "language", "label", "kind"):
            need(version, key, str, f"[[versions]] #{n}")
        slugs.add(version["slug"])
    if sum(1 for v in versions if v.get("base") is True) != 1:
        raise SourceError(MANIFEST, None, "exactly one version must have base = true")
    for n, source in enumerate(need(manifest, "sources", list, "the manifest"), start=1):
        name = need(source, "file", str, f"[[sources]] #{n}")
        if "/" in name or name in ("", ".", ".."):
            raise SourceError(MANIFEST, None, f"[[sources]] #{n}: “{name}” is not a file name")
        for part in need(source, "parts", list, f"[[sources]] {name}"):
            parser = need(part, "parser", str, f"[[sources]] {name} part")
            if parser not in PARSERS:
                raise SourceError(MANIFEST, None, f"{name}: unknown parser “{parser}”")
            if need(part, "feeds", str, f"[[sources]] {name} part") not in slugs:
                raise SourceError(MANIFEST, None, f"{name}: feeds unknown version “{part['feeds']}”")
            for key in ("first_line", "last_line", "priority"):
                if key in part and (not isinstance(part[key], int) or isinstance(part[key], bool)):
                    raise SourceError(MANIFEST, None, f"{name}: “{key}” must be a whole number")


def _merge_fates(report: SourceReport, parsed: ParsedSource) -> None:
    for n, fate in parsed.fates.items():
        if n in report.fates and report.fates[n].fate == USED and fate.fate == USED:
            old = report.fates[n]
            report.fates[n] = LineFate(n, USED, old.refs + tuple(r for r in fate.refs if r not in old.refs),
                                       old.versions + tuple(v for v in fate.versions if v not in old.versions))
        else:
            report.fates[n] = fate


def _to_simplified_witness(traditional: ParsedSource, base_version: str) -> ParsedSource:
    """The traditional witness in simplified characters, for collation.

    Passages it did not read from the source (reconstructed headings) are left out: they are
    built from the simplified text and would only vote for it.
    """
    rebuilt = {n.ref for n in traditional.notes if n.kind == REPAIR and n.adopted}
    witness = ParsedSource(traditional.filename, base_version)
    for ref, p in traditional.passages.items():
        if ref not in rebuilt:
            witness.passages[ref] = Passage(ref, _t2s.convert(p.text), p.lines, p.label)
    return witness


def build_corpus(directory: Path, glossary: Path | None = None) -> Corpus:
    """The corpus of the manifest in ``directory``, with the glossary file ``glossary`` if given."""
    directory = Path(directory)
    manifest = load_manifest(directory)
    versions = manifest["versions"]
    base_version = next(v["slug"] for v in versions if v.get("base"))
    reports: dict[str, SourceReport] = {}
    witnesses: list[tuple[int, ParsedSource]] = []  # (priority, parsed)
    traditional_parts: list[tuple[int, SourceReport, str, dict]] = []
    translations: list[tuple[SourceReport, str, dict]] = []
    notes: list[Note] = []
    version_numbers: dict[str, str] = {base_version: manifest["document"]["number"]}

    for entry in manifest["sources"]:
        text = read_source(directory, entry)
        report = reports[entry["file"]] = SourceReport(entry["file"], text, {}, entry)
        for part in entry["parts"]:
            parser = part["parser"]
            if parser == "chinese-witness":
                parsed = parse_witness(text, entry["file"], version=part["feeds"],
                                       layout_spaces=part.get("layout_spaces", False),
                                       first_line=part.get("first_line", 1),
                                       last_line=part.get("last_line"))
                witnesses.append((part.get("priority", 99), parsed))
                _merge_fates(report, parsed)
                notes.extend(parsed.notes)
            elif parser == "chinese-traditional":
                traditional_parts.append((part.get("priority", 99), report, part["feeds"], entry))
            elif parser in ("english-published", "english-machine"):
                translations.append((report, parser, part))
            else:
                raise SourceError(entry["file"], None, f"unknown parser {parser!r} in the manifest")

    witnesses.sort(key=lambda pw: pw[0])
    first_pass, _ = collate([w for _, w in witnesses], base_version)
    headings = {ref: p.text for ref, p in first_pass.passages.items() if kind_of(ref) == "section"}

    version_passages: dict[str, dict[str, CorpusPassage]] = {}
    for i, (priority, report, slug, entry) in enumerate(traditional_parts):
        parsed = parse_traditional(report.text, report.filename, headings)
        traditional_parts[i] = (priority, report, slug, parsed)
        _merge_fates(report, parsed)
        notes.extend(parsed.notes)
        rebuilt = {n.ref for n in parsed.notes if n.kind == REPAIR and n.adopted}
        version_passages[slug] = {
            ref: CorpusPassage(ref, slug, p.text, p.label,
                               "reconstructed" if ref in rebuilt else "source",
                               report.filename, ",".join(map(str, p.lines)))
            for ref, p in parsed.passages.items()}
        simplified = _to_simplified_witness(parsed, base_version)
        for n, fate in report.fates.items():
            if set(fate.refs) & set(simplified.passages):
                fate.versions += (base_version,)
        witnesses.append((priority, simplified))
    witnesses.sort(key=lambda pw: pw[0])

    covering: dict[str, list[str]] = {}
    for _, w in witnesses:
        for ref in w.passages:
            covering.setdefault(ref, []).append(w.filename)
    originals = {report.filename: parsed for _, report, _, _ in traditional_parts}

    def same(witness: str, ref: str, reading: str, start: int, end: int) -> bool:
        """A converted witness agrees when the copy reading, in its script, is what it prints."""
        original = originals.get(witness)
        if original is None or ref not in original.passages:
            return False
        printed = original.passages[ref].text[start:end]
        return any(c.convert(reading) == printed for c in _TRADITIONAL_SPELLINGS)

    base, variants = collate([w for _, w in witnesses], base_version, same)
    notes.extend(variants)
    refs = list(base.passages)
    copy_of = {}
    for ref in refs:
        copy = next(w for _, w in witnesses if ref in w.passages)
        copy_of[ref] = copy
    version_passages[base_version] = {
        ref: CorpusPassage(ref, base_version, p.text, p.label,
                           "collated" if len(covering[ref]) > 1 else "source",
                           copy_of[ref].filename, ",".join(map(str, copy_of[ref].passages[ref].lines)))
        for ref, p in base.passages.items()}

    # Traditional: fill what the traditional witness lacks by converting the base text.
    for v in versions:
        if v["kind"] == "script":
            have = version_passages.setdefault(v["slug"], {})
            for ref in refs:
                if ref not in have:
                    b = version_passages[base_version][ref]
                    have[ref] = CorpusPassage(ref, v["slug"], _s2t.convert(b.text), b.label,
                                              "converted", "", "")
            version_numbers[v["slug"]] = _s2t.convert(manifest["document"]["number"])

    part_three_items = [sum(1 for r in refs if r.startswith(f"3.{s}.") and kind_of(r) == "clause")
                        for s in range(1, 1 + sum(1 for r in refs if kind_of(r) == "section"
                                                  and r.startswith("3.")))]
    for report, parser, part in translations:
        if parser == "english-published":
            parsed = parse_published_translation(report.text, report.filename)
        else:
            parsed = parse_machine_translation(report.text, report.filename, part_three_items)
        _merge_fates(report, parsed)
        notes.extend(parsed.notes)
        slug = part["feeds"]
        for ref, p in parsed.passages.items():
            if ref not in base.passages:
                raise SourceError(report.filename, p.lines[0] if p.lines else None,
                                  f"clause {ref} is not in the base text")
        version_passages[slug] = {
            ref: CorpusPassage(ref, slug, p.text, p.label, "source", report.filename,
                               ",".join(map(str, p.lines)))
            for ref, p in parsed.passages.items()}
        if parsed.metadata.get("number"):
            version_numbers[slug] = parsed.metadata["number"]

    for report in reports.values():
        missing = report.unaccounted()
        if missing:
            raise SourceError(report.filename, missing[0], "line not accounted for by any parser")

    order = {ref: i for i, ref in enumerate(refs)}
    passages = [version_passages[v["slug"]][ref] for ref in refs for v in versions
                if ref in version_passages.get(v["slug"], {})]
    notes.sort(key=lambda n: (order.get(n.ref, -1), n.version, n.kind, n.source, n.line or 0))
    language = {v["slug"]: v["language"] for v in versions}
    return Corpus(
        sentences={(p.version, p.ref): sentences(p.text, language[p.version]) for p in passages},
        document=dict(manifest["document"]),
        versions=[{**v, "sources": [e["file"] for e in manifest["sources"]
                                    if any(p["feeds"] == v["slug"] or (v.get("base") and "priority" in p)
                                           for p in e["parts"])]
                                   + ([] if v.get("base") or v["kind"] != "script" else ["(OpenCC s2t)"]),
                   "document_number": version_numbers.get(v["slug"], "")}
                  for v in versions],
        refs=refs,
        passages=passages,
        notes=notes,
        sources=list(reports.values()),
        glossary=load_glossary(glossary) if glossary is not None else None,
    )
