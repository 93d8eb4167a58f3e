"""The public help center (/help, /kb/{id}, /sitemap.xml) on the real articles and the real
hybrid search: sections per language, search with the bot's search, the language switch and
hreflang alternates from translation links, a sitemap, and bad input refused or made inert."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db import articles as articles_repo
from bridge.db.feedback import list_feedback
from bridge.services.article_store import ArticleStore
from bridge.services.shared_state import HELP_VOTES_PER_IP
from knowledge_base.articles import load_articles
from tests import aio
from tests.articles import archive, fields, with_store
from tests.staff import services

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _ids(html: str) -> list[str]:
    return re.findall(r'data-article-id="([^"]+)"', html)


def _results(html: str) -> str:
    return html.split('class="results"')[1].split("</section>")[0]


def _links(html: str) -> dict[str, str]:
    """rel=canonical and each hreflang alternate, by name."""
    found = dict(
        ("canonical", m) for m in re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    )
    found.update(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    return found


def _articles_dir(client: TestClient) -> Path:
    return services(client).kb_settings.articles_dir


@pytest.mark.parametrize(
    ("lang", "section", "article"),
    [("en", "shipping", "delivery-times"), ("hu", "szállítás", "hu-delivery-times")],
)
def test_the_help_center_lists_every_article_of_the_language_by_section(
    client: TestClient, lang: str, section: str, article: str
) -> None:
    page = client.get("/help", params={"lang": lang})
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    expected = {a.id for a in load_articles(_articles_dir(client))[0] if a.lang == lang}
    assert set(_ids(page.text)) == expected and len(_ids(page.text)) == len(expected)
    assert f"<h2>{section}</h2>" in page.text and article in _ids(page.text)
    base = services(client).settings.public_url
    links = _links(page.text)
    assert links["canonical"] == (f"{base}/help?lang=hu" if lang == "hu" else f"{base}/help")
    assert links["hu"] == f"{base}/help?lang=hu" and links["en"] == links["x-default"]


@pytest.mark.parametrize(
    ("lang", "question", "first"),
    [
        ("en", "where is my parcel", "order-status-tracking"),
        ("en", "how do I reset my password", "password-reset"),
        ("hu", "szamla letoltes", "hu-download-invoice"),  # no accents, as customers type
        ("hu", "elfelejtettem a jelszavamat", "hu-password-reset"),
    ],
)
def test_search_finds_the_article_with_the_bots_search(
    client: TestClient, lang: str, question: str, first: str
) -> None:
    page = client.get("/help", params={"lang": lang, "q": question})
    assert page.status_code == 200
    assert _ids(_results(page.text))[0] == first
    assert "no-results" not in _results(page.text)


def test_a_question_nothing_answers_says_so_instead_of_guessing(client: TestClient) -> None:
    page = client.get("/help", params={"q": "qwxz blorft", "lang": "en"})
    assert _ids(_results(page.text)) == []
    assert "No article answers that yet" in page.text


def test_a_tag_lists_its_articles(client: TestClient) -> None:
    page = client.get("/help", params={"tag": "password", "lang": "en"})
    tagged = {a.id for a in load_articles(_articles_dir(client))[0] if "password" in a.tags}
    listed = _ids(page.text.split("Articles tagged")[1].split("</ul>")[0])
    assert tagged and set(listed) == tagged


@pytest.mark.parametrize(
    "params",
    [{"lang": "de"}, {"q": "x" * 201}, {"tag": "t" * 101}, {"lang": "hu", "q": "a" * 5000}],
)
def test_bad_parameters_are_refused(client: TestClient, params: dict[str, str]) -> None:
    assert client.get("/help", params=params).status_code == 422


def test_search_text_is_shown_escaped(client: TestClient) -> None:
    page = client.get("/help", params={"q": '<script>alert("x")</script>'})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text


def test_an_article_page_links_its_translation_for_readers_and_search_engines(
    client: TestClient,
) -> None:
    base = services(client).settings.public_url
    page = client.get("/kb/hu-warranty-claim").text
    assert _links(page) == {
        "canonical": f"{base}/kb/hu-warranty-claim",
        "en": f"{base}/kb/warranty-claim",
        "hu": f"{base}/kb/hu-warranty-claim",
        "x-default": f"{base}/kb/warranty-claim",
    }
    assert 'class="language-switch" href="/kb/warranty-claim"' in page
    description = re.findall(r'<meta name="description" content="([^"]*)">', page)[0]
    assert description.startswith("Ha egy nálunk vásárolt termék meghibásodik")
    assert len(description) <= 155 and "#" not in description and "*" not in description
    english = client.get("/kb/warranty-claim").text
    assert 'class="language-switch" href="/kb/hu-warranty-claim"' in english


def _publish_new(database_url: str, article_id: str, body: str) -> None:
    async def work(store: ArticleStore) -> None:
        created = await store.create(fields(article_id, body=body), author="test")
        await store.publish(
            article_id, version=created.version, fields=fields(article_id, body=body), author="test"
        )

    with_store(database_url, work)


def test_an_article_without_translation_has_no_switch(
    client: TestClient, database_url: str
) -> None:
    body = "Just [a link](javascript:alert(1)) and [the shop](https://shop.example/)."
    _publish_new(database_url, "only-english", body)
    page = client.get("/kb/only-english").text
    assert "language-switch" not in page and 'hreflang="' not in page
    assert 'href="javascript:' not in page  # left as text, inert
    assert '<a href="https://shop.example/">the shop</a>' in page
    assert "only-english" in _ids(client.get("/help").text)  # a publish shows at once
    archive(database_url, "only-english")
    assert client.get("/kb/only-english").status_code == 404  # and is gone once archived
    assert "only-english" not in client.get("/sitemap.xml").text


def test_drafts_and_broken_texts_are_never_shown(client: TestClient, database_url: str) -> None:
    with_store(database_url, lambda store: store.create(fields("draft-only"), author="test"))

    async def broken(session: AsyncSession) -> None:  # as an older release might have stored
        text = (
            "---\nid: hu-broken-link\ntitle: Törött\nlang: hu\ntags: [teszt]\n"
            "url: /kb/hu-broken-link\nupdated: 2026-01-01\ntranslation_of: nowhere\n---\nSzöveg.\n"
        )
        await articles_repo.insert(
            session=session, article_id="hu-broken-link", language="hu", text=text,
            author="test", published=True,
        )  # fmt: skip

    aio.run_sql(database_url, broken)
    for article_id in ("draft-only", "hu-broken-link"):
        assert client.get(f"/kb/{article_id}").status_code == 404
        assert article_id not in client.get("/help?lang=hu").text
        assert article_id not in client.get("/help").text
        assert article_id not in client.get("/sitemap.xml").text


def test_the_sitemap_lists_the_help_center_and_every_article_with_its_versions(
    client: TestClient,
) -> None:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    entries = {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
        }
        for url in root.findall(f"{SITEMAP}url")
    }
    base = services(client).settings.public_url
    articles = load_articles(_articles_dir(client))[0]
    assert len(entries) == len(articles) + 2
    assert entries[f"{base}/help"]["hu"] == f"{base}/help?lang=hu"
    assert entries[f"{base}/kb/hu-delivery-times"] == {
        "en": f"{base}/kb/delivery-times",
        "hu": f"{base}/kb/hu-delivery-times",
    }
    lastmod = root.find(f"{SITEMAP}url[{SITEMAP}loc='{base}/kb/account-locked']")
    assert lastmod is not None and lastmod.findtext(f"{SITEMAP}lastmod") == "2026-10-14"


# --- "was this helpful?" on article pages -----------------------------------------------------


def test_a_readers_vote_is_stored_with_the_answers_feedback(
    client: TestClient, database_url: str
) -> None:
    page = client.get("/kb/hu-warranty-claim").text
    assert 'data-vote data-article-id="hu-warranty-claim"' in page and "Hasznos volt" in page
    assert client.get("/help/vote.js").status_code == 200
    stored = client.post(
        "/api/help/votes", json={"article_id": "hu-warranty-claim", "helpful": False}
    )
    assert stored.status_code == 201, stored.text
    client.post("/api/help/votes", json={"article_id": "password-reset", "helpful": True})
    rows = aio.run_sql(database_url, lambda s: list_feedback(session=s))
    votes = sorted((r.article_id, r.helpful, r.language, r.source, r.conversation_id) for r in rows)
    assert votes == [
        ("hu-warranty-claim", False, "hu", "help_center", None),  # the article's language
        ("password-reset", True, "en", "help_center", None),
    ]
    assert stored.json() == {"id": next(r.id for r in rows if r.article_id == "hu-warranty-claim")}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"article_id": "no-such-article", "helpful": True}, 404),
        ({"article_id": "../settings", "helpful": True}, 422),
        ({"article_id": "password-reset", "helpful": "yes"}, 422),
        ({"article_id": "password-reset"}, 422),
        ({"article_id": "password-reset", "helpful": True, "language": "hu"}, 422),
    ],
)
def test_bad_votes_are_refused_and_store_nothing(
    client: TestClient, database_url: str, body: dict[str, object], code: int
) -> None:
    assert client.post("/api/help/votes", json=body).status_code == code
    assert aio.run_sql(database_url, lambda s: list_feedback(session=s)) == []


def test_votes_from_one_address_are_limited(client: TestClient, database_url: str) -> None:
    body = {"article_id": "password-reset", "helpful": True}
    for _ in range(HELP_VOTES_PER_IP):
        assert client.post("/api/help/votes", json=body).status_code == 201
    refused = client.post("/api/help/votes", json=body)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    rows = aio.run_sql(database_url, lambda s: list_feedback(session=s, limit=1000))
    assert len(rows) == HELP_VOTES_PER_IP
