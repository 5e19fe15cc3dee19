"""The translation checks as stored at ingest, on the checks page and in the API."""


def test_the_checks_api_lists_the_known_omissions_and_label_slips_with_sentence_links(client, ingested):
    mt = client.get("/api/documents/guofa-2015-40/checks?target=en-mt").json()
    assert mt["target"] == "en-mt"
    omissions = {(f["ref"], f["sentence"]) for f in mt["findings"] if f["kind"] == "omission"}
    assert {("3.5.2", 4), ("3.5.3", 5)} <= omissions
    labels = {f["ref"] for f in mt["findings"] if f["kind"] == "label"}
    assert {"3.1.3", "3.6"} <= labels
    first = next(f for f in mt["findings"] if f["ref"] == "3.5.2" and f["kind"] == "omission")
    assert first["url"].endswith("/guofa-2015-40/?v=zh-hans,en-mt#c-3.5.2-s4") and first["reason"]
    en = client.get("/api/documents/guofa-2015-40/checks?target=en").json()
    assert {"2.2", "3.4"} <= {f["ref"] for f in en["findings"] if f["kind"] == "label"}


def test_the_checks_page_shows_counts_and_links_to_each_sentence(client, ingested):
    page = client.get("/guofa-2015-40/checks/?target=en-mt").content.decode()
    assert "omission" in page and "#c-3.5.2-s4" in page
    assert client.get("/guofa-2015-40/checks/?target=fr").status_code == 400
    assert client.get("/api/documents/guofa-2015-40/checks?target=fr").status_code == 400
