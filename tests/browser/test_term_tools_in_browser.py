"""The translators' tools in a real browser: translation checks, compared renderings, the
concordance and the glossary, each followed back to the lit sentence in the reader, and each
fitting a 375 px phone.

Runs headless Debian Chromium against the live server with the real corpus; conftest.py skips
every test, saying why, when /usr/bin/chromium is missing.
"""
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import expect

DOC = "/guofa-2015-40/"
CHECKS = DOC + "checks/?target=en-mt"
COMPARE = DOC + "3.2.1/compare/"
CONCORDANCE = DOC + "concordance/"
GLOSSARY = DOC + "glossary/"
LIT = re.compile(r"\blit\b")
PHONE = {"width": 375, "height": 812}
# `make screenshots` points this at docs/screenshots/; otherwise var/screenshots/ (gitignored).
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", Path(settings.BASE_DIR) / "var" / "screenshots"))


def sentence(page, ref, version, n):
    """The n-th sentence (1-based) of one clause in one pane of the reader."""
    cell = page.locator(f'section.row[id="c-{ref}"] .cell[data-version="{version}"]')
    return cell.locator("span.s").nth(n - 1)


def style(locator, prop):
    return locator.evaluate(f"element => getComputedStyle(element).{prop}")


def renderings_of(page, slug):
    """The renderings summary of one version on a concordance page (its <dd>)."""
    dts = page.locator(".renderings dt")
    slugs = [code.text_content() for code in dts.locator("code").all()]
    return page.locator(".renderings dd").nth(slugs.index(slug))


# --- translation checks ------------------------------------------------------------------------

def test_the_checks_page_counts_its_findings_and_lists_each_in_the_table(page):
    page.goto(CHECKS)

    expect(page.get_by_role("heading", level=1)).to_have_text("Translation checks: English (machine) en-mt")
    status = page.get_by_role("status")
    expect(status).to_have_text(re.compile(r"^\d+ findings: .*\bomission\b"))
    total = int(re.match(r"\d+", status.text_content()).group())
    expect(page.locator("table.findings tbody tr")).to_have_count(total)
    expect(page.locator("table.findings thead th")).to_have_text(["Clause", "Sentence", "Check", "Reason"])
    omission = page.locator("tr.finding-omission").filter(has_text="3.5.2")
    expect(omission.locator("td")).to_have_text(
        ["3.5.2", "s4", "omission", re.compile(r"^the responsibility line “（教育部.*）” has no rendering")]
    )
    # The omissions stand out from the other checks.
    artefact = page.locator("tr.finding-artefact td:nth-child(3)").first
    assert style(omission.locator("td:nth-child(3)"), "color") != style(artefact, "color")


def test_following_an_omission_from_the_checks_lands_on_the_lit_sentence_beside_the_machine_translation(page):
    page.goto(CHECKS)
    omission = page.locator("tr.finding-omission").filter(has_text="3.5.2")

    omission.get_by_role("link", name="s4").click()
    page.wait_for_url("**/guofa-2015-40/?v=*#c-3.5.2-s4")

    assert parse_qs(urlsplit(page.url).query)["v"] == ["zh-hans,en-mt"]
    omitted = sentence(page, "3.5.2", "zh-hans", 4)
    expect(omitted).to_have_class(LIT)
    expect(omitted).to_have_class(re.compile(r"\bgap\b"))
    expect(omitted).to_contain_text("负责")
    expect(omitted).to_be_in_viewport()
    machine = page.locator('section.row[id="c-3.5.2"] .cell[data-version="en-mt"]')
    expect(machine).to_be_visible()
    expect(machine).to_contain_text(re.compile(r"\w"))
    expect(page.locator('form[data-picker] input[name="v"][value="en-mt"]')).to_be_checked()
    # Nothing in the machine translation renders the line, so nothing there lights up with it.
    expect(machine.locator("span.s.lit")).to_have_count(0)


# --- compare renderings ------------------------------------------------------------------------

def test_compare_shows_the_chinese_then_both_renderings_one_above_the_other_and_a_word_diff(page):
    page.goto(COMPARE)

    expect(page.get_by_role("heading", level=1)).to_have_text("Compare the renderings of 3.2.1")
    first = page.locator("li.comparison").first
    expect(first).to_have_attribute("id", "c-3.2.1-s1")
    expect(first.locator(".comparison-source")).to_have_text("s1 1.加强创新能力建设。")
    renderings = first.locator(".comparison-rendering")
    expect(renderings).to_have_text([
        "en 1. Strengthening the construction of innovation capabilities.",
        "en-mt 1. Strengthen innovation capacity building.",
    ])
    source, en, mt = (first.locator(".comparison-source").bounding_box(),
                      renderings.nth(0).bounding_box(), renderings.nth(1).bounding_box())
    assert source["y"] + source["height"] <= en["y"]
    assert en["y"] + en["height"] <= mt["y"]
    assert abs(en["x"] - mt["x"]) < 1

    diff = first.locator(".comparison-diff")
    expect(diff.locator("del")).to_have_text(["Strengthening the construction of", "capabilities."])
    expect(diff.locator("ins")).to_have_text(["Strengthen", "capacity building."])
    removed, added = diff.locator("del").first, diff.locator("ins").first
    expect(removed).to_be_visible()
    expect(added).to_be_visible()
    transparent = "rgba(0, 0, 0, 0)"
    assert style(removed, "backgroundColor") not in (transparent, style(added, "backgroundColor"))
    assert style(added, "backgroundColor") != transparent
    assert "line-through" in style(removed, "textDecorationLine")
    assert "line-through" not in style(added, "textDecorationLine")
    # The legend explains the two marks with the same colours.
    legend = page.locator(".legend")
    expect(legend.locator("del")).to_have_text("words only in en")
    assert style(legend.locator("del"), "backgroundColor") == style(removed, "backgroundColor")


# --- concordance -------------------------------------------------------------------------------

def test_typing_a_chinese_term_into_the_concordance_lists_its_lines_and_renderings(page):
    page.goto(CONCORDANCE)
    page.get_by_label("Term, in Chinese").fill("众创空间")
    page.get_by_role("button", name="Look up").click()
    page.wait_for_url(re.compile(r"\?q="))

    assert parse_qs(urlsplit(page.url).query)["q"] == ["众创空间"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Concordance of 众创空间")
    expect(page.get_by_label("Term, in Chinese")).to_have_value("众创空间")
    expect(page.locator("main").get_by_role("status")).to_have_text("4 occurrences in 简体中文.")
    lines = page.locator("li.kwic-line")
    expect(lines).to_have_count(4)
    expect(lines.locator(".kwic-source mark")).to_have_text(["众创空间"] * 4)
    expect(lines.nth(1).locator(".kwic-source")).to_have_text(re.compile(r"^2\.1\.2 s1\s+2\.积极发展众创空间。$"))
    expect(renderings_of(page, "en")).to_have_text(re.compile(r"^\s*mass creation spaces ×4\s*$"))
    # Each line shows the English sentence aligned with it, the rendering marked.
    expect(lines.locator('.kwic-aligned mark.rendering')).to_have_text(["mass creation spaces"] * 4)


def test_on_a_wide_screen_the_term_stands_in_one_column_down_the_concordance(page):
    page.goto(CONCORDANCE + "?q=众创空间")
    marks = page.locator("li.kwic-line .kwic-source mark")
    expect(marks).to_have_count(4)
    lefts = [marks.nth(i).bounding_box()["x"] for i in range(4)]
    assert max(lefts) - min(lefts) < 1, lefts

    page.goto(CONCORDANCE + "?q=mass creation spaces")
    marks = page.locator("li.kwic-line .kwic-source mark")
    expect(marks).to_have_count(4)
    lefts = [marks.nth(i).bounding_box()["x"] for i in range(4)]
    assert max(lefts) - min(lefts) < 1, lefts
    # The English context keeps its word space before the term.
    line = page.locator("li.kwic-line").filter(has_text="2.1.2 s1").locator(".kwic-source")
    left_end = line.locator(".kwic-left").evaluate("""el => {
        const text = el.firstChild, r = document.createRange();
        r.setStart(text, 0);
        r.setEnd(text, text.data.trimEnd().length);  // to the last letter, not the space
        const rects = r.getClientRects();
        return rects[rects.length - 1].right;
    }""")
    assert line.locator("mark").bounding_box()["x"] - left_end >= 2


def test_following_a_concordance_line_lands_on_the_lit_sentence_in_the_reader(page):
    page.goto(CONCORDANCE + "?q=众创空间")

    page.locator("a.kwic-ref", has_text="2.1.2 s2").click()
    page.wait_for_url("**/guofa-2015-40/?v=*#c-2.1.2-s2")

    zh = sentence(page, "2.1.2", "zh-hans", 2)
    expect(zh).to_have_class(LIT)
    expect(zh).to_contain_text("众创空间")
    expect(zh).to_be_in_viewport()
    english = page.locator('section.row[id="c-2.1.2"] .cell[data-version="en"] span.s.lit')
    expect(english).to_have_count(1)
    expect(english).to_contain_text("mass creation spaces")


def test_an_english_term_in_the_concordance_shows_the_chinese_it_renders_with_the_term_marked(page):
    page.goto(CONCORDANCE)
    page.get_by_label("Term, in Chinese").fill("mass creation spaces")
    page.get_by_label("Term, in Chinese").press("Enter")
    page.wait_for_url(re.compile(r"\?q=mass"))

    lines = page.locator("li.kwic-line")
    expect(lines).to_have_count(4)
    expect(lines.locator(".kwic-source mark")).to_have_text(["mass creation spaces"] * 4)
    chinese = lines.locator(".kwic-aligned mark.rendering")
    expect(chinese).to_have_text(["众创空间"] * 4)
    expect(lines.first.locator('.kwic-aligned span[lang="zh-Hans"]')).to_contain_text("大力发展众创空间")
    expect(page.locator("#renderings-heading")).to_have_text("Chinese terms rendered, per version")
    expect(renderings_of(page, "en")).to_have_text(re.compile(r"^\s*众创空间 ×4\s*$"))
    expect(renderings_of(page, "en-mt")).to_have_text(re.compile(r"^\s*no occurrences\s*$"))

    page.locator("a.kwic-ref", has_text="2.1.0 s1 en").click()
    page.wait_for_url("**#c-2.1.0-s1")
    zh = sentence(page, "2.1.0", "zh-hans", 1)
    expect(zh).to_have_class(LIT)
    expect(zh).to_contain_text("众创空间")


# --- glossary ----------------------------------------------------------------------------------

def test_the_glossary_flags_a_term_rendered_in_more_than_one_way(page):
    page.goto(GLOSSARY)

    expect(page.get_by_role("heading", level=1)).to_have_text("Glossary")
    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"^\d+ terms; \d+ rendered in more than one way"))
    total, flagged = map(int, re.findall(r"\d+", status.text_content())[:2])
    expect(page.locator("table.glossary tbody tr")).to_have_count(total)
    expect(page.locator("table.glossary tbody tr.inconsistent")).to_have_count(flagged)

    row = page.locator('tr.inconsistent[id^="term-"]').filter(has_text="大众创业、万众创新")
    english = row.locator("td").nth(1)  # after the count: the published English translation
    expect(english.locator(".flag")).to_have_text("3 renderings")
    expect(english.locator(".flag")).to_be_visible()
    expect(english.locator("ul.uses li a")).to_have_count(3)
    assert style(row, "boxShadow") != "none"  # the bar down the flagged row
    consistent = page.locator("tr.term:not(.inconsistent)").filter(has_text="众创空间")
    expect(consistent.locator(".flag")).to_have_count(0)
    expect(consistent.locator("td").nth(1)).to_have_text(re.compile(r"^\s*mass creation spaces ×4\s*$"))


def test_show_only_those_keeps_the_flagged_terms_and_show_all_brings_back_the_rest(page):
    page.goto(GLOSSARY)
    status = page.get_by_role("status")
    expect(status).to_contain_text("rendered in more than one way")
    total, flagged = map(int, re.findall(r"\d+", status.text_content())[:2])

    page.get_by_role("link", name="Show only those").click()
    page.wait_for_url("**/glossary/?inconsistent=1")

    rows = page.locator("table.glossary tbody tr")
    expect(rows).to_have_count(flagged)
    expect(page.locator("table.glossary tbody tr:not(.inconsistent)")).to_have_count(0)
    for row in rows.all():
        expect(row.locator(".flag").first).to_have_text(re.compile(r"^\d+ renderings$"))

    page.get_by_role("link", name="show all").click()
    page.wait_for_url(re.compile(r"/glossary/$"))
    expect(rows).to_have_count(total)


def test_clicking_a_glossary_term_opens_its_concordance(page):
    page.goto(GLOSSARY)
    row = page.locator("tr.term").filter(has=page.get_by_role("link", name="征信", exact=True))
    count = int(row.locator("td.count").text_content())

    row.get_by_role("link", name="征信", exact=True).click()
    page.wait_for_url(re.compile(r"/concordance/\?q="))

    assert parse_qs(urlsplit(page.url).query)["q"] == ["征信"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Concordance of 征信")
    lines = page.locator("li.kwic-line")
    expect(lines).to_have_count(count)
    expect(lines.locator(".kwic-source mark")).to_have_text(["征信"] * count)
    expect(page.locator(".term-info")).to_contain_text("credit reporting")


# --- phones and screenshots ----------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    CHECKS, COMPARE, CONCORDANCE + "?q=众创空间", CONCORDANCE + "?q=mass creation spaces", GLOSSARY,
], ids=["checks", "compare", "concordance-zh", "concordance-en", "glossary"])
def test_each_term_tool_fits_a_375px_phone_without_sideways_scrolling(page, url):
    page.set_viewport_size(PHONE)
    page.goto(url)

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


def test_on_a_375px_phone_each_glossary_cell_says_which_version_it_is(page):
    page.set_viewport_size(PHONE)
    page.goto(GLOSSARY)

    expect(page.locator("table.glossary thead")).to_be_hidden()
    row = page.locator("tr.term").filter(has_text="众创空间")
    labels = [cell.evaluate("el => getComputedStyle(el, '::before').content") for cell in row.locator("td").all()]
    assert labels == ['"In the original: "', '"English (en)"', '"English (machine) (en-mt)"']
    box = row.locator("td").nth(1).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.parametrize("name, url", [
    ("concordance", CONCORDANCE + "?q=網絡安全"),
    ("glossary", GLOSSARY),
])
def test_screenshot_of_a_term_tool_is_saved_for_review(page, name, url):
    """Not a visual diff: for a person to look at (var/screenshots/, gitignored, unless
    SCREENSHOTS_DIR says where)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    path = SCREENSHOTS / f"{name}-1280px.png"
    page.screenshot(path=path)

    assert path.stat().st_size > 10_000
