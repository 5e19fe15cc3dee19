"""Importing documents into the library: the manifest of the issue accepted as written, one
document added or updated without touching another, refs that come from the Chinese alone, and
nothing a translation says lost or duplicated."""
import json
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from reader.management.commands.ingest import line_report
from reader.models import Clause, Document, Note, Passage, Version
from reader.sources.corpus import build_corpus
from reader.sources.plain import parse_english

LIBRARY = settings.LIBRARY_DIR
REPORTS = ("gwr-2016", "gwr-2019", "gwr-2020")

# The minimal manifest, exactly as the issue writes it.
MINIMAL_MANIFEST = '''[document]
slug = "gwr-2019"
issuer = "国务院"
date = 2019-03-05

[[versions]]
slug = "zh-hans"
language = "zh-Hans"
label = "简体中文"
kind = "original"
base = true

[[versions]]
slug = "en"
language = "en"
label = "English"
kind = "translation"

[[sources]]
file = "zh.txt"
language = "zh-Hans"
parts = [{ parser = "plain", feeds = "zh-hans" }]

[[sources]]
file = "en.txt"
language = "en"
parts = [{ parser = "plain", feeds = "en" }]
'''


def ingest(sources: Path, **options) -> str:
    out = StringIO()
    call_command("ingest", sources=sources, stdout=out, **options)
    return out.getvalue()


def minimal_folder(tmp_path: Path, slug: str = "gwr-2019") -> Path:
    folder = tmp_path / slug
    folder.mkdir()
    for name in ("zh.txt", "en.txt"):
        shutil.copy(LIBRARY / slug / name, folder / name)
    (folder / "manifest.toml").write_text(MINIMAL_MANIFEST.replace("gwr-2019", slug), encoding="utf-8")
    return folder


def api(path: str) -> bytes:
    response = Client().get(path)
    assert response.status_code == 200, path
    return response.content


@pytest.fixture(scope="module")
def report_corpora():
    return {slug: build_corpus(LIBRARY / slug, settings.GLOSSARY_FILE) for slug in REPORTS}


def test_the_minimal_manifest_of_the_issue_imports_a_document_with_its_title_from_the_text(db, tmp_path):
    output = ingest(minimal_folder(tmp_path))
    assert "gwr-2019: " in output and "rows created" in output
    document = Document.objects.get(slug="gwr-2019")
    assert document.title == "政府工作报告"  # not the occasion line, not the speaker
    assert document.genre == "report" and document.number == ""
    assert [v.slug for v in Version.objects.of(document)] == ["zh-hans", "zh-hant", "en"]
    traditional = Passage.objects.get(clause__document=document, clause__ref="title",
                                      version__slug="zh-hant")
    assert traditional.text == "政府工作報告" and traditional.provenance == "converted"
    kinds = dict(Clause.objects.of(document).values_list("ref", "kind"))
    assert {kinds[r] for r in ("title", "occasion", "speaker", "salutation")} == {"front"}
    assert kinds["3"] == "part" and kinds["3.1"] == "section" and kinds["3.1.1"] == "clause"


def test_importing_one_document_leaves_another_byte_identical_in_the_api(db):
    ingest(settings.SOURCES_DIR)
    seed = "/api/documents/guofa-2015-40"
    before = {path: api(path) for path in (seed, seed + "/clauses", seed + "/clauses/2.1.3",
                                           seed + "/alignment?target=en", seed + "/checks?target=en",
                                           seed + "/glossary")}
    ingest(LIBRARY / "gwr-2019")
    assert Document.objects.count() == 2
    for path, body in before.items():
        assert api(path) == body, path
    listed = json.loads(api("/api/documents"))
    assert {d["slug"] for d in listed["documents"]} == {"guofa-2015-40", "gwr-2019"}


def test_a_second_import_of_the_library_changes_nothing(db):
    ingest(LIBRARY / "gwr-2020")
    assert "gwr-2020: already up to date, nothing changed." in ingest(LIBRARY / "gwr-2020")


def test_the_whole_library_is_imported_when_no_folder_is_given(db):
    out = StringIO()
    call_command("ingest", stdout=out)
    assert sorted(Document.objects.values_list("slug", flat=True)) == [
        "guofa-2015-40", "gwr-2016", "gwr-2019", "gwr-2020"]
    assert out.getvalue().count("rows created") == 4


def test_replacing_a_translation_never_changes_a_ref_or_the_chinese_text(db, tmp_path):
    folder = minimal_folder(tmp_path, "gwr-2020")
    ingest(folder)
    document = Document.objects.get(slug="gwr-2020")
    refs_before = list(Clause.objects.of(document).in_order().values_list("ref", "kind"))
    chinese_before = list(Passage.objects.filter(clause__document=document, version__slug="zh-hans")
                          .order_by("clause__position").values_list("clause__ref", "text"))
    english = (folder / "en.txt").read_text(encoding="utf-8").split("\n")
    # A shorter translation: the second half left out, two paragraphs merged.
    shortened = english[:60]
    shortened[10:12] = [shortened[10] + " " + shortened[11]]
    (folder / "en.txt").write_text("\n".join(shortened), encoding="utf-8")
    assert "rows created" in ingest(folder) or "updated" in ingest(folder)
    assert list(Clause.objects.of(document).in_order().values_list("ref", "kind")) == refs_before
    assert list(Passage.objects.filter(clause__document=document, version__slug="zh-hans")
                .order_by("clause__position").values_list("clause__ref", "text")) == chinese_before
    english_text = " ".join(Passage.objects.filter(clause__document=document, version__slug="en")
                            .order_by("clause__position").values_list("text", flat=True))
    assert "Accomplishment of the 13th Five-Year Plan" in english_text
    assert "Fellow Deputies" in english_text and english_text.count("REPORT ON THE WORK") == 1


def test_a_failing_import_leaves_that_document_and_every_other_as_they_were(db, tmp_path):
    ingest(settings.SOURCES_DIR)
    folder = minimal_folder(tmp_path, "gwr-2016")
    ingest(folder)
    before = sorted(Passage.objects.values_list("pk", "clause__ref", "version__slug", "text"))
    lines = (folder / "en.txt").read_bytes().split(b"\n")
    lines[40] = lines[40][:30] + b"\x00" + lines[40][30:]
    (folder / "en.txt").write_bytes(b"\n".join(lines))
    with pytest.raises(CommandError) as failure:
        ingest(folder)
    assert "en.txt:41" in str(failure.value) and "binary" in str(failure.value)
    assert sorted(Passage.objects.values_list("pk", "clause__ref", "version__slug", "text")) == before


@pytest.mark.parametrize("slug", REPORTS)
def test_the_english_passages_in_document_order_are_exactly_the_english_files_text(report_corpora, slug):
    corpus = report_corpora[slug]
    placed = [corpus.passage("en", ref).text for ref in corpus.refs if corpus.passage("en", ref)]
    english = parse_english((LIBRARY / slug / "en.txt").read_text(encoding="utf-8"), "en.txt")
    # The file's paragraphs, bold markers removed (a recorded repair), in order, nothing else.
    assert " ".join(placed).split() == " ".join(p.text for p in english.paragraphs).split()
    raw = (LIBRARY / slug / "en.txt").read_text(encoding="utf-8").replace("**", "")
    assert "".join(" ".join(placed).split()) == "".join(raw.split())


@pytest.mark.parametrize("slug", REPORTS)
def test_every_line_of_a_reports_sources_is_accounted_for_in_the_report(report_corpora, slug):
    output = line_report(report_corpora[slug])
    for name in ("zh.txt", "en.txt"):
        section = output.split(f"== {name} (")[1].split("\n== ")[0]
        listed = {int(m.group(1)) for m in re.finditer(r"^\s*(\d+)  ", section, re.M)}
        lines = (LIBRARY / slug / name).read_text(encoding="utf-8").split("\n")
        assert listed == {n for n, raw in enumerate(lines, start=1) if raw.strip()}
        assert "UNACCOUNTED" not in section


def test_uncertain_placements_are_notes_the_reader_and_the_checks_show(db, report_corpora):
    corpus = report_corpora["gwr-2019"]
    uncertain = [n for n in corpus.notes if n.body.startswith("Placement uncertain")]
    # The Chinese paragraph 六是… that the Chinese file lacks stands in the English file.
    mixed = [n for n in corpus.notes if "holds Chinese text" in n.body]
    assert [n.line for n in mixed] == [27]
    ingest(LIBRARY / "gwr-2019")
    findings = json.loads(api("/api/documents/gwr-2019/checks?target=en"))["findings"]
    assert sorted(f["ref"] for f in findings if f["kind"] == "placement") == sorted(
        n.ref for n in uncertain)
    for note in uncertain:
        passage = Passage.objects.get(clause__document__slug="gwr-2019", clause__ref=note.ref,
                                      version__slug="en")
        assert passage.placement is not None and passage.placement < 0.5
    assert Note.objects.filter(clause__document__slug="gwr-2019", body__contains="holds Chinese").exists()


def test_a_manifest_slug_the_site_uses_itself_is_refused(db, tmp_path):
    folder = minimal_folder(tmp_path)
    manifest = folder / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"gwr-2019"', '"search"'),
                        encoding="utf-8")
    with pytest.raises(CommandError, match="not a usable slug"):
        ingest(folder)
    assert not Document.objects.exists()


def test_the_library_ingest_takes_browser_imports_too_and_an_import_replaces_a_shipped_document(
        db, settings, tmp_path):
    shipped, imported = tmp_path / "fixtures", tmp_path / "imports"
    shutil.copytree(LIBRARY / "gwr-2020", shipped / "gwr-2020")
    folder = minimal_folder(imported.mkdir() or imported, "gwr-2020")
    manifest = folder / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'issuer = "国务院"', 'issuer = "国务院"\ntitle = "2020年政府工作报告"'), encoding="utf-8")
    settings.LIBRARY_DIR, settings.IMPORTS_DIR = shipped, imported
    out = StringIO()
    call_command("ingest", stdout=out)
    assert "gwr-2020: skipped, replaced by the import" in out.getvalue()
    assert Document.objects.get(slug="gwr-2020").title == "2020年政府工作报告"
