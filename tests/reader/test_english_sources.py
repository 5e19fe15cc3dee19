"""The two English renderings parse into passages placed by structure, on the real seed files."""
import re

import pytest
from django.conf import settings

from reader.sources.base import DROPPED, METADATA, TRANSLATION, USED, SourceError
from reader.sources.english import parse_machine_translation, parse_published_translation

PUBLISHED = "002_97e1ecdbb18a24da.txt"
MACHINE = "003_a8db5f3189125df7.txt"
PART_THREE_ITEMS = [4, 4, 4, 3, 4, 3, 3]  # from the Chinese base text, as callers pass it

# Items per section of Parts 二 and 三, counted by hand in the Chinese half of 002 and
# re-counted from it by ``chinese_item_counts`` below.
ITEMS = {
    "2.1": 3, "2.2": 4, "2.3": 4, "2.4": 4, "2.5": 3, "2.6": 5, "2.7": 3, "2.8": 4, "2.9": 3,
    "2.10": 4, "2.11": 3,
    "3.1": 4, "3.2": 4, "3.3": 4, "3.4": 3, "3.5": 4, "3.6": 3, "3.7": 3,
}


def source_text(name: str) -> str:
    """A seed file's text, as the project keeps it (fixtures/documents/guofa-2015-40)."""
    return (settings.SOURCES_DIR / name).read_text(encoding="utf-8")


def published():
    return parse_published_translation(source_text(PUBLISHED), PUBLISHED)


def machine():
    return parse_machine_translation(source_text(MACHINE), MACHINE, PART_THREE_ITEMS)


def chinese_item_counts() -> dict[str, int]:
    """Numbered items per section in the Chinese half of 002, by its own headings."""
    counts: dict[str, int] = {}
    part = section = 0
    for line in source_text(PUBLISHED).split("\n"):
        if not re.search("[\u4e00-\u9fff]", line):
            continue
        if re.match(r"^[一二三]、", line):
            part, section = part + 1, 0
        elif re.match(r"^[（(][一二三四五六七八九十]+[）)]", line):
            section += 1
        elif re.match(r"^\d+[.．]", line):
            key = f"{part}.{section}"
            counts[key] = counts.get(key, 0) + 1
    return counts


def refs_of_kind(parsed, pattern):
    return [ref for ref in parsed.passages if re.fullmatch(pattern, ref)]


def notes_for(parsed, ref):
    return [note.body for note in parsed.notes if note.ref == ref]


def without_line(text: str, starting: str) -> str:
    lines = text.split("\n")
    return "\n".join(line for line in lines if not line.startswith(starting))


# --- the published translation (002) ------------------------------------------------------

def test_item_counts_in_the_chinese_half_of_002_are_the_ones_the_tests_expect():
    assert chinese_item_counts() == ITEMS
    assert [ITEMS[f"3.{s}"] for s in range(1, 8)] == PART_THREE_ITEMS


def test_published_translation_has_two_preamble_paragraphs_and_three_parts():
    parsed = published()
    assert refs_of_kind(parsed, r"0\.\d+") == ["0.1", "0.2"]
    assert refs_of_kind(parsed, r"\d") == ["1", "2", "3"]
    assert [parsed.passages[r].text for r in ("1", "2", "3")] == [
        "I, Programme requirements", "II, Focus activities", "III, Guarantees and support"]


def test_published_translation_has_3_11_and_7_sections_in_its_three_parts():
    parsed = published()
    sections = refs_of_kind(parsed, r"\d+\.\d+")
    assert [sum(r.startswith(f"{p}.") for r in sections) for p in "123"] == [3, 11, 7]


def test_part_one_sections_hold_1_5_and_6_unnumbered_paragraphs():
    parsed = published()
    assert refs_of_kind(parsed, r"1\.\d+\.\d+") == (
        ["1.1.1"] + [f"1.2.{k}" for k in range(1, 6)] + [f"1.3.{k}" for k in range(1, 7)])
    assert parsed.passages["1.2.1"].text.startswith("Persisting in openness and sharing.")
    assert parsed.passages["1.3.2"].text.startswith("– Economic development is to")
    assert parsed.passages["1.3.6"].text.startswith("By 2025, a networked,")


def test_every_part_two_section_opens_with_one_lead_paragraph():
    parsed = published()
    assert refs_of_kind(parsed, r"2\.\d+\.0") == [f"2.{s}.0" for s in range(1, 12)]
    assert refs_of_kind(parsed, r"3\.\d+\.0") == []
    assert parsed.passages["2.1.0"].text.startswith("Fully give rein to the innovation driving")


def test_item_counts_per_section_of_the_translation_match_the_chinese():
    parsed = published()
    found = {}
    for ref in refs_of_kind(parsed, r"[23]\.\d+\.[1-9]\d*"):
        section = ref.rsplit(".", 1)[0]
        found[section] = found.get(section, 0) + 1
    assert found == ITEMS


def test_part_two_section_two_labelled_1_is_placed_by_structure_and_noted():
    parsed = published()
    section = parsed.passages["2.2"]
    assert section.label == "(1)"
    assert section.text == "(1) “Internet Plus”-coordinated manufacturing."
    assert parsed.passages["2.2.1"].text.startswith("1. Forcefully developing smart manufacturing.")
    [note] = [n for n in parsed.notes if n.ref == "2.2"]
    assert (note.kind, note.version, note.source, note.line) == (TRANSLATION, "en", PUBLISHED, 55)
    assert note.body == ("Section (二) of Part II is labelled “(1)” in this translation; "
                         "placed by structure as section 2.")


def test_part_three_section_four_labelled_5_is_placed_by_structure_and_noted():
    parsed = published()
    assert parsed.passages["3.4"].text == "(5) Expand foreign cooperation."
    assert parsed.passages["3.5"].text == "(5) Strengthening intelligence construction."
    assert parsed.passages["3.4.1"].text.startswith("1. Encouraging enterprises to unite")
    assert notes_for(parsed, "3.4") == [
        "Section (四) of Part III is labelled “(5)” in this translation; "
        "placed by structure as section 4."]
    assert notes_for(parsed, "3.5") == []


def test_the_two_section_slips_are_the_only_label_notes_in_the_translation():
    assert [(n.ref, n.line) for n in published().notes] == [("2.2", 55), ("3.4", 165)]


def test_passages_keep_the_published_text_and_printed_labels():
    parsed = published()
    # the published title has a no-break space before "Plan"; it is kept as published
    assert parsed.passages["title"].text == (
        "State Council Guiding Opinions concerning Vigorously Moving Forward the "
        "“Internet Plus”\u00a0Plan")
    assert parsed.passages["addressees"].text.startswith("All provincial, autonomous region")
    assert parsed.passages["0.1"].text.startswith("“Internet Plus” is the profound integration")
    assert parsed.passages["0.2"].text.startswith("In recent years, our country has gained")
    item = parsed.passages["2.1.1"]
    assert (item.label, item.lines) == ("1.", (51,))
    assert item.text.startswith("1. Strengthening support for start-ups and innovation.")
    # the translation's own slip ", ," is shown as published
    assert "manufacturing sector, , enhance" in parsed.passages["2.2.0"].text
    assert parsed.passages["3.7.3"].text.startswith("3. Moving implementation forward")
    assert parsed.passages["1"].label == "I" and parsed.passages["3.6"].label == "(6)"
    lines = source_text(PUBLISHED).split("\n")
    for passage in parsed.passages.values():
        if len(passage.lines) == 1:
            assert passage.text == lines[passage.lines[0] - 1].strip()


def test_signature_joins_issuer_and_date_lines():
    signature = published().passages["signature"]
    assert (signature.text, signature.lines) == ("State Council\n1 July 2015.", (190, 192))


def test_document_number_is_metadata_and_blog_furniture_is_dropped():
    parsed = published()
    assert parsed.metadata["number"] == "GF No. (2015)40"
    assert parsed.fates[5].fate == METADATA
    assert parsed.fates[3].fate == DROPPED and "blog" in parsed.fates[3].reason


def test_every_english_and_comment_form_line_has_a_fate_and_no_chinese_line_does():
    text = source_text(PUBLISHED)
    parsed = parse_published_translation(text, PUBLISHED)
    lines = text.split("\n")
    first_chinese = next(n for n, line in enumerate(lines, 1) if line.startswith("国务院关于"))
    last_chinese = next(n for n, line in enumerate(lines, 1) if line.startswith("2015年7月1日"))
    assert first_chinese == 194
    unaccounted = parsed.unaccounted(text)
    chinese = [n for n in range(first_chinese, last_chinese + 1) if lines[n - 1].strip()]
    assert unaccounted == chinese
    form = [n for n in range(last_chinese + 1, len(lines) + 1) if lines[n - 1].strip()]
    assert form and lines[form[0] - 1] == "Leave a Reply"
    assert all(parsed.fates[n].fate == DROPPED and "comment form" in parsed.fates[n].reason
               for n in form)


def test_missing_part_three_section_heading_raises_source_error_naming_file_and_line():
    mangled = without_line(source_text(PUBLISHED), "(5) Expand foreign cooperation")
    with pytest.raises(SourceError) as error:
        parse_published_translation(mangled, PUBLISHED)
    # with the heading (line 165) gone, the orphaned "1." of line 167 is now line 166
    assert (error.value.filename, error.value.line) == (PUBLISHED, 166)
    assert f"{PUBLISHED}:166" in str(error.value)


def test_section_heading_before_any_part_heading_raises_source_error():
    mangled = without_line(source_text(PUBLISHED), "I, Programme requirements")
    with pytest.raises(SourceError) as error:
        parse_published_translation(mangled, PUBLISHED)
    assert error.value.line == 14 and "before any part heading" in error.value.message


def test_missing_part_two_section_heading_raises_source_error():
    mangled = without_line(source_text(PUBLISHED), "(3) Modern “Internet Plus” agriculture.")
    with pytest.raises(SourceError) as error:
        parse_published_translation(mangled, PUBLISHED)
    assert error.value.line == 65 and "after the numbered items" in error.value.message


# --- the machine translation (003) ---------------------------------------------------------

def run_on_line() -> str:
    return source_text(MACHINE).split("\n")[10]


def test_run_on_line_is_split_into_the_second_preamble_paragraph_and_32_part_three_starts():
    parsed = machine()
    from_line_11 = [ref for ref, p in parsed.passages.items() if p.lines == (11,)]
    assert from_line_11[0] == "0.2"
    part_three = from_line_11[1:]
    assert len(part_three) == 32
    assert refs_of_kind(parsed, r"3\.\d+") == [f"3.{s}" for s in range(1, 8)]
    assert [sum(r.startswith(f"3.{s}.") for r in part_three) for s in range(1, 8)] == \
        PART_THREE_ITEMS
    assert not {"1", "2", "3"} & set(parsed.passages)  # Part 三's heading is not invented
    assert parsed.passages["0.2"].text.startswith("In recent 20 15 years, China has made")
    assert parsed.passages["0.2"].text.endswith('on actively promoting the "internet plus" action.')


def test_run_on_passages_joined_with_single_spaces_reproduce_the_line():
    parsed = machine()
    texts = [p.text for p in parsed.passages.values() if p.lines == (11,)]
    assert " ".join(texts) == run_on_line()


def test_item_labelled_like_a_section_is_placed_as_item_three_and_noted():
    parsed = machine()
    assert parsed.passages["3.1"].text == "(1) lay a solid foundation for development."
    item = parsed.passages["3.1.3"]
    assert item.label == "(3)"
    assert item.text.startswith("(3) lay a solid industrial foundation. Efforts will be made")
    assert any("labelled “(3)”" in body for body in notes_for(parsed, "3.1.3"))


def test_roman_section_label_is_placed_as_section_six_and_noted():
    parsed = machine()
    assert parsed.passages["3.6"].text == "(VI) Strengthen guidance and support."
    assert parsed.passages["3.6.1"].text.startswith("1. Implement the main engineering package.")
    assert notes_for(parsed, "3.6") == [
        "Section (六) of Part III is labelled “(VI)” in this machine translation "
        "(expected “(6)”); placed by structure."]


def test_stray_characters_stay_with_the_item_they_follow():
    parsed = machine()
    text = {ref: p.text for ref, p in parsed.passages.items()}
    assert text["3.1.2"].endswith("Ministry of Industry and Information Technology, etc.")
    assert text["3.1.3"].endswith("Network Information Office, etc.). )")
    assert text["3.1.4"].startswith("4. Ensure the safety foundation.")
    assert text["3.2.4"].startswith("4. Vigorously develop open source communities.")
    assert text["3.7.3"].endswith("(Departments and local governments are responsible)")


def test_unbalanced_parentheses_masked_characters_and_split_numbers_are_noted_once_per_passage():
    parsed = machine()
    unbalanced = [n.ref for n in parsed.notes if n.body.startswith("unbalanced parenthesis")]
    assert unbalanced == ["3.1.2", "3.1.3", "3.2.4", "3.3.1", "3.4.1", "3.4.2", "3.6.2"]
    masked = [n.ref for n in parsed.notes if "“* * *”" in n.body]
    assert masked == ["3.2.2"]
    split = [n.ref for n in parsed.notes if "“20 15”" in n.body]
    assert split == ["0.2", "signature"]
    assert all((n.kind, n.version, n.source) == (TRANSLATION, "en-mt", MACHINE)
               for n in parsed.notes)


def test_label_form_notes_are_only_for_the_two_labels_that_differ():
    parsed = machine()
    labelled = [n.ref for n in parsed.notes if "is labelled" in n.body]
    assert labelled == ["3.1.3", "3.6"]


def test_absent_part_three_heading_is_noted_on_the_part():
    assert any("absent" in body for body in notes_for(machine(), "3"))


def test_front_matter_number_and_signature_of_the_machine_translation():
    parsed = machine()
    assert parsed.passages["title"].text.startswith("The State Council's Guiding Opinions")
    assert parsed.passages["addressees"].text.startswith("The target is the people's governments")
    assert parsed.passages["0.1"].text.startswith('"internet plus" is a new form of economic')
    assert parsed.metadata["number"] == "Guo Fa [2015] No.40 Document"
    assert parsed.passages["signature"].text == "the State Council\n20 15 July 1"


def test_every_line_of_the_machine_translation_has_a_fate():
    text = source_text(MACHINE)
    parsed = parse_machine_translation(text, MACHINE, PART_THREE_ITEMS)
    assert parsed.unaccounted(text) == []
    assert parsed.fates[1].fate == DROPPED and "publishing site" in parsed.fates[1].reason
    assert parsed.fates[5].fate == METADATA
    run_on = parsed.fates[11]
    assert (run_on.fate, run_on.versions) == (USED, ("en-mt",))
    assert run_on.refs == tuple(ref for ref, p in parsed.passages.items() if p.lines == (11,))
    assert len(run_on.refs) == 33


def test_missing_section_heading_in_the_run_on_raises_source_error_naming_line_11():
    mangled = source_text(MACHINE).replace("(4) Expand overseas cooperation. ", "")
    with pytest.raises(SourceError) as error:
        parse_machine_translation(mangled, MACHINE, PART_THREE_ITEMS)
    assert (error.value.filename, error.value.line) == (MACHINE, 11)


def test_truncated_run_on_raises_source_error_naming_line_11():
    text = source_text(MACHINE)
    line = run_on_line()
    mangled = text.replace(line, line[: line.index("(VI)")])
    with pytest.raises(SourceError) as error:
        parse_machine_translation(mangled, MACHINE, PART_THREE_ITEMS)
    assert f"{MACHINE}:11" in str(error.value)
    assert "3.6" in error.value.message
