""" "How did you hear about us?" and the greeting by name, in Chromium against the whole stack
(trained Rasa model, action server, bridge): after an answer helped, the customer gets the
question with a button per source, answers it (typed in Hungarian, or with a button) and is
never asked again; a signed-in Anna is greeted by name in Hungarian."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import ReferralAnswer
from tests import aio
from tests.browser.test_widget import BOT_TIMEOUT_MS, messages, open_widget, send
from tests.processes import LiveBridge

pytestmark = pytest.mark.browser

HU_SOURCES = [
    "Barát vagy családtag",
    "Keresés (Google…)",
    "Közösségi média",
    "Értékelő oldal",
    "Hirdetés",
    "Egyéb",
    "Kihagyom",
]


def answers(live_bridge: LiveBridge) -> list[tuple[str | None, str | None, str]]:
    async def read(session: AsyncSession) -> list[tuple[str | None, str | None, str]]:
        rows = await session.scalars(select(ReferralAnswer).order_by(ReferralAnswer.id))
        return [(row.source, row.detail, row.language) for row in rows]

    return aio.run_sql(live_bridge.settings.database_url, read)


def ask_and_find_it_helpful(page: Page, question: str, helpful: str, count: int) -> int:
    """Ask, pick the first article when the bot offers a choice, and say the answer helped;
    the number of bot messages then."""
    send(page, question)
    expect(messages(page, "bot")).to_have_count(count, timeout=BOT_TIMEOUT_MS)
    button = page.get_by_role("button", name=helpful, exact=True, disabled=False)
    if button.count() == 0:  # "Did you mean:" and a few articles
        messages(page, "bot").last.get_by_role("button").first.click()
        count += 1
        expect(messages(page, "bot")).to_have_count(count, timeout=BOT_TIMEOUT_MS)
    button.click()
    expect(messages(page, "bot")).to_have_count(count + 1, timeout=BOT_TIMEOUT_MS)
    return count + 1


def test_a_hungarian_customer_answers_in_words_and_is_not_asked_again(
    page: Page, live_bridge: LiveBridge
) -> None:
    page.goto("/?lang=hu")
    open_widget(page)
    asked = ask_and_find_it_helpful(
        page, "elfelejtettem a jelszavamat, mit tegyek?", "Hasznos volt", 1
    )
    question = messages(page, "bot").last
    expect(question).to_contain_text("honnan hallott a Northwind Webáruházról?")
    for title in HU_SOURCES:
        expect(page.get_by_role("button", name=title, exact=True)).to_be_visible()

    send(page, "Egy barátnőm ajánlotta a boltot")
    expect(messages(page, "bot")).to_have_count(asked + 1, timeout=BOT_TIMEOUT_MS)
    expect(messages(page, "bot").last).to_contain_text("Köszönöm, ez sokat segít nekünk!")
    assert answers(live_bridge) == [("friend_family", "Egy barátnőm ajánlotta a boltot", "hu")]

    # Another answer that helps: glad, and no second question.
    ask_and_find_it_helpful(page, "és ha az új jelszó sem jó?", "Hasznos volt", asked + 2)
    expect(messages(page, "bot").last).to_contain_text("örülök, hogy segíthettem")
    expect(messages(page, "bot").last).not_to_contain_text("honnan hallott")
    assert len(answers(live_bridge)) == 1


def test_an_english_customer_answers_with_a_button(page: Page, live_bridge: LiveBridge) -> None:
    page.goto("/")
    open_widget(page)
    asked = ask_and_find_it_helpful(page, "how can I reset my password?", "Helpful", 1)
    expect(messages(page, "bot").last).to_contain_text("how did you hear about Northwind Shop?")
    page.get_by_role("button", name="A review site", exact=True).click()
    expect(messages(page, "bot")).to_have_count(asked + 1, timeout=BOT_TIMEOUT_MS)
    expect(messages(page, "bot").last).to_contain_text("Thank you, that helps us a lot!")
    assert answers(live_bridge) == [("review_site", None, "en")]


@pytest.mark.bridge_settings(identity_secret="browser-test-identity-secret-0123456789")
def test_signed_in_anna_is_greeted_by_name_in_hungarian(page: Page) -> None:
    page.goto("/?lang=hu&signed_in=anna")
    expect(page.get_by_test_id("signed-in")).to_contain_text("Anna Kovács")
    open_widget(page)
    send(page, "szia")
    expect(messages(page, "bot")).to_have_count(1, timeout=BOT_TIMEOUT_MS)
    expect(messages(page, "bot").last).to_contain_text("Üdvözlöm, Anna Kovács!")
    expect(messages(page, "bot").last).to_contain_text("Northwind Webáruház")
