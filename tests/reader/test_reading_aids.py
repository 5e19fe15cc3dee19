"""Reading aids: pinyin over the Chinese, variants shown open, and renderings compared."""
import re

from reader.pinyin import ruby, spell, words
from reader.reading import word_diff

PINYIN = '<rt lang="zh-Latn-pinyin" aria-hidden="true">'


def test_pinyin_reads_heteronyms_by_their_phrase_in_either_script():
    assert [p for _, p in ruby("银行行业发展")] == ["yín", "háng", "háng", "yè", "fā", "zhǎn"]
    assert [p for _, p in ruby("銀行行業")] == ["yín", "háng", "háng", "yè"]
    assert ruby("互联网+。")[3:] == (("+", ""), ("。", ""))


def test_the_pinyin_toggle_puts_ruby_over_the_chinese_only_and_stays_in_links(client, ingested):
    plain = client.get("/guofa-2015-40/2.1.3/").content.decode()
    assert "<ruby>" not in plain
    page = client.get("/guofa-2015-40/2.1.3/?pinyin=1").content.decode()
    assert '发展<rt lang="zh-Latn-pinyin" aria-hidden="true">fāzhǎn</rt>' in page
    english = page.split('data-version="en"')[1].split("</article>")[0]
    assert "<ruby>" not in english
    assert "?v=zh-hans,en&pinyin=1#c-2.1.3" in page.replace("&amp;", "&")
    reader = client.get("/guofa-2015-40/?pinyin=1").content.decode()
    assert reader.count("<rt ") > 5000 and 'name="pinyin" value="1" checked' in reader


def test_pinyin_by_word_gives_every_character_the_reading_it_had_by_character():
    text = "中国银行认为重要的是行业发展和档案，以及工业和信息化部。"
    by_word = words(ruby(text))
    assert "".join(part for part, _ in by_word) == text
    assert [r for _, syllables in by_word for r in syllables] == [r for _, r in ruby(text) if r]
    assert ("银行", ("yín", "háng")) in by_word and ("重要", ("zhòng", "yào")) in by_word
    assert ("行业", ("háng", "yè")) in by_word and ("，", ()) in by_word
    # A long word is shown as the shorter words inside it, so no line break cuts its ruby.
    assert [part for part, _ in by_word][-5:] == ["工业", "和", "信息化", "部", "。"]


def test_a_word_s_pinyin_is_spelled_as_one_word_with_an_apostrophe_before_a_vowel():
    assert spell(("yín", "háng")) == "yínháng"
    assert spell(("dàng", "àn")) == "dàng'àn" and spell(("xī", "ān")) == "xī'ān"
    assert [spell(s) for _, s in words(ruby("銀行行業"))] == ["yínháng", "hángyè"]


def test_the_pinyin_reader_gives_each_word_its_pinyin_tagged_as_pinyin_and_hidden_from_screen_readers(
        client, ingested):
    page = client.get("/guofa-2015-40/?v=zh-hans,zh-hant,en,en-mt&pinyin=1").content.decode()
    annotations = re.findall(r"<rt\b[^>]*>", page)
    assert annotations and set(annotations) == {PINYIN}
    # A run of words between punctuation is one ruby, each word a base and its rt.
    assert f"<ruby>国务院{PINYIN}guówùyuàn</rt>关于{PINYIN}guānyú</rt>积极{PINYIN}jījí</rt>" in page
    assert f"<ruby>國務院{PINYIN}guówùyuàn</rt>關於{PINYIN}guānyú</rt>" in page
    assert f"推进{PINYIN}tuījìn</rt></ruby>“<ruby>互联网{PINYIN}hùliánwǎng</rt></ruby>+”" in page


def test_the_variants_toggle_opens_every_note_with_its_source_and_line(client, ingested):
    closed = client.get("/guofa-2015-40/3.5.2/").content.decode()
    opened = client.get("/guofa-2015-40/3.5.2/?variants=1").content.decode()
    assert '<details class="notes" lang="en" open>' not in closed
    assert '<details class="notes" lang="en" open>' in opened
    assert "002_97e1ecdbb18a24da.txt line 401 reads" in opened


def test_word_diff_marks_words_only_in_one_rendering():
    diff = word_diff("Strengthen the application foundation.", "Strengthening the basis for application.")
    assert ("same", "the") in diff
    assert ("first", "Strengthen") in diff and ("second", "Strengthening") in diff


def test_compare_page_shows_each_chinese_sentence_with_both_renderings_and_their_diff(client, ingested):
    page = client.get("/guofa-2015-40/3.1.3/compare/").content.decode()
    assert "3.做实产业基础。" in page
    assert "3. Creating a real industrial basis." in page and "(3) lay a solid industrial foundation." in page
    assert "<del>3. Creating</del> <ins>(3) lay</ins> a <del>real</del> <ins>solid</ins> industrial" in page
    assert 'id="c-3.1.3-s1"' in page


def test_compare_page_names_an_omission_and_a_clause_with_one_translation(client, ingested):
    omitted = client.get("/guofa-2015-40/3.5.2/compare/").content.decode()
    assert "no rendering (omitted)" in omitted
    single = client.get("/guofa-2015-40/2.1.1/compare/").content.decode()
    assert "nothing to compare it with" in single
    assert client.get("/guofa-2015-40/9.9/compare/").status_code == 404
