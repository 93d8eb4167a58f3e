"""The public help center in Chromium: a Hungarian customer searches without accents, opens
the article, votes it helpful, switches it to English and back to the Hungarian help center."""

import re

import pytest
from playwright.sync_api import Page, expect

from bridge.db.feedback import list_feedback
from tests import aio
from tests.processes import LiveBridge

pytestmark = pytest.mark.browser


def test_search_vote_and_the_language_switch(page: Page, live_bridge: LiveBridge) -> None:
    page.goto("/help?lang=hu")
    expect(page.locator("h1")).to_have_text("Súgó")
    search = page.get_by_role("searchbox", name="Keresés a súgóban")
    search.fill("elfelejtettem a jelszavamat")
    search.press("Enter")
    results = page.locator("section.results li")
    expect(results.first).to_have_attribute("data-article-id", "hu-password-reset")
    expect(search).to_have_value("elfelejtettem a jelszavamat")  # the query stays to refine

    results.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/kb/hu-password-reset$"))
    expect(page.locator("html")).to_have_attribute("lang", "hu")

    page.get_by_role("button", name="Igen").click()
    expect(page.get_by_role("status")).to_have_text("Köszönjük a visszajelzést.")
    page.reload()  # remembered: no second vote from this browser
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("button", name="Igen")).to_be_hidden()
    votes = aio.run_sql(live_bridge.settings.database_url, lambda s: list_feedback(session=s))
    assert [(v.article_id, v.helpful, v.source) for v in votes] == [
        ("hu-password-reset", True, "help_center")
    ]

    page.get_by_role("link", name="In English").click()
    expect(page).to_have_url(re.compile(r"/kb/password-reset$"))
    expect(page.locator("h1")).to_have_text("Resetting your password")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Magyarul").click()
    expect(page).to_have_url(re.compile(r"/kb/hu-password-reset$"))
    page.get_by_role("link", name="Northwind Webáruház · Súgó").click()
    expect(page).to_have_url(re.compile(r"/help\?lang=hu$"))
    expect(page.get_by_role("heading", name="szállítás")).to_be_visible()


def test_a_search_nothing_answers_says_so(page: Page) -> None:
    page.goto("/help")
    search = page.get_by_role("searchbox", name="Search the help centre")
    search.fill("qwxz blorft")
    search.press("Enter")
    expect(page.locator(".no-results")).to_contain_text("No article answers that yet")
