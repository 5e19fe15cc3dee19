"""The seed document's pipeline: several damaged witnesses of one text, collated.

``build_collated_corpus`` serves manifests whose sources use the witness parsers
(``chinese-witness``, ``chinese-traditional``, ``english-published``, ``english-machine``),
written for the five sources of 国发〔2015〕40号. Order of work: parse the simplified witnesses
and collate them; use that text to rebuild the traditional witness's garbled headings; add the
traditional witness (converted to simplified) as one more witness and collate again; fill the
traditional version's gaps by OpenCC; parse the translations, placing their paragraphs by the
structure of the base text.
"""
from __future__ import annotations

from pathlib import Path

import opencc

from ..glossary import load_glossary
from ..segment import sentences
from .base import REPAIR, USED, LineFate, Note, ParsedSource, Passage, SourceError, kind_of
from .chinese import parse_witness
from .collate import collate
from .corpus import Corpus, CorpusPassage, SourceReport, bom_notes, read_source, strip_bom
from .english import parse_machine_translation, parse_published_translation
from .traditional import parse_traditional

PARSERS = {"chinese-witness", "chinese-traditional", "english-published", "english-machine"}

_s2t = opencc.OpenCC("s2t")
_t2s = opencc.OpenCC("t2s")
# The traditional spellings a simplified reading may have (着 is 著 in Taiwan's standard).
_TRADITIONAL_SPELLINGS = [_s2t, opencc.OpenCC("s2tw"), opencc.OpenCC("s2hk")]


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


def build_collated_corpus(directory: Path, manifest: dict, glossary: Path | None = None) -> Corpus:
    """The corpus of a manifest of witnesses, with the glossary file ``glossary`` if given."""
    versions = manifest["versions"]
    base_version = next(v["slug"] for v in versions if v.get("base"))
    reports: dict[str, SourceReport] = {}
    witnesses: list[tuple[int, ParsedSource]] = []  # (priority, parsed)
    traditional_parts: list[tuple[int, SourceReport, str, dict]] = []
    translations: list[tuple[SourceReport, str, dict]] = []
    notes: list[Note] = []
    version_numbers: dict[str, str] = {base_version: manifest["document"].get("number", "")}

    for entry in manifest["sources"]:
        text, bom = strip_bom(read_source(directory, entry))
        report = reports[entry["file"]] = SourceReport(entry["file"], text, {}, entry, bom)
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
            version_numbers[v["slug"]] = _s2t.convert(manifest["document"].get("number", ""))

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

    notes.extend(bom_notes(reports.values()))
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
