"""Chromium through Playwright (sync API) against the live bridge; screenshots of failures."""

import re
import shutil
from collections.abc import Generator, Iterator

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    sync_playwright,
)

from tests.processes import ROOT, LiveBridge

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep the call phase's report on the item, so the page fixture knows if the test failed."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """The system's Chromium (never a downloaded one), headless, shared by a test module.

    Not by the session: while Playwright's sync API runs, this thread counts as running an
    event loop, and later tests that start one of their own would fail.
    """
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def watch_csp(context: BrowserContext) -> list[str]:
    """The Content-Security-Policy violations Chromium reports in any page of `context`."""
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    context.on("console", on_console)
    return violations


@pytest.fixture
def page(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh context (empty localStorage) whose relative URLs go to the live bridge.

    Depending on `live_bridge` makes the page close before the bridge stops, so the widget
    never spends a teardown reconnecting to a dead server.
    """
    context = browser.new_context(base_url=live_bridge.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    violations = watch_csp(context)
    new_page = context.new_page()
    try:
        yield new_page
        # Every page must work under its Content-Security-Policy: what it refused, it broke.
        assert not violations, f"Content-Security-Policy violations: {violations}"
        report = request.node.stash.get(_CALL_REPORT, None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            try:
                new_page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
            except Error as exc:  # a crashed page must not hide the test's own failure
                print(f"no screenshot for {request.node.nodeid}: {exc}")
    finally:
        context.close()
