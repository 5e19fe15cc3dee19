"""Sentence alignment as a reader meets it: counterparts light up, anchors, omissions marked."""
import re

from playwright.sync_api import expect

READER = "/guofa-2015-40/"


def sentence(page, ref, version, n):
    cell = page.locator(f'section.row[id="c-{ref}"] .cell[data-version="{version}"]')
    return cell.locator("span.s").nth(n - 1)


def test_hovering_a_chinese_sentence_lights_its_english_rendering_and_nothing_else(page):
    page.goto(READER)
    zh = sentence(page, "2.1.3", "zh-hans", 2)
    en = sentence(page, "2.1.3", "en", 2)
    other = sentence(page, "2.1.3", "en", 3)
    zh.hover()
    expect(zh).to_have_class(re.compile(r"\blit\b"))
    expect(en).to_have_class(re.compile(r"\blit\b"))
    expect(other).not_to_have_class(re.compile(r"\blit\b"))


def test_focusing_an_english_sentence_with_the_keyboard_lights_the_chinese_it_renders(page):
    page.goto(READER)
    chinese = page.locator('section.row[id="c-2.1.0"] .cell[data-version="zh-hans"] span.s')
    chinese.last.focus()
    page.keyboard.press("ArrowRight")  # from the last Chinese sentence to the first English one
    en = sentence(page, "2.1.0", "en", 1)
    expect(en).to_be_focused()
    expect(sentence(page, "2.1.0", "zh-hans", 1)).to_have_class(re.compile(r"\blit\b"))


def test_clicking_a_sentence_puts_its_anchor_in_the_url(page):
    page.goto(READER)
    sentence(page, "2.1.3", "en", 3).click()
    assert page.url.endswith("#c-2.1.3-s3")


def test_arriving_at_a_sentence_anchor_lights_both_sides(page):
    page.goto(READER + "#c-2.1.3-s2")
    zh = sentence(page, "2.1.3", "zh-hans", 2)
    expect(zh).to_have_attribute("id", "c-2.1.3-s2")
    expect(zh).to_have_class(re.compile(r"\blit\b"))
    expect(sentence(page, "2.1.3", "en", 2)).to_have_class(re.compile(r"\blit\b"))
    expect(zh).to_be_in_viewport()


def test_a_sentence_the_machine_translation_leaves_out_is_marked_as_an_omission(page):
    page.goto(READER + "?v=zh-hans,en-mt")
    omitted = sentence(page, "3.5.2", "zh-hans", 4)  # its responsibility line: absent from 003
    expect(omitted).to_have_class(re.compile(r"\bgap\b"))
    marker = omitted.evaluate("el => getComputedStyle(el, '::after').content")
    assert "∅" in marker
    expect(sentence(page, "3.5.2", "zh-hans", 3)).not_to_have_class(re.compile(r"\bgap\b"))


def test_two_english_versions_without_the_chinese_still_light_each_other(page):
    page.goto(READER + "?v=en,en-mt")
    en = sentence(page, "3.1.1", "en", 2)
    en.hover()
    expect(sentence(page, "3.1.1", "en-mt", 2)).to_have_class(re.compile(r"\blit\b"))
    expect(sentence(page, "3.1.1", "en-mt", 3)).not_to_have_class(re.compile(r"\blit\b"))
