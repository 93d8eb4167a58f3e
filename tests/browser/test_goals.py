"""The host page's goals (`SupportWidget.track`) reach the bridge with the conversation."""

import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import Goal
from tests import aio
from tests.browser.test_widget import BOT_TIMEOUT_MS, messages, open_widget, send
from tests.processes import LiveBridge

pytestmark = pytest.mark.browser


def stored_goals(database_url: str) -> list[tuple[str, str | None]]:
    async def read() -> list[tuple[str, str | None]]:
        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                rows = await session.scalars(select(Goal).order_by(Goal.id))
                return [(row.goal, row.page_url) for row in rows]
        finally:
            await engine.dispose()

    return aio.run(read())


def wait_for_goals(database_url: str, count: int) -> list[tuple[str, str | None]]:
    deadline = time.monotonic() + 10
    while ((found := stored_goals(database_url)) and len(found) < count) or not found:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return found


def test_goals_before_and_during_a_chat_are_counted(page: Page, live_bridge: LiveBridge) -> None:
    page.goto("/")
    # Before any chat there is no conversation to count for: the goal waits in the page.
    page.evaluate("window.SupportWidget.track('add_to_cart')")
    open_widget(page)
    send(page, "hello")
    expect(messages(page, "bot")).to_have_count(1, timeout=BOT_TIMEOUT_MS)
    page.evaluate("window.SupportWidget.track('conversion')")
    goals = wait_for_goals(live_bridge.settings.database_url, 2)
    assert [goal for goal, _ in goals] == ["add_to_cart", "conversion"]
    assert all(url == page.url for _, url in goals)
