"""The glossary file, term matching, and how each occurrence's rendering is identified (plain
Python, on the real texts)."""
import dataclasses
import re

import pytest
from django.conf import settings

from reader import checks
from reader.align import align
from reader.glossary import CATEGORIES, Glossary, Term, load_glossary, occurrences, term_occurrences, usage
from reader.sources.base import SourceError
from search.analysis import term_spans


def _clauses(corpus, version):
    """(ref, base sentences, version sentences, beads) for every clause, aligned here."""
    out = []
    for ref in corpus.refs:
        zh = [s.text for s in corpus.sentences.get(("zh-hans", ref), [])]
        en = [s.text for s in corpus.sentences.get((version, ref), [])]
        beads = [([i + 1 for i in b.source], [j + 1 for j in b.target], b.score)
                 for b in align(zh, en)] if zh and en else []
        out.append((ref, zh, en, beads))
    return out


@pytest.fixture(scope="module")
def en_clauses(corpus):
    return _clauses(corpus, "en")


def test_the_glossary_has_eighty_three_terms_that_occur_in_the_original(corpus):
    """The glossary serves the library: the other terms are the reports' (checked in
    test_glossary_library.py)."""
    glossary = corpus.glossary
    text = "".join(p.text for p in corpus.passages if p.version == "zh-hans")
    found = {t.zh for t in glossary.terms if term_spans(text, t.zh)}
    assert len(found) == 83
    assert {t.category for t in glossary.terms} <= set(CATEGORIES)
    assert {"互联网+", "众创空间", "大众创业、万众创新", "双创", "负面清单", "征信", "一带一路",
            "发展改革委", "国务院", "稳增长"} <= found
    assert "供给侧结构性改革" not in found


def test_every_rendering_the_glossary_lists_for_the_machine_translation_is_found_in_it(corpus):
    """en-mt is the seed's alone; the renderings of en, every document's published translation,
    are checked across the library in test_glossary_library.py."""
    found = occurrences(corpus.glossary, "en-mt", _clauses(corpus, "en-mt"))
    used = {(o.term, o.rendering) for o in found if o.rendering}
    unused = [(t.zh, r) for t in corpus.glossary.terms for r in t.renderings_for("en-mt")
              if (t.zh, r) not in used]
    assert unused == []


@pytest.mark.parametrize("version, identified, total", [("en", 476, 491), ("en-mt", 215, 228)])
def test_the_glossary_identifies_the_rendering_of_nearly_every_occurrence_in_the_original(corpus, version, identified, total):
    found = occurrences(corpus.glossary, version, _clauses(corpus, version))
    assert (sum(1 for o in found if o.rendering), len(found)) == (identified, total)


def test_term_matching_folds_scripts_and_stems_english_and_keeps_a_term_whole():
    assert term_spans("推动大众创业、万众创新。大众创业", "大眾創業、萬眾創新") == [(2, 11)]
    assert term_spans("new mass creation space here", "Mass Creation Spaces") == [(4, 23)]
    assert term_spans("互联网+行动和互联网", "互联网+") == [(0, 4)]
    assert term_spans("创新创业", "创业创新") == []


def test_a_term_inside_a_longer_glossary_term_counts_as_the_longer_term():
    glossary = Glossary("test", (Term("大众创业", "plan", "", {}), Term("大众创业、万众创新", "plan", "", {})))
    found = term_occurrences(glossary, ["推动大众创业、万众创新。", "鼓励大众创业。"])
    assert [(t.zh, s, e) for t, s, e in found[1]] == [("大众创业、万众创新", 2, 11)]
    assert [(t.zh, s, e) for t, s, e in found[2]] == [("大众创业", 2, 6)]


def test_a_term_takes_its_usual_rendering_even_when_another_listed_one_comes_first(corpus):
    """2.1.2: "… innovative factories, maker spaces (创客空间) … and other such new mass creation
    spaces (众创空间)": maker spaces is a rendering of 创客空间 there, not of 众创空间."""
    term = Term("众创空间", "plan", "", {"en": ("mass creation spaces", "maker spaces")})
    zh = [s.text for s in corpus.sentences["zh-hans", "2.1.2"]]
    en = [s.text for s in corpus.sentences["en", "2.1.2"]]
    beads = [([i + 1 for i in b.source], [j + 1 for j in b.target], b.score) for b in align(zh, en)]
    found = occurrences(Glossary("test", (term,)), "en", [("2.1.2", zh, en, beads)])
    assert found and all(o.rendering == "mass creation spaces" for o in found)
    for o in found:
        assert en[o.target_sentence - 1][o.target_start:o.target_end].lower().startswith("mass creation space")


def test_an_occurrence_whose_rendering_the_glossary_does_not_list_shows_its_sentence_and_guesses_nothing(corpus, en_clauses):
    term = Term("众创空间", "plan", "", {})
    found = occurrences(Glossary("test", (term,)), "en", en_clauses)
    zh_text = {ref: zh for ref, zh, _, _ in en_clauses}
    expected = sum(s.count("众创空间") for zh in zh_text.values() for s in zh)
    assert len(found) == expected > 0
    assert all(o.rendering == "" and o.target_sentence is None and o.aligned for o in found)


def test_usage_counts_renderings_per_version_and_flags_more_than_one(corpus, en_clauses):
    found = occurrences(corpus.glossary, "en", en_clauses)
    uses = usage(found)
    for (zh, version), use in uses.items():
        assert use.total == sum(1 for o in found if o.term == zh)
        assert use.inconsistent == (len({o.rendering for o in found if o.term == zh and o.rendering}) > 1)


# --- the translation checks use the glossary -----------------------------------------------

def test_an_acronym_the_glossary_knows_is_not_reported_as_a_latin_token_missing_from_the_chinese(corpus):
    with_glossary = checks.check_document(corpus, "en")
    without = checks.check_document(dataclasses.replace(corpus, glossary=None), "en")
    qr = lambda found: [f for f in found if f.kind == "latin" and "“QR" in f.reason]  # noqa: E731
    assert qr(without) and not qr(with_glossary)
    assert not [f for f in without if f.kind == "glossary"]


def test_checks_report_each_occurrence_rendered_otherwise_than_the_version_usually_does(corpus, en_clauses):
    found = occurrences(corpus.glossary, "en", en_clauses)
    expected = set()
    for (zh, version), use in usage(found).items():
        if use.inconsistent:
            main = use.ranked(next(t for t in corpus.glossary.terms if t.zh == zh).renderings_for("en"))[0][0]
            expected |= {(o.ref, o.sentence, o.rendering) for o in found
                         if o.term == zh and o.rendering and o.rendering != main}
    assert expected, "the published translation renders some glossary term in more than one way"
    reported = [f for f in checks.check_document(corpus, "en") if f.kind == "glossary"]
    got = {(f.ref, f.sentence, re.search(r"rendered “(.+?)” here", f.reason).group(1)) for f in reported}
    assert got == expected
    assert all("times elsewhere in this version" in f.reason for f in reported)


# --- the glossary file is checked ----------------------------------------------------------

def _write(tmp_path, text):
    path = tmp_path / "glossary.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_real_glossary_file_loads(corpus):
    assert load_glossary(settings.GLOSSARY_FILE).terms == corpus.glossary.terms


@pytest.mark.parametrize("text, message, line", [
    ('[[terms]]\nzh = "众创空间"\ncategory = "plan"\n\n[[terms]]\nzh = "眾創空間"\ncategory = "plan"\n',
     "listed twice", 6),
    ('[[terms]]\nzh = "众创空间"\ncategory = "slogan"\n', "category 'slogan'", 2),
    ('[[terms]]\nzh = "。"\ncategory = "plan"\n', "must be a Chinese term", 2),
    ('[[terms]]\nzh = "众创空间"\ncategory = "plan"\nrenderings.en = "maker spaces"\n', "must be a list", 2),
    ('[[terms]]\nzh = "众创空间"\ncategory = "plan"\nrenderings.en = ["a", "A"]\n', "lists a rendering twice", 2),
    ('[[terms]]\nzh = "众创空间\n', "", 2),
    ('title = "no terms"\n', "expected a list of [[terms]]", None),
])
def test_a_faulty_glossary_fails_naming_the_file_and_line(tmp_path, text, message, line):
    with pytest.raises(SourceError) as caught:
        load_glossary(_write(tmp_path, text))
    assert caught.value.filename == "glossary.toml"
    assert message in str(caught.value)
    assert caught.value.line == line


def test_a_missing_glossary_file_is_reported_by_name(tmp_path):
    with pytest.raises(SourceError, match="glossary file not found"):
        load_glossary(tmp_path / "glossary.toml")
