"""Translation checks (issue 6 §2) on the real texts: what they find in the published translation
(en) and the machine translation (en-mt), and what they must not find.

The findings of each version are computed once per module (aligning costs a second or two); the
known faults are those recorded by hand: the machine translation's missing responsibility lines,
the label slips noted at ingest, the masked and split text, the doubled comma of the published
translation.
"""

import pytest

from reader.align import align
from reader.checks import Finding, LengthNorm, check_clause, check_document
from reader.sources.base import TRANSLATION


@pytest.fixture(scope="module")
def beads(corpus):
    """version -> ref -> the aligner's beads, 1-based as the site stores them."""
    out = {}
    for version in ("en", "en-mt"):
        out[version] = {}
        for ref in corpus.refs:
            if (version, ref) not in corpus.sentences:
                continue
            source = [s.text for s in corpus.sentences["zh-hans", ref]]
            target = [s.text for s in corpus.sentences[version, ref]]
            out[version][ref] = [([i + 1 for i in b.source], [j + 1 for j in b.target], b.score)
                                 for b in align(source, target)]
    return out


@pytest.fixture(scope="module")
def findings(corpus, beads):
    return {version: check_document(corpus, version, beads[version].__getitem__)
            for version in ("en", "en-mt")}


def of_kind(findings, kind):
    return [f for f in findings if f.kind == kind]


def test_the_machine_translations_missing_responsibility_lines_are_omissions(corpus, findings):
    omissions = {(f.ref, f.sentence): f for f in of_kind(findings["en-mt"], "omission")}
    for ref, sentence in (("3.5.2", 4), ("3.5.3", 5)):
        chinese = corpus.sentences["zh-hans", ref][sentence - 1].text
        assert chinese.startswith("（教育部") and chinese.endswith("等负责）")
        finding = omissions[ref, sentence]
        assert "responsibility line" in finding.reason and chinese in finding.reason


def test_the_missing_part_three_heading_is_a_whole_clause_omission(findings):
    assert Finding("3", None, "omission",
                   "the clause “三、保障支撑” has no rendering in this version, though the clauses "
                   "under it have") in findings["en-mt"]


def test_clauses_a_version_does_not_cover_at_all_are_not_omissions(findings):
    omitted = {f.ref for f in of_kind(findings["en-mt"], "omission")}
    assert omitted == {"3", "3.5.2", "3.5.3"}
    assert not of_kind(findings["en"], "omission") and not of_kind(findings["en"], "addition")


def test_the_label_slips_noted_at_ingest_are_label_findings_on_the_first_sentence(findings):
    assert ({(f.ref, f.sentence) for f in of_kind(findings["en"], "label")}
            == {("2.2", 1), ("3.4", 1)})
    assert ({(f.ref, f.sentence) for f in of_kind(findings["en-mt"], "label")}
            == {("3.1.3", 1), ("3.6", 1)})
    reasons = " ".join(f.reason for f in of_kind(findings["en"], "label"))
    assert "labelled “(1)”" in reasons and "labelled “(5)”" in reasons


def test_only_translation_notes_that_say_labelled_become_label_findings(corpus, findings):
    notes = [n for n in corpus.notes if n.version == "en-mt" and n.kind == TRANSLATION]
    assert len(notes) > 4  # also the split number, the masking, the broken parentheses
    labelled = {n.body for n in notes if "labelled" in n.body}
    assert {f.reason for f in of_kind(findings["en-mt"], "label")} == labelled


def test_masked_text_in_the_machine_translation_is_an_artefact(findings):
    masked = [f for f in of_kind(findings["en-mt"], "artefact") if "“* * *”" in f.reason]
    assert [(f.ref, f.sentence) for f in masked] == [("3.2.2", 2)]
    assert "2 times" in masked[0].reason and "principle of * * * first" in masked[0].reason


def test_the_split_year_is_an_artefact_in_the_preamble_and_the_signature(findings):
    split = [(f.ref, f.sentence) for f in of_kind(findings["en-mt"], "artefact")
             if "split by a space, “20 15”" in f.reason]
    assert split == [("0.2", 1), ("signature", 2)]


def test_the_split_year_is_a_number_finding_only_where_the_chinese_has_no_2015(findings):
    numbers = of_kind(findings["en-mt"], "number")
    assert [(f.ref, f.sentence) for f in numbers] == [("0.2", 1)]
    assert numbers[0].reason.startswith("“20 15” is in this version")


def test_every_artefact_noted_at_ingest_is_found_in_the_text(corpus, findings):
    artefact_notes = [n for n in corpus.notes if n.version == "en-mt" and n.kind == TRANSLATION
                      and any(w in n.body for w in ("20 15", "* * *", "parenthesis"))]
    assert len(artefact_notes) == 10
    found = {f.ref for f in of_kind(findings["en-mt"], "artefact")}
    assert {n.ref for n in artefact_notes} <= found


def test_broken_parentheses_of_the_machine_translation_are_found_where_they_are(findings):
    parentheses = {(f.ref, f.sentence): f.reason for f in of_kind(findings["en-mt"], "artefact")
                   if "nothing to close" in f.reason or "never closed" in f.reason}
    assert set(parentheses) == {("3.1.2", 5), ("3.1.3", 5), ("3.2.4", 2), ("3.3.1", 6),
                                ("3.4.1", 3), ("3.4.2", 4), ("3.6.2", 6)}
    assert "opening “(” never closed" in parentheses["3.1.2", 5]
    # The stray bracket is in English sentence 4, which renders Chinese sentence 3.
    assert "sentence 4 of this version" in parentheses["3.4.1", 3]


def test_the_doubled_comma_of_the_published_translation_is_an_artefact(findings):
    assert [f for f in findings["en"] if f.ref == "2.2.0" and f.kind == "artefact"] == [
        Finding("2.2.0", 1, "artefact", "doubled punctuation “, ,”, in sentence 1 of this version: "
                "“…the manufacturing sector, , enhance the digitalization…”", translated=1)]


def test_etc_followed_by_a_comma_is_not_doubled_punctuation(corpus, findings):
    assert "etc., are responsible" in corpus.passage("en", "2.3.0").text
    # Inspected: besides 2.2.0's “, ,”, only “etc.,. are” and “areas., borrow” are slips.
    assert {f.ref for f in of_kind(findings["en"], "artefact")} == {"2.2.0", "3.3.2", "3.4.1"}


def test_ipv6_present_on_both_sides_is_not_a_finding(corpus, findings):
    assert "IPv6" in corpus.passage("zh-hans", "3.1.1").text
    for version in ("en", "en-mt"):
        assert "IPv6" in corpus.passage(version, "3.1.1").text
        assert not [f for f in findings[version] if f.ref == "3.1.1"
                    and f.kind in ("number", "latin")]


def test_the_published_translation_has_few_number_or_latin_findings_and_they_are_real(findings):
    found = [f for f in findings["en"] if f.kind in ("number", "latin")]
    # Inspected: 2.5.2 drops the abbreviations “IC” (卡) and “MTPS”; nothing else differs.
    assert len(found) <= 2
    assert [(f.ref, f.sentence, f.reason[:6]) for f in found] == [
        ("2.5.2", 5, "“IC” i"), ("2.5.2", 6, "“MTPS”")]


def test_english_acronyms_of_chinese_terms_are_not_additions(corpus, findings):
    assert "QR codes, RFID" in corpus.passage("en", "2.3.4").text
    assert "R&D" in corpus.passage("en-mt", "3.5.4").text
    acronym_clauses = ("2.3.4", "2.7.2", "2.10.3", "3.3.1", "3.5.3", "3.5.4")
    assert not [f for f in findings["en"] + findings["en-mt"]
                if f.kind == "latin" and f.ref in acronym_clauses]


def test_the_truncated_sentence_of_the_machine_translation_is_a_length_outlier(findings):
    length = {(f.ref, f.sentence): f.reason for f in of_kind(findings["en-mt"], "length")}
    # The machine translation stops before 实现中国经济提质增效升级具有重要意义.
    reason = length["0.1", 3]
    assert "542 characters of English for the 149 of Chinese sentence 3: shorter" in reason


def test_length_outliers_are_few_and_short_headings_are_not_among_them(corpus, findings):
    for version in ("en", "en-mt"):
        flagged = of_kind(findings[version], "length")
        assert 1 <= len(flagged) <= 5
        for f in flagged:
            assert f.sentence is not None
            heading = corpus.sentences["zh-hans", f.ref][f.sentence - 1].text
            assert not heading.startswith("（") or "负责" in heading


def test_a_number_in_the_chinese_missing_from_the_english_is_found():
    source = ["1.提高普及率。", "到2018年，固定宽带普及率达到80%以上。"]
    target = ["1. Raising penetration.", "By 2018, fixed broadband is to reach most households."]
    found = check_clause("9.9.9", source, target, [([1], [1], 1.0), ([2], [2], 1.0)], [])
    assert found == [Finding(
        "9.9.9", 2, "number",
        "“80%” is in the Chinese “…2018年，固定宽带普及率达到80%以上。” but not in this version: "
        "“By 2018, fixed broadband is to reach most households.”")]


def test_dates_number_words_and_fullwidth_digits_match_their_english():
    source = ["２０１５年7月1日，设立6个试验区。"]
    for english in ("On 1 July 2015, six pilot zones are to be set up.",
                    "On July 1, 2015, 6 pilot zones are to be set up."):
        assert check_clause("x", source, [english], [([1], [1], 1.0)], []) == []


def test_a_number_only_in_the_english_is_found_and_labels_are_not_numbers():
    source = ["（三）建设试验区。"]
    found = check_clause("x", source, ["(3) Building 20 pilot zones."], [([1], [1], 1.0)], [])
    assert [(f.kind, f.reason[:4]) for f in found] == [("number", "“20”")]


def test_an_english_sentence_rendering_nothing_is_an_addition_after_the_sentence_it_follows():
    source = ["加强合作。", "（商务部负责）"]
    target = ["Strengthen cooperation.", "This is very important.", "(Ministry of Commerce)"]
    beads = [([1], [1], 1.0), ([], [2], 0.1), ([2], [3], 1.0)]
    assert check_clause("x", source, target, beads, []) == [
        Finding("x", 1, "addition", "sentence 2 of this version, “This is very important.”, "
                "renders no Chinese sentence", translated=2)]


def test_a_length_outlier_reports_both_lengths_against_the_version_norm():
    norm = LengthNorm(rate=4.5, center=0.0, spread=3.5)
    english = ("Strengthen cooperation in every field of the economy, society, culture, science "
               "and technology, all of it.")
    found = check_clause("x", ["加强合作。"], [english], [([1], [1], 1.0)], [], lengths=norm)
    assert [f.kind for f in found] == ["length"]
    assert found[0].reason.startswith("106 characters of English for the 5 of Chinese sentence 1: "
                                      "longer than this version's 4.50 per Chinese character")


def test_stored_beads_are_used_when_given(corpus, beads):
    def with_a_skipped_line(ref):
        if ref == "3.2.3":  # pretend the stored alignment left the responsibility line unpaired
            return beads["en"][ref][:-1] + [([6], [], 0.1), ([], [6], 0.1)]
        return beads["en"][ref]

    found = [f for f in check_document(corpus, "en", with_a_skipped_line)
             if f.ref == "3.2.3" and f.kind in ("omission", "addition")]
    # The addition is tied to the Chinese sentence it follows.
    assert [(f.sentence, f.kind) for f in found] == [(6, "omission"), (6, "addition")]


def test_checks_are_deterministic_and_in_document_order(corpus, beads, findings):
    again = check_document(corpus, "en-mt", beads["en-mt"].__getitem__)
    assert again == findings["en-mt"]
    order = {ref: i for i, ref in enumerate(corpus.refs)}
    for version in ("en", "en-mt"):
        keys = [(order[f.ref], f.sentence or 0) for f in findings[version]]
        assert keys == sorted(keys)


def test_the_default_alignment_gives_the_same_findings(corpus, findings):
    assert check_document(corpus, "en-mt") == findings["en-mt"]


def test_a_version_that_is_not_a_translation_is_refused(corpus):
    for version in ("zh-hans", "zh-hant", "fr"):
        with pytest.raises(ValueError):
            check_document(corpus, version)


def test_numbers_scaled_by_wan_yi_and_wanyi_match_their_english_scales():
    """2016: 国内生产总值达到67.7万亿元 … 城镇新增就业1312万人 is "67.7 trillion yuan … 13.12
    million new urban jobs": no number finding."""
    from reader.checks import check_clause
    zh = ["国内生产总值达到67.7万亿元，增长6.9%。", "城镇新增就业1312万人。"]
    en = ["GDP reached 67.7 trillion yuan, representing an increase of 6.9%.",
          "13.12 million new urban jobs were created."]
    found = check_clause("1.0.2", zh, en, [([1], [1], 1.0), ([2], [2], 1.0)], [])
    assert [f for f in found if f.kind == "number"] == []
    found = check_clause("1.0.2", zh, ["GDP reached 67.7 billion yuan, up 6.9%.", en[1]],
                         [([1], [1], 1.0), ([2], [2], 1.0)], [])
    numbers = [f.reason for f in found if f.kind == "number"]
    assert any("67.7万亿" in reason for reason in numbers), numbers
