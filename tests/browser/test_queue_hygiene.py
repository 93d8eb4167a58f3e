"""Queue hygiene through the real UIs: two customers wait, the first leaves the page; the
console shows them gone from the live queue at once (the second customer moves up, and their
widget's socket hears it), and after QUEUE_ABANDON_AFTER_S (a few seconds here) lists them as
a missed chat with the address they typed, under "Messages left".

The fake-clock tests are in tests/bridge/test_queue_hygiene.py; this one waits for the real
sweeper of a live bridge.
"""

import json

import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect

from tests.browser.test_handoff import (
    AGENT_EMAIL,
    ASK_FOR_A_PERSON,
    browser_pages,
    sign_in_on_the_login_page,
    subtitle,
)
from tests.browser.test_widget import BOT_TIMEOUT_MS, messages, open_widget, send
from tests.processes import LiveBridge
from tests.staff import add_user

pytestmark = pytest.mark.browser

ABANDON_S = 4.0
# The sweeper runs every 0.4 s for that timeout; the wait allows for a slow, busy machine.
MISSED_TIMEOUT_MS = int(ABANDON_S * 1000) + 15_000


def ask_for_a_person(customer: Page, place: int) -> None:
    send(customer, ASK_FOR_A_PERSON)
    expect(messages(customer, "bot").last).to_contain_text(
        f"number {place} in the queue", timeout=BOT_TIMEOUT_MS
    )
    expect(subtitle(customer)).to_have_text("Waiting for an agent…")


def is_place(payload: str | bytes, place: int) -> bool:
    """Whether a frame the widget received is its `queue_position` event for `place`."""
    try:
        event = json.loads(payload)
    except ValueError:
        return False
    return (
        isinstance(event, dict)
        and event.get("type") == "queue_position"
        and event.get("position") == place
    )


@pytest.mark.bridge_settings(queue_abandon_after_s=ABANDON_S)
def test_a_customer_who_left_becomes_a_missed_chat(
    browser: Browser, live_bridge: LiveBridge, request: pytest.FixtureRequest
) -> None:
    add_user(live_bridge.settings.database_url, AGENT_EMAIL)
    with browser_pages(
        browser, live_bridge, request, "agent", "first customer", "second customer"
    ) as (agent, first, second):
        sign_in_on_the_login_page(agent)
        sockets: list[WebSocket] = []
        second.on("websocket", lambda socket: sockets.append(socket))

        first.goto("/")
        open_widget(first)
        ask_for_a_person(first, 1)
        send(first, "You can also mail me: Zoe@Example.com")
        second.goto("/")
        open_widget(second)
        ask_for_a_person(second, 2)

        queue = agent.get_by_test_id("queue")
        items = queue.get_by_test_id("queue-item")
        expect(items).to_have_count(2)
        expect(items.locator(".queue-position")).to_have_text(["#1", "#2"])
        expect(agent.locator("#queue-count")).to_have_text("2")
        expect(agent.get_by_test_id("missed-chat")).to_have_count(0)

        # The first customer leaves the page: at once they hold no place, the second moves up
        # and is told so over their own socket.
        widget_socket = [s for s in sockets if "/ws/chat/" in s.url][-1]  # the open one
        with widget_socket.expect_event(
            "framereceived", predicate=lambda payload: is_place(payload, 1)
        ):
            first.goto("about:blank")
        expect(items.first.locator(".queue-position")).to_have_text("#1")
        expect(items.last).to_have_attribute("data-left-page", "true")
        expect(items.last.get_by_test_id("queue-left-page")).to_have_text(
            "Left the page: holds no place"
        )
        expect(items.last.locator(".queue-position")).to_have_count(0)
        expect(agent.locator("#queue-count")).to_have_text("1")

        # Not back in time: out of the live queue, and listed as a missed chat with the
        # address they typed (the panel updates on its own, nothing is reloaded).
        expect(items).to_have_count(1, timeout=MISSED_TIMEOUT_MS)
        expect(items.first.get_by_test_id("queue-left-page")).to_have_count(0)
        missed = agent.get_by_test_id("missed-chat")
        expect(missed).to_have_count(1)
        expect(missed.locator("a.offline-email")).to_have_text("zoe@example.com")
        expect(missed.locator("a.offline-email")).to_have_attribute(
            "href", "mailto:zoe@example.com"
        )
        # They asked for a person straight away: no question the bot could not answer.
        expect(missed.locator(".offline-message")).to_have_text("(no question yet)")
        expect(agent.locator("#offline-count")).to_have_text("1")
        # The second customer is still waiting, first in line.
        expect(subtitle(second)).to_have_text("Waiting for an agent…")
        expect(items.first.locator(".queue-position")).to_have_text("#1")

        # Coming back later, the first customer finds the bot and a line saying why.
        first.goto("/")
        open_widget(first)
        expect(messages(first, "system").last).to_contain_text(
            "You had left the page, so you are no longer in the queue"
        )
        expect(subtitle(first)).to_have_text("Virtual assistant · answers right away")

        # Followed up: marked handled, it leaves the list.
        missed.get_by_test_id("missed-handled").click()
        expect(missed).to_have_count(0)
        expect(agent.locator("#offline-count")).to_have_text("0")
        expect(agent.locator("#offline-status")).to_have_text("No messages left.")
