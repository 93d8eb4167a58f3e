"""The studio's article editor in Chromium: a gap in the unanswered questions becomes a new
article (written, previewed, tried against a question, published) that the bot answers from
within seconds, in English and in Hungarian; two writers' conflicting drafts, neither lost;
and an old revision restored from the history page."""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from knowledge_base.articles import load_articles
from knowledge_base.index import build_index
from knowledge_base.settings import KBSettings
from tests.browser.test_widget import messages, open_widget, send
from tests.conftest import TEST_SERVICE_TOKEN, shared_embedders
from tests.processes import LiveBridge
from tests.staff import PASSWORD, add_user

pytestmark = pytest.mark.browser

ANSWER_WITHIN_MS = 5_000  # from the end of a publish to the bot's answer from it


@pytest.fixture(autouse=True)
def _index_from_the_files(kb_settings: KBSettings) -> Iterator[None]:
    """The live bridge indexes what a test publishes into the session's index, which the real
    action server reads: afterwards it is built from the Markdown files again, so the other
    tests never see these articles. (Autouse: set up first, so torn down after the bridge.)"""
    yield
    articles, _ = load_articles(kb_settings.articles_dir)
    build_index(articles=articles, embedders=shared_embedders(), index_dir=kb_settings.index_dir)


# --- helpers ----------------------------------------------------------------------------------


def sign_in(page: Page, live_bridge: LiveBridge, email: str, path: str) -> None:
    """A new editor account, signed in through the login page that `path` sends them to."""
    add_user(live_bridge.settings.database_url, email, role="editor")
    page.goto(path)
    expect(page).to_have_url(f"{live_bridge.url}/login?next={path}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_bridge.url}{path}")


def record_unanswered(live_bridge: LiveBridge, language: str, questions: list[str]) -> None:
    """Questions the bot could not answer, recorded as the action server records them."""
    with httpx.Client(base_url=live_bridge.url, timeout=10) as client:
        for question in questions:
            started = client.post("/api/conversations", json={"language": language})
            assert started.status_code == 201, started.text
            recorded = client.post(
                "/api/unanswered",
                json={
                    "conversation_id": started.json()["conversation_id"],
                    "question": question,
                    "language": language,
                    "best_article_id": None,
                    "best_score": 0.1,
                },
                headers={"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"},
            )
            assert recorded.status_code == 201, recorded.text


@contextmanager
def another_browser(browser: Browser, live_bridge: LiveBridge) -> Iterator[Page]:
    """A second person's browser: its own context (cookies, localStorage)."""
    context = browser.new_context(base_url=live_bridge.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def bold(page: Page, words: str) -> None:
    """Select `words` in the body and press the toolbar's Bold button."""
    body = page.locator("textarea#body")
    before = body.input_value()
    start = before.index(words)
    body.evaluate("(area, [s, e]) => { area.focus(); area.setSelectionRange(s, e); }",
                  [start, start + len(words)])  # fmt: skip
    page.locator("markdown-toolbar md-bold").click()
    expect(body).to_have_value(before.replace(words, f"**{words}**", 1))


def publish_and_time(page: Page, button: str, published: str) -> float:
    """Press Publish; the moment the editor said it is published and indexed (waiting for the
    answer first: after an earlier publish the status already says so)."""
    with page.expect_response(
        lambda response: response.url.endswith("/publish"), timeout=60_000
    ) as answer:
        page.get_by_role("button", name=button, exact=True).click()
    assert answer.value.ok, answer.value.text()
    expect(page.locator("[data-status]")).to_contain_text(published, timeout=60_000)
    return time.monotonic()


def answered_within(customer: Page, question: str, text: str, since: float) -> None:
    """The customer asks; the bot's answer quotes `text` within ANSWER_WITHIN_MS of `since`."""
    send(customer, question)
    left_ms = ANSWER_WITHIN_MS - (time.monotonic() - since) * 1000
    assert left_ms > 0, "the customer could not even ask within the time"
    expect(messages(customer, "bot").last).to_contain_text(text, timeout=left_ms)
    took = time.monotonic() - since
    assert took < ANSWER_WITHIN_MS / 1000, f"answered {took:.2f} s after the publish"


# --- a gap becomes an article -----------------------------------------------------------------

EN_QUESTIONS = ["do you gift wrap orders?", "can you gift wrap my order?"]
EN_BODY = (
    "Yes, we gift wrap orders: choose Gift wrapping at checkout and we pack every item in "
    "recycled paper with a ribbon for 3 euros per parcel.\n\n"
    "## Adding a gift message\n\n"
    "Write your message in the Gift message box: we print it on a card and leave the prices "
    "out of the parcel.\n"
)


def test_an_editor_turns_an_unanswered_question_into_an_answer(
    page: Page, browser: Browser, live_bridge: LiveBridge
) -> None:
    record_unanswered(live_bridge, "en", EN_QUESTIONS)
    sign_in(page, live_bridge, "writer@example.com", "/studio/gaps")
    gap = page.locator("section[data-gap]", has_text=EN_QUESTIONS[0])
    expect(gap).to_have_attribute("data-answered", "no")
    expect(gap).to_contain_text("still unanswered")
    gap.get_by_role("link", name="Write a new article").click()

    expect(page.locator("h1")).to_have_text("New article")
    questions = page.get_by_label("Example questions (one per line)")
    # the group's questions, prefilled
    assert sorted(questions.input_value().splitlines()) == sorted(EN_QUESTIONS)
    page.get_by_label("URL slug (the article's id)").fill("gift-wrapping")
    page.get_by_label("Title", exact=True).fill("Gift wrapping and gift messages")
    page.get_by_label("Tags (comma-separated; the first is the section)").fill("orders, gift")
    page.locator("textarea#body").fill(EN_BODY)
    bold(page, "Gift wrapping")

    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.locator("[data-preview]")
    expect(preview.locator("strong")).to_have_text("Gift wrapping")
    expect(preview.locator("h2")).to_have_text("Adding a gift message")
    expect(page.locator("[data-problems]")).to_have_text("No problems: ready to publish.")

    page.get_by_label("A customer's question").fill("will you gift wrap my parcel?")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("[data-trial-draft] li").first).to_have_attribute(
        "data-article-id", "gift-wrapping"
    )
    expect(page.locator("[data-trial-published] li[data-article-id=gift-wrapping]")).to_have_count(
        0
    )

    published = publish_and_time(page, "Publish", "Published and indexed in")
    with another_browser(browser, live_bridge) as customer:  # opened after the publish
        customer.goto("/")
        open_widget(customer)
        answered_within(
            customer, "do you gift wrap orders?", "recycled paper with a ribbon", published
        )
        expect(
            messages(customer, "bot").last.locator('a[href$="/kb/gift-wrapping"]')
        ).to_be_visible()

    expect(page).to_have_url(f"{live_bridge.url}/studio/articles/gift-wrapping")
    page.goto("/studio/gaps")
    done = page.locator("h2", has_text="Answered now")
    expect(done).to_be_visible()
    gap = page.locator("section[data-gap]", has_text=EN_QUESTIONS[0])
    expect(gap).to_have_attribute("data-answered", "yes")
    expect(gap.locator("a[href='/kb/gift-wrapping']").first).to_be_visible()
    expect(page.locator("section[data-gap][data-answered=no]")).to_have_count(0)
    # "Answered now" comes after the heading: the group is in that part of the page
    assert gap.evaluate(
        "(el, h) => !!(h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)",
        done.element_handle(),
    )


HU_QUESTIONS = [
    "be tudjátok csomagolni ajándéknak a rendelésemet?",
    "kérhetek ajándékcsomagolást a rendelésemhez?",
]
HU_BODY = (
    "Igen, kérésre ajándékba csomagoljuk a rendelést: a pénztárnál válassza az "
    "Ajándékcsomagolás lehetőséget, és minden terméket újrahasznosított papírba csomagolunk "
    "masnival, csomagonként 1200 forintért.\n\n"
    "## Üdvözlőkártya\n\n"
    "Az Üzenet mezőbe írt szöveget kártyára nyomtatjuk, az árakat pedig nem tesszük a "
    "csomagba.\n"
)


def test_a_hungarian_editor_publishes_a_hungarian_answer(
    page: Page, browser: Browser, live_bridge: LiveBridge
) -> None:
    record_unanswered(live_bridge, "hu", HU_QUESTIONS)
    sign_in(page, live_bridge, "iro@example.com", "/studio")
    page.goto("/studio?lang=hu")
    expect(page.locator("html")).to_have_attribute("lang", "hu")
    page.get_by_role("link", name="Megválaszolatlan kérdések").click()
    gap = page.locator("section[data-gap]", has_text=HU_QUESTIONS[0])
    expect(gap).to_contain_text("még nincs válasz")
    gap.get_by_role("link", name="Új cikk írása").click()

    expect(page.locator("h1")).to_have_text("Új cikk")
    expect(page.get_by_role("combobox", name="Nyelv", exact=True)).to_have_value("hu")
    questions = page.get_by_label("Példakérdések (soronként egy)").input_value()
    assert sorted(questions.splitlines()) == sorted(HU_QUESTIONS)
    page.get_by_label("URL-azonosító (a cikk azonosítója)").fill("hu-ajandekcsomagolas")
    page.get_by_label("Cím", exact=True).fill("Ajándékcsomagolás és üdvözlőkártya")
    page.get_by_label("Címkék (vesszővel elválasztva; az első a rovat)").fill("rendelés, ajándék")
    page.locator("textarea#body").fill(HU_BODY)
    bold(page, "Ajándékcsomagolás")

    page.get_by_role("button", name="Előnézet", exact=True).click()
    expect(page.locator("[data-preview] strong")).to_have_text("Ajándékcsomagolás")
    expect(page.locator("[data-problems]")).to_have_text("Nincs hiba: közzétehető.")

    page.get_by_label("Egy ügyfél kérdése").fill("csomagoljátok ajándékba a rendelést?")
    expect(page.locator("[data-trial-form] select[name=language]")).to_have_value("hu")
    page.get_by_role("button", name="Összehasonlítás").click()
    expect(page.locator("[data-trial-draft] li").first).to_have_attribute(
        "data-article-id", "hu-ajandekcsomagolas"
    )

    published = publish_and_time(page, "Közzététel", "Közzétéve, ")
    with another_browser(browser, live_bridge) as customer:
        customer.goto("/?lang=hu")
        open_widget(customer)
        answered_within(customer, HU_QUESTIONS[1], "újrahasznosított papírba", published)
        expect(
            messages(customer, "bot").last.locator('a[href$="/kb/hu-ajandekcsomagolas"]')
        ).to_be_visible()

    expect(page.locator("[data-status]")).to_contain_text("mp alatt indexelve")
    page.get_by_role("link", name="Megválaszolatlan kérdések").click()
    expect(page.locator("h2", has_text="Most már megválaszolt")).to_be_visible()
    expect(page.locator("section[data-gap]", has_text=HU_QUESTIONS[0])).to_have_attribute(
        "data-answered", "yes"
    )


# --- two writers ------------------------------------------------------------------------------


def test_two_writers_conflict_and_neither_text_is_lost(
    page: Page, browser: Browser, live_bridge: LiveBridge
) -> None:
    first = page
    sign_in(first, live_bridge, "anna@example.com", "/studio/articles/cookies")
    with another_browser(browser, live_bridge) as second:
        sign_in(second, live_bridge, "bence@example.com", "/studio/articles/cookies")
        original = first.locator("textarea#body").input_value()
        assert second.locator("textarea#body").input_value() == original
        anna = original + "\nAnna's note: the banner remembers your choice for a year."
        bence = original + "\nBence's note: private windows forget your cookie choice."

        first.locator("textarea#body").fill(anna)
        first.get_by_role("button", name="Save draft").click()
        expect(first.locator("[data-status]")).to_have_text("Draft saved.")

        second.locator("textarea#body").fill(bence)
        second.get_by_role("button", name="Save draft").click()
        conflict = second.locator("[data-conflict]")
        expect(conflict).to_be_visible()
        expect(second.locator("[data-status]")).to_have_text(
            "Someone else changed this article since you opened it."
        )
        expect(conflict.locator("textarea[data-theirs]")).to_have_value(re.compile("Anna's note"))
        expect(conflict.locator("[data-conflict-who]")).to_contain_text("anna@example.com")
        expect(second.locator("textarea#body")).to_have_value(bence)  # theirs beside, mine kept

        second.get_by_role("button", name="Keep mine (my next save replaces theirs)").click()
        expect(conflict).to_be_hidden()
        second.get_by_role("button", name="Save draft").click()
        expect(second.locator("[data-status]")).to_have_text("Draft saved.")
        expect(conflict).to_be_hidden()

        stored = second.request.get("/api/studio/articles/cookies")
        assert stored.ok, stored.text()
        draft = stored.json()
        assert draft["fields"]["body"] == bence
        assert draft["has_draft"] and draft["updated_by"] == "bence@example.com"

    first.reload()  # the first writer now sees the second's text: nothing silently replaced
    expect(first.locator("textarea#body")).to_have_value(bence)
    expect(first.locator("[data-has-draft]")).to_be_visible()
    # The draft is not published: the help center still shows the old text.
    first.goto("/kb/cookies")
    expect(first.locator("main")).not_to_contain_text("Bence's note")


# --- history ----------------------------------------------------------------------------------


def test_an_old_revision_is_restored_from_the_history(page: Page, live_bridge: LiveBridge) -> None:
    old = "Our opening hours are 9 to 17 on weekdays."
    new = "Our opening hours are 8 to 20 every day."
    sign_in(page, live_bridge, "writer@example.com", "/studio")
    page.get_by_role("link", name="New article").click()
    page.get_by_label("URL slug (the article's id)").fill("opening-hours")
    page.get_by_label("Title", exact=True).fill("Opening hours")
    page.get_by_label("Tags (comma-separated; the first is the section)").fill("contact")
    page.locator("textarea#body").fill(f"{old}\n\n## Holidays\n\nWe are closed on holidays.\n")
    publish_and_time(page, "Publish", "Published and indexed in")
    page.locator("textarea#body").fill(f"{new}\n\n## Holidays\n\nWe are closed on holidays.\n")
    publish_and_time(page, "Publish", "Published and indexed in")
    page.goto("/kb/opening-hours")
    expect(page.locator("main")).to_contain_text(new)

    page.goto("/studio/articles/opening-hours/history")
    second = page.locator("section[data-revision='2']")
    expect(second.locator(".badge")).to_have_text("live now")
    expect(second.locator("pre.diff .removed")).to_have_text([old])
    expect(second.locator("pre.diff .added")).to_have_text([new])
    expect(second.get_by_role("button", name="Restore this revision")).to_have_count(0)
    first = page.locator("section[data-revision='1']")
    expect(first).to_contain_text("The first revision.")

    first.get_by_role("button", name="Restore this revision").click()
    third = page.locator("section[data-revision='3']")  # after the reload
    expect(third).to_contain_text("restored from revision 1")
    expect(third.locator(".badge")).to_have_text("live now")
    expect(third.locator("pre.diff .removed")).to_have_text([new])
    expect(third.locator("pre.diff .added")).to_have_text([old])

    page.goto("/kb/opening-hours")
    expect(page.locator("main")).to_contain_text(old)
    expect(page.locator("main")).not_to_contain_text(new)
