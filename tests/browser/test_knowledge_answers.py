"""Knowledge-base answers in the widget: the right article link, in the customer's language,
an honest "I don't know", and an edited article answered without restarting anything."""

import pytest
from playwright.sync_api import Page, expect

from knowledge_base.articles import load_articles
from knowledge_base.index import build_index
from knowledge_base.settings import KBSettings
from tests.browser.test_widget import BOT_TIMEOUT_MS, messages, open_widget, send
from tests.conftest import shared_embedders

pytestmark = pytest.mark.browser


def last_bot_message(page: Page, count: int) -> None:
    expect(messages(page, "bot")).to_have_count(count, timeout=BOT_TIMEOUT_MS)


def test_english_question_gets_the_article_link(page: Page) -> None:
    page.goto("/")
    open_widget(page)
    send(page, "how can I reset my password?")
    last_bot_message(page, 1)
    answer = messages(page, "bot").last
    link = answer.locator("a", has_text="Resetting your password")
    expect(link).to_have_attribute(
        "href", page.url.split("/?")[0].rstrip("/") + "/kb/password-reset"
    )
    expect(page.get_by_role("button", name="Helpful", exact=True)).to_be_visible()
    with page.context.expect_page() as opened:
        link.click()
    article = opened.value
    expect(article.locator("h1")).to_have_text("Resetting your password")


def test_hungarian_question_gets_a_hungarian_article(page: Page) -> None:
    page.goto("/?lang=hu")
    open_widget(page)
    send(page, "elfelejtettem a jelszavamat, mit tegyek?")
    last_bot_message(page, 1)
    answer = messages(page, "bot").last
    expect(answer.locator('a[href$="/kb/hu-password-reset"]')).to_be_visible()
    expect(page.get_by_role("button", name="Hasznos volt", exact=True)).to_be_visible()


def test_unanswerable_question_gets_the_honest_no_answer_and_a_person(page: Page) -> None:
    page.goto("/")
    open_widget(page)
    send(page, "where can I buy a submarine?")
    last_bot_message(page, 1)
    expect(messages(page, "bot").last).to_contain_text("couldn't find an answer")
    expect(page.get_by_role("button", name="Talk to a person")).to_be_visible()


def test_an_edited_article_is_answered_without_a_restart(
    page: Page, kb_settings: KBSettings
) -> None:
    path = kb_settings.articles_dir / "en" / "warranty-claim.md"
    original = path.read_text(encoding="utf-8")
    marker = "loan appliance"
    question = "do you lend me a loan appliance while mine is repaired?"
    page.goto("/")
    open_widget(page)
    try:
        path.write_text(
            original + f"\n## Borrowing a {marker}\n\nWhile we repair your product, we lend you a "
            f"{marker} free of charge: ask for it when you report the problem.\n",
            encoding="utf-8",
        )
        articles, _ = load_articles(kb_settings.articles_dir)
        build_index(
            articles=articles, embedders=shared_embedders(), index_dir=kb_settings.index_dir
        )
        send(page, question)
        last_bot_message(page, 1)
        expect(messages(page, "bot").last).to_contain_text(f"we lend you a {marker}")
    finally:
        path.write_text(original, encoding="utf-8")
        articles, _ = load_articles(kb_settings.articles_dir)
        build_index(
            articles=articles, embedders=shared_embedders(), index_dir=kb_settings.index_dir
        )
