"""What only a real browser shows: panes side by side or stacked, the version picker's script,
the :target highlight, keyboard-operable notes, and the permalink page's citation and copy buttons.

Runs headless Debian Chromium against the live server with the real corpus; conftest.py skips
every test, saying why, when /usr/bin/chromium is missing.
"""
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import expect

READER = "/guofa-2015-40/"
HIGHLIGHT = "rgb(255, 241, 199)"  # --accent-soft, the :target background
# `make screenshots` points this at docs/screenshots/ to refresh the README's pictures.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", Path(settings.BASE_DIR) / "var" / "screenshots"))
PHONE = {"width": 375, "height": 812}


def row(page, ref):
    """The reader row of one clause (an id selector would need its dots escaped)."""
    return page.locator(f'section.row[id="c-{ref}"]')


def cell(page, ref, version):
    return row(page, ref).locator(f'.cell[data-version="{version}"]')


def background(locator):
    return locator.evaluate("element => getComputedStyle(element).backgroundColor")


def test_reader_shows_chinese_left_and_english_right_and_switching_versions_updates_the_url_and_panes(page):
    page.goto(READER)

    cells = row(page, "2.1.3").locator(".cell")
    expect(cells).to_have_count(2)
    chinese, english = cells.nth(0), cells.nth(1)
    expect(chinese).to_have_attribute("data-version", "zh-hans")
    expect(chinese).to_have_attribute("lang", "zh-Hans")
    expect(chinese.locator(".text")).to_have_text(re.compile(r"^3\.发展开放式创新"))
    expect(english).to_have_attribute("data-version", "en")
    expect(english).to_have_attribute("lang", "en")
    expect(english.locator(".text")).to_have_text(re.compile(r"^3\. Developing open innovation"))
    chinese_box, english_box = chinese.bounding_box(), english.bounding_box()
    assert chinese_box["x"] + chinese_box["width"] <= english_box["x"]
    assert abs(chinese_box["y"] - english_box["y"]) < 1  # level: the same grid row

    page.locator('form[data-picker] input[name="v"][value="en-mt"]').check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"\?v="))

    assert urlsplit(page.url).query == "v=zh-hans,en,en-mt"
    three = row(page, "3.1.1").locator(".cell")
    expect(three).to_have_count(3)
    expect(three.nth(2)).to_have_attribute("data-version", "en-mt")
    expect(three.nth(2).locator(".text")).to_have_text(
        re.compile(r"^1\. Consolidate the network foundation\.")
    )
    expect(cell(page, "2.1.1", "en-mt")).to_have_text(
        "Not in English (machine): its source does not cover this clause."
    )
    expect(page.locator('input[name="v"][value="en-mt"]')).to_be_checked()


def test_following_a_clause_ref_opens_its_permalink_with_citation_and_back_link(page):
    page.goto(READER)

    row(page, "2.1.3").locator("a.ref").click()
    page.wait_for_url("**/guofa-2015-40/2.1.3/")

    assert urlsplit(page.url).path == "/guofa-2015-40/2.1.3/"
    permalink = page.url
    versions = page.locator("article.clause-version")
    expect(versions).to_have_count(4)
    assert [versions.nth(i).get_attribute("data-version") for i in range(4)] == [
        "zh-hans", "zh-hant", "en", "en-mt"
    ]
    expect(versions.nth(0)).to_contain_text("3.发展开放式创新")
    expect(versions.nth(1)).to_contain_text("3.發展開放式創新")
    expect(versions.nth(2)).to_contain_text("3. Developing open innovation")
    expect(versions.nth(3)).to_contain_text("Not in English (machine)")
    expect(page.locator("nav.breadcrumb li")).to_have_text(
        ["Documents", "国发〔2015〕40号", "Part 2", "Section 2.1", "Clause 2.1.3"]
    )
    expect(page.locator("a[rel=prev]")).to_have_text("← 2.1.2")
    expect(page.locator("a[rel=prev]")).to_have_attribute("href", "/guofa-2015-40/2.1.2/")
    expect(page.locator("a[rel=next]")).to_have_text("2.2 →")
    expect(page.locator("a[rel=next]")).to_have_attribute("href", "/guofa-2015-40/2.2/")
    for cite in ("#cite-en", "#cite-zh", "#cite-bibtex"):
        expect(page.locator(f"pre{cite}")).to_contain_text(permalink)
        expect(page.locator(f"pre{cite}")).to_contain_text("国发〔2015〕40号")
    expect(page.locator("pre#cite-en")).to_contain_text("clause 2.1.3")
    expect(page.locator("pre#cite-zh")).to_contain_text("第2.1.3条")
    # localhost is a secure context, so the clipboard exists and copy.js reveals the buttons.
    expect(page.locator("button.copy")).to_have_count(3)
    for button in page.locator("button.copy").all():
        expect(button).to_be_visible()

    page.get_by_role("link", name="Read in context").click()
    page.wait_for_url("**/guofa-2015-40/?v=*#c-2.1.3")

    expect(row(page, "2.1.3")).to_be_in_viewport()
    assert background(row(page, "2.1.3")) == HIGHLIGHT


def test_copy_button_puts_the_english_citation_on_the_clipboard(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(READER + "2.1.3/")

    button = page.locator('button.copy[data-copy="cite-en"]')
    button.click()

    expect(button).to_have_text("Copied")
    clipboard = page.evaluate("navigator.clipboard.readText()")
    assert clipboard == page.locator("pre#cite-en").text_content()
    assert "国发〔2015〕40号" in clipboard


def test_arriving_at_a_clause_anchor_highlights_that_row(page):
    page.goto(READER + "#c-2.1.3")

    target = row(page, "2.1.3")
    expect(target).to_be_in_viewport()
    assert background(target) == HIGHLIGHT
    assert background(row(page, "2.1.2")) != HIGHLIGHT
    # The sticky pane labels must not cover the ref or the first line of the clause.
    for start in (target.locator("a.ref"), cell(page, "2.1.3", "zh-hans").locator(".text")):
        box = start.bounding_box()
        shown = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('section.row')?.id",
            [box["x"] + 2, box["y"] + 2],
        )
        assert shown == "c-2.1.3"


def test_a_note_marker_opens_with_the_keyboard_and_shows_the_translation_note(page):
    page.goto(READER)
    english_notes = cell(page, "2.2", "en").locator("details.notes")
    marker = english_notes.locator("summary")
    note = english_notes.locator("li.note-translation")
    # Its name holds what it shows (†, read as words), not a different label.
    expect(marker).not_to_have_attribute("aria-label", re.compile("."))
    expect(marker).to_have_accessible_name("Notes: 1 translation note")
    expect(note).to_be_hidden()

    # Tab order in a row: the ref link, the clause's sentences (one stop), the Chinese notes,
    # then the English notes.
    row(page, "2.2").locator("a.ref").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(marker).to_be_focused()
    page.keyboard.press("Enter")

    expect(note).to_be_visible()
    expect(note).to_contain_text("Section (二) of Part II is labelled “(1)” in this translation")

    page.keyboard.press("Enter")
    expect(note).to_be_hidden()


def test_on_a_375px_phone_the_panes_stack_and_nothing_scrolls_sideways(page):
    page.set_viewport_size(PHONE)
    page.goto(READER + "?v=zh-hans,en,en-mt")

    chinese = cell(page, "3.1.1", "zh-hans").bounding_box()
    english = cell(page, "3.1.1", "en").bounding_box()
    machine = cell(page, "3.1.1", "en-mt").bounding_box()
    assert english["y"] >= chinese["y"] + chinese["height"]
    assert machine["y"] >= english["y"] + english["height"]
    assert abs(english["x"] - chinese["x"]) < 1
    # Stacked cells carry their version's label, drawn by CSS as the pane headings are hidden.
    label = cell(page, "3.1.1", "en-mt").evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"English (machine)"'
    expect(page.locator(".row-head")).to_be_hidden()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_clause_permalink_page_fits_a_375px_phone_without_sideways_scrolling(page):
    page.set_viewport_size(PHONE)
    page.goto(READER + "2.1.3/")

    expect(page.locator("pre#cite-bibtex")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_chinese_text_is_drawn_with_the_cjk_serif_fonts(page):
    """Missing CJK fonts show as boxes in screenshots; ask Chromium which font it really used."""
    page.goto(READER + "?v=zh-hans,zh-hant")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    document = cdp.send("DOM.getDocument")["root"]["nodeId"]

    def fonts_used(selector):
        node = cdp.send("DOM.querySelector", {"nodeId": document, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {font["familyName"] for font in fonts}

    assert "Noto Serif CJK SC" in fonts_used('[id="c-2.1.3"] .cell[data-version="zh-hans"] .text')
    assert "Noto Serif CJK TC" in fonts_used('[id="c-2.1.3"] .cell[data-version="zh-hant"] .text')


@pytest.mark.parametrize("width", [1280, 375])
def test_screenshot_of_an_anchored_clause_is_saved_for_review(page, width):
    """Not a visual diff: for a person to look at (var/screenshots/, gitignored), and, through
    `make screenshots`, the README's two pictures."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900 if width > 375 else PHONE["height"]})
    page.goto(READER + "?v=zh-hans,en#c-2.1.3-s2")
    expect(row(page, "2.1.3")).to_be_in_viewport()

    path = SCREENSHOTS / f"reader-c-2.1.3-{width}px.png"
    page.screenshot(path=path)

    assert path.stat().st_size > 10_000
