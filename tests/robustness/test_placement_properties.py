"""Hostile input for paragraph placement (reader.placement): whatever clauses and paragraphs it is
given, ``place`` returns, places every paragraph exactly once (pieces that give the paragraph
back, character for character, with only whitespace between them), never goes back in the
clause order, and scores in [0, 1].

Example counts are modest so that this file runs in seconds; ROBUSTNESS_EXAMPLES=2000 in the
environment searches harder.
"""
import os

from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from reader.placement import Clause, Paragraph, place

EXAMPLES = hypothesis_settings(max_examples=int(os.environ.get("ROBUSTNESS_EXAMPLES", 60)),
                               deadline=None, suppress_health_check=[HealthCheck.too_slow])

CHINESE = ["一、总体要求", "（一）加大减税降费力度。", "国内生产总值增长6.1%，达到99.1万亿元。",
           "二是深化改革。", "各位代表！", "推进5G网络建设，发展PPP模式。", "1312万人", "。", "",
           "十三五", "**（二）**", "1.", "稳就业保民生。扩大内需。"]
ENGLISH = ["I. General requirements", "1. We will further cut taxes and fees.",
           "GDP grew by 6.1 percent, reaching 99.1 trillion yuan.", "Second, we deepened reform.",
           "Fellow Deputies,", "follow the guidance;", "13.12 million", "5G and PPP", "  ",
           "六是统筹城乡区域发展。", ".", "(3)", "We will. Keep going! Done?", "a", "\t", "—"]

chinese_text = st.one_of(st.sampled_from(CHINESE), st.text(max_size=40),
                         st.lists(st.sampled_from(CHINESE), max_size=4).map("".join))
english_text = st.one_of(st.sampled_from(ENGLISH), st.text(max_size=60),
                         st.lists(st.sampled_from(ENGLISH), max_size=5).map(" ".join))


@st.composite
def documents(draw):
    texts = draw(st.lists(chinese_text, max_size=12))
    clauses = [Clause(f"0.{k + 1}", draw(st.sampled_from(["front", "part", "section", "clause"])),
                      draw(st.sampled_from(["", "一、", "（二）", "3."])), text)
               for k, text in enumerate(texts)]
    paragraphs = []
    for k, text in enumerate(draw(st.lists(english_text, max_size=14))):
        lead = draw(st.one_of(st.none(), st.integers(-3, len(text) + 3)))
        paragraphs.append(Paragraph(k + 1, text, lead))
    return clauses, paragraphs


def assert_placed_exactly(clauses, paragraphs, placed):
    if not clauses:
        assert placed == []
        return
    order = {c.ref: k for k, c in enumerate(clauses)}
    positions = [order[p.ref] for p in placed]
    assert positions == sorted(positions), "refs go back in the clause order"
    assert all(0.0 <= p.score <= 1.0 for p in placed)
    assert [p.line for p in placed] == sorted(p.line for p in placed)
    for paragraph in paragraphs:
        pieces = [p.text for p in placed if p.line == paragraph.line]
        assert pieces, f"line {paragraph.line} not placed"
        at = 0
        for piece in pieces:
            found = paragraph.text.find(piece, at) if piece else at
            assert found >= 0 and not paragraph.text[at:found].strip(), (paragraph, pieces)
            at = found + len(piece)
        assert at == len(paragraph.text), (paragraph, pieces)
    assert {p.line for p in placed} == {p.line for p in paragraphs}


@EXAMPLES
@given(documents())
def test_placement_never_fails_loses_or_repeats_a_character_and_never_goes_back(document):
    clauses, paragraphs = document
    assert_placed_exactly(clauses, paragraphs, place(clauses, paragraphs))


def test_no_paragraphs_give_no_placements_and_no_clauses_nothing_to_place_under():
    clauses = [Clause("0.1", "clause", "", "稳就业保民生。")]
    paragraphs = [Paragraph(1, "We will stabilize employment.")]
    assert place(clauses, []) == []
    assert place([], paragraphs) == []


def test_with_a_single_clause_every_paragraph_goes_under_it():
    clauses = [Clause("0.1", "clause", "", "稳就业保民生。扩大内需。")]
    paragraphs = [Paragraph(1, "We will stabilize employment."), Paragraph(2, ""),
                  Paragraph(3, "六是统筹城乡区域发展。"), Paragraph(4, "And expand demand.")]
    placed = place(clauses, paragraphs)
    assert_placed_exactly(clauses, paragraphs, placed)
    assert {p.ref for p in placed} == {"0.1"}


def test_a_document_with_no_numbering_places_its_paragraphs_in_order():
    clauses = [Clause(f"0.{k}", "clause", "", text) for k, text in enumerate(
        ["国内生产总值增长6.1%。", "城镇新增就业1352万人。", "粮食产量6.64亿吨。"], start=1)]
    paragraphs = [Paragraph(k, text) for k, text in enumerate(
        ["GDP grew by 6.1 percent.", "13.52 million new urban jobs were added.",
         "Grain output reached 664 million tons."], start=1)]
    placed = place(clauses, paragraphs)
    assert_placed_exactly(clauses, paragraphs, placed)
    assert [p.ref for p in placed] == ["0.1", "0.2", "0.3"]
