"""The exports translators' tools open, each read back by an independent reader: the
glossary's TBX of 2008 against TBX-Basic's structure and by translate-toolkit. Every count is
compared with the JSON API's.

The documents: the seed (guofa-2015-40: the published translation, a machine translation with
omissions (1:0) and a clause it leaves out, the traditional-script conversion) and the 2019
report (gwr-2019: omissions, additions and paragraphs split over many English sentences, a 1:21
bead among them), both with every translation; the 2016 report for cells a spreadsheet would
take for formulas.
"""
import re
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import tbx

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


