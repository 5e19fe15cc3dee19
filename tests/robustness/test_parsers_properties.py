"""Hostile input for the plain-Python text handling: parsers, segmenters, aligner, query analysis.

Property-based (hypothesis). Each parser is fed arbitrary text, built from lines that look like
the document's structure and from random characters, and mutations of the real source texts
(lines deleted, duplicated or swapped, the file cut off, characters inserted). Whatever it is
given, a parser either returns a ``ParsedSource`` that accounts for every non-blank line it owns
or raises ``SourceError`` (which the ingest command turns into a message naming file and line);
any other exception would reach the person running ingest as a traceback.

Example counts are modest so that this file runs in a few seconds; ROBUSTNESS_EXAMPLES=2000 in the
environment searches harder.
"""
import html
import os
import re
import tomllib
import unicodedata

import pytest
from django.conf import settings
from hypothesis import HealthCheck, event, given, settings as hypothesis_settings, strategies as st
from whoosh import query as wq

from reader.align import PRIORS, align
from reader.segment import sentences
from reader.sources.base import ParsedSource, SourceError, source_lines
from reader.sources.chinese import parse_witness
from reader.sources.english import (CJK, COMMENT_FORM_START, parse_machine_translation,
                                    parse_published_translation)
from reader.sources.traditional import parse_traditional
from search.analysis import MAX_TERMS, QueryTerm, fold, highlight, parse_query, whoosh_query

# ROBUSTNESS_EXAMPLES=2000 searches harder (minutes instead of seconds).
EXAMPLES = hypothesis_settings(max_examples=int(os.environ.get("ROBUSTNESS_EXAMPLES", 60)),
                               deadline=None, suppress_health_check=[HealthCheck.too_slow])

MANIFEST = tomllib.loads((settings.SOURCES_DIR / "manifest.toml").read_text(encoding="utf-8"))
SOURCE_TEXTS = {entry["file"]: (settings.SOURCES_DIR / entry["file"]).read_text(encoding="utf-8")
                for entry in MANIFEST["sources"]}


def source_of(parser: str) -> list[tuple[str, dict]]:
    """(file, manifest part) for every source part the manifest gives to ``parser``."""
    return [(entry["file"], part) for entry in MANIFEST["sources"] for part in entry["parts"]
            if part["parser"] == parser]


WITNESSES = source_of("chinese-witness")
[(PUBLISHED, _)] = source_of("english-published")
[(MACHINE, _)] = source_of("english-machine")
[(TRADITIONAL, _)] = source_of("chinese-traditional")
REAL_LINES = sorted({line for text in SOURCE_TEXTS.values() for line in text.split("\n")})


# --- strategies ------------------------------------------------------------------------------

# Characters the parsers give meaning to, and some they should not care about.
SIGNIFICANT = list("一二三四五六七八九十、（）()。，,：:；;？?！!“”\"‘’'—―〔〕《》【】.．+ 　\t\r"
                   "国务院关于的指导意见各负责年月日發展基礎ā(fā)IVXLC*")
CHARACTER = st.one_of(
    st.sampled_from(SIGNIFICANT),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # ASCII
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK unified ideographs
    st.characters(),  # anything else Unicode has, bar surrogates
)
# Beginnings of lines that steer the parsers into their branches.
LINE_STARTS = [
    "一、", "二、", "三、", "十、", "十一、", "十十、", "一二、", "（一）", "(二)", "（ 三 ）", "（十）",
    "1.", "2.", "1、", "3．", "99999.", "I, ", "II, ", "IIII, ", "LC, ", "(1) ", "(9) ", "   1. ",
    "  2. ", "GF No. ", "国发〔2015〕40号", "国务院关于积极推进“互联网+”行动的指导意见",
    "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：", "中华人民共和国国务院", "2015年7月1日",
    "State Council", "Leave a Reply", "Posted on Updated on", "在本页阅读全文", "（下转第六版）",
    "（发展改革委、工业和信息化部等负责）", "Full text of ", "Guo Fa [2015] No.40 Document", "?。ㄒ唬",
    "", " ",
]
LINE = st.one_of(
    st.text(CHARACTER, max_size=40),
    st.builds(lambda start, rest: start + rest, st.sampled_from(LINE_STARTS),
              st.text(CHARACTER, max_size=30)),
    st.sampled_from(REAL_LINES),
)
SIGNATURE = ["中华人民共和国国务院", "2015年7月1日"]
# Text shaped like a part of the document: a part heading, lines, perhaps the signature.
SHAPED_TEXT = st.builds(
    lambda heading, lines, signature: "\n".join([heading, *lines, *signature]),
    st.sampled_from([s for s in LINE_STARTS if s.endswith("、")]).flatmap(
        lambda start: st.text(CHARACTER, max_size=12).map(lambda rest: start + rest)),
    st.lists(st.one_of(LINE, st.sampled_from(["（一）夯实发展基础。", "（二）强化创新驱动。", "1.巩固网络基础。",
                                              "2.强化应用基础。", "3.做实产业基础。"])), max_size=12),
    st.sampled_from([[], SIGNATURE, SIGNATURE[:1], SIGNATURE[::-1]]),
)
ARBITRARY_TEXT = st.one_of(
    st.lists(LINE, max_size=30).map("\n".join),
    st.text(CHARACTER, max_size=300),
    SHAPED_TEXT,
)


def _index(items) -> st.SearchStrategy[int]:
    return st.integers(0, max(0, len(items) - 1))


@st.composite
def mutation_of(draw, text: str) -> str:
    """``text`` after one to three random edits, each the kind a bad copy or a slip makes."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "insert"]))
        if kind == "delete":
            del lines[draw(_index(lines))]
            lines = lines or [""]
        elif kind == "duplicate":
            i = draw(_index(lines))
            lines.insert(i, lines[i])
        elif kind == "swap":
            i, j = draw(_index(lines)), draw(_index(lines))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            joined = "\n".join(lines)
            at = draw(st.integers(0, len(joined)))
            if kind == "truncate":
                joined = joined[:at]
            else:
                joined = joined[:at] + draw(st.text(CHARACTER, min_size=1, max_size=8)) + joined[at:]
            lines = joined.split("\n")
    return "\n".join(lines)


def real_or_mutated(name: str) -> st.SearchStrategy[str]:
    return mutation_of(SOURCE_TEXTS[name])


def mostly(usual: st.SearchStrategy, other: st.SearchStrategy) -> st.SearchStrategy:
    """``usual`` three times in four: a damaged real source gets deeper than random text."""
    return st.integers(0, 3).flatmap(lambda k: usual if k else other)


# --- what every successful parse must satisfy --------------------------------------------------

def parse_or_source_error(parse, *args, **kwargs) -> ParsedSource | None:
    """The parse, or None if it failed the one allowed way (SourceError naming the file)."""
    try:
        parsed = parse(*args, **kwargs)
    except SourceError as error:
        assert error.filename == args[1]
        event("SourceError" + (" with a line" if error.line else ""))
        return None
    assert isinstance(parsed, ParsedSource)
    event("parsed")
    return parsed


def assert_lines_accounted_for(parsed: ParsedSource, text: str, owned: set[int]) -> None:
    non_blank = {n for n, _ in source_lines(text)}
    assert not owned - set(parsed.fates), f"lines without a fate: {sorted(owned - set(parsed.fates))}"
    assert set(parsed.fates) <= non_blank, "a fate for a line that is blank or not there"
    for ref, passage in parsed.passages.items():
        assert passage.ref == ref
        assert set(passage.lines) <= non_blank


def witness_lines(text: str, part: dict) -> set[int]:
    last = part.get("last_line")
    return {n for n, _ in source_lines(text)
            if n >= part.get("first_line", 1) and (last is None or n <= last)}


def published_lines(text: str) -> set[int]:
    """The English lines before the first Chinese one, and the comment form at the end."""
    lines = source_lines(text)
    form_at = next((i for i, (_, raw) in enumerate(lines) if raw.strip() == COMMENT_FORM_START),
                   len(lines))
    owned = {n for n, _ in lines[form_at:]}
    for n, raw in lines[:form_at]:
        if CJK.search(raw):
            break
        owned.add(n)
    return owned


def all_lines(text: str) -> set[int]:
    return {n for n, _ in source_lines(text)}


def witness_options(part: dict) -> dict:
    return {k: part[k] for k in ("layout_spaces", "first_line", "last_line") if k in part}


def check_witness(text: str, filename: str, part: dict) -> None:
    parsed = parse_or_source_error(parse_witness, text, filename, version=part["feeds"],
                                   **witness_options(part))
    if parsed is not None:
        assert_lines_accounted_for(parsed, text, witness_lines(text, part))


@pytest.fixture(scope="module")
def part_three_items(corpus):
    refs = corpus.refs
    sections = [r for r in refs if r.startswith("3.") and r.count(".") == 1]
    return [sum(1 for r in refs if r.startswith(f"{s}.")) for s in sections]


@pytest.fixture(scope="module")
def simplified_headings(corpus):
    base = next(v["slug"] for v in corpus.versions if v.get("base"))
    return {p.ref: p.text for p in corpus.passages
            if p.version == base and p.ref.count(".") == 1 and not p.ref.startswith("0.")}


# --- parsers -----------------------------------------------------------------------------------

def test_real_sources_parse_and_account_for_their_lines(part_three_items, simplified_headings):
    """The baseline the mutations start from: every real source parses, every line has a fate."""
    for name, part in WITNESSES:
        text = SOURCE_TEXTS[name]
        parsed = parse_witness(text, name, version=part["feeds"], **witness_options(part))
        assert parsed.passages
        assert_lines_accounted_for(parsed, text, witness_lines(text, part))
    text = SOURCE_TEXTS[PUBLISHED]
    assert_lines_accounted_for(parse_published_translation(text, PUBLISHED), text, published_lines(text))
    text = SOURCE_TEXTS[MACHINE]
    assert_lines_accounted_for(parse_machine_translation(text, MACHINE, part_three_items),
                               text, all_lines(text))
    text = SOURCE_TEXTS[TRADITIONAL]
    assert_lines_accounted_for(parse_traditional(text, TRADITIONAL, simplified_headings),
                               text, all_lines(text))


@EXAMPLES
@given(text=ARBITRARY_TEXT, which=st.sampled_from(WITNESSES))
def test_chinese_witness_parser_given_arbitrary_text_parses_it_or_raises_source_error(text, which):
    check_witness(text, which[0], which[1])


@EXAMPLES
@given(data=st.data(), which=st.sampled_from(WITNESSES))
def test_chinese_witness_parser_given_a_damaged_real_witness_parses_it_or_raises_source_error(data, which):
    name, part = which
    check_witness(data.draw(real_or_mutated(name)), name, part)


@EXAMPLES
@given(text=mostly(real_or_mutated(PUBLISHED), ARBITRARY_TEXT))
def test_published_translation_parser_given_any_text_parses_it_or_raises_source_error(text):
    parsed = parse_or_source_error(parse_published_translation, text, PUBLISHED)
    if parsed is not None:
        assert_lines_accounted_for(parsed, text, published_lines(text))


@EXAMPLES
@given(text=mostly(real_or_mutated(MACHINE), ARBITRARY_TEXT),
       random_items=mostly(st.none(), st.lists(st.integers(0, 6), max_size=9)))
def test_machine_translation_parser_given_any_text_parses_it_or_raises_source_error(
        text, random_items, part_three_items):
    items = part_three_items if random_items is None else random_items
    parsed = parse_or_source_error(parse_machine_translation, text, MACHINE, items)
    if parsed is not None:
        assert_lines_accounted_for(parsed, text, all_lines(text))


@EXAMPLES
@given(text=mostly(real_or_mutated(TRADITIONAL), ARBITRARY_TEXT),
       random_headings=mostly(st.none(), st.dictionaries(
           st.sampled_from([f"3.{s}" for s in range(1, 10)]), st.one_of(
               st.sampled_from(LINE_STARTS).map(lambda start: start + "夯实发展基础。"),
               st.text(CHARACTER, max_size=20)), max_size=9)))
def test_traditional_parser_given_any_text_parses_it_or_raises_source_error(
        text, random_headings, simplified_headings):
    headings = simplified_headings if random_headings is None else random_headings
    parsed = parse_or_source_error(parse_traditional, text, TRADITIONAL, headings)
    if parsed is not None:
        assert_lines_accounted_for(parsed, text, all_lines(text))


SIGNED = "\n中华人民共和国国务院\n2015年7月1日"


@pytest.mark.parametrize("parse, text, line", [
    (lambda t: parse_witness(t, "w.txt"), "十十、标题", 1),
    (lambda t: parse_witness(t, "w.txt"), "一、总体要求\n（一二）总体思路", 2),
    (lambda t: parse_traditional(t, "w.txt", {}), "二十十、保障支撐\n（一）夯實。\n1.鞏固。" + SIGNED, 1),
], ids=["part-十十", "section-一二", "traditional-part-二十十"])
def test_a_heading_numbered_with_an_impossible_chinese_numeral_is_a_source_error_naming_its_line(
        parse, text, line):
    with pytest.raises(SourceError) as failure:
        parse(text)
    assert failure.value.line == line


LONG_NUMBER = "1" * 5000  # more digits than int() converts (sys.get_int_max_str_digits)


@pytest.mark.parametrize("parse, text", [
    (lambda t: parse_witness(t, "w.txt"), f"一、总体要求\n（一）总体思路\n{LONG_NUMBER}.条目"),
    (lambda t: parse_traditional(t, "w.txt", {}), f"三、保障支撐\n（一）夯實。\n{LONG_NUMBER}.鞏固。" + SIGNED),
    (lambda t: parse_published_translation(t, "w.txt"),
     f"Title\nTo all:\nPreamble.\nI, Part\n(1) Section\n   {LONG_NUMBER}. Item\nState Council"),
], ids=["witness", "traditional", "published"])
def test_an_item_number_too_long_for_int_is_read_as_text_or_a_source_error_never_a_crash(parse, text):
    # Labels have at most four digits; a longer run is not an item number, so it is text (or
    # misplaced text, a SourceError) but never reaches int() and its ValueError.
    try:
        parsed = parse(text)
    except SourceError:
        return
    assert not any(p.label.rstrip(".").isdigit() and len(p.label) > 5 for p in parsed.passages.values())


# --- segmenters ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def passage_texts(corpus):
    return {language: [p.text for p in corpus.passages if p.version in slugs]
            for language, slugs in (("zh", {"zh-hans", "zh-hant"}), ("en", {"en", "en-mt"}))}


SEGMENTER_TEXT = st.one_of(
    st.text(CHARACTER, max_size=200),
    st.lists(LINE, max_size=6).map("\n".join),
    st.lists(st.sampled_from(["etc.", "e.g.", "No.", "(1)", "3.", ")", ").", "。", "！？", "”",
                              "（发展改革委等负责）", "(Ministry of Commerce, responsible)", ", ",
                              ";", "\n", " ", "\u3000", "Text", "互联网+", "\u2028", "\x85"]),
             max_size=20).map("".join),
)


def assert_spans_are_the_text(text: str, spans) -> None:
    previous_end = 0
    covered = set()
    for span in spans:
        assert previous_end <= span.start < span.end <= len(text), (span, previous_end)
        assert span.text == text[span.start:span.end]
        assert span.text == span.text.strip()
        covered.update(range(span.start, span.end))
        previous_end = span.end
    lost = [i for i, ch in enumerate(text) if not ch.isspace() and i not in covered]
    assert not lost, f"characters in no sentence: {[text[i] for i in lost]}"


@EXAMPLES
@given(data=st.data(), language=st.sampled_from(["zh-Hans", "zh-Hant", "en"]))
def test_sentences_are_in_order_exact_slices_and_cover_every_non_space_character(
        data, language, passage_texts):
    real = passage_texts["zh" if language.startswith("zh") else "en"]
    text = data.draw(st.one_of(SEGMENTER_TEXT, st.sampled_from(real),
                               st.sampled_from(real).flatmap(mutation_of)))
    assert_spans_are_the_text(text, sentences(text, language))


# --- aligner ---------------------------------------------------------------------------------

SENTENCE = st.one_of(st.text(CHARACTER, min_size=1, max_size=40), st.sampled_from(REAL_LINES))


@EXAMPLES
@given(source=st.lists(SENTENCE, max_size=5), target=st.lists(SENTENCE, max_size=5))
def test_alignment_partitions_both_sentence_lists_in_order(source, target):
    beads = align(source, target)
    assert [i for bead in beads for i in bead.source] == list(range(len(source)))
    assert [j for bead in beads for j in bead.target] == list(range(len(target)))
    for bead in beads:
        assert 1 <= len(bead.source) + len(bead.target)
        assert (len(bead.source), len(bead.target)) in PRIORS  # a bead type the aligner has
        assert 0.0 <= bead.score <= 1.0


def test_alignment_of_nothing_with_nothing_is_no_beads():
    assert align([], []) == []


# --- search query handling -------------------------------------------------------------------

QUERY_PIECES = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "*", "?", "text:", "chars:", "(",
                ")", "[", "]", "{", "}", "^2", "~3", '"', "“", "”", "「", "」", "『", "』", "＂",
                "+", "&", "-", "'", "’", "\\", "/", ":", "互联网+", "R&D", "e-commerce",
                "country's", "國", " ", "\u3000", "\x00", "\t", "\ud800"]
QUERY = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(QUERY_PIECES), st.text(CHARACTER, max_size=6)),
             max_size=25).map("".join),
    st.text(st.characters(categories=["Cs", "Co", "Cn", "Cc", "Cf", "Lo", "Zs"]), max_size=30),
    st.text(st.sampled_from("国互联网+ a"), min_size=900, max_size=1200),
)


@EXAMPLES
@given(text=st.one_of(st.text(), st.text(st.characters(categories=["Cs", "Lo", "Lu", "So"]))))
def test_folding_keeps_every_text_the_same_length(text):
    assert len(fold(text)) == len(text)


@EXAMPLES
@given(q=QUERY)
def test_any_query_string_parses_into_at_most_max_terms_and_a_query_or_none(q):
    terms = parse_query(q)
    assert len(terms) <= MAX_TERMS
    assert all(isinstance(t, QueryTerm) and t.text for t in terms)
    query = whoosh_query(terms)
    assert query is None or isinstance(query, wq.Query)


def test_query_parsing_gives_nothing_for_what_is_not_a_string():
    assert parse_query(None) == []
    assert whoosh_query([]) is None


HOSTILE_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(["<script>alert(1)</script>", "<mark>", "</mark>", "<b>", "&lt;",
                              "&amp;", "&", "<", ">", '"', "'", "<!--", "-->", "<![CDATA[",
                              "国务院", "互联网+", "Internet Plus", "manufacturing", " ", "\n"]),
             max_size=20).map("".join),
)
TAG = re.compile(r"<[^>]*>?")


@EXAMPLES
@given(text=HOSTILE_TEXT, q=QUERY, around=st.one_of(st.none(), st.integers(0, 120)))
def test_highlighting_never_raises_and_emits_no_tag_but_mark(text, q, around):
    out = highlight(text, parse_query(q), around=around)
    tags = TAG.findall(out)
    assert set(tags) <= {"<mark>", "</mark>"}, tags
    assert tags == ["<mark>", "</mark>"] * (len(tags) // 2), "marks unbalanced or nested"


# What a passage can hold: no control characters but line breaks and tabs (the HTML parser in
# bleach rewrites the others, and no source has them).
VISIBLE_TEXT = st.one_of(
    st.text(st.one_of(st.characters(exclude_categories=["Cc", "Cs"]), st.sampled_from("\n\t")),
            max_size=200),
    HOSTILE_TEXT.filter(lambda t: all(c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs")
                                      for c in t)),
)


@EXAMPLES
@given(text=VISIBLE_TEXT, q=QUERY)
def test_highlighting_shows_the_whole_text_as_given_once_the_marks_are_removed(text, q):
    out = highlight(text, parse_query(q))
    assert html.unescape(re.sub(r"</?mark>", "", out)) == text
