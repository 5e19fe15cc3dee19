"""Aligned segments for CAT tools: TMX 1.4b and CSV, built from ``reading.aligned_beads``.

The glossary's exports are in ``reader.glossary_exports``."""
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
