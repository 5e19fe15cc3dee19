"""Aligned segments for CAT tools: TMX 1.4b and CSV, built from ``reading.aligned_beads``."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def tmx(document, source, target, beads) -> bytes:
    """A TMX 1.4b document: one <tu> per bead with both sides.

    A bead with an empty side (an omission or an addition) has nothing to pair, so it becomes
    a <note> in the header instead of a translation unit.
    """
    root = ET.Element("tmx", version="1.4")
    header = ET.SubElement(root, "header", {
        "creationtool": "Duizhao", "creationtoolversion": "1.0", "segtype": "sentence",
        "o-tmf": "Duizhao", "adminlang": "en", "srclang": source.language,
        "datatype": "plaintext",
        "creationdate": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
    })
    ET.SubElement(header, "prop", type="x-document").text = f"{document.slug} {document.name}"
    ET.SubElement(header, "prop", type="x-versions").text = f"{source.slug} {target.slug}"
    body = ET.SubElement(root, "body")
    for item in beads:
        bead = item.bead
        tuid = item.anchor.removeprefix("c-")
        if bead.is_gap:
            side = target.slug if not bead.target_sentences else source.slug
            ET.SubElement(header, "note").text = (
                f"{tuid} ({bead.kind}): no sentence in {side} renders this; not exported as a unit.")
            continue
        tu = ET.SubElement(body, "tu", tuid=tuid)
        ET.SubElement(tu, "prop", type="x-ref").text = item.ref
        ET.SubElement(tu, "prop", type="x-bead").text = bead.kind
        ET.SubElement(tu, "prop", type="x-score").text = f"{bead.score:.2f}"
        for version, sentences in ((source, item.source), (target, item.target)):
            tuv = ET.SubElement(tu, "tuv", {XML_LANG: version.language})
            ET.SubElement(tuv, "seg").text = " ".join(sentences) if not version.is_chinese \
                else "".join(sentences)
    ET.indent(root)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n")


def csv_text(source, target, beads) -> str:
    """One row per bead; an omission or addition keeps its row with one side empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ref", "anchor", "bead", "score", source.slug, target.slug,
                     f"{source.slug}_sentences", f"{target.slug}_sentences"])
    for item in beads:
        joiner = lambda version: "" if version.is_chinese else " "  # noqa: E731
        writer.writerow([item.ref, item.anchor, item.bead.kind, f"{item.bead.score:.2f}",
                         joiner(source).join(item.source), joiner(target).join(item.target),
                         " ".join(map(str, item.bead.source_sentences)),
                         " ".join(map(str, item.bead.target_sentences))])
    return out.getvalue()


GLOSSARY_COLUMNS = ["term", "term_pinyin", "category", "gloss", "occurrences", "version",
                    "rendering", "rendering_occurrences", "not_identified", "inconsistent"]


def glossary_csv(rows) -> str:
    """One row per (term, version, rendering): every rendering the glossary lists, with how
    often the version uses it; a term a version never renders identifiably keeps one row with
    an empty rendering."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(GLOSSARY_COLUMNS)
    for row in rows:
        term = row.term
        for use in row.uses:
            counts = dict(use.counts)
            renderings = [r for r, _ in use.counts] + [r for r in use.listed if r not in counts]
            for rendering in renderings or [""]:
                writer.writerow([_cell(term.zh), term.slug, term.category, _cell(term.gloss),
                                 term.count, use.version.slug, _cell(rendering),
                                 counts.get(rendering, 0), use.unidentified,
                                 "yes" if use.inconsistent else "no"])
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet would run a cell starting with = + - @ as a formula; quote it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


TBX_NS = "urn:iso:std:iso:30042:ed-2"


def glossary_tbx(document, targets, rows, examples) -> bytes:
    """TBX-Basic (TBX v3, DCA style): one conceptEntry per term, the Chinese term and every
    English rendering used, each with how often each version uses it and a context sentence.

    ``examples``: (term id, version id, rendering) -> (clause ref, sentence), from
    ``reader.terms.rendering_examples``.
    """
    ET.register_namespace("", TBX_NS)
    q = lambda tag: f"{{{TBX_NS}}}{tag}"  # noqa: E731
    root = ET.Element(q("tbx"), {"type": "TBX-Basic", "style": "dca", XML_LANG: "en"})
    header = ET.SubElement(root, q("tbxHeader"))
    file_desc = ET.SubElement(header, q("fileDesc"))
    title = ET.SubElement(ET.SubElement(file_desc, q("titleStmt")), q("title"))
    title.text = f"Glossary of {document.name} ({document.slug})"
    ET.SubElement(ET.SubElement(file_desc, q("sourceDesc")), q("p")).text = (
        "Key terms of the document with the renderings found in each English version "
        f"({', '.join(f'{v.slug}: {v.label}' for v in targets)}), counted over the whole "
        "document by Duizhao from its sentence alignment.")
    body = ET.SubElement(ET.SubElement(root, q("text")), q("body"))
    for row in rows:
        term = row.term
        entry = ET.SubElement(body, q("conceptEntry"), id=f"term-{term.slug}")
        ET.SubElement(entry, q("descrip"), type="subjectField").text = term.category
        if term.gloss:
            ET.SubElement(entry, q("note")).text = term.gloss
        zh = ET.SubElement(entry, q("langSec"), {XML_LANG: "zh-Hans"})
        zh_term = ET.SubElement(zh, q("termSec"))
        ET.SubElement(zh_term, q("term")).text = term.zh
        ET.SubElement(zh_term, q("note")).text = f"{term.count} occurrences in the base text"
        renderings: dict[str, list] = {}
        for use in row.uses:
            for rendering, count in use.counts:
                renderings.setdefault(rendering, []).append((use, count))
        if not renderings:
            continue
        en = ET.SubElement(entry, q("langSec"), {XML_LANG: "en"})
        for rendering, used in renderings.items():
            term_sec = ET.SubElement(en, q("termSec"))
            ET.SubElement(term_sec, q("term")).text = rendering
            use, _ = used[0]
            ref, sentence = examples.get((term.id, use.version.id, rendering), ("", ""))
            if sentence:
                ET.SubElement(term_sec, q("descrip"), type="context").text = sentence
            ET.SubElement(term_sec, q("note")).text = "; ".join(
                f"{u.version.slug}: {count} of {u.total} occurrences"
                + (" (this version renders the term in more than one way)" if u.inconsistent else "")
                for u, count in used)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"
