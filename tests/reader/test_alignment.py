"""Sentence alignment inside a clause (reader.align), on the real texts of both English versions.

Which Chinese sentence renders which English one was checked by hand for every clause named
below; the tests assert what a reader would be shown: the pairs, the omissions, the scores.
"""
import math
import re

import pytest

from reader.align import C, S2, Bead, align
from reader.segment import sentences

VERSIONS = ("en", "en-mt")
SHAPES = {(1, 1), (1, 2), (2, 1), (2, 2), (1, 0), (0, 1)}


def clause(corpus, version, ref):
    """(zh-hans sentence texts, sentence texts of ``version``) of one clause."""
    zh = corpus.passage("zh-hans", ref)
    en = corpus.passage(version, ref)
    assert zh is not None and en is not None, (version, ref)
    return ([s.text for s in sentences(zh.text, "zh-Hans")],
            [s.text for s in sentences(en.text, "en")])


def clauses(corpus, version):
    for ref in corpus.refs:
        zh, en = corpus.passage("zh-hans", ref), corpus.passage(version, ref)
        if zh and en and zh.text and en.text:
            yield ref, *clause(corpus, version, ref)


def bead_of(beads, source_index):
    return next(b for b in beads if source_index in b.source)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_sentence_of_every_clause_is_in_exactly_one_bead_in_order(corpus, version):
    seen = 0
    for ref, zh, en in clauses(corpus, version):
        beads = align(zh, en)
        assert [i for b in beads for i in b.source] == list(range(len(zh))), ref
        assert [j for b in beads for j in b.target] == list(range(len(en))), ref
        assert all((len(b.source), len(b.target)) in SHAPES for b in beads), ref
        assert all(0.0 <= b.score <= 1.0 for b in beads), ref
        seen += 1
    assert seen == (117 if version == "en" else 37)


@pytest.mark.parametrize("version, ref", [
    ("en", "2.1.0"), ("en", "3.1.1"), ("en", "3.6.1"), ("en-mt", "3.1.1"), ("en-mt", "3.6.1"),
])
def test_the_responsibility_parentheses_are_aligned_with_each_other(corpus, version, ref):
    zh, en = clause(corpus, version, ref)
    last = len(zh) - 1
    assert zh[last].startswith("（发展改革委") and zh[last].endswith("）")
    assert "负责" in zh[last] or "牵头" in zh[last]
    bead = bead_of(align(zh, en), last)
    assert bead.source == (last,) and bead.target == (len(en) - 1,)
    assert re.match(r"\((the )?(led by the )?Development and Reform Commission", en[-1], re.I)
    assert bead.score > 0.9


@pytest.mark.parametrize("ref, chinese, english_starts", [
    # 结合“一带一路”……率先走出去，通过海外并购……增强全球竞争力。 is cut in two by the machine.
    ("3.4.1", 1, ("In combination with major national strategies", "Through overseas mergers")),
    # 近年来……取得了积极进展……但也存在……等问题，亟待加以解决。: progress, then "However".
    ("0.2", 0, ("In recent 20 15 years", "However, there are also some problems")),
    # ……（专项、基金等）支持形成的软件成果通过互联网向社会开源。: the bracket broke the sentence.
    ("3.2.4", 1, ("Encourage independent research", "Open source to the society")),
])
def test_a_chinese_sentence_the_machine_translation_split_in_two_is_a_one_to_two_bead(
        corpus, ref, chinese, english_starts):
    zh, en = clause(corpus, "en-mt", ref)
    bead = bead_of(align(zh, en), chinese)
    assert bead.source == (chinese,) and len(bead.target) == 2
    assert tuple(en[j][:len(s)] for j, s in zip(bead.target, english_starts)) == english_starts
    assert bead.score > 0.9


@pytest.mark.parametrize("ref", ["3.5.2", "3.5.3"])
def test_a_responsibility_parenthesis_the_machine_translation_lost_is_left_unpaired(corpus, ref):
    zh, en = clause(corpus, "en-mt", ref)
    assert not any(s.startswith("(") for s in en)
    beads = align(zh, en)
    assert beads[-1] == Bead((len(zh) - 1,), (), beads[-1].score)
    assert beads[-1].score <= 0.1
    assert all(len(b.source) == len(b.target) == 1 and b.score > 0.9 for b in beads[:-1])


@pytest.mark.parametrize("version, ref, dropped", [
    ("en", "3.1.4", 3), ("en", "2.6.1", 2), ("en", "3.6.3", 6), ("en-mt", "3.1.1", 4),
])
def test_an_english_sentence_taken_out_leaves_its_chinese_sentence_unpaired_with_a_low_score(
        corpus, version, ref, dropped):
    zh, en = clause(corpus, version, ref)
    assert len(zh) == len(en)
    beads = align(zh, en[:dropped] + en[dropped + 1:])
    omission = bead_of(beads, dropped)
    assert omission.target == () and omission.source == (dropped,)
    assert omission.score < 0.5
    others = [b for b in beads if b is not omission]
    assert [(b.source, b.target) for b in others] == [
        ((i,), (i if i < dropped else i - 1,)) for i in range(len(zh)) if i != dropped]
    assert all(b.score > 0.5 for b in others)


@pytest.mark.parametrize("version", VERSIONS)
def test_clean_item_headings_are_one_to_one_with_a_high_score(corpus, version):
    headings = 0
    for ref, zh, en in clauses(corpus, version):
        if re.match(r"\d+\.", zh[0]) and len(zh) > 1:
            bead = align(zh, en)[0]
            assert (bead.source, bead.target) == ((0,), (0,)), ref
            assert bead.score > 0.9, (ref, zh[0], en[0], bead.score)
            headings += 1
    assert headings == (65 if version == "en" else 25)  # items of Parts 二 and 三; of 三


def test_a_heading_whose_english_label_slipped_is_marked_doubtful(corpus):
    # The published translation labels Part III section (四) as (5): same text, wrong number.
    zh, en = clause(corpus, "en", "3.4")
    assert (zh, en) == (["（四）拓展海外合作。"], ["(5) Expand foreign cooperation."])
    [bead] = align(zh, en)
    assert (bead.source, bead.target) == ((0,), (0,))
    assert bead.score < 0.5


def test_clean_pairs_score_far_above_wrong_pairs(corpus):
    clean, wrong = [], []
    for ref, zh, en in clauses(corpus, "en"):
        if len(zh) != len(en) or len(zh) < 3:
            continue
        clean += [b.score for b in align(zh, en) if len(b.source) == 1]
        # The English in reverse order: whatever the aligner still pairs is (mostly) wrong.
        backwards = en[::-1]
        for b in align(zh, backwards):
            if b.source and b.target and set(b.source) != {len(en) - 1 - j for j in b.target}:
                wrong.append(b.score)
    assert sorted(clean)[len(clean) // 2] > 0.99
    assert sum(s > 0.9 for s in clean) / len(clean) > 0.9
    assert wrong and sorted(wrong)[len(wrong) // 2] < 0.3


def test_with_no_english_every_chinese_sentence_is_a_one_to_zero_bead(corpus):
    zh, _ = clause(corpus, "en", "3.1.1")
    beads = align(zh, [])
    assert [(b.source, b.target) for b in beads] == [((i,), ()) for i in range(len(zh))]
    assert all(b.score <= 0.1 for b in beads)


def test_with_no_chinese_every_english_sentence_is_a_zero_to_one_bead(corpus):
    _, en = clause(corpus, "en", "3.1.1")
    assert [(b.source, b.target) for b in align([], en)] == [((), (j,)) for j in range(len(en))]
    assert align([], []) == []


def test_the_signature_date_is_paired_by_its_numbers(corpus):
    for version in VERSIONS:
        zh, en = clause(corpus, version, "signature")
        assert zh[1] == "2015年7月1日" and en[1] in ("1 July 2015.", "20 15 July 1")
        assert align(zh, en)[1].source == (1,) and align(zh, en)[1].target == (1,)


def test_aligning_the_same_clause_twice_gives_the_same_beads(corpus):
    zh, en = clause(corpus, "en-mt", "3.2.4")
    assert align(zh, en) == align(list(zh), list(en))


def test_the_length_constants_are_those_of_the_real_one_to_one_clauses(corpus):
    # As the comment on C and S2 says: pairs in order where the counts agree, |delta| > 3 out.
    from reader.align import chinese_features, english_features

    pairs = [(chinese_features(z).length, english_features(e).length)
             for version in VERSIONS for ref, zh, en in clauses(corpus, version)
             if len(zh) == len(en) for z, e in zip(zh, en)]

    def estimate(pairs):
        c = sum(t for s, t in pairs) / sum(s for s, t in pairs)
        return c, sum((t - c * s) ** 2 for s, t in pairs) / sum(s for s, t in pairs)

    c, s2 = estimate(pairs)
    c, s2 = estimate([(s, t) for s, t in pairs if abs(t - c * s) / math.sqrt(s * s2) <= 3])
    assert c == pytest.approx(C, abs=0.02) and s2 == pytest.approx(S2, rel=0.05)


# --- lists and long sentences in the official translations of the reports ------------------

@pytest.fixture(scope="module")
def report_2020():
    from django.conf import settings
    from reader.sources.corpus import build_corpus
    return build_corpus(settings.LIBRARY_DIR / "gwr-2020")


def report_beads(corpus, ref):
    from reader.align import align_units, list_units
    spans = corpus.sentences["en", ref]
    zh = [s.text for s in corpus.sentences["zh-hans", ref]]
    return [(tuple(i + 1 for i in b.source), tuple(j + 1 for j in b.target), b.score)
            for b in align_units(zh, [s.text for s in spans],
                                 list_units(corpus.passage("en", ref).text, spans))]


def test_a_list_of_targets_renders_the_one_chinese_sentence_that_states_them(report_2020):
    """2020, 2.0.3: 今年要优先稳就业保民生…；…努力完成“十三五”规划目标任务。 is one sentence; the
    English gives it as a sentence, a lead ("…the following targets:") and nine list lines."""
    english = [s.text for s in report_2020.sentences["en", "2.0.3"]]
    assert english[2] == "Specifically, we have set the following targets:"
    assert english[-1] == "Accomplishment of the 13th Five-Year Plan"
    beads = report_beads(report_2020, "2.0.3")
    assert [(zh, en) for zh, en, _ in beads] == [((1,), (1,)), ((2,), tuple(range(2, 12)))]
    assert beads[1][2] > 0.9


def test_a_chinese_sentence_the_translation_gives_as_three_is_one_bead(report_2020):
    """2020, 0.1: 现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。"""
    assert len(report_2020.sentences["en", "0.1"]) == 3
    [(zh, en, score)] = report_beads(report_2020, "0.1")
    assert (zh, en) == ((1,), (1, 2, 3)) and score > 0.9


def test_lines_without_full_stops_are_a_list_only_when_introduced_or_punctuated_as_one(corpus):
    from reader.align import list_units
    # The machine translation's signature: two such lines, the issuer and the date.
    spans = corpus.sentences["en-mt", "signature"]
    assert [s.text for s in spans] == ["the State Council", "20 15 July 1"]
    assert list_units(corpus.passage("en-mt", "signature").text, spans) == [(0,), (1,)]
