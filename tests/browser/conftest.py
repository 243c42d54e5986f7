"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server, on
the real sample district (`load_sample_district`), with Celery eager so routing happens at submit.

Playwright's sync API runs an asyncio loop in the main thread for as long as it is started, and
Django refuses database calls while a loop is running there. So one browser serves all the browser
tests and is stopped when they are done (package scope), and DJANGO_ALLOW_ASYNC_UNSAFE is set only
for that time: the rest of the suite keeps Django's async-safety check."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.browser.pages import clear_screenshots
from tests.services import require_chromium

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these chromium keeps trying to reach the network for updates, sync and the like.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def screenshot_dir():
    return clear_screenshots()


@pytest.fixture(scope="package")
def browser(screenshot_dir):
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.fixture
def sample_district(live_server, committed_sample_district):
    """The sample district of Pingshan with its demo accounts (password pingshan2026)."""


@pytest.fixture
def new_context(browser, live_server, sample_district) -> Iterator[Callable[..., object]]:
    """Open another browser context (another person, or another device): own cookies, own session."""
    contexts = []
    refused: list[str] = []  # what the Content-Security-Policy blocked, as the browser reported it

    def _new_context(**options):
        # A journey may stand for a phone: its own viewport replaces the desktop one.
        options = {"viewport": VIEWPORT, **options}
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", accept_downloads=True, **options)
        context.set_default_timeout(15_000)
        context.on(
            "console",
            lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
        )
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()
    # A page whose own script or style the policy blocks looks fine in a test that does not use it.
    assert not refused, refused


@pytest.fixture
def page(new_context):
    return new_context().new_page()
