"""Review tracking in Chromium, with the real bot: a promoter gives 10 in the widget, follows
the review link in the thanks (the counted redirect; the review site itself is answered by
Playwright), and the admin's dashboard counts the invitation and the click."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from bridge.db.migrate import upgrade
from knowledge_base.settings import KBSettings
from tests.browser.conftest import watch_csp
from tests.browser.test_nps import answered, bot_says
from tests.browser.test_widget import messages, open_widget, send
from tests.conftest import NPS_REVIEW_URL, make_settings
from tests.processes import LiveBridge, RasaStack
from tests.staff import PASSWORD, add_user

pytestmark = pytest.mark.browser


@pytest.fixture
def bridge(
    tmp_path: Path, stack: RasaStack, kb_settings: KBSettings, bridge_port: int
) -> Iterator[LiveBridge]:
    """The live bridge on the port the action server calls, knowing its own public URL (the
    base of the review links) and the review URL it redirects to."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    settings = make_settings(
        url,
        stack,
        nps_review_url=NPS_REVIEW_URL,
        public_url=f"http://127.0.0.1:{bridge_port}",
    )
    live = LiveBridge(settings, kb_settings, port=bridge_port)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def context(browser: Browser, bridge: LiveBridge) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=bridge.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    violations = watch_csp(context)
    reviewed: list[str] = []

    def review_site(route: Route) -> None:
        reviewed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<h1>Review Northwind</h1>")

    context.route(f"{NPS_REVIEW_URL}**", review_site)
    try:
        yield context
        assert not violations, f"Content-Security-Policy violations: {violations}"
        assert reviewed == [NPS_REVIEW_URL]
    finally:
        context.close()


def test_a_promoter_follows_the_review_link_and_the_dashboard_counts_it(
    context: BrowserContext, bridge: LiveBridge
) -> None:
    page = context.new_page()
    page.goto("/")
    open_widget(page)
    answered(page, "how can I reset my password?")
    send(page, "thanks, bye")
    bot_says(page, "how likely are you to recommend Northwind Shop")
    scale = messages(page, "bot").last.get_by_test_id("quick-replies")
    scale.get_by_role("button", name="10", exact=True).click()
    bot_says(page, "What is the main reason for your score?")
    send(page, "Quick and clear.")
    bot_says(page, "Goodbye, and thanks for visiting Northwind Shop!")
    link = messages(page, "bot").nth(-2).locator("a", has_text="leave us a review")
    href = link.get_attribute("href") or ""
    assert href.startswith(f"{bridge.url}/r/review/"), href
    with context.expect_page() as opened:
        link.click()
    review = opened.value
    expect(review.get_by_role("heading", name="Review Northwind")).to_be_visible()
    assert review.url == NPS_REVIEW_URL
    review.close()

    add_user(bridge.settings.database_url, "root@example.com", role="admin")
    admin: Page = context.new_page()
    admin.goto("/login?next=/dashboard")
    admin.get_by_label("Email address").fill("root@example.com")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    expect(admin.locator("#reviews[data-loaded=true]")).to_have_count(1)
    expect(admin.get_by_test_id("reviews-invited")).to_have_text("1")
    expect(admin.get_by_test_id("reviews-clicked")).to_have_text("1")
    expect(admin.get_by_test_id("reviews-rate")).to_have_text("100.0 %")
    chart = admin.evaluate("window.dashboardCharts['reviews-trend'].data")
    clicked = {d["label"]: sum(d["data"]) for d in chart["datasets"]}
    assert clicked == {"invited (en)": 1, "clicked (en)": 1, "invited (hu)": 0, "clicked (hu)": 0}
