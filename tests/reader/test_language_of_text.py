"""Every piece of text on every page is marked with its language: no Chinese under an English
``lang`` and no English under a Chinese one, text nodes and the attributes a screen reader reads
(aria-label, title, placeholder) alike, so a screen reader speaks each with the right voice and
the browser draws it in the right font. The library holds the seed and the three reports, as
``manage.py ingest`` leaves it, with a search index of them.

What counts as Chinese or English text, and why refs, codes and capitals are left out, is said in
tests/reader/language_of_text.py.
"""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reader.templatetags.language_tags import zh_spans
from search.services import rebuild_search_index

from language_of_text import HAN, chinese_under_english, english_under_chinese, misplaced, texts_of

REPORTS = ("gwr-2016", "gwr-2019", "gwr-2020")
SEED = "guofa-2015-40"
ZH = "%E4%BA%92%E8%81%94%E7%BD%91"  # 互联网

PAGES = {
    "library": "/",
    "library filtered by issuer": "/?issuer=%E5%9B%BD%E5%8A%A1%E9%99%A2",
    "seed reader, every version, notes open": f"/{SEED}/?v=zh-hans,zh-hant,en,en-mt&variants=1",
    "seed reader, machine translation only": f"/{SEED}/?v=zh-hans,en-mt&variants=1",
    **{f"{slug} reader, notes open": f"/{slug}/?v=zh-hans,zh-hant,en&variants=1" for slug in REPORTS},
    "seed reader with pinyin": f"/{SEED}/?v=zh-hans,zh-hant,en&pinyin=1&variants=1",
    "seed clause": f"/{SEED}/2.1.3/?variants=1",
    "report clause with pinyin": "/gwr-2019/3.1/?pinyin=1",
    "seed clause a version lacks": f"/{SEED}/3/?variants=1",
    "report clause": "/gwr-2019/3.1/?variants=1",
    "search in Chinese": f"/search/?q={ZH}",
    "search in English": "/search/?q=cloud+computing",
    "search in one document's part": f"/search/?q={ZH}&document={SEED}&part=1",
    "search finding nothing": "/search/?q=manufacturng",
    "concordance in Chinese": f"/{SEED}/concordance/?q=%E4%BC%97%E5%88%9B%E7%A9%BA%E9%97%B4",
    "concordance in English": f"/{SEED}/concordance/?q=cloud+computing",
    "library concordance": f"/concordance/?q={ZH}",
    "library concordance in English": "/concordance/?q=innovation",
    "glossary": f"/{SEED}/glossary/",
    "report glossary": "/gwr-2020/glossary/",
    "library glossary": "/glossary/",
    "checks of the translation": f"/{SEED}/checks/?target=en",
    "checks of the machine translation": f"/{SEED}/checks/?target=en-mt",
    "checks of a report": "/gwr-2019/checks/?target=en",
    "compare": f"/{SEED}/2.1.3/compare/",
    "report compare": "/gwr-2019/3.1/compare/",
    "404": "/no-such-document/1/",
}


@pytest.fixture(scope="module")
def shelved(shelved, django_db_blocker):
    """The library (tests/conftest.py) and a search index of it, for the search pages."""
    with django_db_blocker.unblock():
        rebuild_search_index()
    yield


def page(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404), url
    return response.content.decode()


def report(problems):
    return "\n".join(str(p) for p in problems[:15]) + (f"\n… {len(problems)} in all" if problems else "")


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_every_text_and_read_attribute_of_the_page_is_in_the_language_its_lang_says(client, library, url):
    html = page(client, url)
    problems = misplaced(html)
    assert problems == [], report(problems)


def test_the_import_form_and_preview_mark_their_chinese(client, library, settings, tmp_path,
                                                         django_user_model):
    settings.IMPORTS_DIR = tmp_path / "documents"
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    client.force_login(django_user_model.objects.create_user("editor", password="x" * 20, is_staff=True))
    form = page(client, "/import/")
    assert misplaced(form) == [], report(misplaced(form))
    files = settings.LIBRARY_DIR / "gwr-2020"
    response = client.post("/import/", {
        "chinese_script": "zh-Hans", "english_label": "English", "slug": "gwr-2020-again",
        "issuer": "国务院", "date": "2020-05-22", "number": "", "title": "", "genre": "report",
        "chinese": SimpleUploadedFile("zh.txt", (files / "zh.txt").read_bytes(), "text/plain"),
        "english": SimpleUploadedFile("en.txt", (files / "en.txt").read_bytes(), "text/plain")})
    assert response.status_code == 302, response.content.decode()[:500]
    preview = page(client, response["Location"])
    assert "Paragraph alignment" in preview
    assert misplaced(preview) == [], report(misplaced(preview))


def test_the_readers_notes_and_badges_are_english_inside_a_chinese_cell(client, library):
    html = page(client, f"/{SEED}/?v=zh-hans,zh-hant,en,en-mt&variants=1")
    notes = [t for t in texts_of(html) if "note" in t.path or "badge" in t.path or "summary" in t.path]
    # The seed's Chinese cells carry many repair notes and the traditional text many badges.
    assert len([t for t in notes if t.text.strip() == "converted"]) > 50
    assert len([t for t in notes if t.path.endswith("span.note-kind")]) > 100
    assert {t.lang for t in notes if not HAN.search(t.text)} == {"en"}


def test_a_checks_reason_names_its_chinese_term_in_a_chinese_span(client, library):
    html = page(client, f"/{SEED}/checks/?target=en-mt")
    assert '<span lang="zh-Hans">网信办</span> is rendered “Internet Information Office” here' in html


def test_the_search_offers_versions_and_parts_each_in_one_language(client, library):
    html = page(client, f"/search/?q={ZH}&document={SEED}")
    assert '<option value="zh-hans" lang="zh-Hans">简体中文</option>' in html
    assert '<option value="en" lang="en">English</option>' in html
    assert '<option value="1" lang="zh-Hans">一、行动要求</option>' in html
    assert re.search(r'<p class="result-count" role="status">\d+ clauses match “<span lang="zh-Hans">互联网</span>”',
                     html)


def test_the_search_boxes_are_two_named_landmarks_and_no_placeholder_mixes_languages(client, library):
    html = page(client, f"/search/?q={ZH}")
    labels = re.findall(r'<form [^>]*role="search"[^>]*aria-label="([^"]+)"', html)
    assert labels == ["Search the library", "Search with filters"]
    for attribute in ("placeholder",):
        for value in re.findall(rf'{attribute}="([^"]*)"', html):
            assert not re.search(r"[\u4e00-\u9fff]", value), value


def test_a_translation_source_that_holds_the_chinese_original_is_read_as_chinese(client, library):
    """The 2019 report's English source carries Chinese paragraphs, kept as found with a note."""
    html = page(client, "/gwr-2019/?v=zh-hans,en")
    english_cells = re.findall(r'<div class="cell" data-version="en".*?</div>', html, re.S)
    chinese_in_english = [c for c in english_cells if "六是统筹城乡区域发展" in c]
    assert chinese_in_english
    assert re.search(r'<span class="s[^"]*" data-s="[^"]*"[^>]* lang="zh-Hans">六是统筹城乡区域发展',
                     chinese_in_english[0])
    assert chinese_under_english(html) == [] and english_under_chinese(html) == []


def test_mixed_text_is_escaped_before_its_chinese_is_marked():
    marked = zh_spans('<script>alert("网信办")</script> & 網絡 R&D')
    assert marked == ('&lt;script&gt;alert(&quot;<span lang="zh-Hans">网信办</span>&quot;)&lt;/script&gt; '
                      '&amp; <span lang="zh-Hant">網絡</span> R&amp;D')


def test_the_checker_finds_english_under_chinese_and_chinese_under_english():
    """The checker itself can fail: the markup this issue found on the pages is flagged."""
    html = ('<html lang="en"><body><div class="cell" lang="zh-Hans"><details class="notes">'
            '<summary aria-label="3 notes">≠✎2</summary><li>repair 001 line 1</li></details>'
            '<span class="badge">GDP 5G 2.1.3 s2</span></div>'
            '<input placeholder="众创空间, 網絡安全, cloud computing…"><td>网信办 is rendered</td></body></html>')
    found = [(t.where, t.text) for t in misplaced(html)]
    assert found == [("placeholder", "众创空间, 網絡安全, cloud computing…"), ("text", "网信办 is rendered"),
                     ("aria-label", "3 notes"), ("text", "repair 001 line 1")]


HOSTILE = ['<script>alert("国")</script> 互联网+ & <b>粗</b>', "a < b > c 国务院 \"quoted\" 'single'",
           "&amp; &lt; 國務院 &#x4e2d; <span lang=en>网</span>", "<!-- 注释 --> ]]> <![CDATA[ 中 ]]>",
           "\u00a0\u3000国\ufeff", "国发〔2015〕40号 and 2015年7月1日 互联网+", ""]


def test_zh_spans_is_exactly_what_a_bleach_pass_would_leave_of_it(library):
    """zh_spans builds its HTML from escaped pieces and one literal tag, with no sanitiser: on
    every text of the library a reader sees through it, and on hostile text, a bleach pass
    allowing only that tag changes nothing."""
    import bleach

    from reader.models import Finding, Note, Passage, Sentence

    texts = (HOSTILE + list(Passage.objects.values_list("text", flat=True))
             + list(Sentence.objects.values_list("text", flat=True))
             + list(Note.objects.values_list("body", flat=True))
             + list(Finding.objects.values_list("reason", flat=True)))
    assert len(texts) > 5000
    for text in texts:
        html = zh_spans(text)
        assert bleach.clean(html, tags={"span"}, attributes={"span": ["lang"]}, strip=True) == html, text
        assert "<script" not in html and "<b>" not in html
