"""A returning customer in the real UIs: a visitor's chat is handed to an agent and closed;
the same browser (same localStorage visitor id) comes back later with a new conversation and
asks for a person again; the agent's console says the customer is returning, in the queue and
in the context panel, and lists the earlier chat with its topic, outcome and a link to it."""

import json

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_handoff import (
    AGENT_NAME,
    ASK_FOR_A_PERSON,
    browser_pages,
    claim_the_waiting_customer,
    sign_in_on_the_login_page,
    subtitle,
)
from tests.browser.test_widget import BOT_TIMEOUT_MS, messages, open_widget, send
from tests.processes import LiveBridge
from tests.staff import add_user

pytestmark = pytest.mark.browser

AGENT_EMAIL = "anna@example.com"
FIRST_QUESTION = "My parcel 4471 never arrived, where is it?"
STORED_CHAT = "northwind.chat.v1:"  # the widget's localStorage key prefix (storage.js)


def stored_conversation(customer: Page) -> str:
    """The id of the conversation the widget keeps in localStorage."""
    stored = customer.evaluate(
        """(prefix) => Object.keys(localStorage).filter((k) => k.startsWith(prefix))
            .map((k) => localStorage.getItem(k))""",
        STORED_CHAT,
    )
    [value] = stored
    conversation_id: str = json.loads(value)["conversation_id"]
    return conversation_id


def wait_for_a_person(customer: Page) -> None:
    send(customer, ASK_FOR_A_PERSON)
    expect(subtitle(customer)).to_have_text("Waiting for an agent…", timeout=BOT_TIMEOUT_MS)


@pytest.mark.bridge_settings(nps_after_agent=False)
def test_the_agent_sees_the_customer_s_earlier_chat(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest
) -> None:
    add_user(live_bridge.settings.database_url, AGENT_EMAIL)
    with browser_pages(browser, live_bridge, request, "agent", "customer") as (agent, customer):
        sign_in_on_the_login_page(agent)

        # The first visit: a question for the bot, then a person, who closes the chat.
        customer.goto("/")
        open_widget(customer)
        send(customer, FIRST_QUESTION)
        expect(messages(customer, "customer").first).to_contain_text(FIRST_QUESTION)
        wait_for_a_person(customer)
        queue_item = agent.get_by_test_id("queue-item")
        expect(queue_item).to_have_count(1)
        expect(queue_item.get_by_test_id("queue-returning")).to_have_count(0)  # a first visit
        claim_the_waiting_customer(agent, customer)
        expect(agent.get_by_test_id("returning")).to_have_text("No earlier chats")
        agent.get_by_test_id("close-button").click()
        expect(subtitle(customer)).to_have_text("Conversation closed")
        first_chat = stored_conversation(customer)
        agent.get_by_test_id("close-tab-button").click()
        expect(agent.get_by_test_id("chat-tab")).to_have_count(0)

        # Days later the stored chat has expired; the visitor id stays in the browser.
        customer.evaluate(
            """(prefix) => Object.keys(localStorage).filter((k) => k.startsWith(prefix))
                .forEach((k) => localStorage.removeItem(k))""",
            STORED_CHAT,
        )
        customer.reload()
        open_widget(customer)
        wait_for_a_person(customer)
        assert stored_conversation(customer) != first_chat

        returning = "Returning customer · 1 earlier chat"
        waiting = agent.get_by_test_id("queue-item").filter(
            has=agent.get_by_test_id("claim-button")
        )
        expect(waiting.get_by_test_id("queue-returning")).to_have_text(returning)
        claim_the_waiting_customer(agent, customer)
        expect(agent.get_by_test_id("returning")).to_have_text(returning)
        earlier = agent.get_by_test_id("history-item")
        expect(earlier).to_have_count(1)
        expect(earlier).to_have_attribute("data-conversation-id", first_chat)
        expect(earlier.locator(".history-topic")).to_have_text(FIRST_QUESTION)
        expect(earlier.locator(".history-outcome")).to_have_text(f"Closed by {AGENT_NAME}")
        link = earlier.get_by_role("link")
        expect(link).to_have_attribute("href", f"/console/conversations?open={first_chat}")
        expect(link).to_have_attribute("target", "_blank")
        link.focus()  # reachable with the keyboard, and shows where it goes
        expect(link).to_be_focused()
