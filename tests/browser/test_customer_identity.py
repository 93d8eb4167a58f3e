"""An identified customer in the real UIs: the demo page's signed-in variant ("Signed in as
Anna", /?signed_in=anna) hands a signed identity to SupportWidget.identify(); Anna asks for a
person and the agent's console shows her name, e-mail and order attributes. Later, in another
browser (its own localStorage, so another visitor id), the same signed-in Anna asks again and
the agent sees the first conversation listed as an earlier chat."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_handoff import (
    AGENT_EMAIL,
    ASK_FOR_A_PERSON,
    browser_pages,
    claim_the_waiting_customer,
    sign_in_on_the_login_page,
    subtitle,
)
from tests.browser.test_returning_customer import stored_conversation
from tests.browser.test_widget import BOT_TIMEOUT_MS, open_widget, send
from tests.processes import LiveBridge
from tests.staff import add_user

pytestmark = pytest.mark.browser

SIGNED_IN_PAGE = "/?signed_in=anna"  # bridge.web.demo_customer


def ask_for_a_person_as_anna(customer: Page) -> str:
    customer.goto(SIGNED_IN_PAGE)
    expect(customer.get_by_test_id("signed-in")).to_have_text("Signed in as Anna Kovács")
    open_widget(customer)
    send(customer, ASK_FOR_A_PERSON)
    expect(subtitle(customer)).to_have_text("Waiting for an agent…", timeout=BOT_TIMEOUT_MS)
    return stored_conversation(customer)


@pytest.mark.bridge_settings(
    nps_after_agent=False,
    identity_secret="browser-test-identity-secret-0123456789",
    identity_attributes="order_id,order_status",
)
def test_the_agent_sees_who_the_signed_in_customer_is_across_browsers(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest
) -> None:
    add_user(live_bridge.settings.database_url, AGENT_EMAIL)
    pages = browser_pages(browser, live_bridge, request, "agent", "laptop", "phone")
    with pages as (agent, laptop, phone):
        sign_in_on_the_login_page(agent)

        first_chat = ask_for_a_person_as_anna(laptop)
        expect(agent.get_by_test_id("queue-customer")).to_have_text("Anna Kovács")
        claim_the_waiting_customer(agent, laptop)
        identity = agent.get_by_test_id("customer-identity")
        expect(identity.get_by_test_id("customer-name")).to_have_text("Anna Kovács")
        expect(identity.get_by_test_id("customer-email")).to_have_text("anna.kovacs@example.com")
        # The allow-list keeps the order, not the cart value the page also passed.
        expect(identity.get_by_test_id("customer-attributes").locator("li")).to_have_text(
            ["order_id: NW-10452", "order_status: shipped"]
        )
        expect(agent.get_by_test_id("returning")).to_have_text("No earlier chats")
        agent.get_by_test_id("close-button").click()
        expect(subtitle(laptop)).to_have_text("Conversation closed")
        agent.get_by_test_id("close-tab-button").click()
        expect(agent.get_by_test_id("chat-tab")).to_have_count(0)

        # Another browser: no shared visitor id, only the signed customer id links the chats.
        second_chat = ask_for_a_person_as_anna(phone)
        assert second_chat != first_chat
        claim_the_waiting_customer(agent, phone)
        expect(
            agent.get_by_test_id("customer-identity").get_by_test_id("customer-name")
        ).to_have_text("Anna Kovács")
        expect(agent.get_by_test_id("returning")).to_have_text(
            "Returning customer · 1 earlier chat"
        )
        earlier = agent.get_by_test_id("history-item")
        expect(earlier).to_have_count(1)
        expect(earlier).to_have_attribute("data-conversation-id", first_chat)
