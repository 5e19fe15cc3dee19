"""Every feature works for an imported document: the 2019 Report on the Work of the Government,
imported from its two plain-text files, read through the reader, its permalinks and citations,
the sentence alignment, the API, the exports, the checks, pinyin and the converted traditional
script. It is ingested once for the module (as ``manage.py ingest`` reads it)."""
import csv
import io
import re
from html import unescape
from xml.etree import ElementTree as ET

import pytest
from django.conf import settings
from django.core.cache import cache

from reader.models import Document
from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus

DOC = "gwr-2019"
READER = f"/{DOC}/"


@pytest.fixture(scope="module")
def shelved(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        corpus_ingest(corpus=build_corpus(settings.LIBRARY_DIR / DOC, settings.GLOSSARY_FILE))
    yield
    with django_db_blocker.unblock():
        Document.objects.all().delete()


@pytest.fixture
def report(shelved, db):
    cache.clear()
    return Document.objects.get(slug=DOC)


def text_of(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", page)).split())


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response


def test_the_reader_shows_the_report_side_by_side_with_its_outline_from_its_own_numbering(client, report):
    page = get(client, READER).content.decode()
    assert "<title>政府工作报告" in page or "政府工作报告" in page[:2000]
    outline = page[page.index('class="outline"'):page.index("</nav>", page.index('class="outline"'))]
    assert text_of(outline).count("三、2019年政府工作任务") == 1
    assert 'href="#c-3.10"' in outline and "（十）加快发展社会事业，更好保障和改善民生。" in text_of(outline)
    row = page[page.index('id="c-3.1"'):page.index("</section>", page.index('id="c-3.1"'))]
    assert "（一）继续创新和完善宏观调控，确保经济运行在合理区间。" in text_of(row)
    assert ("1. We will continue to develop new and improved approaches to macro regulation and "
            "keep the main economic indicators within an appropriate range.") in text_of(row)


def pre(page: str, id: str) -> str:
    start = page.index(">", page.index(f'id="{id}"')) + 1
    return unescape(page[start:page.index("</pre>", start)])


def test_the_permalink_cites_the_report_without_an_empty_number_and_with_its_issuer_in_english(client, report):
    page = get(client, f"/{DOC}/3.1/").content.decode()
    english = pre(page, "cite-en")
    assert english.startswith("State Council, “Report on the Work of the Government”, 5 March 2019, "
                              "clause 3.1.")
    assert "()" not in english
    chinese = pre(page, "cite-zh")
    assert chinese.startswith("国务院：《政府工作报告》，2019年3月5日，第3.1条。")
    bibtex = pre(page, "cite-bibtex")
    assert "number =" not in bibtex


def test_named_front_matter_has_permalinks(client, report):
    for ref, text in (("occasion", "——2019年3月5日在第十三届全国人民代表大会第二次会议上"),
                      ("speaker", "国务院总理　李克强"), ("salutation", "各位代表：")):
        assert text in unescape(get(client, f"/{DOC}/{ref}/").content.decode()), ref


def test_the_clauses_api_gives_each_clause_its_kind(client, report):
    clauses = get(client, f"/api/documents/{DOC}/clauses").json()["clauses"]
    kinds = {c["ref"]: c["kind"] for c in clauses}
    assert kinds["title"] == kinds["occasion"] == kinds["speaker"] == kinds["salutation"] == "front"
    assert kinds["1"] == "part" and kinds["3.1"] == "section" and kinds["3.1.1"] == "clause"
    assert kinds["1.0.1"] == "clause"


def test_the_alignment_and_its_exports_pair_the_reports_sentences(client, report):
    beads = get(client, f"/api/documents/{DOC}/alignment?target=en").json()["beads"]
    first = next(b for b in beads if b["ref"] == "0.1")
    assert first["source"] == ["现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。"]
    assert first["target"][0].startswith("On behalf of the State Council, I will now report")
    tmx = ET.fromstring(get(client, f"/{DOC}/export.tmx?target=en").content)
    units = tmx.findall(".//tu")
    assert len(units) == sum(1 for b in beads if b["source"] and b["target"])
    rows = list(csv.reader(io.StringIO(get(client, f"/{DOC}/export.csv?target=en").content.decode())))
    assert len(rows) - 1 == len(beads)


def test_the_checks_page_lists_the_uncertain_placements_of_the_translation(client, report):
    findings = get(client, f"/api/documents/{DOC}/checks?target=en").json()["findings"]
    placements = [f for f in findings if f["kind"] == "placement"]
    assert placements and all("Placement uncertain" in f["reason"] for f in placements)
    page = text_of(get(client, f"/{DOC}/checks/?target=en").content.decode())
    assert placements[0]["reason"] in page


def test_the_traditional_script_is_converted_and_labelled_as_such(client, report):
    page = get(client, f"{READER}?v=zh-hant,en").content.decode()
    row = page[page.index('id="c-3.1"'):page.index("</section>", page.index('id="c-3.1"'))]
    assert "（一）繼續創新和完善宏觀調控，確保經濟運行在合理區間。" in text_of(row)
    assert ">converted<" in row


def test_pinyin_reads_the_report(client, report):
    page = get(client, f"/{DOC}/title/?pinyin=1").content.decode()
    assert '<ruby>政府<rt lang="zh-Latn-pinyin" aria-hidden="true">zhèngfǔ</rt>工作' in page


def test_the_glossary_and_concordance_of_the_report_find_its_terms(client, report):
    lines = get(client, f"/api/documents/{DOC}/concordance?q=供给侧结构性改革").json()
    chinese = (settings.LIBRARY_DIR / DOC / "zh.txt").read_text(encoding="utf-8")
    assert lines["count"] == chinese.count("供给侧结构性改革") == 3
    glossary = get(client, f"/{DOC}/glossary/").content.decode()
    assert "供给侧结构性改革" in glossary


def test_a_document_without_a_number_is_named_by_its_title_and_year(client, report):
    page = get(client, f"/{DOC}/3.1/").content.decode()
    assert "<title>政府工作报告（2019） 3.1" in page
    breadcrumb = page[page.index('class="breadcrumb"'):]
    assert ">政府工作报告（2019）</a>" in breadcrumb[:breadcrumb.index("</nav>")]
    reader = text_of(get(client, READER).content.decode())
    assert "国务院 · 5 March 2019" in reader and "· · " not in reader
