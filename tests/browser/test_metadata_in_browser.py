"""What only a browser shows of the pages' metadata (issue 12 §4): the JSON-LD and the citation
tags in the head raise no Content-Security-Policy error and read back as data, the favicon the
head links loads, the reader's legend shows the no-counterpart mark ∅ once (a mark drawn by CSS
counts), and the compare page's word diff reads with punctuation on its word."""
import json
import os
import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import expect

from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus

SEED = "/guofa-2015-40/"
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", Path(settings.BASE_DIR) / "var" / "screenshots"))


def csp_errors(page) -> list[str]:
    """Console errors about the Content-Security-Policy, as they arrive."""
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    return errors


def computed_text(locator) -> str:
    """The text a reader sees in an element: ::before, its text, ::after."""
    return locator.evaluate("""element => {
        const generated = pseudo => {
            const content = getComputedStyle(element, pseudo).content;
            return content === "none" || content === "normal" ? "" : JSON.parse(content);
        };
        return generated("::before") + element.textContent + generated("::after");
    }""")


def test_json_ld_and_citation_tags_raise_no_csp_error_and_read_back_as_data(page):
    corpus_ingest(corpus=build_corpus(settings.LIBRARY_DIR / "gwr-2019", settings.GLOSSARY_FILE))
    errors = csp_errors(page)
    for url, identifier in ((SEED, "国发〔2015〕40号"), (SEED + "2.1.3/?pinyin=1", "国发〔2015〕40号"),
                            ("/gwr-2019/?v=zh-hans,en", None), ("/gwr-2019/3.1/", None)):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        data = json.loads(page.locator('head script[type="application/ld+json"]').text_content())
        assert data["@type"] == "Legislation" and data.get("legislationIdentifier") == identifier
        assert page.locator('meta[name="citation_author"]').get_attribute("content") == "国务院"
        canonical = page.locator('link[rel="canonical"]').get_attribute("href")
        assert "?" not in canonical and canonical.endswith(url.split("?")[0])
        assert errors == [], url
    # Control: the listener does hear the policy refuse an inline script on the same page.
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.ran = 1"; document.head.append(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    assert errors and "script-src 'self'" in errors[0]


def test_the_favicon_the_head_links_loads_as_an_icon(page):
    page.goto(SEED)
    href = page.locator('link[rel="icon"]').get_attribute("href")
    for url in (href, "/favicon.ico"):
        answer = page.evaluate("""async url => { const r = await fetch(url);
            return [r.status, r.headers.get("content-type"), (await r.arrayBuffer()).byteLength]; }""", url)
        assert answer[0] == 200 and answer[1] in ("image/x-icon", "image/vnd.microsoft.icon") and answer[2] > 100


def test_the_legend_shows_the_no_counterpart_mark_once_as_the_text_does(page):
    page.goto(SEED + "?v=zh-hans,en-mt")
    sample = page.locator(".legend .s.gap")
    assert computed_text(sample).count("∅") == 1
    # The sample looks like a sentence with no counterpart in the text: the same generated mark.
    gap = page.locator(".cell .s.gap").first
    assert computed_text(gap).count("∅") == 1
    assert sample.evaluate("e => getComputedStyle(e, '::after').content") == \
        gap.evaluate("e => getComputedStyle(e, '::after').content")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".legend").screenshot(path=str(SCREENSHOTS / "reader-legend.png"))


def test_the_compare_diff_reads_with_punctuation_on_its_word(page):
    page.goto(SEED + "3.2.1/compare/")
    diffs = page.locator(".comparison-diff")
    first = " ".join(diffs.first.inner_text().split())
    assert first == "diff 1. Strengthening the construction of Strengthen innovation capabilities. capacity building."
    expect(diffs.first.locator("del").last).to_have_text("capabilities.")
    expect(diffs.first.locator("ins").last).to_have_text("capacity building.")
    for text in diffs.all_inner_texts():
        assert not re.search(r" [.,;:!?)”]", " ".join(text.split())), text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "compare-diff.png"))

