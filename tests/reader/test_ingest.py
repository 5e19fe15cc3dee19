"""`python manage.py ingest` on the real sources: structure, coverage, idempotence, atomic
failure, nothing lost, and the repairs it records."""
import hashlib
import re
import shutil
import tomllib
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from reader.models import Clause, Document, Note, Passage, Term, Version

DOC = "guofa-2015-40"
CHINESE_WEB = "000_a6d06f46de0d681d.txt"
NEWSPAPER = "001_a8d5c490817db3bf.txt"
BLOG = "002_97e1ecdbb18a24da.txt"
MACHINE = "003_a8db5f3189125df7.txt"
TRADITIONAL = "004_e16acc4d9ceec0b3.txt"
ALL_SOURCES = [CHINESE_WEB, NEWSPAPER, BLOG, MACHINE, TRADITIONAL]

# The document's own numbering, counted by hand in the Chinese text.
PART_ONE_PARAGRAPHS = [1, 5, 6]  # unnumbered paragraphs under 一、(一) (二) (三)
PART_TWO_ITEMS = [3, 4, 4, 4, 3, 5, 3, 4, 3, 4, 3]  # numbered items under 二、(一)…(十一)
PART_THREE_ITEMS = [4, 4, 4, 3, 4, 3, 3]  # numbered items under 三、(一)…(七)


def expected_refs() -> list[str]:
    refs = ["title", "addressees", "0.1", "0.2", "1"]
    for s, count in enumerate(PART_ONE_PARAGRAPHS, start=1):
        refs += [f"1.{s}"] + [f"1.{s}.{i}" for i in range(1, count + 1)]
    refs.append("2")
    for s, count in enumerate(PART_TWO_ITEMS, start=1):
        refs += [f"2.{s}", f"2.{s}.0"] + [f"2.{s}.{i}" for i in range(1, count + 1)]
    refs.append("3")
    for s, count in enumerate(PART_THREE_ITEMS, start=1):
        refs += [f"3.{s}"] + [f"3.{s}.{i}" for i in range(1, count + 1)]
    return refs + ["signature"]


EXPECTED_REFS = expected_refs()
PART_THREE_REFS = [r for r in EXPECTED_REFS if r.startswith("3.")]


def ingest(**options) -> str:
    """The ingest command's output for the seed document (or ``sources=``)."""
    out = StringIO()
    options.setdefault("sources", settings.SOURCES_DIR)
    call_command("ingest", stdout=out, **options)
    return out.getvalue()


def text(ref: str, version: str) -> str:
    return Passage.objects.get(clause__document__slug=DOC, clause__ref=ref,
                               version__slug=version).text


def refs_in(version: str) -> set[str]:
    return set(Passage.objects.filter(version__slug=version).values_list("clause__ref", flat=True))


def snapshot() -> dict:
    """Everything a reader could see, keyed by primary key so a rewrite would show."""
    return {
        "documents": list(Document.objects.values_list("pk", "slug", "number", "fingerprint")),
        "versions": list(Version.objects.values_list("pk", "slug", "label", "sources")),
        "clauses": list(Clause.objects.order_by("position").values_list("pk", "ref", "parent__ref")),
        "passages": sorted(Passage.objects.values_list("pk", "clause__ref", "version__slug", "text")),
        "notes": list(Note.objects.values_list("pk", "clause__ref", "kind", "body")),
    }


def non_blank_lines(path: Path) -> set[int]:
    return {n for n, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
            if raw.strip()}


def copy_of_sources(directory: Path) -> Path:
    shutil.copytree(settings.SOURCES_DIR, directory, dirs_exist_ok=True)
    return directory


def rewrite_source(directory: Path, name: str, change, *, update_manifest: bool) -> None:
    """Change one copied source file; optionally record its new sha256 in the copied manifest."""
    path = directory / name
    before = path.read_bytes()
    after = change(before)
    assert after != before
    path.write_bytes(after)
    if update_manifest:
        manifest = directory / "manifest.toml"
        old, new = hashlib.sha256(before).hexdigest(), hashlib.sha256(after).hexdigest()
        assert old in manifest.read_text(encoding="utf-8")
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def blank_line(number: int):
    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[number - 1] = b""
        return b"\n".join(lines)
    return change


def parse_report(output: str) -> dict[str, dict[int, str]]:
    """{source file: {line number: fate}} from the `ingest --report` listing."""
    report: dict[str, dict[int, str]] = {}
    current = None
    for line in output.splitlines():
        header = re.match(r"^== (\S+) \(", line)
        if header:
            current = report.setdefault(header.group(1), {})
            continue
        entry = re.match(r"^\s*(\d+)  (\S.*)$", line)
        if entry and current is not None:
            current[int(entry.group(1))] = entry.group(2)
    return report


# (a) structure

def test_ingest_command_creates_every_clause_of_the_document_in_document_order(db):
    output = ingest()

    assert "117 clauses" in output
    document = Document.objects.get(slug=DOC)
    refs = list(Clause.objects.of(document).in_order().values_list("ref", flat=True))
    assert len(EXPECTED_REFS) == 117
    assert refs == EXPECTED_REFS


def test_clauses_know_their_kind_and_parent_from_the_numbering(ingested):
    clauses = {c.ref: c for c in Clause.objects.of(ingested).select_related("parent")}

    assert (clauses["title"].kind, clauses["title"].parent) == ("front", None)
    assert (clauses["signature"].kind, clauses["signature"].parent) == ("back", None)
    assert (clauses["0.2"].kind, clauses["0.2"].parent) == ("clause", None)
    assert (clauses["2"].kind, clauses["2"].parent) == ("part", None)
    assert (clauses["2.11"].kind, clauses["2.11"].parent.ref) == ("section", "2")
    assert (clauses["2.4.0"].kind, clauses["2.4.0"].parent.ref) == ("clause", "2.4")
    assert (clauses["3.7.3"].kind, clauses["3.7.3"].parent.ref) == ("clause", "3.7")


# (b) coverage per version

@pytest.mark.parametrize("version", ["zh-hans", "zh-hant", "en"])
def test_complete_versions_have_a_passage_for_every_clause(ingested, version):
    assert refs_in(version) == set(EXPECTED_REFS)


def test_machine_translation_covers_front_matter_preamble_part_three_sections_and_signature(ingested):
    expected = {"title", "addressees", "0.1", "0.2", *PART_THREE_REFS, "signature"}

    assert refs_in("en-mt") == expected
    assert "3" not in refs_in("en-mt")  # its Part 三 heading is missing; nothing is invented


def test_no_passage_is_empty(ingested):
    assert not Passage.objects.filter(text__regex=r"^\s*$").exists()


# (c) idempotence

def test_second_ingest_changes_nothing_and_says_so(ingested):
    before = snapshot()

    output = ingest()

    assert "already up to date" in output
    assert snapshot() == before


def test_reingest_restores_a_passage_edited_in_the_database(ingested):
    original = text("2.1.3", "en")
    Passage.objects.filter(clause__ref="2.1.3", version__slug="en").update(text="tampered")
    before = snapshot()

    output = ingest()

    assert text("2.1.3", "en") == original
    assert "0 rows created, 1 updated, 0 deleted" in output
    after = snapshot()
    assert [pk for pk, *_ in after["passages"]] == [pk for pk, *_ in before["passages"]]


# (d) atomic failure

def test_missing_section_heading_in_a_source_fails_naming_file_and_line_and_keeps_the_corpus(
        ingested, tmp_path):
    before = snapshot()
    sources = copy_of_sources(tmp_path)
    # Line 158 of the English translation is Part III's “(3) Building a comfortable environment.”
    assert (sources / BLOG).read_text(encoding="utf-8").split("\n")[157].startswith("(3) Building")
    rewrite_source(sources, BLOG, blank_line(158), update_manifest=True)

    with pytest.raises(CommandError) as failure:
        ingest(sources=sources)

    where = re.search(rf"{re.escape(BLOG)}:(\d+)", str(failure.value))
    assert where, str(failure.value)
    assert 158 <= int(where.group(1)) <= 160  # the gap, or the item that follows it
    assert snapshot() == before


def test_invalid_utf8_in_a_source_fails_naming_file_and_line_and_keeps_the_corpus(
        ingested, tmp_path):
    before = snapshot()
    sources = copy_of_sources(tmp_path)

    def garble_line_12(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[11] = lines[11][:6] + b"\xff\xfe" + lines[11][6:]
        return b"\n".join(lines)
    rewrite_source(sources, TRADITIONAL, garble_line_12, update_manifest=True)

    with pytest.raises(CommandError) as failure:
        ingest(sources=sources)

    assert f"{TRADITIONAL}:12" in str(failure.value)
    assert "UTF-8" in str(failure.value)
    assert snapshot() == before


def test_source_edited_without_updating_its_recorded_hash_fails_naming_the_file(ingested, tmp_path):
    before = snapshot()
    sources = copy_of_sources(tmp_path)
    rewrite_source(sources, MACHINE, lambda data: data.replace(b"State Council", b"State Counsel", 1),
                   update_manifest=False)

    with pytest.raises(CommandError) as failure:
        ingest(sources=sources)

    assert MACHINE in str(failure.value)
    assert "sha256" in str(failure.value)
    assert snapshot() == before


def test_corrupt_sources_fail_before_the_first_ingest_without_writing_anything(db, tmp_path):
    sources = copy_of_sources(tmp_path)
    rewrite_source(sources, CHINESE_WEB, blank_line(6), update_manifest=True)  # (一)总体思路。

    with pytest.raises(CommandError, match=re.escape(CHINESE_WEB) + r":\d+"):
        ingest(sources=sources)

    assert not Document.objects.exists()
    assert not Passage.objects.exists()


# (e) nothing lost

@pytest.fixture
def report(db):
    return parse_report(ingest(report=True))


def test_report_gives_a_fate_for_every_non_blank_line_of_every_source(report):
    manifest = tomllib.loads((settings.SOURCES_DIR / "manifest.toml").read_text(encoding="utf-8"))
    assert [s["file"] for s in manifest["sources"]] == ALL_SOURCES
    assert sorted(report) == ALL_SOURCES

    for name in ALL_SOURCES:
        assert set(report[name]) == non_blank_lines(settings.SOURCES_DIR / name), name


def test_report_has_no_unaccounted_line(db):
    output = ingest(report=True)

    assert "UNACCOUNTED" not in output
    assert "== 000_a6d06f46de0d681d.txt" in output


def test_web_page_link_is_dropped_as_furniture(report):
    assert "在本页阅读全文" in (settings.SOURCES_DIR / CHINESE_WEB).read_text(encoding="utf-8").split("\n")[25]
    assert report[CHINESE_WEB][26].startswith("dropped")
    assert "furniture" in report[CHINESE_WEB][26]


def test_newspaper_continuation_line_is_dropped_as_furniture(report):
    last = max(non_blank_lines(settings.SOURCES_DIR / NEWSPAPER))
    lines = (settings.SOURCES_DIR / NEWSPAPER).read_text(encoding="utf-8").split("\n")
    assert "下转第六版" in lines[last - 1]

    assert report[NEWSPAPER][last].startswith("dropped")
    assert "furniture" in report[NEWSPAPER][last]


def test_blog_comment_form_lines_are_all_dropped(report):
    lines = (settings.SOURCES_DIR / BLOG).read_text(encoding="utf-8").split("\n")
    start = lines.index("Leave a Reply") + 1
    form = {n for n in non_blank_lines(settings.SOURCES_DIR / BLOG) if n >= start}

    assert len(form) >= 10
    for n in form:
        assert report[BLOG][n].startswith("dropped"), n
        assert "comment form" in report[BLOG][n], n


def test_document_number_line_is_kept_as_metadata(report):
    assert report[CHINESE_WEB][1].startswith("metadata")
    assert "document number" in report[CHINESE_WEB][1]


def test_line_with_a_variant_reading_says_so(report):
    assert report[BLOG][401].startswith("used for 3.5.2")
    assert "variant" in report[BLOG][401]


# (f) repairs, variants and notes

def test_base_text_reads_internet_plus_never_the_ocr_ten(ingested):
    base = Passage.objects.filter(version__slug="zh-hans")

    assert not base.filter(text__contains="互联网十").exists()
    assert base.filter(text__contains="互联网+").count() >= 20
    assert text("2.4", "zh-hans") == "（四）“互联网+”智慧能源。"


def test_ocr_ten_is_recorded_as_a_variant_at_each_newspaper_line(ingested):
    variants = Note.objects.filter(kind="variant", source=NEWSPAPER, reading="十")

    assert sorted(variants.values_list("line", flat=True)) == [77, 91, 101]
    assert set(variants.values_list("adopted", flat=True)) == {"+"}
    assert sorted(variants.values_list("clause__ref", flat=True)) == ["2.4", "2.5", "2.6"]


def test_base_text_reads_mianxiang_with_the_blogs_mianshen_as_a_variant(ingested):
    assert "面向“互联网+”融合发展需求" in text("3.5.2", "zh-hans")
    assert "面身" not in text("3.5.2", "zh-hans")

    note = Note.objects.get(clause__ref="3.5.2", kind="variant", reading="身")
    assert (note.source, note.line, note.adopted, note.version.slug) == (BLOG, 401, "向", "zh-hans")
    assert BLOG in note.body and "401" in note.body


def test_base_text_uses_full_width_punctuation_only(ingested):
    for passage in Passage.objects.filter(version__slug="zh-hans").select_related("clause"):
        assert not re.search(r"[,:;()]", passage.text), passage.clause.ref


def test_base_text_has_no_space_between_chinese_characters_but_the_one_in_a_cited_title(ingested):
    cjk = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
    spaced = {}
    for passage in Passage.objects.filter(version__slug="zh-hans").select_related("clause"):
        for m in re.finditer(rf"(?<={cjk})\s+(?={cjk})", passage.text):
            spaced[passage.clause.ref] = passage.text[m.start() - 5:m.end() + 5]

    assert spaced == {"3.3.1": "《中共中央 国务院关于"}


def test_horizontal_bar_is_never_shown_for_the_em_dash(ingested):
    assert not Passage.objects.filter(text__contains="\u2015").exists()
    assert text("1.3.2", "zh-hans").startswith("——经济发展进一步提质增效。")


def test_split_lead_paragraph_is_one_passage_with_a_note_saying_it_was_rejoined(ingested):
    lead = text("2.4.0", "zh-hans")
    assert lead.startswith("通过互联网促进能源系统扁平化")
    assert lead.endswith("（能源局、发展改革委、工业和信息化部等负责）")
    assert lead.count("（能源局") == 1

    bodies = Note.objects.filter(clause__ref="2.4.0", source=NEWSPAPER, kind="repair").values_list(
        "body", flat=True)
    assert any("rejoined" in body and "lines 79 and 81" in body for body in bodies), list(bodies)


def test_traditional_part_three_comes_from_its_source_and_the_rest_is_converted(ingested):
    from_source = {"3", *PART_THREE_REFS, "signature"}
    for passage in Passage.objects.filter(version__slug="zh-hant").select_related("clause"):
        ref = passage.clause.ref
        if ref in from_source:
            assert passage.source == TRADITIONAL, ref
            assert passage.provenance in ("source", "reconstructed"), ref
        else:
            assert passage.provenance == "converted", ref
            assert passage.source == "", ref


def test_garbled_traditional_heading_is_reconstructed_and_says_so(ingested):
    heading = Passage.objects.get(clause__ref="3.3", version__slug="zh-hant")

    assert heading.text == "（三）營造寬松環境。"
    assert heading.provenance == "reconstructed"
    note = Note.objects.get(clause__ref="3.3", version__slug="zh-hant", kind="repair")
    assert note.source == TRADITIONAL and note.line == 12
    assert "reconstructed" in note.body


def test_traditional_text_has_no_pinyin_glosses(ingested):
    for passage in Passage.objects.filter(version__slug="zh-hant").select_related("clause"):
        assert not re.search(r"[（(][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[）)]", passage.text), passage.clause.ref


@pytest.mark.parametrize("ref, label", [("2.2", "(1)"), ("3.4", "(5)")])
def test_english_label_slips_become_translation_notes(ingested, ref, label):
    assert text(ref, "en").startswith(label)  # text as published

    note = Note.objects.get(clause__ref=ref, version__slug="en", kind="translation")
    assert f"“{label}”" in note.body
    assert note.source == BLOG


@pytest.mark.parametrize("ref, label", [("3.1.3", "(3)"), ("3.6", "(VI)")])
def test_machine_translation_label_slips_become_translation_notes(ingested, ref, label):
    assert text(ref, "en-mt").startswith(label)

    bodies = list(Note.objects.filter(clause__ref=ref, version__slug="en-mt", kind="translation")
                  .values_list("body", flat=True))
    assert any(f"“{label}”" in body and "label" in body for body in bodies), bodies


def test_document_metadata_is_recorded(ingested):
    assert ingested.slug == DOC
    assert ingested.number == "国发〔2015〕40号"
    assert ingested.issuer == "国务院"
    assert ingested.date.isoformat() == "2015-07-01"


def test_each_version_has_its_own_title(ingested):
    assert text("title", "zh-hans") == "国务院关于积极推进“互联网+”行动的指导意见"
    assert text("title", "zh-hant") == "國務院關於積極推進“互聯網+”行動的指導意見"
    # As published, down to the no-break space before “Plan”.
    assert text("title", "en") == ("State Council Guiding Opinions concerning Vigorously Moving "
                                   "Forward the “Internet Plus”\u00a0Plan")
    assert text("title", "en-mt") == ("The State Council's Guiding Opinions on Actively Promoting "
                                      "\"internet plus\" Action")


def test_versions_are_rows_with_language_tags_in_reading_order(ingested):
    versions = list(Version.objects.of(ingested).values_list("slug", "language", "is_base"))

    assert versions == [("zh-hans", "zh-Hans", True), ("zh-hant", "zh-Hant", False),
                        ("en", "en", False), ("en-mt", "en", False)]


def test_a_faulty_glossary_fails_the_ingest_naming_its_line_and_keeps_the_corpus(ingested, tmp_path):
    before = snapshot()
    glossary = tmp_path / "glossary.toml"
    text = settings.GLOSSARY_FILE.read_text(encoding="utf-8")
    glossary.write_text(text.replace('category = "department"', 'category = "ministry"', 1),
                        encoding="utf-8")
    line = next(n for n, raw in enumerate(glossary.read_text(encoding="utf-8").split("\n"), start=1)
                if raw.startswith("zh = ") and 'category = "ministry"' in
                "\n".join(glossary.read_text(encoding="utf-8").split("\n")[n:n + 3]))

    with pytest.raises(CommandError) as failure:
        ingest(glossary=glossary)

    assert f"glossary.toml:{line}" in str(failure.value)
    assert "category 'ministry'" in str(failure.value)
    assert snapshot() == before


def test_a_term_added_to_the_glossary_is_written_by_the_next_ingest_and_removed_with_it(ingested, tmp_path):
    glossary = tmp_path / "glossary.toml"
    text = settings.GLOSSARY_FILE.read_text(encoding="utf-8")
    glossary.write_text(text + '\n[[terms]]\nzh = "量子"\ncategory = "technology"\n', encoding="utf-8")
    assert "rows created" in ingest(glossary=glossary)
    assert Term.objects.filter(zh="量子", count=0).exists()
    assert "deleted" in ingest()
    assert not Term.objects.filter(zh="量子").exists()
    assert "already up to date" in ingest()
