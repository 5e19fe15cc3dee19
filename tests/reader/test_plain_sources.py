"""The plain parser on real documents: structure from the Chinese text's own numbering, front and
closing matter named, Markdown removed and recorded, and clear errors for what is not a document."""
import pytest
from django.conf import settings

from reader.sources.base import DROPPED, REPAIR, USED, SourceError
from reader.sources.plain import parse_chinese, parse_english, read_text

LIBRARY = settings.LIBRARY_DIR


def zh(slug: str):
    text = (LIBRARY / slug / "zh.txt").read_text(encoding="utf-8")
    return text, parse_chinese(text, "zh.txt")


def refs_of_kind(parsed, kind: str) -> list[str]:
    return [ref for ref in parsed.passages if parsed.kinds[ref] == kind]


def test_a_report_opens_with_its_title_occasion_speaker_and_salutation_as_named_front_matter():
    _, parsed = zh("gwr-2019")
    front = {ref: parsed.passages[ref].text for ref in refs_of_kind(parsed, "front")}
    assert front == {
        "title": "政府工作报告",
        "occasion": "——2019年3月5日在第十三届全国人民代表大会第二次会议上",
        "speaker": "国务院总理　李克强",
        "salutation": "各位代表：",
    }
    assert list(parsed.passages)[:5] == ["title", "occasion", "speaker", "salutation", "0.1"]
    assert parsed.metadata["title"] == "政府工作报告"


def test_parts_and_sections_come_from_the_documents_own_numbering():
    _, parsed = zh("gwr-2019")
    assert refs_of_kind(parsed, "part") == ["1", "2", "3"]
    assert refs_of_kind(parsed, "section") == [f"3.{n}" for n in range(1, 11)]
    assert parsed.passages["2"].text == "二、2019年经济社会发展总体要求和政策取向"
    assert parsed.passages["3.10"].label == "（十）"
    # Paragraphs directly in a part are p.0.k; inside a section p.s.k, in order.
    assert parsed.passages["1.0.1"].text.startswith("过去一年是全面贯彻党的十九大精神开局之年")
    assert parsed.passages["3.0.1"].lines == (45,)
    assert parsed.passages["3.1.1"].lines == (46,)


def test_a_section_heading_that_runs_on_into_its_paragraph_is_two_clauses_from_one_line():
    text, parsed = zh("gwr-2016")
    line = text.split("\n")[57]
    assert line.startswith("**（一）稳定和完善宏观经济政策，保持经济运行在合理区间。**我们宏观调控")
    assert parsed.passages["3.1"].text == "（一）稳定和完善宏观经济政策，保持经济运行在合理区间。"
    assert parsed.passages["3.1.1"].text.startswith("我们宏观调控还有创新手段和政策储备")
    assert parsed.passages["3.1"].lines == parsed.passages["3.1.1"].lines == (58,)
    assert parsed.fates[58].fate == USED and set(parsed.fates[58].refs) == {"3.1", "3.1.1"}
    # The bold span is the heading even when it holds two sentences.
    assert parsed.passages["3.7"].text == "（七）切实保障改善民生，加强社会建设。为政之道，民生为本。"


def test_bold_markers_are_formatting_removed_from_the_text_and_recorded_as_a_repair():
    _, parsed = zh("gwr-2016")
    assert parsed.passages["1"].text == "一、2015年工作回顾"
    assert not any("**" in p.text for p in parsed.passages.values())
    note = next(n for n in parsed.notes if n.ref == "1" and n.kind == REPAIR)
    assert "line 6" in note.body and "bold" in note.body
    assert note.reading == "**一、2015年工作回顾**"


def test_a_document_whose_parts_have_no_sections_numbers_their_paragraphs_in_the_part():
    _, parsed = zh("gwr-2020")
    assert refs_of_kind(parsed, "part") == [str(n) for n in range(1, 9)]
    assert refs_of_kind(parsed, "section") == []
    assert [r for r in parsed.passages if r.startswith("3.")] == ["3.0.1", "3.0.2", "3.0.3",
                                                                 "3.0.4", "3.0.5"]
    assert parsed.passages["0.2"].text.startswith("这次新冠肺炎疫情")


def test_enumerations_inside_a_paragraph_stay_inside_it():
    _, parsed = zh("gwr-2016")
    paragraph = parsed.passages["1.0.9"].text
    assert paragraph.startswith("一是着力稳增长调结构防风险")
    assert not any(p.text.startswith("二是") for ref, p in parsed.passages.items()
                   if ref.startswith("1.0.9"))


def test_the_seed_documents_chinese_text_gives_the_refs_its_own_parser_gives(corpus):
    """The generic parser finds the structure the seed's hand-written parsers find."""
    seed = (settings.SOURCES_DIR / "002_97e1ecdbb18a24da.txt").read_text(encoding="utf-8")
    chinese_half = "\n".join(seed.split("\n")[193:425])
    parsed = parse_chinese(chinese_half, "002")
    assert set(parsed.passages) - {"date"} == set(corpus.refs)
    assert parsed.passages["2.1.0"].text.startswith("充分发挥互联网的创新驱动作用")  # lead paragraph
    assert parsed.passages["2.1.1"].label == "1."
    assert parsed.passages["signature"].text == "中华人民共和国国务院"
    assert parsed.passages["date"].text == "2015年7月1日"
    assert parsed.kinds["signature"] == parsed.kinds["date"] == "back"


def test_a_text_with_no_numbering_is_a_sequence_of_paragraphs():
    text, _ = zh("gwr-2016")
    body = "\n".join(text.split("\n")[6:13])  # Part 一's first seven paragraphs, as written
    parsed = parse_chinese(body, "excerpt.txt")
    # A long first paragraph of sentences is no title: the text starts at once.
    assert list(parsed.passages) == ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"]
    assert set(parsed.kinds.values()) == {"clause"}


def test_every_line_of_every_report_is_accounted_for():
    for slug in ("gwr-2016", "gwr-2019", "gwr-2020"):
        text, parsed = zh(slug)
        assert parsed.unaccounted(text) == [], slug
        english_text = (LIBRARY / slug / "en.txt").read_text(encoding="utf-8")
        english = parse_english(english_text, "en.txt")
        lines = {n for p in english.paragraphs for n in p.lines} | set(english.dropped)
        assert lines == {n for n, raw in enumerate(english_text.split("\n"), 1) if raw.strip()}


def test_an_english_bold_lead_is_removed_and_remembered_as_a_hint_for_splitting():
    english = parse_english((LIBRARY / "gwr-2016" / "en.txt").read_text(encoding="utf-8"), "en.txt")
    paragraph = next(p for p in english.paragraphs if p.lines == (58,))
    assert paragraph.text.startswith("1. Improve and keep stable our macroeconomic policies")
    assert "**" not in paragraph.text
    assert paragraph.text[:paragraph.lead].endswith("appropriate range.")
    assert paragraph.repairs["bold"] == 2


def test_the_chinese_paragraph_in_the_2019_english_file_is_kept_and_flagged():
    english = parse_english((LIBRARY / "gwr-2019" / "en.txt").read_text(encoding="utf-8"), "en.txt")
    assert english.chinese_lines == {27}
    line = next(p for p in english.paragraphs if p.lines == (27,)).text
    assert line.startswith("六是统筹城乡区域发展") and "Sixth, we pursued balanced development" in line


# --- what is not a document ----------------------------------------------------------------

def test_an_empty_file_is_refused():
    with pytest.raises(SourceError, match="empty"):
        read_text(b"\n \n", "zh.txt", "zh-Hans")


def test_a_binary_file_is_refused_naming_the_line_of_its_first_nul():
    data = (LIBRARY / "gwr-2016" / "zh.txt").read_bytes()
    lines = data.split(b"\n")
    lines[3] = lines[3] + b"\x00\x01"
    with pytest.raises(SourceError) as error:
        read_text(b"\n".join(lines), "zh.txt", "zh-Hans")
    assert error.value.line == 4 and "binary" in error.value.message


def test_a_file_not_in_utf8_is_refused_naming_the_line():
    text = (LIBRARY / "gwr-2016" / "zh.txt").read_text(encoding="utf-8")
    data = "\n".join(["Report"] * 2 + text.split("\n")[2:]).encode("gb18030")
    with pytest.raises(SourceError) as error:
        read_text(data, "zh.txt", "zh-Hans")
    assert error.value.line == 3 and "UTF-8" in error.value.message


def test_a_utf16_file_is_refused_with_what_to_do():
    data = (LIBRARY / "gwr-2016" / "zh.txt").read_text(encoding="utf-8").encode("utf-16")
    with pytest.raises(SourceError, match="UTF-16"):
        read_text(data, "zh.txt", "zh-Hans")


def test_a_file_in_the_wrong_language_for_its_version_is_refused():
    english = (LIBRARY / "gwr-2016" / "en.txt").read_bytes()
    chinese = (LIBRARY / "gwr-2016" / "zh.txt").read_bytes()
    with pytest.raises(SourceError, match="not Chinese text"):
        read_text(english, "en.txt", "zh-Hans")
    with pytest.raises(SourceError, match="mostly Chinese"):
        read_text(chinese, "zh.txt", "en")
    assert read_text(english, "en.txt", "en").startswith("REPORT ON THE WORK")


def test_lines_with_only_formatting_are_dropped_with_a_reason():
    text, _ = zh("gwr-2016")
    lines = text.split("\n")
    damaged = "\n".join(lines[:5] + ["****", "---"] + lines[5:])
    parsed = parse_chinese(damaged, "zh.txt")
    assert parsed.fates[6].fate == DROPPED and "formatting" in parsed.fates[6].reason
    assert parsed.fates[7].fate == DROPPED
    assert parsed.unaccounted(damaged) == []
