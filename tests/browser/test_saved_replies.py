"""Saved replies in the real console: an agent writes one in the manager (a typo in a
placeholder is caught there), a Hungarian customer's chat is claimed, and "/ref" + Enter in
the reply box puts the Hungarian text in, with the agent's name filled in; it reaches the
customer only when the agent sends it."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from bridge.db import saved_replies
from bridge.db.engine import create_engine, create_sessionmaker
from tests import aio
from tests.browser.test_handoff import (
    AGENT_EMAIL,
    AGENT_NAME,
    browser_pages,
    console_messages,
    sign_in_on_the_login_page,
)
from tests.browser.test_widget import BOT_TIMEOUT_MS, messages, open_widget, send
from tests.processes import LiveBridge
from tests.staff import add_user

pytestmark = pytest.mark.browser

TEXT_EN = "Hi {customer}, this is {agent}: your refund is on its way."
TEXT_HU = "Kedves {customer}! {agent} vagyok: a visszatérítését elindítottuk."
FILLED_HU = f"Kedves Ügyfelünk! {AGENT_NAME} vagyok: a visszatérítését elindítottuk."
SHARED_EN = "Partial refunds take 5-7 working days."


async def _seed_shared_reply(url: str, admin_id: int) -> None:
    """What an admin would have added: a shared reply with an English text only."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await saved_replies.insert(
                session=session,
                owner_id=None,
                shortcut="refund-partial",
                title="Partial refund",
                text_en=SHARED_EN,
                text_hu=None,
                created_by=admin_id,
                now=datetime.now(UTC),
            )
    finally:
        await engine.dispose()


def write_a_reply_in_the_manager(agent: Page) -> None:
    agent.get_by_test_id("saved-replies-button").click()
    dialog = agent.get_by_test_id("saved-replies-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("saved-reply")).to_have_count(1)  # the shared one
    expect(dialog.get_by_test_id("saved-reply").first).to_contain_text("Shared")
    dialog.get_by_test_id("saved-reply-new").click()
    expect(dialog.get_by_test_id("saved-reply-shortcut")).to_be_focused()
    dialog.get_by_test_id("saved-reply-shortcut").fill("Refund")  # lowered as typed
    dialog.get_by_label("Title").fill("Refund on its way")
    expect(dialog.get_by_test_id("saved-reply-scope")).to_be_disabled()  # agents: personal
    dialog.get_by_test_id("saved-reply-text-en").fill(TEXT_EN)
    dialog.get_by_test_id("saved-reply-text-hu").fill(TEXT_HU.replace("{agent}", "{agnet}"))
    dialog.get_by_test_id("saved-reply-save").click()
    expect(dialog.get_by_test_id("saved-reply-error")).to_have_text(
        "Unknown placeholders in the Hungarian text: {agnet}."
    )
    dialog.get_by_test_id("saved-reply-text-hu").fill(TEXT_HU)
    dialog.get_by_test_id("saved-reply-save").click()
    saved = dialog.locator('[data-testid="saved-reply"][data-shortcut="refund"]')
    expect(saved).to_contain_text("Refund on its way")
    expect(saved).to_contain_text(TEXT_HU)  # both texts side by side, as written
    expect(saved).to_contain_text(TEXT_EN)
    agent.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def claim_the_hungarian_customer(agent: Page, customer: Page) -> None:
    customer.goto("/?lang=hu")
    open_widget(customer)
    send(customer, "emberrel szeretnék beszélni")
    claim = agent.get_by_test_id("queue").get_by_test_id("claim-button")
    expect(claim).to_have_count(1, timeout=BOT_TIMEOUT_MS)
    claim.click()
    expect(agent.get_by_test_id("compose")).to_be_focused()
    expect(messages(customer, "system").last).to_have_text(
        f"{AGENT_NAME} csatlakozott a beszélgetéshez."
    )


def test_a_saved_reply_goes_into_a_hungarian_chat_in_hungarian(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest
) -> None:
    database = live_bridge.settings.database_url
    add_user(database, AGENT_EMAIL)
    aio.run(_seed_shared_reply(database, add_user(database, "root@example.com", role="admin")))
    with browser_pages(browser, live_bridge, request, "agent", "customer") as (agent, customer):
        sign_in_on_the_login_page(agent)
        write_a_reply_in_the_manager(agent)
        claim_the_hungarian_customer(agent, customer)

        compose = agent.get_by_test_id("compose")
        picker = agent.get_by_test_id("saved-reply-picker")
        options = picker.get_by_test_id("saved-reply-option")

        # "/" opens the list; Escape closes it and leaves the text; a space ends the query.
        compose.press_sequentially("/")
        expect(options).to_have_count(2)
        compose.press("Escape")
        expect(picker).to_be_hidden()
        expect(compose).to_have_value("/")
        compose.fill("")

        compose.press_sequentially("/ref")
        expect(options).to_have_count(2)
        expect(compose).to_have_attribute("aria-activedescendant", "saved-reply-option-0")
        expect(options.nth(0)).to_have_attribute("data-shortcut", "refund")
        expect(options.nth(0)).to_have_attribute("aria-selected", "true")
        # The shared reply has no Hungarian text: it says so before anyone inserts it.
        expect(options.nth(1).get_by_test_id("saved-reply-fallback")).to_have_text("English only")
        compose.press("ArrowDown")
        expect(options.nth(1)).to_have_attribute("aria-selected", "true")
        expect(compose).to_have_attribute("aria-activedescendant", "saved-reply-option-1")
        compose.press("ArrowUp")
        expect(options.nth(0)).to_have_attribute("aria-selected", "true")

        compose.press("Enter")  # picks the reply: it must not send "/ref"
        expect(picker).to_be_hidden()
        expect(compose).to_have_value(FILLED_HU)
        expect(console_messages(agent, "agent")).to_have_count(0)

        compose.press("Enter")  # now it goes
        expect(messages(customer, "agent").last.locator(".bubble")).to_have_text(FILLED_HU)
        expect(console_messages(agent, "agent").last.locator(".msg-text")).to_have_text(FILLED_HU)
