"""The plain parser on arbitrary text: it never crashes and never loses a character.

Whatever it is given (lines that look like the genre's structure, real lines of the library's
documents, random Unicode, blank-line and hard-wrapped layouts), ``parse_chinese`` either
raises ``SourceError`` or returns passages that account for every non-blank line, and the
letters, digits and Chinese characters of every line reach its passages in order: only
formatting (``**``, ``#``), whitespace and punctuation width may change. ``parse_english``
keeps every paragraph's words likewise.
"""
import os

from django.conf import settings
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from reader.sources.base import USED, SourceError
from reader.sources.plain import parse_chinese, parse_english

EXAMPLES = hypothesis_settings(max_examples=int(os.environ.get("ROBUSTNESS_EXAMPLES", 150)),
                               deadline=None, suppress_health_check=[HealthCheck.too_slow])

REAL_LINES = sorted({line for slug in ("gwr-2016", "gwr-2019", "gwr-2020")
                     for name in ("zh.txt", "en.txt")
                     for line in (settings.LIBRARY_DIR / slug / name).read_text(encoding="utf-8")
                     .split("\n")})
STARTS = ["一、", "二、", "十一、", "第一章 ", "第二部分", "（一）", "(二)", "（十）", "第三节", "1.", "2．",
          "3、", "（1）", "**", "**（二）", "# ", "——2019年3月5日在第十三届全国人民代表大会第二次会议上",
          "国务院总理　李克强", "各位代表：", "各省、自治区、直辖市人民政府：", "国务院", "2015年7月1日",
          "二〇一五年七月一日", "（此件公开发布）", "国发〔2015〕40号", "一是", "--", ""]
CHARACTER = st.one_of(st.sampled_from(list("一二三十、（）()。，：；？！“”《》**#.．1 　\t")),
                      st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                      st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                      st.characters(blacklist_categories=("Cs",)))
LINE = st.one_of(st.sampled_from(REAL_LINES),
                 st.builds(str.__add__, st.sampled_from(STARTS), st.text(CHARACTER, max_size=30)),
                 st.text(CHARACTER, max_size=40))
TEXT = st.lists(LINE, max_size=25).map("\n".join)


def content(text: str) -> str:
    """What may not be lost: letters, digits and Chinese characters, in order."""
    return "".join(ch for ch in text if ch.isalnum())


@given(TEXT)
@EXAMPLES
def test_the_chinese_parser_accounts_for_every_line_and_keeps_every_character(text):
    try:
        parsed = parse_chinese(text, "zh.txt")
    except SourceError:
        return
    assert parsed.unaccounted(text) == []
    lines = text.split("\n")
    for n, fate in parsed.fates.items():
        if fate.fate != USED:
            assert not content(lines[n - 1]), (n, lines[n - 1])
    # Every used line's content is in the passages built from it, in order.
    by_first_line: dict[int, str] = {}
    for ref, passage in parsed.passages.items():
        by_first_line.setdefault(passage.lines[0], "")
        by_first_line[passage.lines[0]] += passage.text
    for first, built in by_first_line.items():
        passage_lines = next(p.lines for p in parsed.passages.values() if p.lines[0] == first)
        source = "".join(lines[n - 1] for n in passage_lines)
        assert content(built) == content(source), (first, source, built)
    assert set(parsed.kinds) == set(parsed.passages)


@given(TEXT)
@EXAMPLES
def test_the_english_reader_keeps_every_paragraphs_words(text):
    try:
        english = parse_english(text, "en.txt")
    except SourceError:
        return
    lines = text.split("\n")
    accounted = {n for p in english.paragraphs for n in p.lines} | set(english.dropped)
    assert accounted == {n for n, raw in enumerate(lines, start=1) if raw.strip()}
    for p in english.paragraphs:
        assert content(p.text) == content("".join(lines[n - 1] for n in p.lines))
