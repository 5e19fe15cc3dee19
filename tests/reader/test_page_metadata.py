"""What pages tell search engines and citation managers (issue 12 §4): a meta description on
every page type, /favicon.ico and /robots.txt, the canonical permalink of each document and
clause page whatever view parameters it was opened with, the Highwire citation tags Zotero reads
and the Schema.org Legislation in JSON-LD; and the compare page's word diff, which keeps
punctuation on its word.

The library as shipped (the seed and the three Reports on the Work of the Government) is
ingested once for the module; each test runs in a rolled-back transaction with the page cache
emptied."""
import json
import re
from html import unescape
from html.parser import HTMLParser
from urllib.robotparser import RobotFileParser

import pytest
from django.templatetags.static import static
from django.test import RequestFactory

from reader.middleware import CONTENT_SECURITY_POLICY
from reader.models import Passage
from reader.reading import word_diff

SEED = "guofa-2015-40"
REPORTS = ["gwr-2016", "gwr-2019", "gwr-2020"]
SITE = "http://testserver"
SEED_TITLE = "国务院关于积极推进“互联网+”行动的指导意见"
SEED_TITLE_EN = "State Council Guiding Opinions concerning Vigorously Moving Forward the “Internet Plus” Plan"
REPORT_TITLE_EN = "Report on the Work of the Government"


class Head(HTMLParser):
    """The <head> of a page: its meta tags, links and JSON-LD blocks."""

    def __init__(self, page: str):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.links: list[dict] = []
        self.json_ld: list[str] = []
        self._in_ld = False
        self.feed(page[:page.index("</head>")])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "name" in attrs:
            self.meta.append((attrs["name"], attrs.get("content", "")))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data

    def named(self, name: str) -> list[str]:
        return [content for n, content in self.meta if n == name]

    def citation(self) -> dict[str, str]:
        return {n: c for n, c in self.meta if n.startswith("citation_")}

    def link(self, rel: str) -> list[str]:
        return [link["href"] for link in self.links if link.get("rel") == rel]


def head_of(client, url, status=200) -> Head:
    response = client.get(url)
    assert response.status_code == status, url
    return Head(response.content.decode())


# --- meta description on every page type ------------------------------------------------------

PAGES = [
    ("/", 200, "A library of Chinese policy documents"),
    (f"/{SEED}/?v=zh-hans,en,en-mt", 200,
     f"{SEED_TITLE} ({SEED_TITLE_EN}), 国发〔2015〕40号, State Council, 1 July 2015: the Chinese text "
     "side by side with its English translations"),
    ("/gwr-2019/", 200, f"政府工作报告 ({REPORT_TITLE_EN}), State Council, 5 March 2019: the Chinese "
                        "text side by side with its English translation"),
    (f"/{SEED}/2.1.3/", 200, "Clause 2.1.3 of 国发〔2015〕40号 (State Council, 1 July 2015): "
                             "3. Developing open innovation."),
    ("/gwr-2019/3.1/?pinyin=1", 200, "Clause 3.1 of 政府工作报告（2019） (State Council, 5 March 2019): "
                                     "1. We will continue to develop"),
    ("/search/", 200, "Search Chinese policy documents and their English translations"),
    (f"/{SEED}/concordance/?q=众创空间", 200, "Every sentence of 国发〔2015〕40号 that uses 众创空间"),
    ("/concordance/", 200, "Concordance of the library"),
    (f"/{SEED}/glossary/", 200, "The key terms of 国发〔2015〕40号"),
    ("/glossary/", 200, "How each key term of the library"),
    (f"/{SEED}/checks/?target=en-mt", 200, "Automatic checks of the English (machine) translation of 国发〔2015〕40号"),
    ("/gwr-2016/1/compare/", 200, "The English renderings of clause 1 of 政府工作报告（2016）"),
    ("/no-such-document/", 404, "There is no page at this address"),
]


@pytest.mark.parametrize("url,status,description", PAGES, ids=[p[0] for p in PAGES])
def test_every_page_type_has_one_meta_description_saying_what_it_shows(client, library, url, status,
                                                                        description):
    descriptions = head_of(client, url, status).named("description")
    assert len(descriptions) == 1
    assert descriptions[0].startswith(description)
    assert len(descriptions[0]) <= 300


def test_the_import_pages_have_a_meta_description_for_staff(client, library, django_user_model):
    client.force_login(django_user_model.objects.create_user("editor", password="x", is_staff=True))
    assert head_of(client, "/import/").named("description") == [
        "Import a Chinese policy document and its translations into the library (staff only)."]


def test_the_server_error_page_has_a_meta_description(library):
    from reader.http import server_error
    page = server_error(RequestFactory().get("/gwr-2019/")).content.decode()
    assert Head(page).named("description") == [
        "The server could not answer this request; the error has been logged."]


# --- favicon and robots.txt ---------------------------------------------------------------------

def test_the_favicon_answers_an_icon_of_16_and_32_pixels_and_every_page_links_it(client, library):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    icon = response.content
    assert icon[:4] == b"\x00\x00\x01\x00" and int.from_bytes(icon[4:6], "little") == 2
    assert sorted((icon[6 + 16 * i], icon[7 + 16 * i]) for i in range(2)) == [(16, 16), (32, 32)]
    for url in ("/", f"/{SEED}/", "/gwr-2019/3.1/", "/search/"):
        assert head_of(client, url).link("icon") == [static("favicon.ico")]


def test_robots_txt_lets_crawlers_read_the_documents_but_not_the_staff_pages_api_or_downloads(client, library):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    for readable in ("/", f"/{SEED}/", f"/{SEED}/?v=zh-hans,en&pinyin=1", "/gwr-2019/3.1/",
                     f"/{SEED}/3.2.1/compare/", f"/{SEED}/checks/", "/glossary/", "/concordance/"):
        assert robots.can_fetch("AnyBot", SITE + readable), readable
    for closed in ("/import/", "/admin/", "/admin/login/", "/api/documents", f"/api/documents/{SEED}",
                   "/search/?q=互联网"):
        assert not robots.can_fetch("AnyBot", SITE + closed), closed
    # Patterns with * (RFC 9309) that Python's parser does not read, as crawlers write them.
    lines = response.content.decode().splitlines()
    for pattern in ("/*/export.tmx", "/*/export.xlf", "/*/export.csv", "/*/export.docx", "/*/export.xlsx",
                    "/*/glossary.csv", "/*/glossary.tbx", "/*/glossary-2008.tbx", "/*concordance/?"):
        assert f"Disallow: {pattern}" in lines


# --- canonical links ------------------------------------------------------------------------------

@pytest.mark.parametrize("slug,ref", [(SEED, "2.1.3"), ("gwr-2016", "1.0.1"), ("gwr-2019", "3.1"),
                                      ("gwr-2020", "0.1")])
def test_document_and_clause_pages_name_their_permalink_as_canonical_without_view_parameters(
        client, library, slug, ref):
    for query in ("", "?v=zh-hant,en&pinyin=1", "?variants=1&pinyin=1&v=en"):
        assert head_of(client, f"/{slug}/{query}").link("canonical") == [f"{SITE}/{slug}/"]
        assert head_of(client, f"/{slug}/{ref}/{query}").link("canonical") == [f"{SITE}/{slug}/{ref}/"]


# --- citation tags (Highwire, as Zotero reads them) -------------------------------------------------

def test_the_seed_carries_its_number_issuer_date_and_titles_in_the_citation_tags(client, library):
    tags = head_of(client, f"/{SEED}/?v=en&pinyin=1").citation()
    assert tags == {
        "citation_title": f"{SEED_TITLE} [{SEED_TITLE_EN}]",
        "citation_author": "国务院",
        "citation_date": "2015/07/01",
        "citation_publisher": "国务院 (State Council)",
        "citation_technical_report_institution": "国务院 (State Council)",
        "citation_technical_report_number": "国发〔2015〕40号",
        "citation_public_url": f"{SITE}/{SEED}/",
        "citation_language": "zh",
    }


def test_a_clause_page_cites_the_clause_at_its_permalink(client, library):
    tags = head_of(client, f"/{SEED}/2.1.3/?pinyin=1").citation()
    assert tags["citation_title"] == f"{SEED_TITLE} [{SEED_TITLE_EN}], clause 2.1.3"
    assert tags["citation_public_url"] == f"{SITE}/{SEED}/2.1.3/"
    assert tags["citation_technical_report_number"] == "国发〔2015〕40号"
    signature = head_of(client, f"/{SEED}/signature/").citation()
    assert signature["citation_title"] == f"{SEED_TITLE} [{SEED_TITLE_EN}], signature"


def test_a_report_without_a_number_is_cited_by_title_issuer_and_date_with_no_number_tag(client, library):
    tags = head_of(client, "/gwr-2019/").citation()
    assert tags == {
        "citation_title": f"政府工作报告 [{REPORT_TITLE_EN}]",
        "citation_author": "国务院",
        "citation_date": "2019/03/05",
        "citation_publisher": "国务院 (State Council)",
        "citation_technical_report_institution": "国务院 (State Council)",
        "citation_public_url": f"{SITE}/gwr-2019/",
        "citation_language": "zh",
    }


def test_pages_other_than_documents_and_clauses_carry_no_citation_tags(client, library):
    for url in ("/", f"/{SEED}/3.2.1/compare/", f"/{SEED}/glossary/", "/search/"):
        head = head_of(client, url)
        assert head.citation() == {} and head.json_ld == [] and head.link("canonical") == [], url


# --- Schema.org Legislation in JSON-LD -------------------------------------------------------------

def legislation_of(client, url) -> dict:
    blocks = head_of(client, url).json_ld
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_the_seed_is_described_as_legislation_with_its_translations(client, library):
    work = legislation_of(client, f"/{SEED}/?v=zh-hans,en-mt")
    url = f"{SITE}/{SEED}/"
    assert work["@context"] == "https://schema.org" and work["@type"] == "Legislation"
    assert (work["@id"], work["url"], work["name"]) == (url, url, SEED_TITLE)
    assert work["legislationIdentifier"] == "国发〔2015〕40号"
    assert work["legislationDate"] == "2015-07-01"
    assert work["legislationPassedBy"] == {"@type": "Organization", "name": "国务院",
                                           "alternateName": "State Council"}
    assert work["inLanguage"] == "zh-Hans"
    assert [(t["@type"], t["inLanguage"], t["name"], t["url"], t["translationOfWork"])
            for t in work["workTranslation"]] == [
        ("Legislation", "en", SEED_TITLE_EN, url + "?v=en", {"@id": url}),
        ("Legislation", "en", "The State Council's Guiding Opinions on Actively Promoting \"internet plus\" Action",
         url + "?v=en-mt", {"@id": url}),
    ]
    assert [(t["inLanguage"], t["name"]) for t in work["workExample"]] == [
        ("zh-Hant", "國務院關於積極推進“互聯網+”行動的指導意見")]


@pytest.mark.parametrize("slug,date", [("gwr-2016", "2016-03-05"), ("gwr-2019", "2019-03-05"),
                                       ("gwr-2020", "2020-05-22")])
def test_a_report_is_legislation_without_an_identifier_with_its_english_translation(client, library, slug,
                                                                                     date):
    work = legislation_of(client, f"/{slug}/")
    assert "legislationIdentifier" not in work
    assert (work["name"], work["legislationDate"], work["inLanguage"]) == ("政府工作报告", date, "zh-Hans")
    assert work["legislationPassedBy"]["name"] == "国务院"
    assert [(t["inLanguage"], t["name"], t["translationOfWork"]["@id"]) for t in work["workTranslation"]] == [
        ("en", REPORT_TITLE_EN, f"{SITE}/{slug}/")]


def test_a_clause_page_describes_its_document_with_the_clause_as_a_part(client, library):
    work = legislation_of(client, f"/{SEED}/2.1.3/?v=en")
    assert work["url"] == f"{SITE}/{SEED}/" and work["legislationIdentifier"] == "国发〔2015〕40号"
    assert work["hasPart"]["url"] == f"{SITE}/{SEED}/2.1.3/"
    assert work["hasPart"]["name"] == f"{SEED_TITLE}, clause 2.1.3"


def test_a_title_that_closes_the_script_element_stays_inside_the_json(client, library):
    hostile = "政府工作报告</script><script>alert(1)</script><!--"
    Passage.objects.filter(clause__document__slug="gwr-2019", clause__ref="title",
                           version__is_base=True).update(text=hostile)
    page = client.get("/gwr-2019/").content.decode()
    head = page[:page.index("</head>")]
    assert "<script>alert(1)" not in head and "<!--" not in head
    assert json.loads(Head(page).json_ld[0])["name"] == hostile
    assert Head(page).citation()["citation_title"] == f"{hostile} [{REPORT_TITLE_EN}]"


def test_the_content_security_policy_stays_strict_on_pages_with_json_ld(client, library):
    response = client.get(f"/{SEED}/")
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY


# --- the compare page's word diff --------------------------------------------------------------------

def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def test_the_word_diff_keeps_each_full_stop_on_the_word_it_follows():
    # 3.2.1 s1 of the seed: the published translation and the machine translation.
    diff = word_diff("1. Strengthening the construction of innovation capabilities.",
                     "1. Strengthen innovation capacity building.")
    assert diff == [("same", "1."), ("first", "Strengthening the construction of"), ("second", "Strengthen"),
                    ("same", "innovation"), ("first", "capabilities."), ("second", "capacity building.")]


def test_the_compare_page_shows_the_diff_with_no_space_before_punctuation(client, library):
    page = client.get(f"/{SEED}/3.2.1/compare/").content.decode()
    diffs = [text_of(d) for d in re.findall(r'<p class="comparison-diff".*?</p>', page, re.S)]
    assert diffs[0] == ("diff 1. Strengthening the construction of Strengthen innovation capabilities. "
                        "capacity building.")
    assert "<del>capabilities.</del> <ins>capacity building.</ins>" in page
    for diff in diffs:
        assert not re.search(r" [.,;:!?)”]", diff), diff
