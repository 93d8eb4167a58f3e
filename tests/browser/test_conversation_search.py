"""The conversations view in the real UIs: a customer writes to an agent in Hungarian, with
accents; the chat is closed; the agent goes from the console to the conversations view,
searches the word without accents, finds the chat with the word marked, opens it with the
keyboard and reads the transcript with the word marked there too; the link the console gives
(`?open=<id>`) opens it directly, and the page speaks Hungarian."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_handoff import (
    AGENT_EMAIL,
    ask_for_a_person,
    browser_pages,
    claim_the_waiting_customer,
    console_messages,
    sign_in_on_the_login_page,
    subtitle,
)
from tests.browser.test_returning_customer import stored_conversation
from tests.browser.test_widget import open_widget, send
from tests.processes import LiveBridge
from tests.staff import add_user

pytestmark = pytest.mark.browser

HUNGARIAN = "A számlázás nem működik"


@pytest.mark.bridge_settings(nps_after_agent=False)
def test_a_closed_chat_is_found_without_accents_and_read(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest
) -> None:
    add_user(live_bridge.settings.database_url, AGENT_EMAIL)
    with browser_pages(browser, live_bridge, request, "agent", "customer") as (agent, customer):
        sign_in_on_the_login_page(agent)
        customer.goto("/")
        open_widget(customer)
        ask_for_a_person(customer)
        claim_the_waiting_customer(agent, customer)
        send(customer, HUNGARIAN)
        expect(console_messages(agent, "customer").last.locator(".msg-text")).to_have_text(
            HUNGARIAN
        )
        agent.get_by_test_id("close-button").click()
        expect(subtitle(customer)).to_have_text("Conversation closed")
        chat = stored_conversation(customer)

        # From the console's header to the view; "/" is the way to the search box.
        agent.get_by_test_id("conversations-link").click()
        expect(agent).to_have_url(re.compile(r"/console/conversations\?lang=en$"))
        expect(agent.get_by_test_id("result").first).to_be_visible()  # everything, unsearched
        agent.locator("body").press("/")
        search = agent.get_by_test_id("search-input")
        expect(search).to_be_focused()
        search.fill("szamlazas")
        search.press("Enter")
        found = agent.get_by_test_id("result")
        expect(found).to_have_count(1)
        expect(found).to_have_attribute("data-conversation-id", chat)
        expect(found.locator("mark")).to_have_text(["számlázás"])
        expect(found.get_by_test_id("snippet")).to_contain_text(HUNGARIAN)

        # Down from the search box to the result, Enter opens it read-only.
        search.press("ArrowDown")
        expect(found).to_be_focused()
        found.press("Enter")
        record = agent.get_by_test_id("record")
        expect(record).to_be_visible()
        expect(agent.locator("#cv-record-heading")).to_be_focused()
        expect(agent).to_have_url(re.compile(rf"[?&]open={chat}"))
        transcript = agent.get_by_test_id("record-transcript")
        written = transcript.locator('[data-testid="record-message"][data-role="customer"]')
        expect(written.filter(has_text=HUNGARIAN).locator("mark")).to_have_text(["számlázás"])
        expect(transcript.locator("mark")).to_have_count(1)  # only the word the search found
        expect(agent.get_by_test_id("record-handoffs")).to_contain_text("Anna")
        expect(record.locator("textarea, [contenteditable]")).to_have_count(0)
        agent.keyboard.press("Escape")
        expect(record).to_be_hidden()
        expect(found).to_be_focused()

        # The console's links open one conversation directly; the page speaks Hungarian too.
        agent.goto(f"/console/conversations?open={chat}&lang=hu")
        expect(agent.get_by_role("heading", level=1)).to_have_text("Beszélgetések")
        expect(record).to_be_visible()
        expect(transcript).to_contain_text(HUNGARIAN)
        expect(transcript.locator("mark")).to_have_count(0)  # not opened from a search
        expect(agent).to_have_url(re.compile(rf"[?&]open={chat}"))  # reload keeps it open
        expect(agent.get_by_test_id("record-facts")).to_contain_text("Lezárva")
        expect(agent.get_by_test_id("search-button")).to_have_text("Keresés")
