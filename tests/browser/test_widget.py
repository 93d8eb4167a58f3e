"""The chat widget on the demo page, in Chromium, against the live bridge and the real bot.

Every assertion is about what a customer sees or can do: bubbles, notices, buttons, focus.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, WebSocketRoute, expect

pytestmark = pytest.mark.browser

BOT_TIMEOUT_MS = 20_000  # a real Rasa turn, with its action server
HOST_ID = "northwind-support-widget"
RATE_LIMIT = 10  # the bridge's default: messages per conversation per 10 s


def launcher(page: Page) -> Locator:
    return page.get_by_test_id("launcher")


def messages(page: Page, role: str | None = None) -> Locator:
    """Transcript entries (not local notices), optionally of one role, in display order."""
    selector = '[data-testid="message"]' + (f'[data-role="{role}"]' if role else "")
    return page.locator(selector)


def open_widget(page: Page) -> None:
    if launcher(page).get_attribute("aria-expanded") != "true":
        launcher(page).click()
    expect(page.get_by_test_id("panel")).to_be_visible()


def send(page: Page, text: str) -> None:
    """Type into the composer and press Enter, as a customer does."""
    page.get_by_test_id("input").fill(text)
    page.get_by_test_id("input").press("Enter")


@pytest.mark.parametrize(
    ("path", "greeting", "brand"),
    [("/", "hello", "Northwind Shop"), ("/?lang=hu", "szia", "Northwind Webáruház")],
    ids=["en", "hu"],
)
def test_conversation_survives_a_reload(page: Page, path: str, greeting: str, brand: str) -> None:
    page.goto(path)
    open_widget(page)
    send(page, greeting)

    expect(messages(page, "customer")).to_have_text([greeting])
    expect(messages(page, "bot").first).to_contain_text(brand, timeout=BOT_TIMEOUT_MS)
    transcript = messages(page).all_inner_texts()
    assert transcript[0] == greeting and brand in transcript[1]

    page.reload()
    open_widget(page)

    # The same entries in the same order, restored from the bridge without sending anything.
    expect(messages(page)).to_have_text(transcript)


def test_quick_reply_sends_its_title_and_gets_an_answer(page: Page) -> None:
    page.goto("/")
    open_widget(page)
    send(page, "what can you do?")

    choice = page.get_by_test_id("quick-replies").get_by_role("button", name="Talk to a person")
    expect(choice).to_be_enabled(timeout=BOT_TIMEOUT_MS)
    choice.click()

    expect(messages(page, "customer")).to_have_text(["what can you do?", "Talk to a person"])
    expect(messages(page, "bot")).to_have_count(2, timeout=BOT_TIMEOUT_MS)
    # Nobody is signed in to the console: the bot says so and offers to take a message.
    expect(messages(page, "bot").last).to_contain_text("none of our team is available")
    expect(choice).to_be_disabled()  # answered suggestions cannot be sent twice


def test_markup_in_a_message_is_shown_as_text_and_never_runs(page: Page) -> None:
    attack = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    page.goto("/")
    open_widget(page)
    send(page, attack)

    bubble = messages(page, "customer").locator(".bubble")
    expect(bubble).to_have_count(1)
    assert bubble.text_content() == attack
    # By the bot's answer, an injected <img> would long have fired its onerror.
    expect(messages(page, "bot")).to_have_count(1, timeout=BOT_TIMEOUT_MS)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    injected = page.evaluate(
        "id => document.getElementById(id).shadowRoot.querySelectorAll('img, script').length",
        HOST_ID,
    )
    assert injected == 0


def test_host_page_css_does_not_reach_into_the_widget(page: Page) -> None:
    page.goto("/")
    open_widget(page)
    send(page, "hello")
    bubble = messages(page, "customer").locator(".bubble")
    expect(bubble).to_be_visible()

    page_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    widget_font = bubble.evaluate("node => getComputedStyle(node).fontFamily")
    assert "Georgia" in page_font  # the demo page's hostile `* { font-family: … !important }`
    assert "Georgia" not in widget_font and widget_font != page_font
    # The page's `button { background: #fcd34d !important; text-transform: uppercase }` either.
    launcher_style = launcher(page).evaluate(
        "node => [getComputedStyle(node).backgroundColor, getComputedStyle(node).textTransform]"
    )
    assert launcher_style == ["rgb(15, 118, 110)", "none"]  # data-color="#0f766e"


def test_widget_is_usable_with_the_keyboard(page: Page) -> None:
    page.goto("/")
    button = page.get_by_role("button", name="Open support chat")
    expect(button).to_have_attribute("aria-expanded", "false")

    button.focus()
    page.keyboard.press("Enter")

    expect(launcher(page)).to_have_attribute("aria-expanded", "true")
    expect(launcher(page)).to_have_attribute("aria-label", "Close support chat")
    expect(page.get_by_test_id("input")).to_be_focused()
    expect(page.get_by_role("log", name="Conversation")).to_be_attached()

    page.keyboard.press("Escape")

    expect(page.get_by_test_id("panel")).to_be_hidden()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    expect(launcher(page)).to_be_focused()


def test_message_sent_while_offline_is_delivered_once_back_online(page: Page) -> None:
    # Chromium's offline emulation stalls an open websocket (its frames wait) instead of
    # closing it, so the drop itself is done on a proxied socket; being offline makes every
    # reconnect attempt fail until the network is back.
    sockets: list[WebSocketRoute] = []

    def proxy(socket: WebSocketRoute) -> None:
        sockets.append(socket)
        socket.connect_to_server()

    page.context.route_web_socket(re.compile(r"/ws/chat/"), proxy)
    page.goto("/")
    open_widget(page)
    send(page, "hello")
    expect(messages(page, "bot")).to_have_count(1, timeout=BOT_TIMEOUT_MS)

    page.context.set_offline(True)
    sockets[-1].close(code=1006, reason="network lost")
    status = page.get_by_test_id("status-line")
    expect(status).to_have_text("Reconnecting…")
    send(page, "hello again")
    # Queued, not shown: a message appears only once the bridge has stored it.
    expect(messages(page, "customer")).to_have_text(["hello"])
    expect(status).to_be_visible()

    page.context.set_offline(False)

    expect(messages(page, "customer")).to_have_text(["hello", "hello again"])
    expect(messages(page, "bot")).to_have_count(2, timeout=BOT_TIMEOUT_MS)
    expect(status).to_be_hidden()
    seqs = [
        int(seq) for seq in messages(page).evaluate_all("nodes => nodes.map(n => n.dataset.seq)")
    ]
    assert seqs == list(range(1, len(seqs) + 1)), seqs  # each once, in order, none missing


def test_too_long_message_is_refused_before_sending(page: Page) -> None:
    page.goto("/")
    open_widget(page)
    page.get_by_test_id("input").fill("x" * 2001)

    expect(page.locator("#nw-counter")).to_have_text("2001 / 2000")
    expect(page.get_by_test_id("send")).to_be_disabled()
    page.get_by_test_id("input").press("Enter")

    expect(page.get_by_test_id("notice")).to_have_text(
        "Messages can be at most 2000 characters long."
    )
    expect(messages(page)).to_have_count(0)


def test_flooding_shows_the_rate_limit_notice(page: Page) -> None:
    page.goto("/")
    open_widget(page)
    for n in range(1, RATE_LIMIT + 2):
        send(page, f"message {n}")

    expect(page.get_by_test_id("notice")).to_contain_text(
        "You are sending messages too quickly", timeout=BOT_TIMEOUT_MS
    )
    # The refused message is not in the transcript; the ten before it are.
    expect(messages(page, "customer")).to_have_count(RATE_LIMIT)
    expect(messages(page, "customer").last).to_have_text(f"message {RATE_LIMIT}")


def test_hungarian_thanks_use_the_right_article_before_the_address(page: Page) -> None:
    """The offline form's thanks: "az anna@…", "a kati@…" (not "a(z)")."""
    page.goto("/?lang=hu")
    open_widget(page)
    thanks = page.evaluate(
        """async () => {
            const { STRINGS } = await import("/widget/strings.js");
            return ["anna@example.com", "kati@example.com", "5x@example.com"].map(
                (email) => STRINGS.hu.offlineThanks(email));
        }"""
    )
    assert thanks == [
        "Köszönjük! Hamarosan válaszolunk az anna@example.com címre.",
        "Köszönjük! Hamarosan válaszolunk a kati@example.com címre.",
        "Köszönjük! Hamarosan válaszolunk az 5x@example.com címre.",
    ]


@pytest.mark.parametrize(
    ("path", "typed", "shown", "note"),
    [
        ("/", "my card is 4111 1111 1111 1111", "my card is •••• 1111", "we hid the card number"),
        ("/?lang=hu", "jelszó: Titok123", "jelszó: ••••••", "elrejtettük"),
    ],
    ids=["en", "hu"],
)
def test_sensitive_data_is_masked_and_the_customer_is_told(
    page: Page, path: str, typed: str, shown: str, note: str
) -> None:
    page.goto(path)
    open_widget(page)
    send(page, typed)

    expect(messages(page, "customer")).to_have_text([shown])
    expect(page.get_by_test_id("notice")).to_contain_text(note)
    expect(messages(page, "bot").first).to_be_visible(timeout=BOT_TIMEOUT_MS)
    # After a reload the transcript comes from the bridge: the mask, never the number.
    page.reload()
    open_widget(page)
    expect(messages(page, "customer")).to_have_text([shown])
