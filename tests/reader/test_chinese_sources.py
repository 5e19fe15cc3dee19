"""The simplified Chinese witnesses (000, 001, 002's Chinese half) and their collation."""

import pytest
from django.conf import settings

from reader.sources.base import DROPPED, REPAIR, VARIANT, SourceError
from reader.sources.chinese import normalise, numeral_value, parse_witness
from reader.sources.collate import collate
from reader.sources.corpus import build_corpus

SOURCES = settings.SOURCES_DIR
W000, W001, W002 = "000_a6d06f46de0d681d.txt", "001_a8d5c490817db3bf.txt", "002_97e1ecdbb18a24da.txt"


def source_text(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


def witness(name: str):
    options = {W001: {"layout_spaces": True}, W002: {"first_line": 194, "last_line": 425}}
    return parse_witness(source_text(name), name, **options.get(name, {}))


@pytest.fixture(scope="module")
def corpus():
    return build_corpus(SOURCES)


def refs_of(parsed, kind_prefix=""):
    return [r for r in parsed.passages if r.startswith(kind_prefix)]


def test_chinese_numerals_up_to_eleven_and_beyond_read_as_numbers():
    assert [numeral_value(n) for n in ("一", "九", "十", "十一", "二十", "二十三")] == [1, 9, 10, 11, 20, 23]


def test_the_complete_chinese_text_in_002_has_the_documents_structure():
    parsed = witness(W002)
    parts = [r for r in parsed.passages if r.isdigit()]
    sections = [r for r in parsed.passages if r.count(".") == 1 and not r.startswith("0.")]
    leads = [r for r in parsed.passages if r.endswith(".0")]
    items = lambda part, section: [r for r in parsed.passages if r.startswith(f"{part}.{section}.")
                                  and not r.endswith(".0")]
    assert parts == ["1", "2", "3"]
    assert len(sections) == 3 + 11 + 7
    assert leads == [f"2.{n}.0" for n in range(1, 12)]
    assert [len(items(1, s)) for s in (1, 2, 3)] == [1, 5, 6]
    assert [len(items(2, s)) for s in range(1, 12)] == [3, 4, 4, 4, 3, 5, 3, 4, 3, 4, 3]
    assert [len(items(3, s)) for s in range(1, 8)] == [4, 4, 4, 3, 4, 3, 3]
    assert list(parsed.passages)[:4] == ["title", "addressees", "0.1", "0.2"]
    assert parsed.passages["signature"].text == "中华人民共和国国务院\n2015年7月1日"


def test_witness_000_stops_mid_document_and_its_page_furniture_is_dropped_with_a_reason():
    text = source_text(W000)
    parsed = witness(W000)
    assert list(parsed.passages)[-1] == "2.1.2"
    assert parsed.metadata["number"] == "国发〔2015〕40号"
    assert parsed.fates[26].fate == DROPPED and "web page furniture" in parsed.fates[26].reason
    assert parsed.unaccounted(text) == []


def test_witness_000s_bars_become_em_dashes_and_the_change_is_recorded():
    parsed = witness(W000)
    assert parsed.passages["1.3.2"].text.startswith("——经济发展进一步提质增效。")
    note = next(n for n in parsed.notes if n.ref == "1.3.2" and n.kind == REPAIR)
    assert "U+2015" in note.body and note.line == 16


def test_pdf_line_break_spaces_in_001_are_removed_but_real_spaces_elsewhere_are_kept():
    parsed = witness(W001)
    assert parsed.passages["addressees"].text == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构："
    assert parsed.passages["1.3.6"].text.startswith("到2025年，网络化、智能化、服务化、协同化的“互联网+”")
    note = next(n for n in parsed.notes if n.ref == "addressees")
    assert "1 PDF line-break space(s) removed" in note.body and note.line == 3
    # 002 prints 《中共中央 国务院关于…》 with a real space: not a PDF artefact, so it stays.
    assert "《中共中央 国务院关于深化体制机制改革" in witness(W002).passages["3.3.1"].text


def test_half_width_punctuation_becomes_full_width_and_quotes_pair_up():
    text, counts = normalise('到2018年,"互联网+"成为(重要)力量:一;二')
    assert text == "到2018年，“互联网+”成为（重要）力量：一；二"
    assert counts["width"] == 7
    reversed_quote, counts = normalise("推进”互联网+”行动")
    assert reversed_quote == "推进“互联网+”行动" and counts["quotes"] == 1
    assert normalise("1,000 个 3:2")[0] == "1,000 个 3:2"


def test_001s_newspaper_furniture_is_dropped_and_its_split_lead_paragraph_is_rejoined():
    parsed = witness(W001)
    assert parsed.fates[137].fate == DROPPED and "continued on page" in parsed.fates[137].reason
    lead = parsed.passages["2.4.0"]
    assert lead.lines == (79, 81)
    assert lead.text.endswith("（能源局、发展改革委、工业和信息化部等负责）")
    assert any("rejoined" in n.body for n in parsed.notes if n.ref == "2.4.0")
    assert parsed.unaccounted(source_text(W001)) == []


def test_sections_out_of_order_fail_naming_file_and_line():
    broken = source_text(W000).replace("(二)基本原则。", "(四)基本原则。")
    with pytest.raises(SourceError) as error:
        parse_witness(broken, W000)
    assert error.value.filename == W000 and error.value.line == 8
    assert "section" in str(error.value)


def test_a_numbered_item_before_any_section_fails_naming_the_line():
    broken = source_text(W000).replace("(一)“互联网+”创业创新。\n", "")
    with pytest.raises(SourceError) as error:
        parse_witness(broken, W000)
    assert error.value.line is not None


def test_collation_prefers_the_majority_and_records_the_minority_reading_with_file_and_line():
    base, notes = collate([witness(W000), witness(W002), witness(W001)])
    assert "互联网十" not in "".join(p.text for p in base.passages.values())
    assert base.passages["2.4"].text == "（四）“互联网+”智慧能源。"
    ocr = [n for n in notes if n.reading == "十"]
    assert {(n.ref, n.source, n.line) for n in ocr} == {
        ("2.4", W001, 77), ("2.5", W001, 91), ("2.6", W001, 101)}
    assert all(n.kind == VARIANT and n.adopted == "+" for n in ocr)


def test_a_dropped_full_stop_in_001_is_a_variant_not_the_text():
    base, notes = collate([witness(W000), witness(W002), witness(W001)])
    assert base.passages["2.4.2"].text.startswith("2.建设分布式能源网络。建设")
    dropped = next(n for n in notes if n.ref == "2.4.2")
    assert dropped.source == W001 and dropped.line == 85 and dropped.reading == "" and dropped.adopted == "。"


def test_two_witnesses_that_disagree_are_decided_by_the_evidence_of_the_whole_document(corpus):
    text = corpus.passage("zh-hans", "3.5.2").text
    assert text.startswith("2.加快复合型人才培养。面向“互联网+”融合发展需求")
    variant = next(n for n in corpus.notes if n.ref == "3.5.2" and n.source == W002 and n.kind == VARIANT)
    assert (variant.reading, variant.adopted, variant.line) == ("身", "向", 401)
    assert "attested" in variant.body


def test_a_traditional_spelling_of_the_same_character_is_not_reported_as_a_variant(corpus):
    # 004 prints 著力 (traditional 着力): a difference of script, not of reading.
    assert corpus.passage("zh-hans", "3.1.3").text.startswith("3.做实产业基础。着力突破")
    assert not [n for n in corpus.notes if n.ref == "3.1.3" and n.kind == VARIANT]


def test_the_base_text_uses_standard_full_width_punctuation_throughout(corpus):
    import re
    for p in corpus.passages:
        if p.version != "zh-hans":
            continue
        assert not re.search(r"[,:;()\"\u2015]", p.text), p.ref
        assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", p.text.replace("中共中央 国务院", "")), p.ref
