"""The glossary's exports for terminology tools: CSV, TBX v3 and the TBX-Basic of 2008, built
from ``terms.glossary_rows``."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import NamedTuple

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

def _description(document, targets) -> tuple[str, str]:
    """(title, source description) of a glossary file."""
    return (f"Glossary of {document.name} ({document.slug})",
            "Key terms of the document with the renderings found in each English version "
            f"({', '.join(f'{v.slug}: {v.label}' for v in targets)}), counted over the whole "
            "document by Duizhao from its sentence alignment.")


def _file_description(header, document, targets) -> None:
    """The header's fileDesc (the same element in both TBX standards): title and source."""
    file_desc = ET.SubElement(header, "fileDesc")
    title, description = _description(document, targets)
    ET.SubElement(ET.SubElement(file_desc, "titleStmt"), "title").text = title
    ET.SubElement(ET.SubElement(file_desc, "sourceDesc"), "p").text = description


def _renderings(row) -> dict[str, list]:
    """Each rendering a version uses for the term, first use first, with [(tally, count)]."""
    renderings: dict[str, list] = {}
    for use in row.uses:
        for rendering, count in use.counts:
            renderings.setdefault(rendering, []).append((use, count))
    return renderings


def _usage(used) -> str:
    """How often each version uses a rendering: "en: 4 of 5 occurrences; en-mt: …"."""
    return "; ".join(
        f"{u.version.slug}: {count} of {u.total} occurrences"
        + (" (this version renders the term in more than one way)" if u.inconsistent else "")
        for u, count in used)


def _language(row) -> str:
    """The xml:lang of a term's renderings: the translations' language (English)."""
    return row.uses[0].version.language if row.uses else "en"


class _Dialect(NamedTuple):
    """What one TBX standard calls the parts of a term entry."""
    entry: str  # a concept, with its subject field and gloss
    language: str  # its terms in one language
    term: str  # one term, with its context and usage notes
    sourced_context: bool  # the context sentence in a descripGrp with its source


TBX_V3 = _Dialect("conceptEntry", "langSec", "termSec", sourced_context=False)
TBX_2008 = _Dialect("termEntry", "langSet", "tig", sourced_context=True)


def _entries(body, dialect: _Dialect, document, rows, examples) -> None:
    """One entry per term in ``body``: its subject field and gloss, the Chinese term with its
    count in the base text, then (if any version renders it identifiably) every rendering used,
    each with a context sentence and how often each version uses it."""
    for row in rows:
        term = row.term
        entry = ET.SubElement(body, dialect.entry, id=f"term-{term.slug}")
        ET.SubElement(entry, "descrip", type="subjectField").text = term.category
        if term.gloss:
            ET.SubElement(entry, "note").text = term.gloss
        chinese = ET.SubElement(ET.SubElement(entry, dialect.language, {XML_LANG: "zh-Hans"}), dialect.term)
        ET.SubElement(chinese, "term").text = term.zh
        ET.SubElement(chinese, "note").text = f"{term.count} occurrences in the base text"
        renderings = _renderings(row)
        if not renderings:
            continue
        language = ET.SubElement(entry, dialect.language, {XML_LANG: _language(row)})
        for rendering, used in renderings.items():
            group = ET.SubElement(language, dialect.term)
            ET.SubElement(group, "term").text = rendering
            use, _ = used[0]
            ref, sentence = examples.get((term.id, use.version.id, rendering), ("", ""))
            if sentence and dialect.sourced_context:
                context = ET.SubElement(group, "descripGrp")
                ET.SubElement(context, "descrip", type="context").text = sentence
                ET.SubElement(context, "admin", type="source").text = (
                    f"{document.slug}, clause {ref}, {use.version.slug}")
            elif sentence:
                ET.SubElement(group, "descrip", type="context").text = sentence
            ET.SubElement(group, "note").text = _usage(used)


def glossary_tbx(document, targets, rows, examples) -> bytes:
    """TBX-Basic (TBX v3, DCA style): one conceptEntry per term, the Chinese term and every
    English rendering used, each with how often each version uses it and a context sentence.

    ``examples``: (term id, version id, rendering) -> (clause ref, sentence), from
    ``reader.terms.rendering_examples``.
    """
    # Plain names and the namespace as the root's xmlns: no global ET.register_namespace.
    root = ET.Element("tbx", {"xmlns": TBX_NS, "type": "TBX-Basic", "style": "dca", XML_LANG: "en"})
    header = ET.SubElement(root, "tbxHeader")
    _file_description(header, document, targets)
    _entries(ET.SubElement(ET.SubElement(root, "text"), "body"), TBX_V3, document, rows, examples)
    ET.indent(root)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="utf-8", xml_declaration=False)
            + b"\n")


def glossary_tbx_2008(document, targets, rows, examples) -> bytes:
    """The same glossary as TBX-Basic of the 2008 standard (ISO 30042:2008, the <martif> of
    TBXcoreStructV02.dtd with the TBX-Basic data categories), the TBX most tools read.

    One termEntry per term (id term-<pinyin>): its subject field (descrip, entry level) and
    gloss (note); a zh-Hans langSet with the term and its count in the base text; an English
    langSet with one tig per rendering a version uses: the term, a context sentence in a
    descripGrp with its source (document, clause, version), and a note saying how often each
    version uses it. A term no version renders identifiably has the Chinese langSet only.
    """
    root = ET.Element("martif", {"type": "TBX-Basic", XML_LANG: "en"})
    header = ET.SubElement(root, "martifHeader")
    _file_description(header, document, targets)
    ET.SubElement(ET.SubElement(header, "encodingDesc"), "p", type="XCSURI").text = "TBXBasicXCSV02.xcs"
    _entries(ET.SubElement(ET.SubElement(root, "text"), "body"), TBX_2008, document, rows, examples)
    ET.indent(root)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">\n'
            + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n")
