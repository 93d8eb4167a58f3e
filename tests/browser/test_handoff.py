"""A handoff through the real UIs: the customer in the widget, the agent in the console, each
in their own browser context, against the live bridge and the real bot.

tests/integration/test_handoff_flow.py drives the same flow over raw HTTP and websockets;
here every step is what a person sees or does: signing in on /login, the live queue, the
widget's header, hostile text shown as text, handing back, closing, and the message form
offered when nobody is online.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Error, Locator, Page, expect

from tests.browser.conftest import ARTIFACTS, watch_csp
from tests.browser.test_widget import BOT_TIMEOUT_MS, messages, open_widget, send
from tests.processes import LiveBridge
from tests.staff import PASSWORD, add_user

pytestmark = pytest.mark.browser

AGENT_EMAIL = "anna@example.com"
AGENT_NAME = "Anna"  # add_user's display name for that address
CONSOLE_TITLE = "Agent console · Northwind Support"
ASK_FOR_A_PERSON = "I want to talk to a person"


@contextmanager
def browser_pages(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest, *who: str
) -> Iterator[list[Page]]:
    """One page per person, each in its own context (own cookies and storage) as conftest's
    `page` fixture makes them; when the test fails, every page is screenshotted into
    test-artifacts/ before any is closed, so each shows the others still there."""
    contexts: list[BrowserContext] = []
    violations: list[list[str]] = []
    try:
        pages: list[Page] = []
        for _ in who:
            context = browser.new_context(
                base_url=live_bridge.url, viewport={"width": 1280, "height": 900}
            )
            context.set_default_timeout(10_000)
            violations.append(watch_csp(context))
            contexts.append(context)
            pages.append(context.new_page())
        try:
            yield pages
            for person, refused in zip(who, violations, strict=True):
                assert not refused, f"CSP violations for the {person}: {refused}"
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            for person, page in zip(who, pages, strict=True):
                name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.nodeid}-{person}")
                try:
                    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
                except Error as exc:  # a crashed page must not hide the test's own failure
                    print(f"no screenshot of the {person} for {request.node.nodeid}: {exc}")
            raise
    finally:
        for context in contexts:
            context.close()


def record_dialogs(page: Page) -> list[str]:
    """Records (and dismisses) every alert(): injected markup that ran would open one."""
    opened: list[str] = []

    def record(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return opened


def subtitle(customer: Page) -> Locator:
    """The widget header's line under the title: who the customer is talking to."""
    return customer.get_by_test_id("panel").locator(".subtitle")


def sign_in_on_the_login_page(agent: Page) -> None:
    agent.goto("/login")
    agent.get_by_label("Email address").fill(AGENT_EMAIL)
    agent.get_by_label("Password").fill(PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    expect(agent).to_have_url(re.compile(r"/console$"))
    expect(agent.get_by_test_id("agent-name")).to_have_text(AGENT_NAME)
    # Live updates come over the console's websocket; nothing below reloads the page.
    expect(agent.locator("#connection-status")).to_have_text("Connected")


def ask_for_a_person(customer: Page) -> None:
    send(customer, ASK_FOR_A_PERSON)
    expect(messages(customer, "bot").last).to_contain_text(
        "number 1 in the queue", timeout=BOT_TIMEOUT_MS
    )
    expect(subtitle(customer)).to_have_text("Waiting for an agent…")


def claim_the_waiting_customer(agent: Page, customer: Page) -> None:
    """The customer's request shows up live in the queue; the agent claims it."""
    claim = agent.get_by_test_id("queue").get_by_test_id("claim-button")
    expect(claim).to_have_count(1)
    expect(agent).to_have_title(f"(1) {CONSOLE_TITLE}")
    claim.click()
    expect(agent.get_by_test_id("chat-tab")).to_have_attribute("aria-selected", "true")
    expect(agent.get_by_test_id("compose")).to_be_focused()
    expect(agent).to_have_title(CONSOLE_TITLE)
    expect(subtitle(customer)).to_have_text(f"Chatting with {AGENT_NAME}")
    expect(messages(customer, "system").last).to_have_text(f"{AGENT_NAME} has joined the chat.")


def console_messages(agent: Page, role: str) -> Locator:
    return agent.get_by_test_id("transcript").locator(
        f'[data-testid="message"][data-role="{role}"]'
    )


# The NPS survey that may follow an agent is tested in test_nps.py: here the bot greets.
@pytest.mark.bridge_settings(nps_after_agent=False)
def test_handoff_hand_back_and_close_in_two_browsers(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest
) -> None:
    add_user(live_bridge.settings.database_url, AGENT_EMAIL)
    with browser_pages(browser, live_bridge, request, "agent", "customer") as (agent, customer):
        agent_alerts, customer_alerts = record_dialogs(agent), record_dialogs(customer)

        sign_in_on_the_login_page(agent)
        expect(agent.get_by_test_id("queue-item")).to_have_count(0)
        expect(agent).to_have_title(CONSOLE_TITLE)

        customer.goto("/")
        open_widget(customer)
        ask_for_a_person(customer)
        claim_the_waiting_customer(agent, customer)

        # Markup from either side arrives as the literal text that was typed.
        greeting = "Hi, Anna here <img src=x onerror=alert(1)>"
        agent.get_by_test_id("compose").fill(greeting)
        agent.get_by_test_id("compose").press("Enter")
        reply = messages(customer, "agent").last
        expect(reply.locator(".bubble")).to_have_text(greeting)
        expect(reply.locator(".author")).to_have_text(AGENT_NAME)
        expect(reply.locator("img")).to_have_count(0)
        expect(console_messages(agent, "agent").last.locator(".msg-text")).to_have_text(greeting)

        script = "<script>alert(1)</script>"
        send(customer, script)
        seen = console_messages(agent, "customer").last
        expect(seen.locator(".msg-text")).to_have_text(script)
        expect(agent.get_by_test_id("transcript").locator("script, img")).to_have_count(0)

        # Handed back: the bot greets the customer again and answers from the knowledge base.
        agent.get_by_test_id("hand-back-button").click()
        expect(messages(customer, "system").last).to_have_text(
            f"{AGENT_NAME} handed the chat back to the assistant."
        )
        expect(messages(customer, "bot").last).to_contain_text(
            "Northwind Shop", timeout=BOT_TIMEOUT_MS
        )
        expect(subtitle(customer)).to_have_text("Virtual assistant · answers right away")
        expect(agent.get_by_test_id("hand-back-button")).to_be_disabled()

        send(customer, "how can I reset my password?")
        expect(
            messages(customer, "bot").last.locator('a[href$="/kb/password-reset"]')
        ).to_have_text("Resetting your password", timeout=BOT_TIMEOUT_MS)

        # A second handoff in the same conversation, claimed from the queue and closed.
        ask_for_a_person(customer)
        claim_the_waiting_customer(agent, customer)
        expect(agent.get_by_test_id("close-button")).to_be_enabled()
        agent.get_by_test_id("close-button").click()
        expect(messages(customer, "system").last).to_have_text(
            f"{AGENT_NAME} closed the conversation. Thank you for contacting us!"
        )
        expect(subtitle(customer)).to_have_text("Conversation closed")
        expect(agent.locator("#chat-status")).to_have_text("Closed")
        expect(agent.get_by_test_id("close-button")).to_be_disabled()

        assert (agent_alerts, customer_alerts) == ([], [])


def test_nobody_online_offers_a_message_form(page: Page, live_bridge: LiveBridge) -> None:
    add_user(live_bridge.settings.database_url, AGENT_EMAIL)  # exists, but is not signed in
    posted: list[str] = []
    page.on(
        "request",
        lambda sent: (
            posted.append(sent.url)
            if sent.method == "POST" and sent.url.endswith("/offline-requests")
            else None
        ),
    )
    page.goto("/")
    open_widget(page)
    send(page, ASK_FOR_A_PERSON)

    answer = messages(page, "bot").last
    expect(answer).to_contain_text("none of our team is available", timeout=BOT_TIMEOUT_MS)
    answer.get_by_role("button", name="Leave a message").click()
    form = page.get_by_test_id("offline-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Your email address")).to_be_focused()

    question = "My parcel 1234 has not arrived yet."
    form.get_by_label("Your email address").fill("customer-at-example.com")
    form.get_by_label("Your question").fill(question)
    form.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("offline-error")).to_have_text("Please enter a valid email address.")
    assert posted == []

    form.get_by_label("Your email address").fill("customer@example.com")
    form.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("notice")).to_have_text(
        "Thank you! We'll answer at customer@example.com as soon as we can."
    )
    expect(form).to_have_count(0)
    assert len(posted) == 1

    # Signed in only now: the agent was not online when the customer asked.
    with httpx.Client(base_url=live_bridge.url) as http:
        http.get("/login")
        signed_in = http.post(
            "/api/staff/login",
            json={"email": AGENT_EMAIL, "password": PASSWORD},
            headers={"X-CSRF-Token": http.cookies["sb_csrf"]},
        )
        assert signed_in.status_code == 200, signed_in.text
        listed = http.get("/api/staff/offline-requests")
    assert listed.status_code == 200, listed.text
    assert [(r["email"], r["message"]) for r in listed.json()["requests"]] == [
        ("customer@example.com", question)
    ]
