"""Reading aids in the browser: pinyin that copies as plain text, is tagged as pinyin, legible and
left out of what a screen reader reads, and keeps the reader light; and the compare page."""
import pytest
from playwright.sync_api import expect

FOUR_VERSIONS = "/guofa-2015-40/?v=zh-hans,zh-hant,en,en-mt"
TITLE = "国务院关于积极推进“互联网+”行动的指导意见"
HAN = r"/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/gu"


def accessibility_tree_inside(page, selector):
    """(role, name, description) of each node Chromium's accessibility tree holds under an
    element, in order."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    found = cdp.send("Accessibility.queryAXTree", {"nodeId": node})["nodes"]
    return [(n["role"]["value"], n.get("name", {}).get("value", ""),
             n.get("description", {}).get("value", "")) for n in found if not n.get("ignored")]


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


def test_pinyin_is_tagged_as_pinyin_and_a_screen_reader_reads_the_title_once_without_it(page):
    page.goto(FOUR_VERSIONS + "&pinyin=1")
    assert page.locator("rt").count() > 5000
    assert page.locator('rt:not([lang="zh-Latn-pinyin"])').count() == 0
    title = 'section.row[id="c-title"] .cell[data-version="zh-hans"] .text'
    # Chromium's own accessibility tree: the characters, once, and no pinyin in any name or
    # description (Chromium makes an exposed rt the description of its ruby).
    tree = accessibility_tree_inside(page, title)
    assert "".join(name for role, name, _ in tree if role == "StaticText") == TITLE
    assert not any("guó" in name + description for _, name, description in tree)
    # Playwright's name computation (like axe's) would read the rt text inline if it were exposed.
    spoken = page.locator(title).aria_snapshot()
    assert "国务院" in spoken and "guó" not in spoken and "wù" not in spoken


@pytest.mark.parametrize("width", [1280, 375])
def test_pinyin_is_drawn_at_12px_or_more_on_desktop_and_phone(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(FOUR_VERSIONS + "&pinyin=1#c-2.1.3")
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll("rt"),
        rt => parseFloat(getComputedStyle(rt).fontSize))""")
    assert len(sizes) > 5000 and min(sizes) >= 12
    first = page.locator('section.row[id="c-2.1.3"] rt').first
    expect(first).to_be_visible()
    assert first.bounding_box()["height"] >= 12


def test_pinyin_adds_fewer_elements_than_the_chinese_characters_it_reads(page):
    """One rt per word (words average about two characters) and one ruby per run of words
    between punctuation: about 0.6 elements per character shown on this reader. Per-character
    ruby added two per character (63,404 elements in all), one ruby per word about one; a bound
    of one per character leaves room for text with shorter words, not for either of those."""
    count = "document.getElementsByTagName('*').length"
    page.goto(FOUR_VERSIONS)
    without = page.evaluate(count)
    page.goto(FOUR_VERSIONS + "&pinyin=1")
    with_pinyin = page.evaluate(count)
    characters = page.evaluate("""() => Array.from(
        document.querySelectorAll('.panes .cell[lang^="zh"] .text'),
        text => {
            const copy = text.cloneNode(true);
            copy.querySelectorAll("rt").forEach(rt => rt.remove());
            return (copy.textContent.match(%s) || []).length;
        }).reduce((a, b) => a + b, 0)""" % HAN)
    assert characters > 25000
    assert with_pinyin - without <= characters
    assert with_pinyin < 30000


@pytest.mark.parametrize("width", [1280, 375])
def test_a_clause_anchor_on_the_pinyin_reader_lands_on_its_clause(page, width):
    """Rows off screen are laid out only near the view (content-visibility), their heights
    guessed until then: arriving at an anchor must still show that clause at the top."""
    page.set_viewport_size({"width": width, "height": 900})
    for ref in ("2.1.3", "2.2", "3.5.2"):
        page.goto(FOUR_VERSIONS + f"&pinyin=1#c-{ref}")
        page.wait_for_timeout(500)
        top = page.locator(f'section.row[id="c-{ref}"]').evaluate("el => el.getBoundingClientRect().top")
        assert 0 <= top <= 120, (ref, top)
