"""Search in the browser: from the box on any page to the exact sentence in the reader."""
import re

import pytest
from playwright.sync_api import expect

from search.services import rebuild_search_index


@pytest.fixture
def searchable(site):
    rebuild_search_index()
    return site


def test_searching_from_the_header_box_and_following_a_result_lands_on_the_lit_sentence(page, searchable):
    page.goto("/guofa-2015-40/")
    page.fill("#header-q", "众创空间")
    page.press("#header-q", "Enter")
    expect(page.locator(".result-count")).to_contain_text("match “众创空间”")
    first = page.locator(".result").first
    expect(first.locator("mark").first).to_have_text("众创空间")
    link = first.locator("a.result-link")
    href = link.get_attribute("href")
    ref, n = re.search(r"#c-([\d.]+)-s(\d+)$", href).groups()
    link.click()
    sentence = page.locator(f'section.row[id="c-{ref}"] .cell[data-version="zh-hans"] span.s').nth(int(n) - 1)
    expect(sentence).to_have_class(re.compile(r"\blit\b"))
    expect(sentence).to_contain_text("众创空间")
    expect(sentence).to_be_in_viewport()
    english = page.locator(f'section.row[id="c-{ref}"] .cell[data-version="en"] span.s.lit')
    expect(english.first).to_be_visible()


def test_a_traditional_query_highlights_simplified_text_on_the_results_page(page, searchable):
    page.goto("/search/?q=網絡安全")
    marks = page.locator('.snippet[lang="zh-Hans"] mark')
    expect(marks.first).to_have_text("网络安全")
