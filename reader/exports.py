"""Aligned segments for CAT tools: TMX 1.4b (a translation memory), XLIFF 2.0 (a translation to
review) and CSV, built from ``reading.aligned_beads`` and ``reading.review``.

The review table (Word, Excel) is ``reader.review_table``; the glossary's exports are
``reader.glossary_exports``."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def side_text(version, sentences: list[str]) -> str:
    """One side of a bead as one text: Chinese sentences run on, others take a space between."""
    return ("" if version.is_chinese else " ").join(sentences)


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
            ET.SubElement(tuv, "seg").text = side_text(version, sentences)
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
        writer.writerow([item.ref, item.anchor, item.bead.kind, f"{item.bead.score:.2f}",
                         side_text(source, item.source), side_text(target, item.target),
                         " ".join(map(str, item.bead.source_sentences)),
                         " ".join(map(str, item.bead.target_sentences))])
    return out.getvalue()


XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"


def segment_id(item, target) -> str:
    """A bead's id in the XLIFF: its sentence anchor (c-<ref>-s<N>, as in the reader), or for
    an addition, which renders no Chinese sentence, c-<ref>-<target>-s<j> after the first
    sentence it adds."""
    if item.bead.source_sentences:
        return item.anchor
    return f"c-{item.ref}-{target.slug}-s{item.bead.target_sentences[0]}"


def xliff(review) -> bytes:
    """An XLIFF 2.0 document for reviewing a translation in a CAT tool.

    One <unit> per clause (id and name: the clause ref, already an NMTOKEN by its shape,
    ``reader.http.RefConverter``), one <segment> per bead (id: ``segment_id``), the base text as
    source and the translation as target. XLIFF 2.0 holds notes on units, not segments, so what a
    reviewer should look at is in the unit's <notes>, each note beginning with the id of the
    segment it is about (or "clause <ref>"): beads the aligner is unsure of and gaps (category
    "alignment"), then the translation checks' findings (category: the check).

    Gaps keep their segment: an omission (1:0) has the Chinese and an empty target, state
    "initial" (nothing translates it); an addition (0:1) has an empty source and the added
    sentences as target. Findings on a clause with no bead at all (one the version leaves out
    though it renders the clauses under it) are notes of the <file>.
    """
    source, target = review.source, review.target
    # Plain names and the namespace as the root's xmlns: no global ET.register_namespace.
    root = ET.Element("xliff", {"xmlns": XLIFF_NS, "version": "2.0", "srcLang": source.language,
                                "trgLang": target.language})
    file = ET.SubElement(root, "file", id="f1", original=review.document.slug)
    file_notes = ET.SubElement(file, "notes")
    ET.SubElement(file_notes, "note", category="document").text = (
        f"{review.document.name} ({review.document.slug}): {source.label} ({source.slug}) and "
        f"{target.label} ({target.slug}), aligned sentence by sentence by Duizhao.")
    for finding in review.unplaced:
        _note(file_notes, finding.kind, f"clause {finding.clause.ref}: {finding.reason}")
    units: dict[str, list] = {}
    for reviewed in review.beads:
        units.setdefault(reviewed.item.ref, []).append(reviewed)
    for ref, beads in units.items():
        unit = ET.SubElement(file, "unit", id=ref, name=ref)
        notes = ET.Element("notes")
        for reviewed in beads:
            for category, text in _alignment_notes(reviewed, target):
                _note(notes, category, text)
        for reviewed in beads:
            where = segment_id(reviewed.item, target)
            for finding in reviewed.findings:
                _note(notes, finding.kind,
                      f"{where if finding.sentence else f'clause {ref}'}: {finding.reason}")
        if len(notes):
            unit.append(notes)
        for reviewed in beads:
            item = reviewed.item
            segment = ET.SubElement(unit, "segment", id=segment_id(item, target),
                                    state="translated" if item.target else "initial")
            ET.SubElement(segment, "source").text = side_text(source, item.source)
            ET.SubElement(segment, "target").text = side_text(target, item.target)
    ET.indent(root)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="utf-8", xml_declaration=False)
            + b"\n")


def _alignment_notes(reviewed, target) -> list[tuple[str, str]]:
    item, where = reviewed.item, segment_id(reviewed.item, target)
    if not item.target:
        return [("alignment", f"{where}: omission ({item.bead.kind}): no sentence of {target.slug} "
                              "renders this")]
    if not item.source:
        return [("alignment", f"{where}: addition ({item.bead.kind}): renders no sentence of the Chinese")]
    if reviewed.uncertain:
        return [("alignment", f"{where}: alignment uncertain ({item.bead.kind}, score "
                              f"{item.bead.score:.2f}): check that these sentences render each other")]
    return []


def _note(parent, category: str, text: str) -> None:
    ET.SubElement(parent, "note", category=category).text = text
