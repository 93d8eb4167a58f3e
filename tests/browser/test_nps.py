"""The NPS survey in the widget, in Chromium, with the real bot: a customer answers with the
0-10 buttons and an admin sees the answer on the dashboard; a Hungarian customer types theirs.
A screenshot of the survey is kept in test-artifacts/."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_widget import BOT_TIMEOUT_MS, messages, open_widget, send
from tests.live_chat import stored_surveys
from tests.processes import LiveBridge
from tests.staff import PASSWORD, add_user

pytestmark = pytest.mark.browser


def bot_says(page: Page, text: str) -> None:
    """Wait for the bot's latest message to contain `text` (a real Rasa turn)."""
    expect(messages(page, "bot").last).to_contain_text(text, timeout=BOT_TIMEOUT_MS)


def answered(page: Page, question: str) -> None:
    send(page, question)
    link = messages(page, "bot").locator('a[href*="/kb/"]')
    expect(link.first).to_be_visible(timeout=BOT_TIMEOUT_MS)


def test_the_buttons_fill_the_survey_and_the_dashboard_shows_it(
    page: Page, browser: Browser, live_bridge: LiveBridge
) -> None:
    page.goto("/")
    open_widget(page)
    answered(page, "how can I reset my password?")
    send(page, "thanks, bye")
    bot_says(page, "how likely are you to recommend Northwind Shop")
    question = messages(page, "bot").last
    scale = question.get_by_test_id("quick-replies")
    expect(scale).to_have_class("quick-replies scale")
    expect(scale.locator("button.score")).to_have_count(11)
    expect(scale.get_by_role("button", name="No thanks")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "nps-widget.png")

    scale.get_by_role("button", name="9", exact=True).click()
    expect(messages(page, "customer").last).to_have_text("9")
    expect(scale.get_by_role("button", name="9", exact=True)).to_be_disabled()
    bot_says(page, "What is the main reason for your score?")
    send(page, "The answer was right there.")
    bot_says(page, "Goodbye, and thanks for visiting Northwind Shop!")  # after the thanks
    thanks = messages(page, "bot").nth(-2)
    expect(thanks).to_contain_text("we're so glad you're happy with us")
    expect(thanks.locator("a", has_text="leave us a review")).to_be_visible()

    [survey] = stored_surveys(live_bridge.settings.database_url)
    assert (survey.score, survey.category, survey.reason, survey.language) == (
        9,
        "promoter",
        "The answer was right there.",
        "en",
    )
    assert survey.visitor_id  # the widget's persistent anonymous id

    # An admin sees it on the dashboard: one answer, a promoter, NPS 100.
    add_user(live_bridge.settings.database_url, "root@example.com", role="admin")
    context = browser.new_context(base_url=live_bridge.url)
    try:
        admin = context.new_page()
        admin.goto("/login?next=/dashboard")
        admin.get_by_label("Email address").fill("root@example.com")
        admin.get_by_label("Password").fill(PASSWORD)
        admin.get_by_role("button", name="Sign in").click()
        expect(admin.locator("body[data-loaded=true]")).to_have_count(1)
        expect(admin.get_by_test_id("nps-value")).to_have_text("100.0")
        breakdown = admin.evaluate("window.dashboardCharts['nps-breakdown'].data.datasets[0].data")
        assert breakdown == [1, 0, 0]
    finally:
        context.close()


def test_a_hungarian_customer_types_the_score(page: Page, live_bridge: LiveBridge) -> None:
    page.goto("/?lang=hu")
    open_widget(page)
    answered(page, "elfelejtettem a jelszavamat, mit tegyek?")
    send(page, "köszönöm, viszlát")
    bot_says(page, "mennyire valószínű, hogy ajánlaná")
    send(page, "kilencest adnék")
    bot_says(page, "Mi a fő oka a pontszámának?")
    send(page, "Gyors és pontos válasz.")
    bot_says(page, "Köszönjük, hogy felkereste a Northwind Webáruházat.")
    expect(messages(page, "bot").nth(-2)).to_contain_text("nagyon örülünk, hogy elégedett")

    [survey] = stored_surveys(live_bridge.settings.database_url)
    assert (survey.score, survey.category, survey.reason, survey.language) == (
        9,
        "promoter",
        "Gyors és pontos válasz.",
        "hu",
    )
