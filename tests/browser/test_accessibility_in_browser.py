"""The accessibility audit: axe-core runs on every page type at 1280 and at 375 px, and any
violation of impact serious or critical fails, naming the page, the rule, the elements and a
snippet of each. Moderate and minor violations are printed, for the record, and do not fail.
axe's default rules run, and target size (WCAG 2.2 AA, 24 px), which axe leaves off by default.

axe-core comes from the npm registry, never from the repo: `make test` installs the version its
Makefile pins into .venv and passes its path as AXE_CORE_JS; run directly, the test takes the
newest one under .venv, and without one it fails, saying how to install it (never skips).

axe is injected as an init script (DevTools' "evaluate on new document"), which the site's strict
Content-Security-Policy does not govern: the pages are audited exactly as served, CSP on.
"""
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus
from search.services import rebuild_search_index

FAILING_IMPACTS = ("serious", "critical")
WIDTHS = {1280: {"width": 1280, "height": 900}, 375: {"width": 375, "height": 812}}
PASSWORD = "a long browser-test password"
SEED = "/guofa-2015-40"

# Every page type: (what it is, URL, HTTP status, a selector that shows the page is what it
# claims, so an error page can never pass the audit in its place).
PAGES = [
    ("library", "/", 200, ".document-list a.document-title"),
    ("reader, four versions, notes open", f"{SEED}/?v=zh-hans,zh-hant,en,en-mt&variants=1", 200,
     'section.row .cell[data-version="en-mt"]'),
    ("reader of a report", "/gwr-2019/", 200, "section.row .cell"),
    ("reader with pinyin", f"{SEED}/?pinyin=1", 200, "ruby rt"),
    ("clause page", f"{SEED}/2.1.3/", 200, ".clause-version"),
    ("search, Chinese query", "/search/?q=互联网", 200, ".result"),
    ("search, English query", "/search/?q=innovation", 200, ".result"),
    ("search, no results", "/search/?q=zzqqxx", 200, ".no-results"),
    ("concordance of a document", f"{SEED}/concordance/?q=互联网", 200, ".kwic-line"),
    ("concordance of the library", "/concordance/?q=供给侧结构性改革", 200, ".kwic-document"),
    ("glossary of a document", f"{SEED}/glossary/", 200, "table.glossary tbody tr"),
    ("glossary of the library", "/glossary/", 200, "table tbody tr"),
    ("checks", f"{SEED}/checks/", 200, ".findings"),
    ("compare", f"{SEED}/2.1.3/compare/", 200, ".comparison"),
    ("not found", "/no-such-document/", 404, ".error-page h1"),
]

# Content the browser skips until it nears the view (content-visibility: auto, the pinyin
# reader's rows) keeps a guessed size, which axe takes for targets overlapping one another: it is
# audited laid out, as a reader scrolling to it meets it.
AUDIT = """async () => {
    document.querySelectorAll('*').forEach(el => {
        if (getComputedStyle(el).contentVisibility === 'auto') el.style.contentVisibility = 'visible';
    });
    const result = await axe.run(document, {resultTypes: ['violations'],
                                            rules: {'target-size': {enabled: true}}});
    return {version: axe.version, violations: result.violations.map(rule => ({
        id: rule.id, impact: rule.impact, help: rule.help,
        nodes: rule.nodes.map(node => ({
            impact: node.impact || rule.impact, target: node.target.join(' '), html: node.html,
        })),
    }))};
}"""


@pytest.fixture(scope="session")
def axe_core_js():
    """axe.min.js as `make test` installed it, or the newest one under .venv; session-scoped, so
    that without it a test fails before any corpus is written."""
    if os.environ.get("AXE_CORE_JS"):
        path = Path(os.environ["AXE_CORE_JS"])
    else:
        found = sorted(Path(settings.BASE_DIR, ".venv").glob("axe-core-*/node_modules/axe-core/axe.min.js"),
                       key=lambda p: [int(n) for n in re.findall(r"\d+", p.parts[-4])])
        path = found[-1] if found else None
    if path is None or not path.is_file():
        pytest.fail(f"axe-core is not installed ({path or 'none under .venv/'}): `make axe-core` installs "
                    "it from the npm registry (needs npm: apt-get install nodejs npm); `make test` does "
                    "it first.", pytrace=False)
    return path


@pytest.fixture(scope="module")
def report_2019():
    return build_corpus(settings.LIBRARY_DIR / "gwr-2019", settings.GLOSSARY_FILE)


@pytest.fixture
def library(site, report_2019):
    """The live server's URL, with the seed (``site``) and the 2019 report written and indexed."""
    corpus_ingest(corpus=report_2019)
    rebuild_search_index()
    return site


def audited(page):
    """The violations axe finds on the page as it stands: (rule, impact, help, nodes, version), one per
    rule and impact (a rule's elements may differ in impact), axe's version with each."""
    found = page.evaluate(AUDIT)
    return [(rule["id"], impact, rule["help"], nodes, found["version"])
            for rule in found["violations"]
            for impact in ("critical", "serious", "moderate", "minor")
            if (nodes := [n for n in rule["nodes"] if n["impact"] == impact])]


def described(violation, where):
    rule, impact, help_text, nodes, version = violation
    lines = [f"{where}: {rule} [{impact}] {help_text}, {len(nodes)} element{'s' * (len(nodes) != 1)} "
             f"(axe {version})"]
    lines += [f"    {n['target']}\n        {n['html'][:200]}" for n in nodes[:5]]
    if len(nodes) > 5:
        lines.append(f"    … and {len(nodes) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_has_a_serious_or_critical_accessibility_violation(axe_core_js, browser, library, width,
                                                                      django_user_model):
    context = browser.new_context(base_url=library, viewport=WIDTHS[width], locale="en-GB")
    context.set_default_timeout(30_000)
    context.add_init_script(path=str(axe_core_js))
    page = context.new_page()
    violations = []
    try:
        for name, url, status, shown in PAGES:
            response = page.goto(url)
            assert response.status == status, f"{url} answered {response.status}"
            expect(page.locator(shown).first).to_be_visible()
            violations += [(v, f"{width} px, {name} ({url})") for v in audited(page)]

        # The import page, as a member of staff who logged in through the admin's form (the test
        # settings keep imports and staging in temporary folders).
        django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)
        page.goto("/import/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        expect(page).to_have_url(re.compile(r"/import/$"))
        expect(page.locator("h1")).to_have_text("Import a document")
        violations += [(v, f"{width} px, import (/import/)") for v in audited(page)]
    finally:
        context.close()

    recorded = [described(v, where) for v, where in violations if v[1] not in FAILING_IMPACTS]
    print("\n\n".join(recorded) or "No moderate or minor violation either.")
    failing = [described(v, where) for v, where in violations if v[1] in FAILING_IMPACTS]
    assert not failing, "axe-core finds violations of impact serious or critical:\n\n" + "\n\n".join(failing)


def test_the_audit_fails_an_image_without_a_text_alternative_and_grey_on_grey_text(axe_core_js, browser):
    """The audit itself can fail: a page with two known violations, served to the browser by a
    route (no live server), is found out with the same axe, injected the same way."""
    context = browser.new_context(viewport=WIDTHS[375])
    context.add_init_script(path=str(axe_core_js))
    context.route("http://audit.test/", lambda route: route.fulfill(content_type="text/html", body=(
        '<!doctype html><html lang="en"><head><title>Audit</title></head><body><main><h1>Audit</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40">'
        '<p style="color:#aaa;background:#bbb">Grey on grey</p></main></body></html>')))
    page = context.new_page()
    try:
        page.goto("http://audit.test/")
        violations = audited(page)
    finally:
        context.close()
    assert sorted((rule, impact) for rule, impact, *_ in violations) == [
        ("color-contrast", "serious"), ("image-alt", "critical")]
