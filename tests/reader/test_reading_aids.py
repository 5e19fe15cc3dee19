"""Reading aids: pinyin over the Chinese, variants shown open, and renderings compared."""
import re

from reader.pinyin import ruby
from reader.reading import word_diff


def test_pinyin_reads_heteronyms_by_their_phrase_in_either_script():
    assert [p for _, p in ruby("银行行业发展")] == ["yín", "háng", "háng", "yè", "fā", "zhǎn"]
    assert [p for _, p in ruby("銀行行業")] == ["yín", "háng", "háng", "yè"]
    assert ruby("互联网+。")[3:] == (("+", ""), ("。", ""))


def test_the_pinyin_toggle_puts_ruby_over_the_chinese_only_and_stays_in_links(client, ingested):
    plain = client.get("/guofa-2015-40/2.1.3/").content.decode()
    assert "<ruby>" not in plain
    page = client.get("/guofa-2015-40/2.1.3/?pinyin=1").content.decode()
    assert "<ruby>发<rt>fā</rt></ruby><ruby>展<rt>zhǎn</rt></ruby>" in page
    english = page.split('data-version="en"')[1].split("</article>")[0]
    assert "<ruby>" not in english
    assert "?v=zh-hans,en&pinyin=1#c-2.1.3" in page.replace("&amp;", "&")
    reader = client.get("/guofa-2015-40/?pinyin=1").content.decode()
    assert reader.count("<ruby>") > 10000 and 'name="pinyin" value="1" checked' in reader


def test_the_variants_toggle_opens_every_note_with_its_source_and_line(client, ingested):
    closed = client.get("/guofa-2015-40/3.5.2/").content.decode()
    opened = client.get("/guofa-2015-40/3.5.2/?variants=1").content.decode()
    assert '<details class="notes" open>' not in closed
    assert '<details class="notes" open>' in opened
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
