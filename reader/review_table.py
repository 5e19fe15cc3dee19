"""The bilingual review table, the form reviewers pass around: one row per bead of a translation
(the rows of the CSV export) with the clause ref, the base text, the translation, the aligner's
score and the translation checks' findings, as a Word file (python-docx) and an Excel workbook
(openpyxl). Built from ``reading.review``.

Chinese is set in a CJK font: in Word, runs name an East Asian font (w:eastAsia) and language,
which is what Word uses for Han characters whatever the Latin font; in Excel, the cells of a
Chinese column have that font. Excel runs a cell starting with "=" as a formula: every text
cell here is written as text, marked as such (quotePrefix) so that editing it keeps it text.
"""
from __future__ import annotations

import io
import re

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .exports import side_text

CJK_FONT = "SimSun"  # Word and Excel on Windows and macOS have it; LibreOffice maps it to Noto CJK
# Characters XML 1.0 cannot hold, which python-docx and openpyxl refuse.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def headings(review) -> list[str]:
    source, target = review.source, review.target
    return ["Ref", f"{source.label} ({source.slug})", f"{target.label} ({target.slug})",
            "Score", "Findings"]


def rows(review) -> list[list]:
    """[ref, base text, translation, score, findings] per bead, in document order; findings
    one a line, "check: reason"."""
    return [[reviewed.item.ref,
             _text(side_text(review.source, reviewed.item.source)),
             _text(side_text(review.target, reviewed.item.target)),
             round(reviewed.item.bead.score, 2),
             _text("\n".join(f"{f.get_kind_display()}: {f.reason}" for f in reviewed.findings))]
            for reviewed in review.beads]


def _text(text: str) -> str:
    return NOT_XML.sub("", text)


def _title(review) -> str:
    return (f"{review.document.name} ({review.document.slug}): review of {review.target.label} "
            f"({review.target.slug})")


def _unplaced(review) -> list[str]:
    """Findings on clauses with no row (a clause the version leaves out), to list after the table."""
    return [_text(f"{f.clause.ref}: {f.get_kind_display()}: {f.reason}") for f in review.unplaced]


def docx(review) -> bytes:
    """The table in a landscape Word document, its heading row repeated on every page."""
    document = WordDocument()
    normal = document.styles["Normal"]
    normal.font.size = Pt(10)
    _east_asian(normal.element.get_or_add_rPr())
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.core_properties.title = _title(review)
    document.add_heading(_title(review), level=1)
    document.add_paragraph(
        "One row per aligned bead: the sentences of the base text and those of the translation "
        "that render them. An empty cell is an omission or an addition; a score below 0.50 is an "
        "alignment to check. Findings are the automatic translation checks'.")
    chinese = {1: review.source.is_chinese, 2: review.target.is_chinese}
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headings(review)):
        cell.paragraphs[0].add_run(heading).bold = True
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    for values in rows(review):
        cells = table.add_row().cells
        for column, (cell, value) in enumerate(zip(cells, values)):
            text = f"{value:.2f}" if column == 3 else value
            run = cell.paragraphs[0].add_run(text)
            if chinese.get(column):
                _east_asian(run._element.get_or_add_rPr())
    for column, width in enumerate((Cm(1.6), Cm(8.5), Cm(8.5), Cm(1.3), Cm(6.5))):
        for cell in table.columns[column].cells:
            cell.width = width
    unplaced = _unplaced(review)
    if unplaced:
        document.add_paragraph("Findings on clauses this version leaves out (no row above):")
        for line in unplaced:
            document.add_paragraph(line, style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _east_asian(run_properties) -> None:
    """Han characters in the CJK font, and marked as Chinese (w:lang w:eastAsia)."""
    fonts = run_properties.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), CJK_FONT)
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def xlsx(review) -> bytes:
    """The table in an Excel workbook: heading row frozen, Chinese columns in the CJK font, texts
    wrapped; a second sheet lists findings on clauses with no row, if any."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Review"
    sheet.append(headings(review))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        _as_text(cell)
    chinese = {2: review.source.is_chinese, 3: review.target.is_chinese}
    cjk, wrap = Font(name=CJK_FONT), Alignment(wrap_text=True, vertical="top")
    for values in rows(review):
        sheet.append(values)
        for column, cell in enumerate(sheet[sheet.max_row], start=1):
            cell.alignment = wrap
            if isinstance(cell.value, str):
                _as_text(cell)
            if chinese.get(column):
                cell.font = cjk
            if column == 4:
                cell.number_format = "0.00"
    for letter, width in zip("ABCDE", (9, 50, 60, 7, 50)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    unplaced = _unplaced(review)
    if unplaced:
        other = workbook.create_sheet("Clauses left out")
        other.append(["Findings on clauses this version leaves out (no row in Review)"])
        for line in unplaced:
            other.append([line])
            _as_text(other.cell(other.max_row, 1))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _as_text(cell) -> None:
    """Text stays text: never a formula (a cell starting with "="), and editing keeps it so."""
    cell.data_type = "s"
    cell.quotePrefix = True
