"""The manifest an import writes: every value the editor typed survives TOML quoting, and the
result is a manifest the ingest accepts."""
import datetime
import tomllib

from hypothesis import given, strategies as st

from library.staging import Upload, manifest_toml, toml_string
from reader.sources.corpus import check_manifest

AWKWARD = ['say "hello"', "back\\slash", 'tri"""ple', "line\nbreak\r\n", "tab\there",
           "nul\x00 bell\x07 del\x7f", "国发〔2015〕40号", "# not a comment", "]]\n[[versions]]",
           "'single'", "\\u0041 stays literal", "\ufeffbom", "emoji 🀄"]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_any_text_reads_back_from_a_toml_string_unchanged(text):
    assert tomllib.loads(f"value = {toml_string(text)}")["value"] == text


def test_awkward_values_typed_into_the_form_read_back_unchanged_from_the_manifest():
    document = {"slug": "gwr-2020", "issuer": AWKWARD[0], "date": datetime.date(2020, 5, 22),
                "number": AWKWARD[6], "title": "".join(AWKWARD), "genre": "report"}
    versions = [{"slug": "zh-hans", "language": "zh-Hans", "label": "简体中文", "kind": "original",
                 "base": True},
                {"slug": "en", "language": "en", "label": AWKWARD[8], "kind": "translation"}]
    uploads = [Upload("zh.txt", 'my "report"\n.txt', b"x", "zh-Hans", "zh-hans"),
               Upload("en.txt", "en.txt", b"y", "en", "en")]
    text = manifest_toml(document, versions, uploads, uploaded_by="ed\nitor",
                         uploaded_at=datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.timezone.utc))
    manifest = tomllib.loads(text)
    check_manifest(manifest)
    assert manifest["document"] == document
    assert manifest["versions"] == versions
    assert manifest["sources"][0]["provenance"] == ('Uploaded as “my "report"\n.txt” by ed\nitor '
                                                    'on 2024-01-02 03:04 UTC.')
    assert manifest["sources"][1]["parts"] == [{"parser": "plain", "feeds": "en"}]
    assert text.startswith("# Imported from the browser by ed itor on 2024-01-02 03:04 UTC")
