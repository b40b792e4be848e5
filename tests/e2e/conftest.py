"""Browser tests: Playwright for Python driving Debian's chromium against a live server.

Without chromium these tests skip, except in CI mode (MEKONG_CI=1), where they fail.
Screenshots go to test-artifacts/e2e/ and are kept by CI as artefacts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MEKONG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    # The live server speaks plain HTTP; secure-only cookies would never come back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{exc}\n{getattr(exc, 'stack', '')}"))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# Inline style that makes an element measure 0x0 whatever its stylesheet says.
ZERO_SIZE = "width:0;height:0;min-height:0;border:0"


def next_frames(page: Any) -> None:
    """Let the browser deliver pending events (a resize) and paint two frames."""
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def set_zero_size(page: Any, element_id: str, zero: bool) -> None:
    """Shrink an element to 0x0 (``zero``) or give it back its stylesheet's size, then let
    the browser lay out and paint two frames."""
    style = ZERO_SIZE if zero else ""
    page.evaluate(
        "([id, style]) => { document.getElementById(id).style.cssText = style;"
        " return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); }",
        [element_id, style],
    )


def chart_width(page: Any, element_id: str) -> tuple[int, int]:
    """The width ECharts laid the chart in ``element_id`` out for, and the element's own."""
    ours, element = page.evaluate(
        "id => { const el = document.getElementById(id);"
        " return [echarts.getInstanceByDom(el).getWidth(), el.clientWidth]; }",
        element_id,
    )
    return int(ours), int(element)


def resize_window_at_zero_size(page: Any, element_id: str) -> None:
    """Resize the window while ``element_id`` measures 0x0, give the element its size back
    and resize the window again: what a chart must survive without a JavaScript error."""
    set_zero_size(page, element_id, True)
    page.set_viewport_size({"width": 900, "height": 700})
    next_frames(page)
    set_zero_size(page, element_id, False)
    page.set_viewport_size({"width": 1280, "height": 900})
    next_frames(page)
