"""The reader with a keyboard and with links to sentences: one tab stop per clause, not one per
sentence; the arrow keys move between the sentences of a clause across its panes; Enter or Space
does what a click does; and the link a click writes, in any language, lights the same sentences
when it is opened again. The seed and the 2019 report, as ``manage.py ingest`` leaves them.
"""
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus

SEED = "/guofa-2015-40/"
REPORT = "/gwr-2019/"
LIT = re.compile(r"\blit\b")
# Everything a Tab press can land on, as the browser decides it (tabIndex >= 0, shown).
TAB_STOPS = """() => Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]'))
  .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length)"""


@pytest.fixture(scope="module")
def report_corpus():
    return build_corpus(settings.LIBRARY_DIR / "gwr-2019", settings.GLOSSARY_FILE)


@pytest.fixture
def library(site, report_corpus):
    corpus_ingest(corpus=report_corpus)
    return site


def row(page, ref):
    return page.locator(f'section.row[id="c-{ref}"]')


def sentences(page, ref, version):
    return row(page, ref).locator(f'.cell[data-version="{version}"] span.s')


def focused(page):
    return page.evaluate("""() => { const e = document.activeElement;
        return {sentence: e.classList.contains('s'), row: e.closest('section.row')?.id || null,
                version: e.closest('.cell')?.dataset.version || null, text: e.textContent}; }""")


@pytest.mark.parametrize("reader", [SEED, REPORT])
def test_the_skip_link_reaches_the_first_clause_in_two_tab_presses(page, library, reader):
    page.goto(reader)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to the text")
    page.keyboard.press("Enter")
    presses = 0
    while presses < 10:
        page.keyboard.press("Tab")
        presses += 1
        if focused(page)["sentence"]:
            break
    assert focused(page) ["row"] == "c-title" and presses <= 2, (presses, focused(page))


@pytest.mark.parametrize("reader", [SEED + "?v=zh-hans,zh-hant,en,en-mt", REPORT])
def test_the_reader_has_one_sentence_stop_per_clause_not_one_per_sentence(page, library, reader):
    page.goto(reader)
    expect(page.locator(".s[role='button']").first).to_have_attribute("tabindex", "0")
    counts = page.evaluate(f"""() => {{
        const stops = ({TAB_STOPS})();
        const rows = Array.from(document.querySelectorAll('section.row'));
        return {{stops: stops.length,
                 sentenceStops: stops.filter(e => e.classList.contains('s')).length,
                 otherStops: stops.filter(e => !e.classList.contains('s')).length,
                 sentences: document.querySelectorAll('.panes .s').length,
                 rowsWithSentences: rows.filter(r => r.querySelector(".s[role='button']")).length,
                 rows: rows.length}}; }}""")
    # Hundreds of sentences, one stop for each clause that has any: the rest are links, note
    # markers and the form's controls.
    assert counts["sentences"] > 3 * counts["rows"], counts
    assert counts["sentenceStops"] == counts["rowsWithSentences"] == counts["rows"], counts
    assert counts["stops"] == counts["otherStops"] + counts["rows"], counts


def test_arrow_keys_move_between_the_sentences_of_a_clause_across_its_panes(page, library):
    page.goto(SEED + "?v=zh-hans,en")
    chinese, english = sentences(page, "2.1.3", "zh-hans"), sentences(page, "2.1.3", "en")
    last_chinese = chinese.count() - 1
    row(page, "2.1.3").locator("a.ref").focus()
    page.keyboard.press("Tab")
    expect(chinese.first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(chinese.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(english.last).to_be_focused()
    page.keyboard.press("Home")
    expect(chinese.first).to_be_focused()
    for _ in range(last_chinese + 1):
        page.keyboard.press("ArrowDown")
    expect(english.first).to_be_focused()  # from the Chinese pane into the English one
    page.keyboard.press("ArrowUp")
    expect(chinese.nth(last_chinese)).to_be_focused()
    # The clause remembers where one was: Tab leaves it, Shift+Tab comes back to that sentence.
    page.keyboard.press("Tab")
    assert focused(page)["sentence"] is False
    page.keyboard.press("Shift+Tab")
    expect(chinese.nth(last_chinese)).to_be_focused()
    expect(chinese.nth(last_chinese)).to_have_attribute("tabindex", "0")
    expect(chinese.first).to_have_attribute("tabindex", "-1")


def test_a_sentence_stop_is_a_button_named_by_its_text_and_described_by_what_it_does(page, library):
    page.goto(SEED)
    first = sentences(page, "2.1.3", "zh-hans").first
    expect(first).to_have_role("button")
    expect(first).to_have_accessible_name("3.发展开放式创新。")  # its own words, not a label
    expect(first).to_have_accessible_description(re.compile(
        r"^Sentence\. Enter lights the sentences aligned with it in every version and puts its link"))
    assert page.locator("#sentence-help").evaluate("e => e.closest('[lang]').lang") == "en"


@pytest.mark.parametrize("key", ["Enter", " "])
def test_enter_or_space_on_a_sentence_writes_its_anchor_and_lights_its_counterparts(page, library, key):
    page.goto(SEED + "?v=zh-hans,en")
    english = sentences(page, "2.1.3", "en")
    row(page, "2.1.3").locator("a.ref").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")  # the English sentence before the last
    target = english.nth(english.count() - 2)
    expect(target).to_be_focused()
    number = target.get_attribute("data-s").split()[0]
    page.mouse.move(0, 0)
    page.evaluate("document.querySelectorAll('.s.lit').forEach(e => e.classList.remove('lit'))")
    scrolled = page.evaluate("window.scrollY")
    page.keyboard.press(key)
    assert page.url.endswith(f"#c-2.1.3-s{number}")
    expect(target).to_have_class(LIT)
    expect(page.locator(f'[id="c-2.1.3-s{number}"]')).to_have_class(LIT)  # the Chinese it renders
    assert page.evaluate("window.scrollY") == scrolled  # Space did not scroll the page


CLICKS = [
    (SEED + "?v=zh-hans,zh-hant,en,en-mt", "3.1.1", "zh-hans"),
    (SEED + "?v=zh-hans,zh-hant,en,en-mt", "3.1.1", "zh-hant"),
    (SEED + "?v=zh-hans,zh-hant,en,en-mt", "3.1.1", "en"),
    (SEED + "?v=zh-hans,zh-hant,en,en-mt", "3.1.1", "en-mt"),
    (SEED + "?v=zh-hans,zh-hant,en,en-mt", "0.1", "zh-hans"),
    (REPORT, "3.1.4", "zh-hans"),
    (REPORT, "3.1.4", "en"),
]


@pytest.mark.parametrize("reader,ref,version", CLICKS, ids=[f"{r.split('?')[0]}{f}-{v}" for r, f, v in CLICKS])
def test_the_link_a_click_writes_lights_the_same_sentences_when_opened_again(page, library, reader, ref,
                                                                             version):
    page.goto(reader)
    aligned = row(page, ref).locator(f'.cell[data-version="{version}"] span.s:not([data-s=""])')
    nth = min(1, aligned.count() - 1)  # the second aligned sentence, where there is one
    clicked = aligned.nth(nth)
    number = clicked.get_attribute("data-s").split()[0]
    clicked.click()
    assert page.url.endswith(f"#c-{ref}-s{number}"), page.url  # not #c-…-sN-sN
    lit_before = page.locator(".s.lit").evaluate_all("els => els.map(e => e.textContent)")

    page.reload()  # as a reader coming back to it does
    counterpart = page.locator(f'[id="c-{ref}-s{number}"]')
    expect(counterpart).to_have_class(LIT)
    expect(counterpart).to_be_in_viewport()
    expect(aligned.nth(nth)).to_have_class(LIT)
    assert page.locator(".s.lit").evaluate_all("els => els.map(e => e.textContent)") == lit_before

    shared = page.context.new_page()  # and as someone following the link does
    shared.goto(page.url)
    expect(shared.locator(f'[id="c-{ref}-s{number}"]')).to_have_class(LIT)
    expect(shared.locator(f'section.row[id="c-{ref}"] .cell[data-version="{version}"] '
                          'span.s:not([data-s=""])').nth(nth)).to_have_class(LIT)


def test_a_link_written_before_the_fix_still_lights_its_sentence(page, library):
    page.goto(SEED + "#c-0.1-s2-s2")
    expect(page.locator('[id="c-0.1-s2"]')).to_have_class(LIT)


def test_without_javascript_sentences_take_no_tab_stops_and_anchors_still_work(browser, library):
    context = browser.new_context(base_url=library, java_script_enabled=False)
    page = context.new_page()
    page.goto(SEED + "#c-2.1.3-s2")
    assert page.locator(".s[tabindex], .s[role]").count() == 0
    expect(page.locator('[id="c-2.1.3-s2"]')).to_be_in_viewport()
    context.close()


def test_the_clause_page_is_one_stop_and_a_chinese_sentence_links_to_itself(page, library):
    page.goto(SEED + "2.1.3/")
    expect(page.locator(".clause-versions .s[tabindex='0']")).to_have_count(1)
    second = page.locator('.clause-version[data-version="zh-hans"] span.s').nth(1)
    second.click()
    assert page.url.endswith("/2.1.3/#c-2.1.3-s2"), page.url
    expect(page.locator('.clause-version[data-version="en"] span.s.lit')).not_to_have_count(0)
