"""The library in a real browser: the list of documents and its filters, a search across
documents, and the concordance across documents, each followed to the lit sentence in the
document it names.

The live server holds the seed document and the 2016 and 2019 Reports on the Work of the
Government, parsed once for the module and written for each test (browser tests are
transactional: the tables are emptied after each).
"""
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus
from search.services import rebuild_search_index

LIT = re.compile(r"\blit\b")
REPORTS = ("gwr-2016", "gwr-2019")
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", Path(settings.BASE_DIR) / "var" / "screenshots"))


@pytest.fixture(scope="module")
def report_corpora():
    return [build_corpus(settings.LIBRARY_DIR / slug, settings.GLOSSARY_FILE) for slug in REPORTS]


@pytest.fixture
def library(site, report_corpora):
    """The live server's URL, with the seed (``site``) and the two reports written and indexed."""
    for corpus in report_corpora:
        corpus_ingest(corpus=corpus)
    rebuild_search_index()
    return site


def lit_sentence_after_following(page, link):
    """Follow a link to a sentence anchor; the reader's sentence it names, once lit."""
    href = link.get_attribute("href")
    slug, ref, n = re.search(r"^/([^/?#]+)/\?[^#]*#c-([\d.]+)-s(\d+)$", href).groups()
    link.click()
    page.wait_for_url(re.compile(rf"/{slug}/"))
    sentence = page.locator(f'section.row[id="c-{ref}"] .cell[data-version="zh-hans"] span.s'
                            f'[id="c-{ref}-s{n}"]')
    expect(sentence).to_have_class(LIT)
    expect(sentence).to_be_in_viewport()
    return slug, sentence


def test_the_library_lists_the_documents_and_a_year_filter_leads_to_a_report(page, library):
    page.goto("/")
    titles = page.locator(".document-list a.document-title")
    expect(titles).to_have_count(3)
    expect(titles.first).to_have_text("政府工作报告")  # the newest, 2019
    expect(page.locator(".document-list li").first).to_contain_text("Report on the Work of the Government"
                                                                     .upper())
    page.select_option("#library-year", "2016")
    page.click(".library-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"year=2016"))
    expect(titles).to_have_count(1)
    expect(page.locator(".result-count")).to_contain_text("1 of 3 documents")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "library-filtered-1280px.png"))
    titles.first.click()
    expect(page).to_have_url(re.compile(r"/gwr-2016/$"))
    expect(page.locator("nav.outline")).to_contain_text("三、2016年重点工作")


def test_a_search_across_the_library_finds_both_reports_and_lands_on_the_sentence(page, library):
    page.goto("/search/?q=供给侧结构性改革")
    documents = page.locator(".result .result-document a")
    expect(documents.first).to_be_visible()
    named = set(documents.all_inner_texts())
    assert named == {"政府工作报告"}  # both reports, each named by its own title …
    hrefs = {a.get_attribute("href") for a in documents.all()}
    assert hrefs == {"/gwr-2016/", "/gwr-2019/"}  # … and linking into its own reader
    result = page.locator(".result", has=page.locator('a[href="/gwr-2016/"]')).first
    expect(result.locator("mark").first).to_have_text("供给侧结构性改革")
    slug, sentence = lit_sentence_after_following(page, result.locator("a.result-link"))
    assert slug == "gwr-2016"
    expect(sentence).to_contain_text("供给侧结构性改革")

    page.goto("/search/?q=供给侧结构性改革&document=gwr-2019")
    expect(page.locator(".result .result-document a")).to_have_count(
        page.locator(".result").count())
    assert {a.get_attribute("href") for a in page.locator(".result .result-document a").all()} == {"/gwr-2019/"}


def test_the_concordance_across_the_library_groups_the_lines_by_document_newest_first(page, library):
    page.goto("/concordance/?q=供给侧结构性改革")
    groups = page.locator("section.kwic-document")
    expect(groups).to_have_count(2)
    assert [g.get_attribute("id") for g in groups.all()] == ["doc-gwr-2019", "doc-gwr-2016"]
    expect(groups.nth(1).locator(".kwic-line mark").first).to_have_text("供给侧结构性改革")
    expect(page.locator(".kwic-line").first.locator(".kwic-aligned")).to_contain_text("supply-side")
    page.screenshot(path=str(SCREENSHOTS / "library-concordance-1280px.png"))
    slug, sentence = lit_sentence_after_following(page, groups.nth(1).locator("a.kwic-ref").first)
    assert slug == "gwr-2016"
    expect(sentence).to_contain_text("供给侧结构性改革")
