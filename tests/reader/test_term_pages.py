"""The concordance and glossary pages, their exports and their JSON, on the real texts."""
import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest

from reader.models import Occurrence, Passage, Sentence, Term

DOC = "/guofa-2015-40"
TBX = "{urn:iso:std:iso:30042:ed-2}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _sentences_with(version, pattern):
    """(ref, sentence, matches) of every sentence of a version matching a regular expression."""
    out = []
    for s in Sentence.objects.filter(passage__version__slug=version).select_related("passage__clause"):
        n = len(re.findall(pattern, s.text, flags=re.IGNORECASE))
        if n:
            out.append((s.passage.clause.ref, s.index, n))
    return out


def test_the_concordance_of_a_chinese_term_lists_exactly_its_occurrences_with_sentence_links(client, ingested):
    data = client.get(f"{DOC}/concordance/?q=众创空间")
    assert data.status_code == 200
    api = client.get("/api/documents/guofa-2015-40/concordance?q=众创空间").json()
    expected = _sentences_with("zh-hans", "众创空间")
    assert api["count"] == sum(n for _, _, n in expected) > 0
    assert sorted({(line["ref"], line["sentence"]) for line in api["lines"]}) == sorted(
        (ref, s) for ref, s, _ in expected)
    assert all(line["match"] == "众创空间" for line in api["lines"])
    first = api["lines"][0]
    assert first["url"].endswith(f"#c-{first['ref']}-s{first['sentence']}")
    page = data.content.decode()
    assert page.count('class="kwic-line"') == api["count"]
    assert f'#c-{first["ref"]}-s{first["sentence"]}"' in page


def test_a_traditional_query_finds_the_same_lines_as_the_simplified_one(client, ingested):
    simplified = client.get("/api/documents/guofa-2015-40/concordance?q=网络安全").json()
    traditional = client.get("/api/documents/guofa-2015-40/concordance?q=網絡安全").json()
    assert simplified["count"] > 0
    assert [(l["ref"], l["sentence"], l["left"]) for l in traditional["lines"]] == [
        (l["ref"], l["sentence"], l["left"]) for l in simplified["lines"]]


def test_each_line_of_a_chinese_term_shows_the_aligned_sentence_of_every_english_version(client, ingested):
    api = client.get("/api/documents/guofa-2015-40/concordance?q=众创空间").json()
    for line in api["lines"]:
        assert set(line["aligned"]) == {"en", "en-mt"}
        en = line["aligned"]["en"]
        texts = Sentence.objects.filter(passage__clause__ref=line["ref"], passage__version__slug="en",
                                        index__in=en["sentences"]).values_list("text", flat=True)
        assert en["text"] == " ".join(texts) and en["text"]
        if en["rendering"]:
            assert en["rendering"].lower().split()[0] in en["text"].lower()
        if not line["ref"].startswith("3"):
            assert line["aligned"]["en-mt"]["covered"] is False


def test_renderings_are_grouped_and_counted_per_version_and_add_up_to_the_lines(client, ingested):
    for q in ("众创空间", "互联网+", "征信", "mass creation spaces"):
        api = client.get("/api/documents/guofa-2015-40/concordance", {"q": q}).json()
        for slug, group in api["renderings"].items():
            counted = (sum(r["count"] for r in group["used"]) + group["not_identified"]
                       + group["no_counterpart"] + group["clause_not_in_version"])
            if api["language"] == "zh":
                assert counted == api["count"], (q, slug)
                marked = [l for l in api["lines"] if l["aligned"][slug]["rendering"]]
                assert sum(r["count"] for r in group["used"]) == len(marked)
            else:
                assert counted == sum(1 for l in api["lines"] if l["version"] == slug), (q, slug)


def test_an_english_query_is_found_by_stem_in_both_translations_with_the_chinese_it_renders(client, ingested):
    api = client.get("/api/documents/guofa-2015-40/concordance?q=mass creation space").json()
    assert api["language"] == "en"
    for version in ("en", "en-mt"):
        expected = sum(n for _, _, n in _sentences_with(version, r"\bmass creation spaces?\b"))
        assert sum(1 for l in api["lines"] if l["version"] == version) == expected
    assert api["count"] > 0
    line = api["lines"][0]
    assert line["aligned"]["zh-hans"]["text"]
    identified = [l for l in api["lines"] if l["aligned"]["zh-hans"]["rendering"]]
    assert identified and all(l["aligned"]["zh-hans"]["rendering"] == "众创空间" for l in identified)
    assert all("众创空间" in l["aligned"]["zh-hans"]["text"] for l in identified)


def test_a_latin_token_is_its_own_rendering_where_the_chinese_has_it(client, ingested):
    api = client.get("/api/documents/guofa-2015-40/concordance?q=IPv6").json()
    assert api["count"] >= 1
    assert all(g["used"] == [{"rendering": "IPv6", "count": 1}] for g in api["renderings"].values()
               if g["used"])
    page = client.get(f"{DOC}/concordance/?q=IPv6").content.decode()
    assert '<mark class="rendering">IPv6</mark>' in page


def test_concordance_input_problems_get_a_message_never_a_500(client, ingested):
    long = client.get(f"{DOC}/concordance/", {"q": "创" * 150})
    assert long.status_code == 400 and "at most 100 characters" in long.content.decode()
    punctuation = client.get(f"{DOC}/concordance/", {"q": "。，、"})
    assert punctuation.status_code == 400
    assert "no letters, digits or Chinese" in punctuation.content.decode()
    assert client.get("/api/documents/guofa-2015-40/concordance").status_code == 400
    assert client.get("/api/documents/nope/concordance?q=x").status_code == 404
    assert client.get("/nope/concordance/?q=x").status_code == 404
    empty = client.get(f"{DOC}/concordance/").content.decode()
    assert "?q=%E4%BC%97%E5%88%9B%E7%A9%BA%E9%97%B4" in empty  # glossary terms offered
    nothing = client.get(f"{DOC}/concordance/", {"q": "量子纠缠"})
    assert nothing.status_code == 200 and "No occurrences" in nothing.content.decode()
    script = client.get(f"{DOC}/concordance/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert" not in script


def test_a_long_concordance_is_paged(client, ingested):
    first = client.get(f"{DOC}/concordance/", {"q": "the"}).content.decode()
    assert first.count('class="kwic-line"') == 100
    assert "Page 1 of" in first and 'rel="next"' in first
    last = client.get(f"{DOC}/concordance/", {"q": "the", "page": "999"}).content.decode()
    assert 'rel="prev"' in last and 'rel="next"' not in last


# --- the glossary --------------------------------------------------------------------------

def test_the_glossary_page_lists_every_term_with_rendering_counts_per_version(client, ingested, corpus):
    page = client.get(f"{DOC}/glossary/").content.decode()
    for term in corpus.glossary.terms:
        assert f">{term.zh}</a>" in page
    term = Term.objects.get(zh="众创空间")
    used = Occurrence.objects.filter(term=term, version__slug="en", rendering__isnull=False)
    assert used.exists()
    rendering = used.first().rendering.text
    count = used.filter(rendering__text=rendering).count()
    assert re.search(rf">{re.escape(rendering)}</a> ×{count}<", page)
    expected = sum(p.text.count("众创空间") for p in Passage.objects.filter(version__slug="zh-hans"))
    assert term.count == expected


def test_the_glossary_flags_a_term_a_version_renders_in_more_than_one_way(client, ingested):
    api = client.get("/api/documents/guofa-2015-40/glossary").json()
    flagged = [t for t in api["terms"] if t["inconsistent"]]
    assert flagged
    for t in flagged:
        assert any(len(use["used"]) > 1 for use in t["renderings"].values())
    page = client.get(f"{DOC}/glossary/?inconsistent=1").content.decode()
    assert page.count('class="term inconsistent"') == len(flagged)
    consistent = next(t for t in api["terms"] if not t["inconsistent"] and t["occurrences"])
    assert f">{consistent['term']}</a>" not in page


def test_the_glossary_inconsistency_is_a_finding_on_the_checks_page(client, ingested):
    findings = client.get("/api/documents/guofa-2015-40/checks?target=en").json()["findings"]
    glossary = [f for f in findings if f["kind"] == "glossary"]
    assert glossary and all(f["sentence"] for f in glossary)
    page = client.get(f"{DOC}/checks/?target=en").content.decode()
    assert "glossary term" in page


def test_the_glossary_csv_has_a_row_per_term_version_and_rendering(client, ingested, corpus):
    response = client.get(f"{DOC}/glossary.csv")
    assert response["Content-Disposition"].endswith('.glossary.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["term"] for r in rows} == {t.zh for t in corpus.glossary.terms}
    for term in corpus.glossary.terms:
        for rendering in term.renderings_for("en"):
            assert any(r["term"] == term.zh and r["version"] == "en" and r["rendering"] == rendering
                       for r in rows)
    counted = {(r["term"], r["rendering"]): int(r["rendering_occurrences"]) for r in rows if r["version"] == "en"}
    for (zh, rendering), n in counted.items():
        if rendering:
            assert n == Occurrence.objects.filter(term__zh=zh, version__slug="en",
                                                  rendering__text=rendering).count()


def test_the_tbx_export_is_tbx_basic_with_a_concept_per_term(client, ingested, corpus):
    response = client.get(f"{DOC}/glossary.tbx")
    assert response["Content-Type"].startswith("application/x-tbx+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{TBX}tbx" and root.get("type") == "TBX-Basic" and root.get("style") == "dca"
    entries = root.findall(f"{TBX}text/{TBX}body/{TBX}conceptEntry")
    assert len(entries) == len(corpus.glossary.terms)
    assert len({e.get("id") for e in entries}) == len(entries)
    by_term = {e.find(f"{TBX}langSec[@{XML_LANG}='zh-Hans']/{TBX}termSec/{TBX}term").text: e for e in entries}
    entry = by_term["众创空间"]
    english = [t.text for t in entry.findall(f"{TBX}langSec[@{XML_LANG}='en']/{TBX}termSec/{TBX}term")]
    used = set(Occurrence.objects.filter(term__zh="众创空间", rendering__isnull=False)
               .values_list("rendering__text", flat=True))
    assert set(english) == used
    context = entry.find(f"{TBX}langSec[@{XML_LANG}='en']/{TBX}termSec/{TBX}descrip[@type='context']")
    assert context is not None and context.text


@pytest.mark.parametrize("url", [f"{DOC}/glossary/", f"{DOC}/concordance/?q=征信"])
def test_term_pages_are_linked_from_the_reader(client, ingested, url):
    reader = client.get(f"{DOC}/").content.decode()
    assert url.split("?")[0] in reader


def test_after_an_ingest_changes_the_glossary_the_concordance_shows_the_new_renderings(client, ingested, settings, tmp_path):
    from django.core.management import call_command

    before = client.get("/api/documents/guofa-2015-40/concordance?q=众创空间").json()
    assert before["renderings"]["en"]["used"] == [{"rendering": "mass creation spaces", "count": 4}]
    glossary = tmp_path / "glossary.toml"
    text = settings.GLOSSARY_FILE.read_text(encoding="utf-8")
    assert 'renderings.en = ["mass creation spaces"]' in text
    glossary.write_text(text.replace('renderings.en = ["mass creation spaces"]', "renderings.en = []"),
                        encoding="utf-8")
    call_command("ingest", glossary=glossary, stdout=io.StringIO())
    after = client.get("/api/documents/guofa-2015-40/concordance?q=众创空间").json()
    assert after["renderings"]["en"]["used"] == []
    assert after["renderings"]["en"]["not_identified"] == 4
