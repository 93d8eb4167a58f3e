"""A transfer through the real UIs: two agents, each in their own browser context, and a
customer in the widget. Anna claims the chat and passes it to Bela with a note; Bela gets
the offer as a card, accepts it and has the chat with the note beside it; the customer is
told, and the widget's header names Bela; Anna's tab turns read-only."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_handoff import (
    AGENT_EMAIL,
    AGENT_NAME,
    ask_for_a_person,
    browser_pages,
    claim_the_waiting_customer,
    console_messages,
    sign_in_on_the_login_page,
    subtitle,
)
from tests.browser.test_widget import messages, open_widget, send
from tests.processes import LiveBridge
from tests.staff import PASSWORD, add_user

pytestmark = pytest.mark.browser

COLLEAGUE_EMAIL = "bela@example.com"
COLLEAGUE_NAME = "Bela"  # add_user's display name for that address
NOTE = "Wants a refund for order 1234; I checked the payment already."


def sign_in_as_the_colleague(agent: Page) -> None:
    agent.goto("/login")
    agent.get_by_label("Email address").fill(COLLEAGUE_EMAIL)
    agent.get_by_label("Password").fill(PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    expect(agent).to_have_url(re.compile(r"/console$"))
    expect(agent.get_by_test_id("agent-name")).to_have_text(COLLEAGUE_NAME)
    expect(agent.locator("#connection-status")).to_have_text("Connected")


def offer_the_chat_to_the_colleague(anna: Page) -> None:
    """Alt+T opens the dialog (the lead's shortcut presses #transfer-button); Anna picks Bela,
    writes a note and sends; until Bela answers she sees that she is waiting."""
    button = anna.locator("#transfer-button")
    expect(button).to_be_enabled()
    dialog = anna.get_by_test_id("transfer-dialog")
    anna.keyboard.press("Alt+T")
    expect(dialog).to_be_visible()
    targets = dialog.get_by_test_id("transfer-target")
    expect(targets).to_have_count(2)  # Bela and the queue: never Anna herself
    # An empty choice is refused inside the dialog, which stays open.
    dialog.get_by_test_id("transfer-send").click()
    expect(dialog.get_by_test_id("transfer-error")).to_have_text("Choose a colleague or the queue.")
    dialog.get_by_label(COLLEAGUE_NAME, exact=True).check()
    dialog.get_by_test_id("transfer-note").fill(NOTE)
    dialog.get_by_test_id("transfer-send").click()
    expect(dialog).to_be_hidden()
    expect(anna.get_by_test_id("transfer-pending")).to_contain_text(
        f"Waiting for {COLLEAGUE_NAME} to accept"
    )
    expect(button).to_be_disabled()  # one offer at a time


def test_a_transfer_is_accepted_and_the_customer_sees_the_new_agent(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest
) -> None:
    database = live_bridge.settings.database_url
    add_user(database, AGENT_EMAIL)
    add_user(database, COLLEAGUE_EMAIL)
    with browser_pages(browser, live_bridge, request, "anna", "bela", "customer") as (
        anna,
        bela,
        customer,
    ):
        sign_in_on_the_login_page(anna)
        sign_in_as_the_colleague(bela)
        customer.goto("/")
        open_widget(customer)
        ask_for_a_person(customer)
        claim_the_waiting_customer(anna, customer)
        send(customer, "Where is my refund?")
        expect(console_messages(anna, "customer").last).to_contain_text("Where is my refund?")

        offer_the_chat_to_the_colleague(anna)

        offer = bela.get_by_test_id("transfer-offer")
        expect(offer).to_have_count(1)
        expect(offer).to_contain_text(f"{AGENT_NAME} offers you a chat")
        expect(offer.get_by_test_id("transfer-offer-note")).to_have_text(NOTE)
        expect(bela.get_by_test_id("chat-tab")).to_have_count(0)  # not Bela's before he accepts
        offer.get_by_test_id("transfer-accept").click()
        expect(offer).to_have_count(0)

        # Bela has the chat, ready to type, with Anna's note beside the transcript.
        expect(bela.get_by_test_id("chat-tab")).to_have_attribute("aria-selected", "true")
        expect(bela.get_by_test_id("compose")).to_be_focused()
        expect(bela.get_by_test_id("notes")).to_contain_text(NOTE)
        expect(console_messages(bela, "customer").last).to_contain_text("Where is my refund?")

        # The customer is told, and the header names the new agent.
        expect(messages(customer, "system").last).to_have_text(
            f"You are now chatting with {COLLEAGUE_NAME}."
        )
        expect(subtitle(customer)).to_have_text(f"Chatting with {COLLEAGUE_NAME}")

        # Anna learns it; her tab stays, read-only.
        expect(anna.get_by_test_id("notice")).to_have_text(f"{COLLEAGUE_NAME} accepted the chat.")
        expect(anna.get_by_test_id("transfer-pending")).to_have_text(f"Now with {COLLEAGUE_NAME}.")
        expect(anna.get_by_test_id("send-button")).to_be_disabled()
        expect(anna.locator("#transfer-button")).to_be_disabled()

        # The chat is Bela's now: what he writes reaches the customer under his name.
        bela.get_by_test_id("compose").fill("Hello, Bela here. Let me look at your refund.")
        bela.get_by_test_id("compose").press("Enter")
        expect(messages(customer, "agent").last).to_contain_text("Bela here")
