"""Reading aids in the browser: pinyin that copies as plain text, and the compare page."""
from playwright.sync_api import expect


def test_pinyin_shows_over_the_chinese_and_copying_gives_the_plain_text(page):
    page.goto("/guofa-2015-40/?v=zh-hans,en&pinyin=1#c-2.1.3")
    cell = page.locator('section.row[id="c-2.1.3"] .cell[data-version="zh-hans"] .text')
    expect(cell.locator("rt").first).to_be_visible()
    copied = cell.evaluate("""el => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        return selection.toString();
    }""")
    assert copied.startswith("3.发展开放式创新。鼓励各类创新主体")
    assert not any(ch in copied for ch in "āáǎàēéěèīíǐìōóǒòūúǔù")


def test_the_picker_keeps_the_pinyin_toggle_in_the_url(page):
    page.goto("/guofa-2015-40/")
    page.check('input[name="pinyin"]')
    page.click("form[data-picker] button[type=submit]")
    page.wait_for_url("**pinyin=1**")
    assert page.url.endswith("?v=zh-hans,en&pinyin=1")
    expect(page.locator("rt").first).to_be_visible()
