"""Importing a document in the browser, the whole way: log in through the admin's form, upload
gwr-2020's two files, read the preview, import, and land on the new document's reader page.
No page on the way breaks the site's Content-Security-Policy."""
import re

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from reader.models import Document
from reader.sources.corpus import build_corpus

GWR_2020 = django_settings.LIBRARY_DIR / "gwr-2020"
PASSWORD = "a long browser-test password"


@pytest.fixture
def editor_page(browser, live_server, settings, tmp_path, django_user_model):
    """A fresh browser page, a staff account to log in with, the library folders in tmp_path."""
    settings.IMPORTS_DIR = tmp_path / "documents"
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.csp_violations.append(f"{page.url}: {message.text}"))
    yield page
    context.close()


@pytest.fixture(scope="module")
def corpus_2020():
    return build_corpus(GWR_2020)


def test_an_editor_logs_in_uploads_previews_and_imports_a_document(editor_page, tmp_path, corpus_2020):
    page = editor_page
    page.goto("/import/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/import/$"))
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(r"/import/$"))
    expect(page.locator("h1")).to_have_text("Import a document")

    page.set_input_files("#id_chinese", GWR_2020 / "zh.txt")
    page.set_input_files("#id_english", GWR_2020 / "en.txt")
    page.fill("#id_english_label", "English (official)")
    page.fill("#id_slug", "gwr-2020")
    page.fill("#id_date", "2020-05-22")
    page.select_option("#id_genre", "report")
    with page.expect_navigation(timeout=120_000):
        page.click("button:has-text('Preview')")

    expect(page).to_have_url(re.compile(r"/import/[A-Za-z0-9_-]{43}/$"))
    expect(page.locator("h1")).to_contain_text("政府工作报告")
    outline = page.locator(".import-outline > .outline-part")
    expect(outline).to_have_count(8)
    expect(outline.last).to_contain_text("八、围绕保障和改善民生")
    uncertain = [(ref, p.placement) for ref in corpus_2020.refs
                 if (p := corpus_2020.passage("en", ref)) and p.placement is not None and p.placement < 0.5]
    flagged = page.locator(".import-uncertain-cell")
    expect(flagged).to_have_count(len(uncertain))
    ref, score = uncertain[0]
    expect(page.locator(f"tr[id='row-{ref}'] .import-uncertain-cell")).to_contain_text(
        f"Uncertain placement, score {score:.2f}")
    expect(page.locator("#dropped + p")).to_contain_text("No line of either file was dropped")
    page.screenshot(path=str(tmp_path / "import-preview.png"))
    assert not Document.objects.exists()

    # Outline and uncertain-placement links scroll to the clause's row in the alignment.
    page.click(".import-outline a[href='#row-8']")
    expect(page.locator("tr[id='row-8']")).to_be_in_viewport()
    page.click(f".import-uncertain a[href='#row-{ref}']")
    expect(page.locator(f"tr[id='row-{ref}'] .import-flag")).to_be_in_viewport()
    page.screenshot(path=str(tmp_path / "import-preview-uncertain.png"))

    with page.expect_navigation(timeout=180_000):
        page.locator(".import-actions").first.get_by_role("button", name="Import gwr-2020").click()
    expect(page).to_have_url(re.compile(r"/gwr-2020/$"))
    expect(page.locator("h1")).to_contain_text("政府工作报告")
    expect(page.get_by_text("The covid-19 epidemic is the fastest spreading").first).to_be_visible()
    assert Document.objects.filter(slug="gwr-2020").exists()
    assert (django_settings.IMPORTS_DIR / "gwr-2020" / "manifest.toml").is_file()

    page.goto("/admin/")
    expect(page.locator(".messagelist")).to_contain_text("Imported gwr-2020")
    expect(page.get_by_role("link", name="Import a document")).to_be_visible()
    assert page.csp_violations == []


def test_a_file_that_is_not_text_is_refused_on_the_form_in_the_browser(editor_page, tmp_path):
    page = editor_page
    page.goto("/admin/login/?next=/import/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    png = tmp_path / "scan.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    page.set_input_files("#id_chinese", png)
    page.set_input_files("#id_english", GWR_2020 / "en.txt")
    page.fill("#id_slug", "gwr-2020")
    page.fill("#id_date", "2020-05-22")
    with page.expect_navigation(timeout=60_000):
        page.click("button:has-text('Preview')")
    expect(page.locator(".errorlist").first).to_contain_text("scan.png is a PNG image, not a plain-text file")
    expect(page.locator("#id_slug")).to_have_value("gwr-2020")
    page.screenshot(path=str(tmp_path / "import-form-error.png"), full_page=True)
    assert not Document.objects.exists() and not django_settings.IMPORTS_DIR.exists()
    assert page.csp_violations == []
