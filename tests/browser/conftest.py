"""Browser fixtures: one headless Debian Chromium per session, a fresh page per test, and the real
corpus served by pytest-django's live server.

Playwright never downloads a browser here: it drives /usr/bin/chromium, which `make test`
installs (with the CJK fonts) through `make browser-deps`.
"""
import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop running in the main thread for the whole
# session. Django's async-safety guard sees that loop and refuses every ORM call made from the
# main thread (ingesting the corpus, flushing tables between tests) with SynchronousOnlyOperation,
# although nothing here runs concurrently. setdefault, so a caller can still turn the guard on.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the whole session; each test gets its own context (fresh profile)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (`make browser-deps` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() starts from a new temporary profile and deletes it on close.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, ingested):
    """The live server's base URL, with the real corpus in its database.

    ``ingested`` (tests/conftest.py) writes the corpus; because live_server is requested too,
    pytest-django makes the test transactional, so the server thread sees the rows and the
    tables are flushed afterwards.
    """
    return live_server.url


@pytest.fixture
def page(browser, site):
    """A page in a fresh browser context at desktop width; relative URLs go to the live server."""
    context = browser.new_context(base_url=site, viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
