"""Importing a document from the browser (/import/): staff only, a preview of what the parser
found before anything is written, clear messages for files that are not a document, and an
import that lands on the new document's reader page and in search."""
import hashlib
import os
import re
import shutil
import time
import tomllib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from reader.models import Document, Version
from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus

GWR_2020 = settings.LIBRARY_DIR / "gwr-2020"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"


def text_file(name, data, content_type="text/plain"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_upload(client, zh, en, **fields):
    data = {"chinese_script": "zh-Hans", "english_label": "English", "slug": "gwr-2020",
            "issuer": "国务院", "date": "2020-05-22", "number": "", "title": "", "genre": "report",
            **fields}
    if isinstance(zh, bytes):
        zh = text_file("zh.txt", zh)
    if isinstance(en, bytes):
        en = text_file("en.txt", en)
    return client.post("/import/", {**data, "chinese": zh, "english": en})


def staged_token(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    found = re.fullmatch(r"/import/([A-Za-z0-9_-]+)/", response["Location"])
    assert found, response["Location"]
    return found.group(1)


def nothing_written():
    staging = settings.IMPORT_STAGING_DIR
    return (not Document.objects.exists() and not settings.IMPORTS_DIR.exists()
            and (not staging.exists() or not any(staging.iterdir())))


def uncertain_placements(corpus):
    """(ref, score, first reason) of each English passage the placer is unsure of."""
    found = []
    for ref in corpus.refs:
        passage = corpus.passage("en", ref)
        if passage is not None and passage.placement is not None and passage.placement < 0.5:
            reason = next(n.body for n in corpus.notes if n.ref == ref and n.version == "en"
                          and n.body.startswith("Placement uncertain"))
            found.append((ref, passage.placement, reason))
    return found


def page_text(response):
    """The page's text, tags removed and whitespace collapsed, as a reader sees it."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", text.replace("&#x27;", "'").replace("&quot;", '"'))


# --- who may import -------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/import/", "/import/" + "x" * 43 + "/"])
def test_an_anonymous_visitor_is_sent_to_the_admin_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"
    assert "Log in" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_logged_in_user_who_is_not_staff_is_refused(client, django_user_model, zh_2020, en_2020):
    reader = django_user_model.objects.create_user("reader", password="a long test password")
    client.force_login(reader)
    response = client.get("/import/", follow=True)
    assert "You are authenticated as reader, but are not authorized to access this page" in \
        page_text(response)
    assert 'name="chinese"' not in response.content.decode()
    post_upload(client, zh_2020, en_2020)
    assert nothing_written()


@pytest.mark.django_db
def test_the_admin_index_links_staff_to_the_import_page(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert '<a href="/import/">Import a document</a>' in page


# --- upload and preview ---------------------------------------------------------------------

@pytest.mark.django_db
def test_the_import_form_asks_for_the_two_files_and_the_document_details(staff_client):
    response = staff_client.get("/import/")
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    for field in ("chinese", "english", "english_label", "slug", "issuer", "date", "number",
                  "title", "genre"):
        assert f'name="{field}"' in page
    assert "at most 2.0 MB" in page_text(response)


@pytest.mark.django_db
def test_staff_upload_of_gwr_2020_previews_outline_alignment_and_dropped_lines_and_writes_nothing(
        staff_client, zh_2020, en_2020):
    token = staged_token(post_upload(staff_client, zh_2020, en_2020))
    response = staff_client.get(f"/import/{token}/")
    text = page_text(response)
    assert "Preview: 政府工作报告 gwr-2020" in text
    assert "A new document: it will be at /gwr-2020/" in text
    # The outline: the eight parts 一 … 八 with their refs.
    outline = text.split("Outline", 1)[1].split("Uncertain placements", 1)[0]
    assert "1 一、2019年和今年以来工作回顾" in outline
    assert "8 八、围绕保障和改善民生，推动社会事业改革发展" in outline
    assert len(re.findall(r"\b[1-8] [一二三四五六七八]、", outline)) == 8
    assert "Parts 8" in text and "Clauses 90" in text
    # The alignment: each clause's Chinese with the English placed under it.
    assert "0.1 现在，我代表国务院，向大会报告政府工作" in text
    assert "On behalf of the State Council, I will now report to you" in text
    # Uncertain placements, marked with their score and reason: those the placer reports.
    expected = uncertain_placements(build_corpus(GWR_2020))
    assert expected and f"Uncertain placements {len(expected)}" in text
    alignment = text.split("Paragraph alignment", 1)[1]
    for ref, score, reason in expected:
        assert f"Uncertain placement, score {score:.2f}. {reason}" in alignment
        assert f"{ref} English, score {score:.2f} {reason}" in text  # the list above the table
    # Dropped lines: none in these files, and the page says so.
    assert "No line of either file was dropped" in text and "Dropped lines 0" in text
    assert "zh.txt 90 90 0" in text and "en.txt 188 188 0" in text
    assert not Document.objects.exists() and not settings.IMPORTS_DIR.exists()


@pytest.mark.django_db
def test_a_dropped_line_is_listed_with_its_file_line_and_reason(staff_client, zh_2020, en_2020):
    lines = en_2020.split(b"\n")
    with_rule = b"\n".join(lines[:10] + [b"* * *"] + lines[10:])
    token = staged_token(post_upload(staff_client, zh_2020, with_rule))
    text = page_text(staff_client.get(f"/import/{token}/"))
    assert "en.txt 11 * * * dropped: formatting only (Markdown or a rule), no text" in text
    assert "Dropped lines 1" in text


@pytest.mark.django_db
def test_the_preview_of_an_existing_slug_says_it_will_replace_that_documents_text(
        staff_client, zh_2020, en_2020):
    corpus_ingest(corpus=build_corpus(GWR_2020))
    token = staged_token(post_upload(staff_client, zh_2020, en_2020))
    text = page_text(staff_client.get(f"/import/{token}/"))
    assert "This will replace gwr-2020’s text" in text
    assert "gwr-2020 is also one of the documents shipped in fixtures/documents/" in text
    assert "Replace gwr-2020’s text" in text


# --- import ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_confirming_imports_the_document_which_reads_and_is_found_by_search(
        staff_client, zh_2020, en_2020):
    token = staged_token(post_upload(staff_client, zh_2020, en_2020, english_label="English (Xinhua)"))
    response = staff_client.post(f"/import/{token}/confirm/")
    assert response.status_code == 302 and response["Location"] == "/gwr-2020/"

    document = Document.objects.get(slug="gwr-2020")
    assert document.title == "政府工作报告" and document.genre == "report"
    assert Version.objects.get(document=document, slug="en").label == "English (Xinhua)"
    reader = page_text(staff_client.get("/gwr-2020/"))
    assert "这次新冠肺炎疫情，是新中国成立以来" in reader and "The covid-19 epidemic is the fastest spreading" in reader
    found = staff_client.get("/search/?q=新冠肺炎").content.decode()
    assert 'href="/gwr-2020/' in found

    # The library folder: the files verbatim, a manifest that names them with their sha256.
    folder = settings.IMPORTS_DIR / "gwr-2020"
    assert (folder / "zh.txt").read_bytes() == zh_2020 and (folder / "en.txt").read_bytes() == en_2020
    manifest = tomllib.loads((folder / "manifest.toml").read_text(encoding="utf-8"))
    assert manifest["document"] == {"slug": "gwr-2020", "issuer": "国务院",
                                    "date": document.date, "genre": "report"}
    assert {s["file"]: s["sha256"] for s in manifest["sources"]} == {
        "zh.txt": hashlib.sha256(zh_2020).hexdigest(), "en.txt": hashlib.sha256(en_2020).hexdigest()}
    assert "Uploaded as “zh.txt” by editor" in manifest["sources"][0]["provenance"]
    assert sorted(p.name for p in settings.IMPORTS_DIR.iterdir()) == ["gwr-2020"]
    assert not any(settings.IMPORT_STAGING_DIR.iterdir())  # the staged upload is cleaned up

    # The success message waits for the editor on the next staff page.
    assert "Imported gwr-2020; its files are in" in page_text(staff_client.get("/admin/"))
    # The preview is gone once imported.
    again = staff_client.post(f"/import/{token}/confirm/", follow=True)
    assert "This preview is no longer available" in page_text(again)


@pytest.mark.django_db
def test_importing_an_existing_slug_replaces_that_documents_text(staff_client, zh_2020, en_2020):
    corpus_ingest(corpus=build_corpus(GWR_2020))
    token = staged_token(post_upload(staff_client, zh_2020, en_2020, english_label="English (2020)"))
    response = staff_client.post(f"/import/{token}/confirm/")
    assert response["Location"] == "/gwr-2020/"
    assert Document.objects.count() == 1
    assert Version.objects.get(document__slug="gwr-2020", slug="en").label == "English (2020)"
    assert "English (2020)" in staff_client.get("/gwr-2020/").content.decode()
    assert "Replaced the text of gwr-2020" in page_text(staff_client.get("/admin/"))


@pytest.mark.django_db
def test_discarding_a_preview_removes_the_staged_files(staff_client, zh_2020, en_2020):
    token = staged_token(post_upload(staff_client, zh_2020, en_2020))
    response = staff_client.post(f"/import/{token}/discard/", follow=True)
    assert "Upload discarded; nothing was imported." in page_text(response)
    assert nothing_written()


# --- files that are not a document ----------------------------------------------------------

@pytest.mark.django_db
def test_an_oversize_file_is_refused_with_its_size_and_the_limit(staff_client, zh_2020, en_2020):
    big = en_2020 * (3 * 1024 * 1024 // len(en_2020) + 1)
    response = post_upload(staff_client, zh_2020, text_file("huge.txt", big))
    assert response.status_code == 200
    assert re.search(r"huge\.txt is 3\.\d MB; a source file may be at most 2\.0 MB\.", page_text(response))
    assert nothing_written()


@pytest.mark.django_db
def test_the_size_limit_is_a_setting(staff_client, settings, zh_2020, en_2020):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10_000
    text = page_text(post_upload(staff_client, zh_2020, en_2020))
    assert "zh.txt is 33 KB; a source file may be at most 10 KB." in text
    assert nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize("upload, message", [
    (text_file("scan.png", PNG, "image/png"), "scan.png is a PNG image, not a plain-text file."),
    (text_file("renamed.txt", PNG), "renamed.txt is a PNG image, not a plain-text file."),
    (text_file("report.docx", DOCX, "application/vnd.openxmlformats-officedocument."
                                    "wordprocessingml.document"),
     "report.docx is a Word document (.docx) or another ZIP archive, not a plain-text file."),
    (text_file("page.html", b"<html>\xe6\x94\xbf</html>", "application/xhtml+xml"),
     "page.html was sent as application/xhtml+xml, not as plain text."),
])
def test_a_file_that_is_not_plain_text_is_refused(staff_client, en_2020, upload, message):
    text = page_text(post_upload(staff_client, upload, en_2020))
    assert message in text and "Save the text as .txt (UTF-8)" in text
    assert nothing_written()


@pytest.mark.django_db
def test_a_gbk_encoded_file_is_refused_naming_the_line(staff_client, zh_2020, en_2020):
    lines = zh_2020.decode("utf-8").split("\n")
    mixed = "\n".join(lines[:4]).encode("utf-8") + b"\n" + "\n".join(lines[4:]).encode("gbk")
    response = post_upload(staff_client, text_file("zh-gbk.txt", mixed), en_2020)
    assert response.status_code == 200
    assert "zh-gbk.txt, line 5: not valid UTF-8" in page_text(response)
    assert nothing_written()


@pytest.mark.django_db
def test_an_english_file_in_the_chinese_slot_is_refused(staff_client, en_2020):
    response = post_upload(staff_client, text_file("en.txt", en_2020), en_2020)
    text = page_text(response)
    assert "en.txt: this file feeds a zh-Hans version but is not Chinese text" in text
    assert nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize("slug, message", [
    ("admin", "“admin” is one of the site’s own addresses"),
    ("GWR 2020", "Use lower-case letters, digits and hyphens"),
])
def test_an_unusable_slug_is_refused(staff_client, zh_2020, en_2020, slug, message):
    assert message in page_text(post_upload(staff_client, zh_2020, en_2020, slug=slug))
    assert nothing_written()


# --- forged, stale and cross-site requests --------------------------------------------------

@pytest.mark.django_db
def test_an_upload_without_the_csrf_token_is_refused(editor, zh_2020, en_2020):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = post_upload(client, zh_2020, en_2020)
    assert response.status_code == 403 and "CSRF" in response.content.decode()
    assert nothing_written()


@pytest.mark.django_db
def test_a_confirmation_without_the_csrf_token_is_refused(editor, zh_2020, en_2020):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    form = client.get("/import/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    token = staged_token(post_upload(client, zh_2020, en_2020, csrfmiddlewaretoken=csrf))
    assert client.post(f"/import/{token}/confirm/").status_code == 403
    assert not Document.objects.exists() and not settings.IMPORTS_DIR.exists()


@pytest.mark.django_db
def test_a_forged_token_gets_a_message_not_a_preview(staff_client):
    for url in ["/import/" + "A" * 43 + "/", "/import/..secret/", "/import/" + "A" * 43 + "/confirm/"]:
        response = (staff_client.post if url.endswith("confirm/") else staff_client.get)(url, follow=True)
        assert response.redirect_chain[-1][0] == "/import/"
        assert "This preview is no longer available" in page_text(response)
    assert nothing_written()


@pytest.mark.django_db
def test_another_editors_preview_cannot_be_seen_or_confirmed(staff_client, django_user_model,
                                                              zh_2020, en_2020):
    token = staged_token(post_upload(staff_client, zh_2020, en_2020))
    other = Client()
    other.force_login(django_user_model.objects.create_user("other", password="x" * 20, is_staff=True))
    for response in (other.get(f"/import/{token}/", follow=True),
                     other.post(f"/import/{token}/confirm/", follow=True)):
        assert "This preview is no longer available" in page_text(response)
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_a_stale_preview_gets_a_message_and_its_files_are_removed(staff_client, zh_2020, en_2020):
    token = staged_token(post_upload(staff_client, zh_2020, en_2020))
    folder = settings.IMPORT_STAGING_DIR / token
    old = time.time() - settings.IMPORT_STAGING_MAX_AGE - 60
    os.utime(folder, (old, old))
    response = staff_client.post(f"/import/{token}/confirm/", follow=True)
    assert "This preview is no longer available" in page_text(response)
    assert not folder.exists() and nothing_written()


@pytest.mark.django_db
def test_stale_uploads_are_swept_when_the_import_page_is_opened(staff_client, zh_2020, en_2020):
    token = staged_token(post_upload(staff_client, zh_2020, en_2020))
    folder = settings.IMPORT_STAGING_DIR / token
    old = time.time() - settings.IMPORT_STAGING_MAX_AGE - 60
    os.utime(folder, (old, old))
    staff_client.get("/import/")
    assert not folder.exists()


# --- headers --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_import_pages_keep_the_sites_security_headers_and_are_never_cached(staff_client):
    for url in ("/import/", "/admin/", "/admin/login/"):
        response = staff_client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
    page = staff_client.get("/import/")
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.content.decode())


# --- faults of the importer's own ------------------------------------------------------------

@pytest.mark.django_db
def test_an_importer_fault_while_reading_the_files_is_a_message_not_a_server_error(
        staff_client, monkeypatch, zh_2020, en_2020):
    def broken(*args, **kwargs):
        raise IndexError("a parser bug")
    monkeypatch.setattr("library.services.build_corpus", broken)
    response = post_upload(staff_client, zh_2020, en_2020)
    assert response.status_code == 200
    assert "The importer failed on these files: a fault on our side" in page_text(response)
    assert nothing_written()


@pytest.mark.django_db
def test_a_failure_writing_the_library_folder_leaves_the_database_and_library_as_they_were(
        staff_client, monkeypatch, zh_2020, en_2020):
    token = staged_token(post_upload(staff_client, zh_2020, en_2020))
    copy = shutil.copyfile
    calls = []

    def disk_full(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return copy(source, target)
    monkeypatch.setattr("library.staging.shutil.copyfile", disk_full)
    response = staff_client.post(f"/import/{token}/confirm/", follow=True)
    assert response.redirect_chain[-1][0] == f"/import/{token}/"
    assert "Not imported. The importer failed on these files" in page_text(response)
    assert not Document.objects.exists()
    assert list(settings.IMPORTS_DIR.iterdir()) == []  # no half-written folder
    # The preview is still there: the editor can try again.
    monkeypatch.undo()
    assert staff_client.post(f"/import/{token}/confirm/")["Location"] == "/gwr-2020/"
    assert Document.objects.filter(slug="gwr-2020").exists()


def test_confirming_while_another_ingest_runs_says_so_and_keeps_the_preview(staff_client, zh_2020, en_2020):
    from reader.locks import ingest_lock
    token = staged_token(post_upload(staff_client, zh_2020, en_2020))
    with ingest_lock():
        response = staff_client.post(f"/import/{token}/confirm/", follow=True)
    assert "another ingest is running" in response.content.decode()
    assert not Document.objects.exists()
    assert staff_client.get(f"/import/{token}/").status_code == 200  # the preview is kept
