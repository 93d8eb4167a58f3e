"""The content studio in Chromium: an editor signs in, finds the articles that need work,
and tests what the bot would answer to a Hungarian question; a screenshot is kept."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.processes import LiveBridge
from tests.staff import PASSWORD, add_user

pytestmark = pytest.mark.browser


def test_an_editor_reviews_articles_and_tests_a_question(
    page: Page, live_bridge: LiveBridge
) -> None:
    add_user(live_bridge.settings.database_url, "writer@example.com", role="editor")
    page.goto("/studio")
    expect(page).to_have_url(f"{live_bridge.url}/login?next=/studio")
    page.get_by_label("Email address").fill("writer@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_bridge.url}/studio")
    expect(
        page.locator(
            "tr[data-family=warranty-claim] a[href='/studio/articles/hu-warranty-claim?lang=en']"
        )
    ).to_be_visible()

    page.get_by_label("Tag").select_option("password")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tr[data-family=password-reset]")).to_be_visible()
    expect(page.locator("tr[data-family=warranty-claim]")).to_have_count(0)

    page.get_by_label("A customer's question", exact=True).fill("elfelejtettem a jelszavamat")
    page.locator("select[name=qlang]").select_option("hu")
    page.get_by_role("button", name="What would the bot answer?").click()
    verdict = page.locator(".verdict")
    expect(verdict.locator("li").first).to_have_attribute("data-article-id", "hu-password-reset")
    expect(verdict).to_contain_text("quoted section")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "studio.png", full_page=True)
