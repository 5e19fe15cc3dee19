"""The read-only JSON API on the ingested corpus: documents, versions, outline, clauses."""
import json

import pytest

from reader.models import Clause, Passage

DOC = "guofa-2015-40"
API = f"/api/documents/{DOC}"
VERSIONS = ["zh-hans", "zh-hant", "en", "en-mt"]


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, url
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_documents_lists_the_document_with_its_title_and_links(client, ingested):
    data = get_json(client, "/api/documents")

    assert [d["slug"] for d in data["documents"]] == [DOC]
    document = data["documents"][0]
    assert document["number"] == "国发〔2015〕40号"
    assert document["title"] == "国务院关于积极推进“互联网+”行动的指导意见"
    assert document["url"] == f"http://testserver/{DOC}/"
    assert document["api"] == f"http://testserver{API}"


def test_documents_is_an_empty_list_before_ingest(client, db):
    assert get_json(client, "/api/documents") == {"documents": []}


def test_document_has_its_metadata_and_title_in_every_version(client, ingested):
    data = get_json(client, API)

    assert (data["slug"], data["number"], data["issuer"], data["date"]) == (
        DOC, "国发〔2015〕40号", "国务院", "2015-07-01")
    assert data["title"]["zh-hans"] == "国务院关于积极推进“互联网+”行动的指导意见"
    assert data["title"]["zh-hant"] == "國務院關於積極推進“互聯網+”行動的指導意見"
    assert data["title"]["en"].startswith("State Council Guiding Opinions")
    assert data["title"]["en-mt"].startswith("The State Council's Guiding Opinions")
    assert data["addressees"]["zh-hans"] == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构："


def test_document_lists_its_four_versions_with_language_tags_and_labels(client, ingested):
    versions = get_json(client, API)["versions"]

    assert [(v["slug"], v["language"], v["label"]) for v in versions] == [
        ("zh-hans", "zh-Hans", "简体中文"),
        ("zh-hant", "zh-Hant", "繁體中文"),
        ("en", "en", "English"),
        ("en-mt", "en", "English (machine)"),
    ]
    assert [v["slug"] for v in versions if v["base"]] == ["zh-hans"]
    assert versions[3]["sources"] == ["003_a8db5f3189125df7.txt"]


def test_document_outline_lists_parts_and_sections_in_order(client, ingested):
    outline = get_json(client, API)["outline"]

    expected = (["1", "1.1", "1.2", "1.3", "2"] + [f"2.{s}" for s in range(1, 12)]
                + ["3"] + [f"3.{s}" for s in range(1, 8)])
    assert [item["ref"] for item in outline] == expected
    assert {item["kind"] for item in outline if "." in item["ref"]} == {"section"}
    assert {item["kind"] for item in outline if "." not in item["ref"]} == {"part"}
    by_ref = {item["ref"]: item for item in outline}
    assert by_ref["2.11"]["parent"] == "2"
    assert by_ref["3"]["parent"] is None
    assert by_ref["3.3"]["heading"] == "（三）营造宽松环境。"


def test_clauses_lists_all_clauses_in_document_order_with_a_passage_slot_per_version(client, ingested):
    clauses = get_json(client, f"{API}/clauses")["clauses"]

    assert len(clauses) == 117
    assert [c["ref"] for c in clauses] == list(
        Clause.objects.of(ingested).in_order().values_list("ref", flat=True))
    assert clauses[0]["ref"] == "title" and clauses[-1]["ref"] == "signature"
    for clause in clauses:
        assert list(clause["passages"]) == VERSIONS, clause["ref"]
        for version in ["zh-hans", "zh-hant", "en"]:
            assert clause["passages"][version], (clause["ref"], version)
    assert sum(c["passages"]["en-mt"] is not None for c in clauses) == 37


def test_clause_entry_has_ref_kind_parent_and_texts(client, ingested):
    clauses = {c["ref"]: c for c in get_json(client, f"{API}/clauses")["clauses"]}

    item = clauses["2.1.3"]
    assert (item["kind"], item["parent"]) == ("clause", "2.1")
    assert item["passages"]["zh-hans"] == Passage.objects.get(
        clause__ref="2.1.3", version__slug="zh-hans").text
    assert item["passages"]["zh-hans"].startswith("3.发展开放式创新。")
    assert item["passages"]["en"].startswith("3. Developing open innovation.")
    assert item["passages"]["en-mt"] is None
    assert (clauses["2"]["kind"], clauses["2"]["parent"]) == ("part", None)
    assert (clauses["2.1"]["kind"], clauses["2.1"]["parent"]) == ("section", "2")
    assert (clauses["title"]["kind"], clauses["signature"]["kind"]) == ("front", "back")
    assert clauses["3.6"]["passages"]["en-mt"].startswith("(VI)")


def test_one_clause_comes_with_its_variants_and_notes(client, ingested):
    data = get_json(client, f"{API}/clauses/3.5.2")

    assert (data["ref"], data["kind"], data["parent"], data["document"]) == (
        "3.5.2", "clause", "3.5", DOC)
    assert data["url"] == f"http://testserver/{DOC}/3.5.2/"
    assert "面向“互联网+”融合发展需求" in data["passages"]["zh-hans"]
    variant = next(n for n in data["notes"] if n["kind"] == "variant" and n["reading"] == "身")
    assert variant == {**variant, "version": "zh-hans", "source": "002_97e1ecdbb18a24da.txt",
                       "line": 401, "adopted": "向"}
    assert "面身" in variant["body"]


def test_front_matter_clause_is_addressable(client, ingested):
    data = get_json(client, f"{API}/clauses/title")

    assert data["kind"] == "front"
    assert data["passages"]["en-mt"].startswith("The State Council's Guiding Opinions")


def test_translation_note_is_in_the_clause_json(client, ingested):
    notes = get_json(client, f"{API}/clauses/3.4")["notes"]

    assert any(n["kind"] == "translation" and n["version"] == "en" and "“(5)”" in n["body"]
               for n in notes), notes


@pytest.mark.parametrize("url, mentions", [
    ("/api/documents/no-such-document", "no-such-document"),
    ("/api/documents/no-such-document/clauses", "no-such-document"),
    ("/api/documents/no-such-document/clauses/2.1.3", "no-such-document"),
    (f"{API}/clauses/9.9", "9.9"),
    (f"{API}/clauses/2.1.99", "2.1.99"),
    (f"{API}/clauses/abc", "abc"),
    (f"{API}/clauses/%00", "No clause"),
])
def test_unknown_document_or_clause_is_a_json_404_with_an_error_message(client, ingested, url, mentions):
    data = get_json(client, url, status=404)

    assert mentions in data["error"]


@pytest.mark.parametrize("url, chinese", [
    ("/api/documents", "国发〔2015〕40号"),
    (API, "国发〔2015〕40号"),
    (f"{API}/clauses", "面向“互联网+”"),
    (f"{API}/clauses/3.5.2", "面向“互联网+”"),
])
def test_chinese_is_sent_as_utf8_not_escaped(client, ingested, url, chinese):
    body = client.get(url).content

    assert chinese.encode() in body
    assert chinese[0].encode("unicode_escape") not in body  # e.g. \u56fd for 国
