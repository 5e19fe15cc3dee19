"""Sentence alignment as stored at ingest, served by the API and exported as TMX and CSV."""
import copy
import csv
import io
import xml.etree.ElementTree as ET

import pytest

from reader.models import Bead, Sentence
from reader.segment import sentences
from reader.services import corpus_ingest

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def clause_api(client, ref):
    return client.get(f"/api/documents/guofa-2015-40/clauses/{ref}").json()


def test_every_sentence_of_both_passages_is_in_exactly_one_bead_in_document_order(client, ingested):
    data = client.get("/api/documents/guofa-2015-40/alignment?source=zh-hans&target=en").json()
    assert (data["source"], data["target"]) == ("zh-hans", "en")
    refs = list(dict.fromkeys(b["ref"] for b in data["beads"]))
    all_refs = [c["ref"] for c in client.get("/api/documents/guofa-2015-40/clauses").json()["clauses"]]
    assert refs == all_refs
    for ref in ("0.2", "2.1.0", "3.4.1", "signature"):
        sentences = clause_api(client, ref)["sentences"]
        beads = [b for b in data["beads"] if b["ref"] == ref]
        assert [s for b in beads for s in b["source"]] == sentences["zh-hans"]
        assert [s for b in beads for s in b["target"]] == sentences["en"]
        assert all(0 <= b["score"] <= 1 for b in beads)


def test_machine_translation_beads_cover_only_the_clauses_it_translates(client, ingested):
    data = client.get("/api/documents/guofa-2015-40/alignment?target=en-mt").json()
    refs = set(b["ref"] for b in data["beads"])
    assert "3.1.1" in refs and "2.1.1" not in refs and "3" not in refs


@pytest.mark.parametrize("query, message", [
    ("target=xx", "Unknown target version “xx”"),
    ("source=klingon&target=en", "Unknown source version “klingon”"),
    ("source=en&target=en-mt", "source must be zh-hans"),
    ("target=zh-hans", "same version"),
])
def test_an_unknown_or_unsupported_version_pair_is_a_400_with_a_clear_message(client, ingested, query, message):
    response = client.get(f"/api/documents/guofa-2015-40/alignment?{query}")
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_clause_api_gains_sentences_and_beads(client, ingested):
    data = clause_api(client, "2.1.3")
    assert data["sentences"]["zh-hans"][0] == "3.发展开放式创新。"
    assert data["sentences"]["en-mt"] is None
    assert data["beads"]["source"] == "zh-hans"
    en = data["beads"]["targets"]["en"]
    assert [i for b in en for i in b["source"]] == list(range(1, len(data["sentences"]["zh-hans"]) + 1))
    assert all(b["kind"] == f"{len(b['source'])}:{len(b['target'])}" for b in en)
    assert data["beads"]["targets"]["zh-hant"][0] == {"source": [1], "target": [1], "kind": "1:1", "score": 1.0}


def test_tmx_export_has_a_correct_header_and_one_unit_per_bead_with_both_sides(client, ingested):
    response = client.get("/guofa-2015-40/export.tmx?target=en")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    root = ET.fromstring(response.content)
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert {k: header.get(k) for k in ("creationtool", "segtype", "srclang", "adminlang", "datatype", "o-tmf")} == {
        "creationtool": "Duizhao", "segtype": "sentence", "srclang": "zh-Hans", "adminlang": "en",
        "datatype": "plaintext", "o-tmf": "Duizhao"}
    units = root.findall("body/tu")
    beads = Bead.objects.filter(target__slug="en")
    gaps = [b for b in beads if b.is_gap]
    assert len(units) == beads.count() - len(gaps)
    assert len(header.findall("note")) == len(gaps)
    first = units[0]
    assert first.get("tuid") == "title-s1"
    assert first.find("prop[@type='x-ref']").text == "title"
    langs = [tuv.get(XML_LANG) for tuv in first.findall("tuv")]
    assert langs == ["zh-Hans", "en"]
    by_id = {u.get("tuid"): u for u in units}
    unit = by_id["2.1.3-s1"]
    assert unit.find("tuv[1]/seg").text == "3.发展开放式创新。"
    assert unit.find("tuv[2]/seg").text.startswith("3. Developing open innovation.")
    for u in units:
        ref, _, n = u.get("tuid").rpartition("-s")
        assert u.find("prop[@type='x-ref']").text == ref and n.isdigit()
        assert all(tuv.find("seg").text for tuv in u.findall("tuv"))


def test_csv_export_has_one_row_per_bead_including_omissions(client, ingested):
    response = client.get("/guofa-2015-40/export.csv?target=en-mt")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert len(rows) == Bead.objects.filter(target__slug="en-mt").count()
    assert rows[0]["ref"] == "title" and rows[0]["anchor"] == "c-title-s1"
    assert {"zh-hans", "en-mt", "bead", "score"} <= set(rows[0])


def test_exports_refuse_an_unknown_target_with_a_plain_message(client, ingested):
    response = client.get("/guofa-2015-40/export.tmx?target=fr")
    assert response.status_code == 400 and "Unknown target version “fr”" in response.content.decode()


def test_a_second_ingest_keeps_every_bead_and_a_changed_text_realigns_only_its_clause(ingested, corpus):
    before = set(Bead.objects.values_list("id", flat=True))
    assert corpus_ingest(corpus=corpus).unchanged
    assert set(Bead.objects.values_list("id", flat=True)) == before

    touched = set(Bead.objects.filter(clause__ref="2.1.3", target__slug="en").values_list("id", flat=True))
    changed = copy.deepcopy(corpus)
    passage = changed.passage("en", "2.1.3")
    passage.text += " An added sentence."
    changed.sentences[("en", "2.1.3")] = sentences(passage.text, "en")
    corpus_ingest(corpus=changed)
    after = set(Bead.objects.values_list("id", flat=True))
    assert before - after == touched  # only that clause's beads were recomputed
    last = Bead.objects.filter(clause__ref="2.1.3", target__slug="en").last()
    assert last.target_sentences[-1] == Sentence.objects.filter(
        passage__clause__ref="2.1.3", passage__version__slug="en").count()
