"""The exports translators' tools open, each read back by an independent reader: the TMX against
LISA's TMX 1.4b DTD (lxml) and by translate-toolkit, the XLIFF 2.0 by translate-toolkit, the
glossary's TBX of 2008 against TBX-Basic's structure and by translate-toolkit, the review table
by python-docx and openpyxl. Every count is compared with the JSON API's.

The documents: the seed (guofa-2015-40: the published translation, a machine translation with
omissions (1:0) and a clause it leaves out, the traditional-script conversion) and the 2019
report (gwr-2019: omissions, additions and paragraphs split over many English sentences, a 1:21
bead among them), both with every translation; the 2016 report for cells a spreadsheet would
take for formulas.
"""
import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn
from lxml import etree
from translate.storage import tbx, tmx, xliff2

from reader.models import Finding

HERE = Path(__file__).parent
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XLIFF = "{urn:oasis:names:tc:xliff:document:2.0}"
TBX3 = "{urn:iso:std:iso:30042:ed-2}"
NMTOKEN = re.compile(r"[\w.:-]+")

PAIRS = [("guofa-2015-40", "en"), ("guofa-2015-40", "en-mt"), ("guofa-2015-40", "zh-hant"),
         ("gwr-2019", "en"), ("gwr-2019", "zh-hant")]
DOCUMENTS = ["guofa-2015-40", "gwr-2019"]


# --- what the API says ----------------------------------------------------------------------------

def languages(client, slug) -> dict[str, str]:
    return {v["slug"]: v["language"] for v in client.get(f"/api/documents/{slug}").json()["versions"]}


def joined(language: str, sentences: list[str]) -> str:
    return ("" if language.startswith("zh") else " ").join(sentences)


def api_beads(client, slug, target) -> list[dict]:
    """The alignment API's beads, each with its two sides as one text ("zh", "tr")."""
    data = client.get(f"/api/documents/{slug}/alignment?target={target}").json()
    langs = languages(client, slug)
    return [{**b, "zh": joined(langs[data["source"]], b["source"]),
             "tr": joined(langs[target], b["target"])} for b in data["beads"]]


def api_findings(client, slug, target) -> list[dict]:
    return client.get(f"/api/documents/{slug}/checks?target={target}").json()["findings"]


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:200]
    return response


# --- TMX --------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug, target", PAIRS)
def test_the_tmx_is_valid_tmx_1_4b_and_translate_toolkit_reads_one_unit_per_bead_with_two_sides(
        client, library, slug, target):
    body = download(client, f"/{slug}/export.tmx?target={target}").content
    dtd = etree.DTD(str(HERE / "tmx14.dtd"))
    assert dtd.validate(etree.fromstring(body)), dtd.error_log.filter_from_errors()

    store = tmx.tmxfile.parsestring(body)
    paired = [b for b in api_beads(client, slug, target) if b["source"] and b["target"]]
    assert len(store.units) == len(paired) > 0
    assert [(u.source, u.target) for u in store.units] == [(b["zh"], b["tr"]) for b in paired]
    assert all(re.fullmatch(r"c-" + re.escape(b["ref"]) + r"-s\d+", "c-" + u.getid())
               for u, b in zip(store.units, paired))


def test_the_seed_tmx_has_385_units_and_the_2019_report_leaves_out_its_omissions_and_additions(client, library):
    assert len(tmx.tmxfile.parsestring(download(client, "/guofa-2015-40/export.tmx?target=en").content).units) == 385
    beads = api_beads(client, "gwr-2019", "en")
    gaps = [b for b in beads if not b["source"] or not b["target"]]
    assert len([b for b in gaps if not b["target"]]) >= 20 and len([b for b in gaps if not b["source"]]) >= 20
    units = tmx.tmxfile.parsestring(download(client, "/gwr-2019/export.tmx?target=en").content).units
    assert len(units) == len(beads) - len(gaps)


# --- XLIFF 2.0 --------------------------------------------------------------------------------

def xliff_tree(client, slug, target):
    return etree.fromstring(download(client, f"/{slug}/export.xlf?target={target}").content)


@pytest.mark.parametrize("slug, target", PAIRS)
def test_the_xliff_has_a_unit_per_clause_and_a_segment_per_bead_and_translate_toolkit_reads_every_segment(
        client, library, slug, target):
    response = download(client, f"/{slug}/export.xlf?target={target}")
    beads = api_beads(client, slug, target)
    langs = languages(client, slug)
    root = etree.fromstring(response.content)
    assert root.tag == f"{XLIFF}xliff" and root.get("version") == "2.0"
    assert (root.get("srcLang"), root.get("trgLang")) == (langs["zh-hans"], langs[target])

    units = root.findall(f"{XLIFF}file/{XLIFF}unit")
    refs = list(dict.fromkeys(b["ref"] for b in beads))
    assert [u.get("id") for u in units] == refs == [u.get("name") for u in units]
    assert all(NMTOKEN.fullmatch(u.get("id")) for u in units)
    for unit, ref in zip(units, refs):
        # XLIFF 2.0 core: notes before the segments, a segment is a source and an optional target.
        children = [c.tag for c in unit]
        notes = children.count(f"{XLIFF}notes")
        assert notes <= 1 and children == [f"{XLIFF}notes"] * notes + [f"{XLIFF}segment"] * len(
            [b for b in beads if b["ref"] == ref])
        for segment in unit.iter(f"{XLIFF}segment"):
            assert [c.tag for c in segment] == [f"{XLIFF}source", f"{XLIFF}target"]
            assert segment.get("state") in ("initial", "translated")
    ids = [s.get("id") for s in root.iter(f"{XLIFF}segment")]
    assert len(set(ids)) == len(ids) and all(NMTOKEN.fullmatch(i) for i in ids)

    store = xliff2.Xliff2File.parsestring(response.content)
    assert (store.sourcelanguage, store.targetlanguage) == (langs["zh-hans"], langs[target])
    assert len(store.units) == len(beads)
    assert [(u.source, u.target) for u in store.units] == [(b["zh"], b["tr"]) for b in beads]
    assert [u.getid().partition("::")[0] for u in store.units] == [b["ref"] for b in beads]
    anchors = [u.getid().partition("::")[2] for u in store.units]
    for anchor, bead in zip(anchors, beads):
        assert anchor.startswith(f"c-{bead['ref']}-s" if bead["source"] else f"c-{bead['ref']}-{target}-s")
    # An omission is a segment with nothing translated; an addition a segment with no source.
    assert [not u.istranslated() for u in store.units] == [not b["target"] for b in beads]


def test_an_omission_keeps_its_segment_with_an_empty_target_and_a_note_saying_so(client, library):
    root = xliff_tree(client, "gwr-2019", "en")
    unit = root.find(f"{XLIFF}file/{XLIFF}unit[@id='3.5.2']")
    segment = unit.find(f"{XLIFF}segment[@id='c-3.5.2-s1']")
    assert segment.findtext(f"{XLIFF}source") == "打好精准脱贫攻坚战。"
    assert segment.find(f"{XLIFF}target") is not None and not segment.findtext(f"{XLIFF}target")
    assert segment.get("state") == "initial"
    notes = [n.text for n in unit.iterfind(f"{XLIFF}notes/{XLIFF}note")]
    assert "c-3.5.2-s1: omission (1:0): no sentence of en renders this" in notes
    assert any(n.startswith("c-3.5.2-s1: Chinese sentence 1 “打好精准脱贫攻坚战。” has no rendering") for n in notes)


def test_a_paragraph_split_over_many_english_sentences_is_one_segment(client, library):
    beads = api_beads(client, "gwr-2019", "en")
    split = max(beads, key=lambda b: len(b["target"]))
    assert len(split["source"]) == 1 and len(split["target"]) >= 20
    root = xliff_tree(client, "gwr-2019", "en")
    segments = [s for s in root.iter(f"{XLIFF}segment") if s.findtext(f"{XLIFF}target") == split["tr"]]
    assert len(segments) == 1 and segments[0].findtext(f"{XLIFF}source") == split["zh"]


@pytest.mark.parametrize("slug, target", PAIRS)
def test_every_finding_and_every_doubtful_or_gap_bead_is_a_note_of_its_clause(client, library, slug, target):
    root = xliff_tree(client, slug, target)
    findings = api_findings(client, slug, target)
    beads = api_beads(client, slug, target)
    notes = []  # (unit ref or "" for the file, category, text)
    for note in root.iterfind(f"{XLIFF}file/{XLIFF}notes/{XLIFF}note"):
        notes.append(("", note.get("category"), note.text))
    for unit in root.iterfind(f"{XLIFF}file/{XLIFF}unit"):
        segment_ids = {s.get("id") for s in unit.iter(f"{XLIFF}segment")}
        for note in unit.iterfind(f"{XLIFF}notes/{XLIFF}note"):
            where = note.text.partition(": ")[0]
            assert where in segment_ids or where == f"clause {unit.get('id')}", note.text
            notes.append((unit.get("id"), note.get("category"), note.text))

    checks = sorted((n[0], n[1], n[2].partition(": ")[2]) for n in notes if n[1] not in ("alignment", "document"))
    with_bead = {b["ref"] for b in beads}
    assert checks == sorted((f["ref"] if f["ref"] in with_bead else "", f["kind"], f["reason"]) for f in findings)
    alignment = [n for n in notes if n[1] == "alignment"]
    assert len(alignment) == len([b for b in beads if b["score"] < 0.5 or not b["source"] or not b["target"]])


def test_a_finding_on_a_clause_the_translation_leaves_out_is_a_note_of_the_file(client, library):
    root = xliff_tree(client, "guofa-2015-40", "en-mt")
    assert root.find(f"{XLIFF}file/{XLIFF}unit[@id='3']") is None
    file_notes = [(n.get("category"), n.text) for n in root.iterfind(f"{XLIFF}file/{XLIFF}notes/{XLIFF}note")]
    assert ("omission", "clause 3: the clause “三、保障支撑” has no rendering in this version, though "
                        "the clauses under it have") in file_notes


def test_translate_toolkit_does_not_see_xliff_2_unit_notes(client, library):
    """A limit of the reader, not of the file: XLIFF 2.0 puts notes on units, and
    translate-toolkit 3.20's XLIFF 2 reader looks for them inside segments, where the standard
    allows none. The notes are checked with lxml above."""
    body = download(client, "/gwr-2019/export.xlf?target=en").content
    unit = next(u for u in xliff2.Xliff2File.parsestring(body).units if u.getid() == "3.5.2::c-3.5.2-s1")
    assert unit.getnotes() == ""
    assert etree.fromstring(body).find(f"{XLIFF}file/{XLIFF}unit[@id='3.5.2']/{XLIFF}notes") is not None


# --- TBX ----------------------------------------------------------------------------------------

# TBX-Basic's data categories (its XCS) by the level they may stand at; a note may stand anywhere.
TBX_BASIC = {
    "termEntry": {("descrip", "subjectField"), ("xref", "xGraphic"), ("ref", "crossReference"),
                  ("transac", "transactionType")},
    "langSet": {("descrip", "definition"), ("admin", "source")},
    "tig": {("termNote", kind) for kind in ("partOfSpeech", "administrativeStatus", "termType",
                                            "grammaticalGender", "geographicalUsage", "termLocation")}
    | {("descrip", "context"), ("admin", "customerSubset"), ("admin", "projectSubset"),
       ("admin", "source"), ("ref", "crossReference"), ("xref", "externalCrossReference"),
       ("transac", "transactionType")},
}


def tbx_basic_problems(root) -> list[str]:
    """What makes a TBX 2008 file not TBX-Basic: its structure, or a data category at a level
    TBX-Basic does not allow it."""
    dtd = etree.DTD(str(HERE / "tbx_basic_2008.dtd"))
    problems = [str(e) for e in dtd.error_log.filter_from_errors()] if not dtd.validate(root) else []
    if root.tag != "martif" or root.get("type") != "TBX-Basic":
        problems.append(f"root <{root.tag} type={root.get('type')!r}>, not <martif type='TBX-Basic'>")
    for level, allowed in TBX_BASIC.items():
        for element in root.iter(level):
            typed = [c for c in element if c.get("type")]
            typed += [d for g in element.iterfind("descripGrp") for d in g if d.get("type")]
            problems += [f"<{c.tag} type={c.get('type')!r}> in <{level}>" for c in typed
                         if (c.tag, c.get("type")) not in allowed]
    return problems


def api_glossary(client, slug):
    """[(term, [renderings used by any version, first use first])] from the glossary API."""
    out = []
    for term in client.get(f"/api/documents/{slug}/glossary").json()["terms"]:
        used = [u["rendering"] for r in term["renderings"].values() for u in r["used"]]
        out.append((term["term"], list(dict.fromkeys(used))))
    return out


@pytest.mark.parametrize("slug", DOCUMENTS)
def test_the_2008_tbx_is_tbx_basic_and_translate_toolkit_reads_every_term_and_rendering(client, library, slug):
    response = download(client, f"/{slug}/glossary-2008.tbx")
    assert response["Content-Type"].startswith("application/x-tbx+xml")
    assert response["Content-Disposition"] == f'attachment; filename="{slug}.glossary-2008.tbx"'
    root = etree.fromstring(response.content)
    assert tbx_basic_problems(root) == []
    assert root.get(XML_LANG) == "en" and root.find("martifHeader/fileDesc/sourceDesc/p").text

    store = tbx.tbxfile.parsestring(response.content)
    expected = api_glossary(client, slug)
    assert len(store.units) == len(expected) == 140
    read = [([t.text for t in u.get_source_terms()], [t.text for t in u.get_target_terms()])
            for u in store.units]
    assert read == [([zh], renderings) for zh, renderings in expected]
    assert sum(len(renderings) for _, renderings in expected) > 90


def test_a_rendering_in_the_2008_tbx_has_its_context_sentence_source_and_counts(client, library):
    root = etree.fromstring(download(client, "/guofa-2015-40/glossary-2008.tbx").content)
    entry = root.find("text/body/termEntry[@id='term-zhong-chuang-kong-jian']")
    assert entry.findtext("descrip[@type='subjectField']")
    assert entry.findtext(f"langSet[@{XML_LANG}='zh-Hans']/tig/term") == "众创空间"
    tig = entry.find(f"langSet[@{XML_LANG}='en']/tig")
    assert tig.findtext("term") == "mass creation spaces"
    assert "mass creation spaces" in tig.findtext("descripGrp/descrip[@type='context']")
    assert tig.findtext("descripGrp/admin[@type='source']").startswith("guofa-2015-40, clause ")
    assert tig.findtext("note") == "en: 4 of 4 occurrences"


def test_the_structural_check_catches_what_is_not_tbx_basic(client, library):
    root = etree.fromstring(download(client, "/guofa-2015-40/glossary-2008.tbx").content)
    tig = root.find("text/body/termEntry/langSet/tig")
    etree.SubElement(tig, "descrip", type="subjectField").text = "at the wrong level"
    root.find("text/body/termEntry/langSet").insert(0, etree.Element("term"))
    problems = tbx_basic_problems(root)
    assert "<descrip type='subjectField'> in <tig>" in problems
    assert any("langSet" in p for p in problems if "Element" in p)


@pytest.mark.parametrize("slug", DOCUMENTS)
def test_translate_toolkit_cannot_read_tbx_v3_so_the_v3_file_is_checked_term_by_term_with_lxml(
        client, library, slug):
    """translate-toolkit 3.20 reads the <martif> of 2008 only (it asserts the root element), as
    do OmegaT, memoQ and MultiTerm's import: that is what glossary-2008.tbx is for."""
    body = download(client, f"/{slug}/glossary.tbx").content
    with pytest.raises(AssertionError):
        tbx.tbxfile.parsestring(body)
    root = etree.fromstring(body)
    assert root.tag == f"{TBX3}tbx" and root.get("type") == "TBX-Basic"
    read = []
    for entry in root.iterfind(f"{TBX3}text/{TBX3}body/{TBX3}conceptEntry"):
        assert [s.get(XML_LANG) for s in entry.iterfind(f"{TBX3}langSec")] in (["zh-Hans"], ["zh-Hans", "en"])
        read.append(([t.text for t in entry.iterfind(f"{TBX3}langSec[@{XML_LANG}='zh-Hans']/{TBX3}termSec/{TBX3}term")],
                     [t.text for t in entry.iterfind(f"{TBX3}langSec[@{XML_LANG}='en']/{TBX3}termSec/{TBX3}term")]))
    assert read == [([zh], renderings) for zh, renderings in api_glossary(client, slug)]


def test_the_glossary_page_offers_both_tbx_files_and_says_which_tools_read_which(client, library):
    page = download(client, "/guofa-2015-40/glossary/").content.decode()
    assert 'href="/guofa-2015-40/glossary.tbx"' in page and 'href="/guofa-2015-40/glossary-2008.tbx"' in page
    assert "OmegaT, memoQ, MultiTerm" in page and "TBX v3" in page


# --- the review table -------------------------------------------------------------------------

def csv_rows(client, slug, target) -> list[list[str]]:
    """[ref, base text, translation, score] of each row of the CSV export."""
    text = download(client, f"/{slug}/export.csv?target={target}").content.decode("utf-8")
    return [[r["ref"], r["zh-hans"], r[target], r["score"]] for r in csv.DictReader(io.StringIO(text))]


def finding_lines(client, slug, target) -> list[str]:
    """"check: reason" of every finding on a clause the alignment has."""
    refs = {b["ref"] for b in api_beads(client, slug, target)}
    labels = dict(Finding.Kind.choices)
    return sorted(f"{labels[f['kind']]}: {f['reason']}"
                  for f in api_findings(client, slug, target) if f["ref"] in refs)


@pytest.mark.parametrize("slug, target", PAIRS)
def test_the_word_review_table_has_the_csv_rows_its_findings_and_chinese_in_a_cjk_font(client, library, slug, target):
    response = download(client, f"/{slug}/export.docx?target={target}")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    table = WordDocument(io.BytesIO(response.content)).tables[0]
    header, *rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert header[0] == "Ref" and header[1].endswith("(zh-hans)") and header[2].endswith(f"({target})")
    assert header[3:] == ["Score", "Findings"]
    assert [r[:4] for r in rows] == csv_rows(client, slug, target)
    assert sorted(line for r in rows for line in r[4].splitlines() if r[4]) == finding_lines(client, slug, target)

    chinese = table.rows[1].cells[1].paragraphs[0].runs[0]._element.rPr
    assert chinese.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "SimSun"
    assert chinese.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page


@pytest.mark.parametrize("slug, target", PAIRS)
def test_the_excel_review_table_has_the_csv_rows_its_findings_and_chinese_in_a_cjk_font(client, library, slug, target):
    response = download(client, f"/{slug}/export.xlsx?target={target}")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Review"]
    header, *rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert header[0] == "Ref" and header[2].endswith(f"({target})") and header[3:] == ["Score", "Findings"]
    assert [[ref, zh or "", tr or "", f"{score:.2f}"] for ref, zh, tr, score, _ in rows] == csv_rows(client, slug, target)
    assert sorted(line for r in rows if r[4] for line in r[4].splitlines()) == finding_lines(client, slug, target)
    assert sheet["B2"].font.name == "SimSun" and sheet.freeze_panes == "A2"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("slug, target", [("gwr-2019", "en"), ("guofa-2015-40", "en-mt")])
def test_each_finding_is_in_the_row_of_the_sentences_it_is_about(client, library, slug, target):
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, f"/{slug}/export.xlsx?target={target}").content))["Review"]
    rows = [[c.value or "" for c in row] for row in sheet.iter_rows(min_row=2)]
    seen = set()
    for ref, zh, tr, _, findings in rows:
        for line in findings.splitlines():
            kind, _, reason = line.partition(": ")
            seen.add(kind)
            quoted = re.findall(r"“([^”]{1,20})", reason)
            if kind == "omission":  # "Chinese sentence 2 “…” has no rendering"
                assert not tr and quoted[0] in zh, (ref, line)
            elif kind == "addition":  # "sentence 4 of this version, “…”, renders no Chinese sentence"
                assert not zh and quoted[0] in tr, (ref, line)
            elif kind == "artefact":  # "…, in sentence 3 of this version: “…context…”"
                assert quoted[-1].lstrip("…").strip()[:10] in tr, (ref, line)
    assert {"omission", "addition", "artefact"} & seen >= ({"omission", "addition"} if slug == "gwr-2019" else {"omission", "artefact"})


def test_cells_a_spreadsheet_would_take_for_formulas_stay_text(client, library):
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, "/gwr-2016/export.xlsx?target=en").content))["Review"]
    # The English of 2.0.3 and 2.0.5 to 2.0.8 opens with "-- We should …".
    formula_like = [c for row in sheet.iter_rows() for c in row
                    if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@")]
    assert len(formula_like) >= 4 and all(c.value.startswith("-- We ") for c in formula_like)
    assert all(c.data_type == "s" and c.quotePrefix for c in formula_like)


def test_a_cell_starting_with_an_equals_sign_is_written_as_text_not_a_formula(library):
    from reader import reading, review_table
    doc = library["guofa-2015-40"]
    source, target = reading.version_pair(doc, None, "en")
    review = reading.review(doc, source, target)
    review.beads[0].item.target[:] = ['=HYPERLINK("http://example.com","click")']
    cell = openpyxl.load_workbook(io.BytesIO(review_table.xlsx(review)))["Review"]["C2"]
    assert cell.value == '=HYPERLINK("http://example.com","click")' and cell.data_type == "s"


def test_findings_on_a_clause_the_translation_leaves_out_follow_the_table(client, library):
    document = WordDocument(io.BytesIO(download(client, "/guofa-2015-40/export.docx?target=en-mt").content))
    after = [p.text for p in document.paragraphs]
    assert any(p.startswith("3: omission: the clause “三、保障支撑” has no rendering") for p in after)
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, "/guofa-2015-40/export.xlsx?target=en-mt").content))
    assert any(str(c.value).startswith("3: omission:") for c in workbook["Clauses left out"]["A"])


# --- links, names, refusals -------------------------------------------------------------------

EXPORTS = {"tmx": "application/x-tmx+xml; charset=utf-8", "xlf": "application/xliff+xml; charset=utf-8",
           "csv": "text/csv; charset=utf-8",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@pytest.mark.parametrize("extension", EXPORTS)
def test_each_export_is_named_document_source_target_and_linked_from_the_reader_and_the_checks_page(
        client, library, extension):
    response = download(client, f"/gwr-2019/export.{extension}?target=en")
    assert response["Content-Type"] == EXPORTS[extension]
    assert response["Content-Disposition"] == f'attachment; filename="gwr-2019.zh-hans-en.{extension}"'
    link = f'href="/gwr-2019/export.{extension}?target=en"'
    assert link in download(client, "/gwr-2019/").content.decode()
    assert link in download(client, "/gwr-2019/checks/?target=en").content.decode()


@pytest.mark.parametrize("extension", ["xlf", "docx", "xlsx"])
def test_an_unknown_target_is_refused_with_a_plain_message(client, library, extension):
    response = client.get(f"/gwr-2019/export.{extension}?target=en-mt")
    assert response.status_code == 400
    assert response.content.decode() == "Unknown target version “en-mt”; this document has zh-hans, zh-hant, en.\n"
    assert client.get(f"/gwr-2019/export.{extension}?target=zh-hans").status_code == 400
