"""The dashboard's "How customers found us" section in Chromium: referral answers and NPS
surveys written to the database, an admin signs in, and the tiles and the two charts show
them, in English and in Hungarian. No bot is needed: the bridge alone serves the dashboard."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.migrate import upgrade
from bridge.db.models import Conversation, NpsSurvey, ReferralAnswer
from knowledge_base.settings import KBSettings
from tests import aio
from tests.browser.conftest import ARTIFACTS, watch_csp
from tests.conftest import make_settings
from tests.processes import LiveBridge
from tests.staff import PASSWORD, add_user

pytestmark = pytest.mark.browser

# conversation: (source or None when never answered, NPS score or None)
SEED = {
    "c1": ("friend_family", 10),
    "c2": ("friend_family", 6),
    "c3": ("search", 9),
    "c4": ("skipped", None),
    "c5": (None, None),
}
# 5 asked, 4 answered, 3 named, 2 of them friend or family: 66.7 %; their NPS (1 - 1) / 2 = 0.


async def _seed(session: AsyncSession) -> None:
    # Noon two days ago: inside the dashboard's default 30 days, and all in one week's bucket.
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    when = noon - timedelta(days=2)
    for n, (cid, (source, score)) in enumerate(SEED.items()):
        session.add(Conversation(id=cid, language="en", visitor_id=f"visitor-{cid}"))
        await session.flush()
        asked = when + timedelta(minutes=n)
        session.add(
            ReferralAnswer(
                subject=f"visitor:visitor-{cid}",
                conversation_id=cid,
                language="en",
                asked_at=asked,
                answered_at=asked if source else None,
                source=source,
            )
        )
        if score is not None:
            session.add(
                NpsSurvey(
                    conversation_id=cid,
                    visitor_id=f"visitor-{cid}",
                    language="en",
                    status="answered",
                    score=score,
                    trigger="goodbye",
                    asked_at=asked,
                    answered_at=asked,
                )
            )


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[LiveBridge]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    aio.run_sql(url, _seed)
    add_user(url, "root@example.com", role="admin")
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index")
    live = LiveBridge(make_settings(url, None), kb)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def admin_page(browser: Browser, bridge: LiveBridge) -> Iterator[Page]:
    context = browser.new_context(base_url=bridge.url, viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    try:
        page.goto("/login?next=/dashboard")
        page.get_by_label("Email address").fill("root@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{bridge.url}/dashboard")
        yield page
        assert not violations, f"Content-Security-Policy violations: {violations}"
    finally:
        context.close()


def test_the_section_shows_the_seeded_referrals(admin_page: Page) -> None:
    page = admin_page
    expect(page.locator("#referrals[data-loaded=true]")).to_have_count(1)
    expect(page.get_by_test_id("referrals-asked")).to_have_text("5")
    expect(page.get_by_test_id("referrals-answered")).to_have_text("4")
    expect(page.get_by_test_id("referrals-rate")).to_have_text("66.7 %")
    expect(page.get_by_test_id("referrals-top")).to_have_text("A friend or family")
    expect(page.get_by_test_id("referrals-friend-nps")).to_have_text("0.0")
    csv = re.compile(r"^/api/staff/reports/referrals\?.*format=csv.*table=periods")
    expect(page.locator("#referrals-csv")).to_have_attribute("href", csv)

    sources = page.evaluate("window.dashboardCharts['referrals-sources'].data")
    shares = {d["label"]: sum(d["data"]) for d in sources["datasets"]}
    assert shares["A friend or family"] == pytest.approx(200 / 3)
    assert shares["Search"] == pytest.approx(100 / 3)
    assert sum(shares.values()) == pytest.approx(100)
    lines = page.evaluate("window.dashboardCharts['referrals-vs-nps'].data")
    rate, nps = lines["datasets"]
    assert [x for x in rate["data"] if x is not None] == [pytest.approx(200 / 3)]
    # All three answers in one week: 10, 6, 9 -> (2 - 1) / 3.
    assert [x for x in nps["data"] if x is not None] == [pytest.approx(100 / 3)]
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#referrals").screenshot(path=ARTIFACTS / "dashboard-referrals.png")

    page.goto("/dashboard?lang=hu")
    expect(page.locator("#referrals[data-loaded=true]")).to_have_count(1)
    expect(page.locator("#referrals-heading")).to_contain_text("Honnan ismernek minket")
    expect(page.get_by_test_id("referrals-top")).to_have_text("Ismerős vagy család")
