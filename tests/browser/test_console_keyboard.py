"""The agent console by keyboard alone, at 1280×720 with five open chats: the documented
shortcuts (console/shortcuts.js) take the next waiting customer, claim, switch chats and hand
back, and every control of the open chat stays on the screen."""

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.test_handoff import browser_pages, sign_in_on_the_login_page
from tests.conftest import TEST_SERVICE_TOKEN
from tests.processes import LiveBridge
from tests.staff import add_user

pytestmark = pytest.mark.browser

AGENT_EMAIL = "anna@example.com"
CHATS = 5
WIDTH, HEIGHT = 1280, 720


def queue_customers(live_bridge: LiveBridge, count: int) -> list[str]:
    """`count` customers waiting for a person, as the action server queues them."""
    ids = []
    with httpx.Client(base_url=live_bridge.url, timeout=10) as http:
        for n in range(count):
            created = http.post("/api/conversations", json={"language": "en"})
            created.raise_for_status()
            conversation_id = created.json()["conversation_id"]
            queued = http.post(
                "/api/handoffs",
                json={
                    "conversation_id": conversation_id,
                    "reason": "customer_request",
                    "context": {"last_question": f"question number {n + 1}", "language": "en"},
                },
                headers={"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"},
            )
            assert queued.status_code == 201, queued.text
            ids.append(conversation_id)
    return ids


def on_screen(locator: Locator) -> None:
    """Wholly inside the 1280×720 window, without scrolling the page."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= WIDTH and box["y"] + box["height"] <= HEIGHT, box


def press(agent: Page, keys: str) -> None:
    agent.keyboard.press(keys)


def test_five_chats_by_keyboard_at_1280_by_720(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest
) -> None:
    add_user(live_bridge.settings.database_url, AGENT_EMAIL)
    with browser_pages(browser, live_bridge, request, "agent") as (agent,):
        agent.set_viewport_size({"width": WIDTH, "height": HEIGHT})
        sign_in_on_the_login_page(agent)  # signing in puts the agent online
        queue_customers(live_bridge, CHATS)
        claims = agent.get_by_test_id("queue").get_by_test_id("claim-button")
        expect(claims).to_have_count(CHATS)

        # Alt+N goes to the longest-waiting customer; Alt+C claims them, from anywhere.
        press(agent, "Alt+N")
        expect(claims.first).to_be_focused()
        for opened in range(1, CHATS + 1):
            press(agent, "Alt+C")
            expect(agent.get_by_test_id("chat-tab")).to_have_count(opened)
            expect(agent.get_by_test_id("compose")).to_be_focused()
        expect(claims).to_have_count(0)

        tabs = agent.get_by_test_id("chat-tab")
        for n in range(CHATS):
            on_screen(tabs.nth(n))
        for control in ("compose", "send-button", "hand-back-button", "close-button"):
            on_screen(agent.get_by_test_id(control))
        assert agent.evaluate("document.documentElement.scrollHeight") <= HEIGHT
        assert agent.evaluate("document.documentElement.scrollWidth") <= WIDTH

        # Alt+2 switches to the second chat; Alt+B hands it back to the bot.
        press(agent, "Alt+2")
        expect(tabs.nth(1)).to_have_attribute("aria-selected", "true")
        expect(agent.locator("#ctx-question")).to_have_text("question number 2")
        press(agent, "Alt+B")
        expect(agent.get_by_test_id("hand-back-button")).to_be_disabled()
        expect(agent.locator("#chat-status")).to_have_text("With the bot")

        # Alt+R returns to the reply box from anywhere, e.g. from the tabs.
        tabs.nth(0).focus()
        press(agent, "Alt+R")
        expect(agent.get_by_test_id("compose")).to_be_focused()

        # "?" outside a text field lists the shortcuts; in the reply box it is just a "?".
        agent.get_by_test_id("compose").fill("")
        agent.get_by_test_id("compose").press("?")
        expect(agent.get_by_test_id("shortcuts-dialog")).to_be_hidden()
        expect(agent.get_by_test_id("compose")).to_have_value("?")
        tabs.nth(0).focus()
        press(agent, "?")
        dialog = agent.get_by_test_id("shortcuts-dialog")
        expect(dialog).to_be_visible()
        for keys in ("Alt+N", "Alt+C", "/", "Alt+B", "Alt+1 … Alt+9"):
            expect(dialog.locator("kbd", has_text=keys).first).to_be_visible()
        on_screen(dialog)
        press(agent, "Escape")
        expect(dialog).to_be_hidden()


def test_the_shortcuts_are_listed_in_hungarian(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest
) -> None:
    add_user(live_bridge.settings.database_url, AGENT_EMAIL)
    with browser_pages(browser, live_bridge, request, "agent") as (agent,):
        sign_in_on_the_login_page(agent)
        agent.goto("/console?lang=hu")
        agent.get_by_test_id("shortcuts-button").click()
        dialog = agent.get_by_test_id("shortcuts-dialog")
        expect(dialog.get_by_role("heading")).to_have_text("Billentyűparancsok")
        expect(dialog).to_contain_text("A következő várakozó ügyfél átvétele")
        dialog.get_by_test_id("shortcuts-close").click()
        expect(dialog).to_be_hidden()
