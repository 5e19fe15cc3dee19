"""The library: the list of documents with its filters and counts, the concordance and glossary
across documents (pages and JSON), links from a citation 《…》 to the document it names, and the
mark on a translated paragraph whose placement the importer is unsure of.

The seed document is real; so are the documents beside it here. Until the plain-text importer
reads the Reports on the Work of the Government, the second document is a copy of the seed's
sources ingested under the number, issuer, date and title of a document the seed cites by
title: 中共中央 国务院关于深化体制机制改革加快实施创新驱动发展战略的若干意见 (中发〔2015〕8号,
2015-03-13). Its text is the seed's, so every count in it equals the seed's.
"""
import re
import shutil
from html import unescape
from urllib.parse import quote, quote_plus

import pytest
from django.conf import settings

from reader.models import Document, Passage, Sentence, Version
from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus

SEED = "guofa-2015-40"
SEED_DIR = settings.BASE_DIR / "fixtures" / "documents" / SEED
CITED = {"slug": "zhongfa-2015-8", "number": "中发〔2015〕8号", "issuer": "中共中央 国务院",
         "date": "2015-03-13"}
CITED_TITLE = "中共中央 国务院关于深化体制机制改革加快实施创新驱动发展战略的若干意见"
SEED_TITLE = "国务院关于积极推进“互联网+”行动的指导意见"


def _copy_of_seed(directory, slug, number, issuer, date):
    """The seed's corpus, read from a copy of its sources whose manifest names another document."""
    shutil.copytree(SEED_DIR, directory, dirs_exist_ok=True)
    manifest = directory / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    for field, value in (("slug", f'"{slug}"'), ("number", f'"{number}"'),
                         ("issuer", f'"{issuer}"'), ("date", date)):
        text = re.sub(rf"^{field} = .*$", f"{field} = {value}", text, count=1, flags=re.M)
    manifest.write_text(text, encoding="utf-8")
    return build_corpus(directory, settings.GLOSSARY_FILE)


@pytest.fixture(scope="session")
def cited_corpus(tmp_path_factory):
    return _copy_of_seed(tmp_path_factory.mktemp("cited"), **CITED)


@pytest.fixture
def library(ingested, cited_corpus):
    """The seed and the document it cites, titled as the seed cites it."""
    corpus_ingest(corpus=cited_corpus)
    Document.objects.filter(slug=CITED["slug"]).update(title=CITED_TITLE)
    return Document.objects.get(slug=SEED), Document.objects.get(slug=CITED["slug"])


def html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def text_of(page: str) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces squashed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", page)).split())


def titles_listed(page: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'class="document-title">([^<]+)</a>', page)]


# The library page

def test_the_library_lists_every_document_newest_first_with_its_title_number_issuer_date_and_genre(client, library):
    page = html(client, "/")

    assert titles_listed(page) == [SEED_TITLE, CITED_TITLE]
    text = text_of(page)
    assert "国发〔2015〕40号 · 国务院 · 1 July 2015" in text
    assert "中发〔2015〕8号 · 中共中央 国务院 · 13 March 2015" in text
    assert 'href="/zhongfa-2015-8/" lang="zh-Hans" class="document-title"' in page
    assert "2 documents, newest first." in text


def test_each_document_shows_its_english_title_versions_and_counts_of_clauses_and_translations(client, library):
    seed, _ = library
    page = html(client, "/")
    english = Passage.objects.get(clause__document=seed, clause__ref="title", version__slug="en").text

    item = page[page.index(f'href="/{SEED}/"'):page.index('href="/zhongfa-2015-8/"')]
    assert f'<div class="document-title-en" lang="en">{english}</div>' in unescape(item)
    assert seed.clauses.count() == 117
    assert "117 clauses · 2 translations" in text_of(item)
    assert re.findall(r'class="version-chip" lang="([^"]+)">([^<]+)<', item) == [
        ("zh-Hans", "简体中文"), ("zh-Hant", "繁體中文"), ("en", "English"), ("en", "English (machine)")]


def test_sorting_by_date_puts_the_oldest_first_and_links_switch_between_the_orders(client, library):
    page = html(client, "/?sort=date")

    assert titles_listed(page) == [CITED_TITLE, SEED_TITLE]
    assert "2 documents, oldest first." in text_of(page)
    assert '<a href="/" aria-current="true"' not in page
    assert '<a href="/">newest first</a>' in page
    assert '<a href="/?sort=date" aria-current="true" class="current">oldest first</a>' in page
    assert titles_listed(html(client, "/?sort=-date")) == [SEED_TITLE, CITED_TITLE]


def test_filtering_by_issuer_shows_only_that_issuers_documents_and_keeps_the_order(client, library):
    page = html(client, "/?" + "issuer=" + quote("国务院"))
    assert titles_listed(page) == [SEED_TITLE]
    assert "1 of 2 documents issued by 国务院, newest first." in text_of(page)

    both = html(client, "/?issuer=" + quote("中共中央 国务院") + "&sort=date")
    assert titles_listed(both) == [CITED_TITLE]
    # The links to switch the order keep the filter.
    assert f'href="/?issuer={quote_plus("中共中央 国务院")}">newest first</a>' in both


def test_the_filters_are_built_from_the_data_as_labelled_selects_and_links(client, library):
    page = html(client, "/")

    for name in ("issuer", "year", "sort"):
        assert f'<label for="library-{name}">' in page
        assert f'<select id="library-{name}" name="{name}">' in page
    assert re.findall(r'<option value="([^"]*)" lang="zh-Hans"', page) == ["中共中央 国务院", "国务院"]
    assert re.findall(r'<option value="(\d+)"', page) == ["2015"]
    assert f'<a href="/?issuer={quote_plus("国务院")}" lang="zh-Hans">国务院</a>' in page
    assert '<a href="/?year=2015">2015</a>' in page


def test_filtering_by_year_shows_the_documents_dated_in_it(client, library):
    page = html(client, "/?year=2015")

    assert titles_listed(page) == [SEED_TITLE, CITED_TITLE]
    assert "2 of 2 documents dated 2015, newest first." in text_of(page)
    assert '<option value="2015" selected>' in page


@pytest.mark.parametrize("query, message", [
    ("issuer=" + quote("教育部"), "No document in the library is issued by “教育部”: shown from every issuer."),
    ("year=1999", "No document in the library is dated in “1999”: shown from every year."),
    ("year=twenty", "No document in the library is dated in “twenty”: shown from every year."),
    ("year=%EF%BC%92%EF%BC%90%EF%BC%91%EF%BC%95", "No document in the library is dated in “２０１５”"),
    ("sort=title", "Unknown order “title”: shown newest first."),
    ("issuer=%3Cscript%3Ealert(1)%3C/script%3E", "issued by “<script>alert(1)</script>”"),
])
def test_filter_values_the_library_does_not_have_get_a_message_and_every_document(client, library, query, message):
    page = html(client, f"/?{query}")

    assert message in text_of(page)
    assert titles_listed(page) == [SEED_TITLE, CITED_TITLE]
    assert "<script>alert" not in page


def test_filters_that_match_no_document_together_say_so(client, library):
    page = html(client, "/?issuer=" + quote("中共中央 国务院") + "&year=2015")
    assert titles_listed(page) == [CITED_TITLE]

    Document.objects.filter(slug=CITED["slug"]).update(date="2014-12-31")
    page = html(client, "/?issuer=" + quote("国务院") + "&year=2014")
    assert titles_listed(page) == []
    assert "No document matches these filters. Show every document." in text_of(page)


def test_the_library_links_to_the_concordance_and_glossary_across_documents(client, library):
    page = html(client, "/")

    assert '<a href="/concordance/">concordance</a>' in page
    assert '<a href="/glossary/">glossary</a>' in page


def test_the_documents_api_gives_titles_genre_versions_and_counts(client, library):
    data = client.get("/api/documents").json()

    assert [d["slug"] for d in data["documents"]] == [SEED, CITED["slug"]]
    seed = data["documents"][0]
    assert seed["title"] == SEED_TITLE
    assert seed["title_en"].startswith("State Council Guiding Opinions")
    assert seed["genre"] in {choice for choice, _ in Document.Genre.choices}
    assert (seed["clauses"], seed["translations"]) == (117, 2)
    assert seed["versions"] == ["zh-hans", "zh-hant", "en", "en-mt"]
    assert data["documents"][1]["title"] == CITED_TITLE


# The concordance across the library

def test_the_library_concordance_lists_every_occurrence_grouped_by_document_newest_first(client, library):
    seed_api = client.get(f"/api/documents/{SEED}/concordance?q=众创空间").json()
    page = html(client, "/concordance/?q=众创空间")

    assert seed_api["count"] > 0
    text = text_of(page)
    assert f"{2 * seed_api['count']} occurrences in 2 of 2 documents." in text
    sections = re.findall(r'<section class="kwic-document" id="doc-([^"]+)"', page)
    assert sections == [SEED, CITED["slug"]]
    seed_part = page[page.index(f'id="doc-{SEED}"'):page.index(f'id="doc-{CITED["slug"]}"')]
    assert seed_part.count('class="kwic-line"') == seed_api["count"]
    first = seed_api["lines"][0]
    assert f'href="/{SEED}/?v=zh-hans,en,en-mt#c-{first["ref"]}-s{first["sentence"]}"' in seed_part
    cited_part = page[page.index(f'id="doc-{CITED["slug"]}"'):]
    assert f'href="/{CITED["slug"]}/?v=zh-hans,en,en-mt#c-{first["ref"]}-s{first["sentence"]}"' in cited_part


def test_the_library_concordance_json_counts_renderings_per_document_and_translation(client, library):
    seed_api = client.get(f"/api/documents/{SEED}/concordance?q=众创空间").json()
    data = client.get("/api/concordance?q=众创空间").json()

    assert data["count"] == 2 * seed_api["count"]
    assert [(d["slug"], d["count"]) for d in data["documents"]] == [
        (SEED, seed_api["count"]), (CITED["slug"], seed_api["count"])]
    for document in data["documents"]:
        assert document["renderings"] == seed_api["renderings"]
        assert set(document["renderings"]) == {"en", "en-mt"}
    assert data["term"] == "众创空间"
    lines = data["lines"]
    assert [line["document"] for line in lines] == (
        [SEED] * seed_api["count"] + [CITED["slug"]] * seed_api["count"])
    assert lines[0]["url"] == seed_api["lines"][0]["url"]
    assert lines[-1]["url"].startswith(f"http://testserver/{CITED['slug']}/?v=")


def test_renderings_of_a_term_are_shown_per_document_and_version(client, library):
    seed_api = client.get(f"/api/documents/{SEED}/concordance?q=众创空间").json()
    page = html(client, "/concordance/?q=众创空间")

    table = page[page.index('library-renderings"'):page.index("</table>")]
    rendering, n = next((r["rendering"], r["count"]) for r in seed_api["renderings"]["en"]["used"])
    assert table.count(f'<span class="rendering">{rendering}</span> ×{n}') == 2
    assert re.findall(r'<th scope="row"><a href="#doc-([^"]+)"', table) == [SEED, CITED["slug"]]


def test_an_english_term_is_looked_up_in_the_translations_of_every_document(client, library):
    seed_api = client.get(f"/api/documents/{SEED}/concordance?q=mass creation spaces").json()
    data = client.get("/api/concordance?q=mass creation spaces").json()

    assert data["language"] == "en" and seed_api["count"] > 0
    assert data["count"] == 2 * seed_api["count"]
    assert {line["version"] for line in data["lines"]} == {line["version"] for line in seed_api["lines"]}


def test_a_long_library_concordance_is_paginated_a_hundred_lines_a_page(client, library):
    data = client.get("/api/concordance?q=互联网").json()
    assert data["count"] > 100 and data["pages"] == -(-data["count"] // 100)
    assert len(data["lines"]) == 100
    assert data["next"] == "http://testserver/api/concordance?q=%E4%BA%92%E8%81%94%E7%BD%91&page=2"
    last = client.get(f"/api/concordance?q=互联网&page={data['pages']}").json()
    assert len(last["lines"]) == data["count"] - 100 * (data["pages"] - 1) and last["next"] is None

    page = html(client, "/concordance/?q=互联网")
    assert page.count('class="kwic-line"') == 100
    assert f"Page 1 of {data['pages']} (lines 1–100)" in text_of(page)
    second = html(client, "/concordance/?q=互联网&page=2")
    assert second.count('class="kwic-line"') == min(100, data["count"] - 100)


@pytest.mark.parametrize("url, message", [
    ("/api/concordance", "Give a term to look up"),
    ("/api/concordance?q=" + "互" * 101, "at most 100 characters"),
    ("/api/concordance?q=……", "no letters, digits or Chinese characters"),
    ("/api/concordance?q=互联网&page=0", "page must be a number from 1 to"),
    ("/api/concordance?q=互联网&page=x", "page must be a number from 1 to"),
])
def test_a_library_concordance_request_that_cannot_be_answered_says_why(client, library, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_library_concordance_page_explains_a_bad_term_and_offers_the_glossary_terms(client, library):
    page = html(client, "/concordance/?q=" + "互" * 101, status=400)
    assert "A concordance term is at most 100 characters" in text_of(page)

    empty = html(client, "/concordance/")
    assert '<a href="?q=%E4%BC%97%E5%88%9B%E7%A9%BA%E9%97%B4" lang="zh-Hans">众创空间</a>' in empty
    assert "No occurrences in the library." in text_of(html(client, "/concordance/?q=量子纠缠"))


def test_each_document_concordance_links_to_the_same_term_across_the_library(client, library):
    page = html(client, f"/{SEED}/concordance/?q=众创空间")
    assert '<a href="/concordance/?q=%E4%BC%97%E5%88%9B%E7%A9%BA%E9%97%B4"><q>众创空间</q> in every document of the library</a>' in page
    library_page = html(client, "/concordance/?q=众创空间")
    assert f'<a href="/{SEED}/concordance/?q=%E4%BC%97%E5%88%9B%E7%A9%BA%E9%97%B4">in this document only</a>' in library_page


# The glossary across the library

def test_the_library_glossary_shows_each_term_per_document_oldest_first_with_its_renderings(client, library):
    seed_terms = {t["term"]: t for t in client.get(f"/api/documents/{SEED}/glossary").json()["terms"]}
    page = html(client, "/glossary/")

    section = page[page.index('id="term-zhong-chuang-kong-jian"'):]
    section = section[:section.index("</section>")]
    assert re.findall(r'<a href="/([^/]+)/glossary/#term-zhong-chuang-kong-jian"', section) == [
        CITED["slug"], SEED]
    seed_en = seed_terms["众创空间"]["renderings"]["en"]["used"]
    for used in seed_en:
        assert section.count(f"<li>{used['rendering']} ×{used['count']}</li>") == 2
    assert f'>{seed_terms["众创空间"]["occurrences"]}</a>' in section


def test_the_library_glossary_json_has_each_terms_documents_in_date_order_and_its_history(client, library):
    seed_terms = {t["term"]: t for t in client.get(f"/api/documents/{SEED}/glossary").json()["terms"]}
    data = {t["term"]: t for t in client.get("/api/glossary").json()["terms"]}

    term = data["众创空间"]
    assert [d["document"] for d in term["documents"]] == [CITED["slug"], SEED]
    assert [d["date"] for d in term["documents"]] == ["2015-03-13", "2015-07-01"]
    assert term["occurrences"] == 2 * seed_terms["众创空间"]["occurrences"]
    for use in term["documents"]:
        assert {slug: r["used"] for slug, r in use["renderings"].items()} == {
            slug: r["used"] for slug, r in seed_terms["众创空间"]["renderings"].items()}
    first = term["history"][0]
    assert first["first"] == {"document": CITED["slug"], "date": "2015-03-13"}
    assert first["last"] == {"document": SEED, "date": "2015-07-01"}
    assert first["count"] == 2 * sum(
        u["count"] for r in seed_terms["众创空间"]["renderings"].values() for u in r["used"]
        if u["rendering"] == first["rendering"])
    assert term["concordance"] == "http://testserver/concordance/?q=%E4%BC%97%E5%88%9B%E7%A9%BA%E9%97%B4"
    assert set(data) == set(seed_terms)


def test_the_library_glossary_can_show_only_terms_rendered_in_more_than_one_way(client, library):
    data = client.get("/api/glossary").json()["terms"]
    varied = [t["term"] for t in data if t["inconsistent"]]
    page = html(client, "/glossary/?inconsistent=1")

    assert varied
    shown = re.findall(r'<section class="library-term inconsistent" id="term-', page)
    assert len(shown) == len(varied) == page.count('<section class="library-term')


def test_each_document_glossary_links_to_the_library_glossary(client, library):
    assert '<a href="/glossary/">The glossary across the library</a>' in html(client, f"/{SEED}/glossary/")


# Citations of library documents

def cell_of(page: str, ref: str, version: str) -> str:
    row = page[page.index(f'id="c-{ref}"'):]
    row = row[:row.index("</section>")]
    cell = row[row.index(f'data-version="{version}"'):]
    return cell[:cell.index('<div class="cell') if '<div class="cell' in cell else len(cell)]


def test_a_citation_of_a_library_document_by_its_title_links_to_its_reader_page(client, library):
    page = html(client, f"/{SEED}/")

    cell = cell_of(page, "3.3.1", "zh-hans")
    assert (f'贯彻落实《<a class="xref" href="/{CITED["slug"]}/" title="In the library: {CITED_TITLE}, '
            f'中发〔2015〕8号, 2015-03-13">{CITED_TITLE}</a>》，放宽') in cell
    # The sentence is still one sentence, with its anchor, and reads as the passage does.
    sentence = re.search(r'<span class="s[^"]*" data-s="2" id="c-3.3.1-s2"[^>]*>(.*?)</span>', cell).group(1)
    assert re.sub(r"<[^>]+>", "", sentence) == Sentence.objects.get(
        passage__clause__document=library[0], passage__clause__ref="3.3.1",
        passage__version__slug="zh-hans", index=2).text


def test_a_citation_in_traditional_characters_links_to_the_same_document(client, library):
    page = html(client, f"/{SEED}/?v=zh-hant,en")

    cell = cell_of(page, "3.3.1", "zh-hant")
    assert (f'貫徹落實《<a class="xref" href="/{CITED["slug"]}/" title="In the library: {CITED_TITLE}, '
            '中发〔2015〕8号, 2015-03-13">中共中央 國務院關于深化體制機制改革加快實施創新驅動發展戰略的若干意見</a>》') in cell


def test_a_linked_citation_keeps_its_pinyin(client, library):
    page = html(client, f"/{SEED}/?v=zh-hans,en&pinyin=1")

    cell = cell_of(page, "3.3.1", "zh-hans")
    link = re.search(rf'<a class="xref" href="/{CITED["slug"]}/"[^>]*>(.*?)</a>', cell).group(1)
    assert link.startswith("<ruby>中<rt>zhōng</rt></ruby><ruby>共<rt>gòng</rt></ruby>")
    assert re.sub(r"<rt>[^<]*</rt>|<[^>]+>", "", link) == CITED_TITLE
    assert "<ruby>实<rt>shí</rt></ruby><ruby>施<rt>shī</rt></ruby>" in link


def test_the_permalink_page_links_the_citation_too(client, library):
    page = html(client, f"/{SEED}/3.3.1/")
    assert page.count(f'<a class="xref" href="/{CITED["slug"]}/"') == 2  # simplified and traditional


def test_a_document_does_not_link_a_citation_of_itself(client, library):
    page = html(client, f"/{CITED['slug']}/")
    assert 'class="xref"' not in page
    assert f"《{CITED_TITLE}》" in page


def test_a_citation_of_a_document_outside_the_library_stays_plain_text(client, ingested):
    page = html(client, f"/{SEED}/")
    assert 'class="xref"' not in page
    assert f"贯彻落实《{CITED_TITLE}》，放宽" in page


def test_citations_match_titles_in_either_script_with_or_without_the_issuer_and_any_quotation_marks(library):
    from reader.reading import CitationIndex

    seed, cited = library
    index = CitationIndex.of_library()
    for citation in ("国务院关于积极推进“互联网+”行动的指导意见", "关于积极推进“互联网+”行动的指导意见",
                     "國務院關於積極推進「互聯網+」行動的指導意見", "关于积极推进互联网+行动的指导意见",
                     "中共中央国务院关于深化体制机制改革加快实施创新驱动发展战略的若干意见",
                     "关于深化体制机制改革加快实施创新驱动发展战略的若干意见"):
        assert index.find(citation) in (seed, cited), citation
    assert index.find("关于积极推进“互联网+”行动的指导意见") == seed
    assert index.find("国务院关于深化体制机制改革加快实施创新驱动发展战略的若干意见") is None
    assert index.find("中国制造2025") is None
    assert index.find(CITED_TITLE, citing=cited) is None


def test_a_title_that_several_documents_share_links_none_of_them(library):
    from reader.reading import CitationIndex

    seed, cited = library
    index = CitationIndex([(seed, "政府工作报告"), (cited, "政府工作报告")])
    assert index.find("政府工作报告") is None
    assert index.find("政府工作报告", citing=seed) == cited
    pieces = index.pieces("审议《政府工作报告》。")
    assert [(p.text, p.url) for p in pieces] == [("审议《政府工作报告》。", "")]


# Placement uncertainty

def test_a_translation_paragraph_placed_with_low_confidence_is_marked_with_its_score(client, ingested):
    Passage.objects.filter(clause__document=ingested, clause__ref="2.1.1", version__slug="en").update(placement=0.31)
    Passage.objects.filter(clause__document=ingested, clause__ref="2.1.2", version__slug="en").update(placement=0.5)
    page = html(client, f"/{SEED}/")

    cell = cell_of(page, "2.1.1", "en")
    assert ('<p class="placement-uncertain" lang="en" title="The importer placed this paragraph under '
            'clause 2.1.1 with a score of 0.31 out of 1: check that it belongs here">') in cell
    assert "? placement uncertain (score 0.31)" in text_of(cell)
    assert "placement uncertain" not in cell_of(page, "2.1.2", "en")
    assert page.count('class="placement-uncertain"') == 1
    assert "placement uncertain" in text_of(html(client, f"/{SEED}/2.1.1/"))
