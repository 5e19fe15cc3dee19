"""The traditional-Chinese witness (004) parses into Part 三 and the signature, repaired."""
import re

import pytest
from django.conf import settings

from reader.sources.base import REPAIR, USED, SourceError
from reader.sources.traditional import parse_traditional, strip_pinyin

TRADITIONAL = "004_e16acc4d9ceec0b3.txt"

# Part 三's section headings as the simplified base (002, lines 359–415) prints them, with its
# half-width parentheses made full-width.
SIMPLIFIED_HEADINGS = {
    "3.1": "（一）夯实发展基础。",
    "3.2": "（二）强化创新驱动。",
    "3.3": "（三）营造宽松环境。",
    "3.4": "（四）拓展海外合作。",
    "3.5": "（五）加强智力建设。",
    "3.6": "（六）加强引导支持。",
    "3.7": "（七）做好组织实施。",
}

PINYIN_LETTER = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"


def source_text(name: str) -> str:
    return (settings.SOURCES_DIR / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def text():
    return source_text(TRADITIONAL)


@pytest.fixture(scope="module")
def parsed(text):
    return parse_traditional(text, TRADITIONAL, SIMPLIFIED_HEADINGS)


def heading(parsed, ref):
    passage = parsed.passages[ref]
    return passage.text


def test_part_three_has_seven_sections_with_the_counted_numbers_of_items(parsed):
    refs = list(parsed.passages)
    sections = [ref for ref in refs if re.fullmatch(r"3\.\d+", ref)]
    assert parsed.version == "zh-hant"
    assert sections == [f"3.{n}" for n in range(1, 8)]
    items_per_section = [sum(1 for ref in refs if ref.startswith(f"{section}.")) for section in sections]
    assert items_per_section == [4, 4, 4, 3, 4, 3, 3]
    assert refs[:3] == ["3", "3.1", "3.1.1"]
    assert refs[-1] == "signature"
    assert parsed.passages["3"].label == "三、" and parsed.passages["3"].text == "三、保障支撐"
    assert parsed.passages["3.4"].label == "（四）"
    assert parsed.passages["3.4.3"].label == "3."
    assert parsed.passages["3.4.3"].text.startswith("3.增強走出去服務能力。")


def test_pinyin_glosses_are_removed_from_every_passage(parsed):
    for passage in parsed.passages.values():
        assert not re.search(rf"[(（][{PINYIN_LETTER}]", passage.text), passage.ref
    assert "發展" in parsed.passages["3.1.1"].text
    assert "數據平臺" in parsed.passages["3.1.2"].text
    assert "創新試驗平臺" in parsed.passages["3.1.1"].text


def test_real_parentheses_are_kept_and_made_full_width(parsed):
    item = parsed.passages["3.2.4"].text  # line 11
    assert "國家科技計劃（專項、基金等）支持" in item
    assert "互聯網協議第6版（IPv6）地址" in parsed.passages["3.1.1"].text
    assert parsed.passages["3.2.3"].text.endswith("（知識產權局牽頭）")


def test_strip_pinyin_counts_glosses_and_leaves_real_parentheses_alone():
    assert strip_pinyin("發(fā)展數(shù)據(jù)") == ("發展數據", 3)
    assert strip_pinyin("計劃(專項、基金等)支持") == ("計劃(專項、基金等)支持", 0)
    assert strip_pinyin("計劃（專項、基金等）支持") == ("計劃（專項、基金等）支持", 0)
    assert strip_pinyin("第6版(IPv6)地址") == ("第6版(IPv6)地址", 0)


@pytest.mark.parametrize("ref, line, expected", [
    ("3.1", 2, "（一）夯實發展基礎。"),
    ("3.2", 7, "（二）強化創新驅動。"),
    ("3.3", 12, "（三）營造寬松環境。"),
    ("3.5", 21, "（五）加強智力建設。"),
])
def test_garbled_section_heading_is_reconstructed_from_position_and_simplified_text(
        parsed, text, ref, line, expected):
    assert heading(parsed, ref) == expected
    assert parsed.passages[ref].lines == (line,)
    notes = [note for note in parsed.notes if note.ref == ref and note.kind == REPAIR]
    assert len(notes) == 1
    note = notes[0]
    assert note.source == TRADITIONAL and note.line == line and note.version == "zh-hant"
    assert note.reading == text.split("\n")[line - 1]
    assert note.adopted == expected
    assert "encoding round trip" in note.body
    assert f"section {ref[-1]} of Part 三" in note.body


def test_garbled_heading_note_states_how_far_the_bytes_agree(parsed):
    notes = {note.ref: note.body for note in parsed.notes if note.adopted}
    assert "“（一）夯實發展基礎。”, which agrees in every character" in notes["3.1"]
    assert "agrees in 6 of the heading's 10 characters" in notes["3.2"]
    assert "松 (OpenCC: 鬆)" in notes["3.3"]


def test_clean_headings_are_read_from_the_witness(parsed):
    assert heading(parsed, "3.4") == "（四）拓展海外合作。"
    assert heading(parsed, "3.6") == "（六）加強引導支持。"
    assert heading(parsed, "3.7") == "（七）做好組織實施。"


def test_each_passage_with_glosses_or_half_width_marks_gets_one_summary_note(parsed):
    summary = [note for note in parsed.notes if note.ref == "3.1.1"]
    assert len(summary) == 1
    assert summary[0].kind == REPAIR and summary[0].line == 3
    assert summary[0].body == "004 line 3: 18 pinyin glosses removed; 18 half-width punctuation marks made full-width."
    assert [note.body for note in parsed.notes if note.ref == "3.4"] == [
        "004 line 17: 2 half-width punctuation marks made full-width."]
    assert not [note for note in parsed.notes if note.ref in ("3", "signature")]


def test_single_quotes_are_kept_as_the_witness_prints_them(parsed):
    assert "面向‘互聯網+’融合發展需求，" in parsed.passages["3.5.2"].text


def test_text_stays_traditional(parsed):
    assert "網絡" in parsed.passages["3.1.1"].text
    assert "网络" not in parsed.passages["3.1.1"].text


def test_signature_is_one_passage_of_two_lines(parsed):
    signature = parsed.passages["signature"]
    assert signature.text == "中華人民共和國國務院\n2015年7月1日"
    assert signature.lines == (34, 35)


def test_every_non_blank_line_has_a_fate(parsed, text):
    assert parsed.unaccounted(text) == []
    assert all(fate.fate == USED for fate in parsed.fates.values())
    assert len(parsed.fates) == 35


def test_numbered_item_before_any_section_heading_is_an_error_naming_file_and_line(text):
    lines = text.split("\n")
    broken = "\n".join(lines[:1] + lines[2:])  # drop the heading of (一)
    with pytest.raises(SourceError) as error:
        parse_traditional(broken, TRADITIONAL, SIMPLIFIED_HEADINGS)
    assert error.value.filename == TRADITIONAL and error.value.line == 2
    assert "before any section heading" in str(error.value)
    assert str(error.value).startswith(f"{TRADITIONAL}:2:")


def test_missing_section_is_an_error_naming_file_and_line(text):
    lines = text.split("\n")
    broken = "\n".join(lines[:16] + lines[20:])  # drop (四) and its three items
    with pytest.raises(SourceError) as error:
        parse_traditional(broken, TRADITIONAL, SIMPLIFIED_HEADINGS)
    assert error.value.filename == TRADITIONAL and error.value.line == 17
    assert "section （四）" in str(error.value)


def test_missing_section_heading_is_an_error_when_numbering_restarts(text):
    lines = text.split("\n")
    broken = "\n".join(lines[:16] + lines[17:])  # drop only the heading of (四)
    with pytest.raises(SourceError) as error:
        parse_traditional(broken, TRADITIONAL, SIMPLIFIED_HEADINGS)
    assert error.value.line == 17
    assert "heading is missing" in str(error.value)


def test_unnumbered_prose_in_a_heading_position_is_not_mistaken_for_a_garbled_heading(text):
    lines = text.split("\n")
    lines[1] = "鞏固網絡基礎。加快實施寬帶中國戰略。"
    with pytest.raises(SourceError) as error:
        parse_traditional("\n".join(lines), TRADITIONAL, SIMPLIFIED_HEADINGS)
    assert error.value.line == 2
    assert "neither a numbered item nor a section heading" in str(error.value)


def test_missing_signature_is_an_error(text):
    lines = text.rstrip("\n").split("\n")
    with pytest.raises(SourceError) as error:
        parse_traditional("\n".join(lines[:-2]), TRADITIONAL, SIMPLIFIED_HEADINGS)
    assert error.value.line == 33
    assert "signature" in str(error.value)
