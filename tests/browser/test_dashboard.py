"""The support dashboard in Chromium: an admin signs in, the figures and charts show what was
seeded through the bridge's APIs, and a screenshot is kept in test-artifacts/."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import Conversation, Handoff, Message
from tests import aio
from tests.browser.conftest import ARTIFACTS, watch_csp
from tests.conftest import TEST_SERVICE_TOKEN
from tests.processes import LiveBridge
from tests.staff import PASSWORD, add_user

pytestmark = pytest.mark.browser
SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
SCORES = [10, 9, 9, 8, 3]  # 3 promoters, 1 passive, 1 detractor: NPS (3 - 1) / 5 = 40


def seed(url: str) -> None:
    with httpx.Client(base_url=url) as http:
        for n, score in enumerate(SCORES):
            conversation = http.post(
                "/api/conversations", json={"language": "en", "visitor_id": f"visitor{n}"}
            ).json()
            cid = conversation["conversation_id"]
            survey = http.post(
                "/api/nps/surveys",
                json={"conversation_id": cid, "language": "en", "trigger": "goodbye"},
                headers=SERVICE,
            ).json()
            http.put(
                f"/api/nps/surveys/{survey['survey_id']}/score",
                json={"score": score},
                headers=SERVICE,
            ).raise_for_status()
            http.post(
                "/api/feedback",
                json={
                    "conversation_id": cid,
                    "article_id": "refund-timing",
                    "helpful": n % 2 == 0,  # 3 of 5 helpful
                    "language": "en",
                },
                headers=SERVICE,
            ).raise_for_status()
        http.post(
            "/api/unanswered",
            json={"question": "do you ship to mars", "language": "en"},
            headers=SERVICE,
        ).raise_for_status()


def seed_agent_chat(database_url: str) -> None:
    """Zoe took a chat ten minutes ago, answered in 60 s and closed it."""
    claimed = datetime.now(UTC) - timedelta(minutes=10)
    zoe = add_user(database_url, "zoe@example.com")

    async def chat(session: AsyncSession) -> None:
        session.add(Conversation(id="zoe-chat", language="en", created_at=claimed))
        await session.flush()
        session.add(
            Message(
                conversation_id="zoe-chat",
                seq=1,
                role="agent",
                text="Hello, Zoe here",
                created_at=claimed + timedelta(seconds=60),
            )
        )
        session.add(
            Handoff(
                conversation_id="zoe-chat",
                status="closed",
                reason="customer_request",
                context={},
                created_at=claimed,
                claimed_at=claimed,
                claimed_by=zoe,
                ended_at=claimed + timedelta(minutes=5),
            )
        )

    aio.run_sql(database_url, chat)


@pytest.fixture
def admin_page(browser: Browser, live_bridge: LiveBridge) -> Iterator[Page]:
    add_user(live_bridge.settings.database_url, "root@example.com", role="admin")
    viewport = {"width": 1280, "height": 1000}
    context = browser.new_context(base_url=live_bridge.url, viewport=viewport)
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    try:
        yield page
        assert not violations, f"Content-Security-Policy violations: {violations}"
    finally:
        context.close()


def test_the_dashboard_shows_the_seeded_figures(admin_page: Page, live_bridge: LiveBridge) -> None:
    seed(live_bridge.url)
    seed_agent_chat(live_bridge.settings.database_url)
    page = admin_page
    page.goto("/dashboard")
    expect(page).to_have_url(f"{live_bridge.url}/login?next=/dashboard")  # signed out first
    page.get_by_label("Email address").fill("root@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_bridge.url}/dashboard")
    expect(page.locator("body[data-loaded=true]")).to_have_count(1)

    expect(page.get_by_test_id("nps-value")).to_have_text("40.0")
    expect(page.get_by_test_id("helpful-rate")).to_have_text("60.0 %")
    expect(page.get_by_test_id("unanswered")).to_contain_text("do you ship to mars")
    breakdown = page.evaluate("window.dashboardCharts['nps-breakdown'].data.datasets[0].data")
    assert breakdown == [3, 1, 1]
    articles = page.evaluate("window.dashboardCharts['helpful-articles'].data")
    assert articles["labels"] == ["refund-timing"] and articles["datasets"][0]["data"] == [60]
    zoe = page.get_by_test_id("agents").locator("tbody tr").first  # most chats handled first
    expect(zoe.locator("td")).to_have_text(
        ["Zoe", "1", "60 s / 60 s", "300 s / 300 s", "1", "0", "–", "0 / 0"]
    )
    first_reply = page.evaluate("window.dashboardCharts['agent-first-response'].data")
    assert first_reply["labels"][0] == "Zoe" and first_reply["datasets"][0]["data"][0] == 60
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)

    # A period with nothing in it: dashes, not errors; an inverted one: the bridge's reason.
    page.locator("input[name=from]").fill("2020-01-01")
    page.locator("input[name=to]").fill("2020-01-31")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("nps-value")).to_have_text("–")
    page.locator("input[name=to]").fill("2019-12-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("error")).to_contain_text("before it starts")
