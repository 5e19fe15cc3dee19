"""The glossary's exports for terminology tools: CSV and TBX, built from
``terms.glossary_rows``."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


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
