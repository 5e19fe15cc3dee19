"""Any document of the genre, one plain text per version: the library's import pipeline.

``build_plain_corpus`` serves manifests whose sources all use the ``plain`` parser. The base
text (the Chinese original) is parsed for its structure (``reader.sources.plain``): its clauses
and refs come from it alone, so replacing or re-importing a translation never changes a ref.
Each translation is read as paragraphs and placed under the clauses it translates by
``reader.placement`` (n:m, splitting a paragraph at a sentence boundary where it spans two
clauses); the placement's confidence is kept on the passage and uncertain placements become
notes. A script version (traditional or simplified characters) is parsed from its own source
when the manifest gives one, and otherwise converted from the base text with OpenCC and marked
as converted; a document whose manifest has no version in the other script gets one.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import opencc

from ..glossary import load_glossary
from ..segment import sentences
from .base import PLACEMENT_UNCERTAIN, REPAIR, TRANSLATION, Note, SourceError
from .corpus import BOM, Corpus, CorpusPassage, SourceReport, bom_notes, read_source_bytes
from .plain import english_notes, fates, parse_chinese, parse_english, read_text

PARSERS = {"plain"}
# Below this a placement is uncertain: the reader marks it and the checks list it.
UNCERTAIN = 0.5

_CONVERTERS = {"zh-hant": opencc.OpenCC("s2t"), "zh-hans": opencc.OpenCC("t2s")}
_DERIVED = {
    "zh-hant": {"slug": "zh-hant", "language": "zh-Hant", "label": "繁體中文", "kind": "script"},
    "zh-hans": {"slug": "zh-hans", "language": "zh-Hans", "label": "简体中文", "kind": "script"},
}


def _script(language: str) -> str:
    """zh-hant or zh-hans: the script a Chinese language tag is written in."""
    tag = language.lower()
    return "zh-hant" if "hant" in tag or tag in ("zh-tw", "zh-hk", "zh-mo") else "zh-hans"


def build_plain_corpus(directory: Path, manifest: dict, glossary: Path | None = None) -> Corpus:
    versions = [dict(v) for v in manifest["versions"]]
    base = next(v for v in versions if v.get("base"))
    by_slug = {v["slug"]: v for v in versions}
    feeds: dict[str, tuple[dict, str]] = {}  # version slug -> (source entry, its text)
    reports: dict[str, SourceReport] = {}
    for entry in manifest["sources"]:
        if len(entry["parts"]) != 1:
            raise SourceError(entry["file"], None, "a plain source feeds exactly one version "
                              "(one part)")
        slug = entry["parts"][0]["feeds"]
        if slug in feeds:
            raise SourceError(entry["file"], None, f"version {slug} already has a source "
                              f"({feeds[slug][0]['file']})")
        data = read_source_bytes(directory, entry)
        text = read_text(data, entry["file"], by_slug[slug]["language"])
        feeds[slug] = (entry, text)
        reports[entry["file"]] = SourceReport(entry["file"], text, {}, entry,
                                              bom=data.startswith(BOM.encode("utf-8")))
    if base["slug"] not in feeds:
        raise SourceError("manifest.toml", None, f"no source feeds the base version {base['slug']}")

    entry, text = feeds[base["slug"]]
    zh = parse_chinese(text, entry["file"], base["slug"])
    reports[entry["file"]].fates.update(zh.fates)
    refs = list(zh.passages)
    kinds = dict(zh.kinds)
    notes: list[Note] = list(zh.notes)
    passages: dict[str, dict[str, CorpusPassage]] = {base["slug"]: {
        ref: CorpusPassage(ref, base["slug"], p.text, p.label, "source", entry["file"],
                           ",".join(map(str, p.lines)))
        for ref, p in zh.passages.items()}}
    numbers = {base["slug"]: manifest["document"].get("number") or zh.metadata.get("number", "")}

    other_script = "zh-hans" if _script(base["language"]) == "zh-hant" else "zh-hant"
    if not any(v["language"].lower().startswith("zh") and _script(v["language"]) == other_script
               for v in versions):
        derived = dict(_DERIVED[other_script])
        if derived["slug"] in by_slug:
            derived["slug"] = f"{derived['slug']}-converted"
        versions.insert(versions.index(base) + 1, derived)
        by_slug[derived["slug"]] = derived

    for v in versions:
        slug = v["slug"]
        if v is base:
            continue
        if v["language"].lower().startswith("zh"):
            passages[slug] = _script_version(v, base, zh, feeds.get(slug), reports, notes, passages)
            numbers[slug] = _CONVERTERS[_script(v["language"])].convert(numbers[base["slug"]])
            if slug not in feeds:
                v.setdefault("description", f"Converted from the {base['label']} text with OpenCC; "
                             f"no source in this script. Every passage is marked as converted.")
        elif slug in feeds:
            entry, text = feeds[slug]
            passages[slug] = _translation(v, entry, text, refs, kinds, passages[base["slug"]],
                                          reports[entry["file"]], notes)

    for report in reports.values():
        missing = report.unaccounted()
        if missing:
            raise SourceError(report.filename, missing[0], "line not accounted for by any parser")

    notes.extend(bom_notes(reports.values()))
    order = {ref: i for i, ref in enumerate(refs)}
    language = {v["slug"]: v["language"] for v in versions}
    ordered = [passages[v["slug"]][ref] for ref in refs for v in versions
               if ref in passages.get(v["slug"], {})]
    notes.sort(key=lambda n: (order.get(n.ref, -1), n.version, n.kind, n.source, n.line or 0))
    document = dict(manifest["document"])
    document["number"] = numbers[base["slug"]]
    sources_of = defaultdict(list)
    for slug, (entry, _) in feeds.items():
        sources_of[slug].append(entry["file"])
    return Corpus(
        document=document,
        versions=[{**v, "sources": sources_of.get(v["slug"]) or
                   ([] if v is base else ["(OpenCC)"] if v["language"].lower().startswith("zh") else []),
                   "document_number": numbers.get(v["slug"], "")} for v in versions],
        refs=refs,
        kinds=kinds,
        passages=ordered,
        notes=notes,
        sources=list(reports.values()),
        sentences={(p.version, p.ref): sentences(p.text, language[p.version]) for p in ordered},
        glossary=load_glossary(glossary) if glossary is not None else None,
    )


def _script_version(version: dict, base: dict, zh, fed, reports, notes, passages
                    ) -> dict[str, CorpusPassage]:
    """The base text in the other script: parsed from its own source, or converted."""
    slug = version["slug"]
    if fed is None:
        convert = _CONVERTERS[_script(version["language"])]
        return {ref: CorpusPassage(ref, slug, convert.convert(p.text), p.label, "converted", "", "")
                for ref, p in passages[base["slug"]].items()}
    entry, text = fed
    own = parse_chinese(text, entry["file"], slug)
    if list(own.passages) != list(zh.passages):
        missing = [r for r in zh.passages if r not in own.passages]
        extra = [r for r in own.passages if r not in zh.passages]
        raise SourceError(entry["file"], None, f"its structure differs from the base text's "
                          f"(missing {', '.join(missing[:5]) or 'nothing'}; extra "
                          f"{', '.join(extra[:5]) or 'nothing'})")
    reports[entry["file"]].fates.update(own.fates)
    notes.extend(own.notes)
    return {ref: CorpusPassage(ref, slug, p.text, p.label, "source", entry["file"],
                               ",".join(map(str, p.lines))) for ref, p in own.passages.items()}


def _translation(version: dict, entry: dict, text: str, refs: list[str], kinds: dict,
                 base_passages: dict[str, CorpusPassage], report: SourceReport, notes: list[Note]
                 ) -> dict[str, CorpusPassage]:
    """A translation's paragraphs placed under the clauses they translate."""
    from .. import placement  # the aligner loads its dictionaries only when a translation needs it

    slug = version["slug"]
    english = parse_english(text, entry["file"], slug)
    clauses = [placement.Clause(ref, kinds[ref], base_passages[ref].label, base_passages[ref].text)
               for ref in refs]
    paragraphs = [placement.Paragraph(p.lines[0], p.text, p.lead) for p in english.paragraphs]
    placed = placement.place(clauses, paragraphs)
    by_ref: dict[str, list] = defaultdict(list)
    refs_of_line: dict[int, list[str]] = defaultdict(list)
    for piece in placed:
        by_ref[piece.ref].append(piece)
        if piece.ref not in refs_of_line[piece.line]:
            refs_of_line[piece.line].append(piece.ref)
    lines_of = {p.lines[0]: p.lines for p in english.paragraphs}
    out = {}
    for ref in refs:
        pieces = by_ref.get(ref)
        if not pieces:
            continue
        lines = sorted({n for piece in pieces for n in lines_of[piece.line]})
        out[ref] = CorpusPassage(ref, slug, "\n".join(piece.text for piece in pieces), "",
                                 "source", entry["file"], ",".join(map(str, lines)),
                                 placement=round(min(piece.score for piece in pieces), 4))
    for line, line_refs in refs_of_line.items():
        if len(line_refs) > 1:
            notes.append(Note(line_refs[0], REPAIR, f"{entry['file']} line {line} runs across "
                              f"clauses {' and '.join(line_refs)}: split at a sentence boundary, "
                              f"each part under the clause it renders.", version=slug,
                              source=entry["file"], line=line))
    noted = set()
    for piece in placed:
        if piece.score < UNCERTAIN and (piece.ref, piece.line) not in noted:
            noted.add((piece.ref, piece.line))
            notes.append(Note(piece.ref, TRANSLATION, f"{PLACEMENT_UNCERTAIN} (score "
                              f"{piece.score:.2f}): {entry['file']} line {piece.line}"
                              + (f" — {piece.reason}" if piece.reason else "") + ".",
                              version=slug, source=entry["file"], line=piece.line))
    notes.extend(english_notes(english, refs_of_line))
    report.fates.update(fates(english, refs_of_line))
    return out
