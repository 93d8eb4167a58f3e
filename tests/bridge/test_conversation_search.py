"""The conversations view on SQLite and PostgreSQL: filters, full-text search, paging and the
read-only record, checked against what plain Python makes of the seeded conversations
(tests/bridge/conversation_seed.py); every way to a page gives the same pages; erased text
is not found; bad input is refused and writes nothing."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bridge.app import create_app
from bridge.db import privacy
from bridge.db.conversation_search import Filters
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import Base
from bridge.services.conversation_search import ConversationHistory
from bridge.services.search_text import highlight, parse_query, snippet
from knowledge_base.settings import KBSettings
from tests import aio
from tests.bridge.conversation_seed import START, Seeded, finds, in_order, seed
from tests.chat import start_conversation
from tests.conftest import make_settings, private_index
from tests.staff import Signed, add_user, sign_in

LIST = "/api/staff/conversations"
QUERIES = [
    "szamla",
    "SZÁMLA",
    "számlámat nem",
    "csomag",
    "card",
    "a",
    "refund",
    "ki",
    "zzz",
    "tükör",
]


@pytest.fixture
def client(database_url: str, kb_settings: KBSettings, tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(database_url, None)
    with TestClient(create_app(settings, private_index(kb_settings, tmp_path / "kb"))) as test:
        yield test


@pytest.fixture
def seeded(database_url: str) -> tuple[list[int], list[Seeded]]:
    return seed(database_url)


@pytest.fixture
def agent(client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "reader@example.com")
    return sign_in(client, "reader@example.com")


def pages(client: TestClient, who: Signed, limit: int = 5, **params: Any) -> list[dict[str, Any]]:
    """Every hit of a search, page after page."""
    hits: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(LIST, params=query, headers=who.headers(csrf=None))
        assert response.status_code == 200, response.text
        body = response.json()
        hits += body["conversations"]
        cursor = body["next_cursor"]
        if cursor is None:
            return hits


def expected(rows: list[Seeded], query: str | None = None, **where: Any) -> list[str]:
    kept = [
        r
        for r in rows
        if (query is None or any(finds(query, text) for _role, text in r.messages))
        and all(_holds(r, name, value) for name, value in where.items())
    ]
    return in_order(kept)


def _holds(row: Seeded, name: str, value: Any) -> bool:
    facts = {
        "status": row.status,
        "language": row.language,
        "handed_off": row.handoffs > 0,
        "nps": row.category,
        "agent": value if value in row.agents else None,
    }
    return bool(facts[name] == value)


# --- the list and its filters ------------------------------------------------------------------


def test_every_conversation_newest_activity_first_across_pages(
    client: TestClient, agent: Signed, seeded: tuple[list[int], list[Seeded]]
) -> None:
    _agents, rows = seeded
    hits = pages(client, agent, limit=4)
    assert [h["conversation_id"] for h in hits] == in_order(rows)
    by_id = {h["conversation_id"]: h for h in hits}
    first = by_id["conv-00"]
    assert first["topic"] == "A számlámat nem találom"
    assert first["message_count"] == 4 and first["handoffs"] == 1
    assert [a["display_name"] for a in first["agents"]] == ["Éva Kovács"]
    assert (first["nps_score"], first["nps_category"]) == (10, "promoter")
    assert by_id["conv-10"]["topic"] is None and by_id["conv-10"]["message_count"] == 1
    assert [a["display_name"] for a in by_id["conv-08"]["agents"]] == ["Éva Kovács", "Bob Smith"]


def test_filters(client: TestClient, agent: Signed, seeded: tuple[list[int], list[Seeded]]) -> None:
    agents, rows = seeded
    cases: list[dict[str, Any]] = [
        {"status": "closed"},
        {"status": "waiting_for_agent"},
        {"language": "hu"},
        {"language": "en", "status": "bot"},
        {"handed_off": True},
        {"handed_off": False},
        {"nps": "promoter"},
        {"nps": "passive"},
        {"nps": "detractor"},
        {"nps": "none"},
        {"agent": agents[0]},
        {"agent": agents[1], "language": "hu"},
    ]
    for where in cases:
        hits = pages(client, agent, limit=3, **where)
        assert [h["conversation_id"] for h in hits] == expected(rows, **where), where


@pytest.mark.parametrize("field", ["created", "updated"])
def test_period_filters(
    client: TestClient, agent: Signed, seeded: tuple[list[int], list[Seeded]], field: str
) -> None:
    _agents, rows = seeded
    since, before = START + timedelta(days=3), START + timedelta(days=8, hours=1)
    period: dict[str, Any] = {"from": since.isoformat(), "to": before.isoformat()}
    hits = pages(client, agent, date_field=field, **period)
    moment = "created_at" if field == "created" else "updated_at"
    inside = [r for r in rows if since <= getattr(r, moment) < before]
    assert 0 < len(inside) < len(rows)
    assert [h["conversation_id"] for h in hits] == in_order(inside)


# --- search ------------------------------------------------------------------------------------


def test_search_finds_words_without_accents_as_prefixes(
    client: TestClient, agent: Signed, seeded: tuple[list[int], list[Seeded]]
) -> None:
    _agents, rows = seeded
    for query in QUERIES:
        hits = pages(client, agent, limit=3, q=query)
        assert [h["conversation_id"] for h in hits] == expected(rows, query), query
    found = pages(client, agent, q="szamla")
    assert {"conv-00", "conv-01", "conv-04", "conv-07", "conv-11"} <= {
        h["conversation_id"] for h in found
    }
    assert "conv-03" not in {h["conversation_id"] for h in pages(client, agent, q="a")}


def test_search_with_filters(
    client: TestClient, agent: Signed, seeded: tuple[list[int], list[Seeded]]
) -> None:
    agents, rows = seeded
    searches: list[tuple[str, dict[str, Any]]] = [
        ("szamla", {"language": "hu"}),
        ("szamla", {"status": "closed"}),
        ("card", {"agent": agents[1]}),
        ("a", {"nps": "none"}),
        ("help", {"handed_off": True, "language": "en"}),
    ]
    for query, where in searches:
        hits = pages(client, agent, limit=2, q=query, **where)
        assert [h["conversation_id"] for h in hits] == expected(rows, query, **where), query


def test_snippets_mark_the_found_words(
    client: TestClient, agent: Signed, seeded: tuple[list[int], list[Seeded]]
) -> None:
    hits = {h["conversation_id"]: h for h in pages(client, agent, q="szamla nem")}
    assert list(hits) == ["conv-00"]
    (first,) = hits["conv-00"]["snippets"]
    assert first["role"] == "customer" and first["seq"] == 2
    assert first["segments"] == [
        {"text": "A ", "hit": False},
        {"text": "számlámat", "hit": True},
        {"text": " ", "hit": False},
        {"text": "nem", "hit": True},
        {"text": " találom", "hit": False},
    ]
    # Every hit of a search has a snippet that marks a word the query finds.
    for hit in pages(client, agent, q="szaml"):
        marked = [s["text"] for snip in hit["snippets"] for s in snip["segments"] if s["hit"]]
        assert marked and all(finds("szaml", word) for word in marked), hit


@pytest.mark.parametrize(
    "ways",
    [
        {"narrow": 0, "rare_matches": 1, "windows": (2, 3)},  # walk, then the rest by matches
        {"narrow": 0, "rare_matches": 10**6, "windows": (1,)},  # counted rare after one step
        {"narrow": 100, "rare_matches": 1, "windows": (1,)},  # narrow filters: all looked into
    ],
)
def test_every_way_to_a_page_gives_the_same_pages(
    database_url: str, seeded: tuple[list[int], list[Seeded]], ways: dict[str, Any]
) -> None:
    agents, rows = seeded

    async def run() -> None:
        engine = create_engine(database_url)
        history = ConversationHistory(create_sessionmaker(engine), **ways)
        try:
            for query in QUERIES:
                cases: list[tuple[Filters, dict[str, Any]]] = [
                    (Filters(), {}),
                    (Filters(agent_id=agents[0]), {"agent": agents[0]}),
                    (Filters(language="hu"), {"language": "hu"}),
                ]
                for filters, where in cases:
                    found: list[str] = []
                    cursor = None
                    while True:
                        page = await history.search(filters, query=query, cursor=cursor, limit=2)
                        found += [h.conversation_id for h in page.hits]
                        if (cursor := page.next_cursor) is None:
                            break
                    assert found == expected(rows, query, **where), (query, where, ways)
        finally:
            await engine.dispose()

    aio.run(run())


def test_erased_text_is_no_longer_found(
    client: TestClient, agent: Signed, seeded: tuple[list[int], list[Seeded]], database_url: str
) -> None:
    assert [h["conversation_id"] for h in pages(client, agent, q="tükörfúrógép")] == ["conv-09"]
    assert "conv-03" in [h["conversation_id"] for h in pages(client, agent, q="declined")]

    async def erase() -> None:
        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine).begin() as session:
                now = START + timedelta(days=60)
                await privacy.erase(
                    session=session, conversation_ids=["conv-09", "conv-03"], now=now
                )
        finally:
            await engine.dispose()

    aio.run(erase())
    # The first customer message is kept emptied, the others deleted: neither is found.
    assert pages(client, agent, q="tükörfúrógép") == []
    assert pages(client, agent, q="árvíztűrő") == []
    assert "conv-03" not in [h["conversation_id"] for h in pages(client, agent, q="declined")]
    assert "conv-03" not in [h["conversation_id"] for h in pages(client, agent, q="charged")]
    listed = {h["conversation_id"]: h for h in pages(client, agent)}
    assert listed["conv-09"]["erased"] and listed["conv-09"]["topic"] is None


# --- the record ----------------------------------------------------------------------------------


def test_record_of_a_conversation(
    client: TestClient, agent: Signed, seeded: tuple[list[int], list[Seeded]]
) -> None:
    agents, rows = seeded
    response = client.get(f"{LIST}/conv-00/record", headers=agent.headers(csrf=None))
    assert response.status_code == 200, response.text
    record = response.json()
    assert [(m["role"], m["text"]) for m in record["messages"]] == rows[0].messages
    sent = datetime.fromisoformat(record["messages"][0]["created_at"])
    assert sent.utcoffset() == timedelta(0)
    assert [(n["author"], n["text"]) for n in record["notes"]] == [
        ("Éva Kovács", "Új számlát küldtünk e-mailben.")
    ]
    (handoff,) = record["handoffs"]
    assert handoff["reason"] == "customer_request" and handoff["status"] == "closed"
    assert handoff["claimed_by"] == {"id": agents[0], "display_name": "Éva Kovács"}
    assert handoff["claimed_at"] < handoff["ended_at"]
    assert [(s["score"], s["category"], s["reason"]) for s in record["nps"]] == [
        (10, "promoter", "Gyors volt")
    ]
    assert [(f["article_id"], f["helpful"]) for f in record["feedback"]] == [("hu-szamlak", False)]
    assert record["visitor_id"] == "visitor-0"
    assert record["page_url"] == "https://shop.example/page/0"
    assert record["status"] == "closed" and record["language"] == "hu"
    assert all(m["segments"] is None for m in record["messages"])  # opened without a search

    # Opened from a search: the messages it finds carry their found words marked.
    response = client.get(
        f"{LIST}/conv-00/record", params={"q": "szamla"}, headers=agent.headers(csrf=None)
    )
    marked = {m["seq"]: m["segments"] for m in response.json()["messages"] if m["segments"]}
    found = [n for n, (_role, text) in enumerate(rows[0].messages, 1) if finds("szamla", text)]
    assert sorted(marked) == found == [2, 4]
    assert [[g["text"] for g in marked[n] if g["hit"]] for n in found] == [
        ["számlámat"],
        ["számlát"],
    ]
    assert "".join(g["text"] for g in marked[4]) == rows[0].messages[3][1]


# --- refusals --------------------------------------------------------------------------------


async def _row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return {
                name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in Base.metadata.tables.items()
            }
    finally:
        await engine.dispose()


def test_bad_input_is_refused_and_writes_nothing(
    client: TestClient,
    agent: Signed,
    seeded: tuple[list[int], list[Seeded]],
    database_url: str,
) -> None:
    agents, _rows = seeded
    conversation_id, token = start_conversation(client)
    before = aio.run(_row_counts(database_url))
    headers = agent.headers(csrf=None)
    coded: dict[str, dict[str, Any]] = {
        "no_words": {"q": "?!… -- „”"},
        "bad_range": {"from": "2026-03-05T00:00:00Z", "to": "2026-03-04T00:00:00Z"},
        "unknown_agent": {"agent": max(agents) + 1000},
        "bad_cursor": {"cursor": "bm90IGEgY3Vyc29y"},
        "too_many_words": {"q": " ".join(f"w{n}" for n in range(13))},
    }
    for code, params in coded.items():
        response = client.get(LIST, params=params, headers=headers)
        assert response.status_code == 422, (code, response.text)
        assert response.json()["code"] == code and response.json()["detail"]
    refused: list[dict[str, Any]] = [
        {"q": "a" * 10_000},
        {"q": "a" * 201},
        {"q": "bad\x00"},
        {"status": "open"},
        {"language": "de"},
        {"nps": "happy"},
        {"handed_off": "maybe"},
        {"date_field": "deleted"},
        {"from": "yesterday"},
        {"from": "0001-01-01T00:00:00+01:00"},
        {"agent": 0},
        {"agent": 2**63},
        {"limit": 0},
        {"limit": 51},
        {"cursor": "x" * 201},
    ]
    for params in refused:
        response = client.get(LIST, params=params, headers=headers)
        assert response.status_code == 422, (params, response.text)
    assert client.get(f"{LIST}/no-such-id/record", headers=headers).status_code == 404
    record = f"{LIST}/conv-00/record"
    assert client.get(record, params={"q": "a" * 10_000}, headers=headers).status_code == 422
    no_words = client.get(record, params={"q": "?!…"}, headers=headers)
    assert no_words.status_code == 422 and no_words.json()["code"] == "no_words"
    assert client.get(f"{LIST}/{'x' * 37}/record", headers=headers).status_code == 422
    # No staff session: a customer's token opens nothing here.
    customer = {"Authorization": f"Bearer {token}"}
    for path in (LIST, f"{LIST}/{conversation_id}/record", f"{LIST}/conv-00/record"):
        client.cookies.clear()
        assert client.get(path).status_code == 401
        assert client.get(path, headers=customer).status_code == 401
    assert aio.run(_row_counts(database_url)) == before


def test_editors_may_not_read_conversations(
    client: TestClient, database_url: str, seeded: tuple[list[int], list[Seeded]]
) -> None:
    add_user(database_url, "writer@example.com", role="editor")
    editor = sign_in(client, "writer@example.com")
    for path in (LIST, f"{LIST}/conv-00/record"):
        assert client.get(path, headers=editor.headers(csrf=None)).status_code == 403


# --- the words and the marks -----------------------------------------------------------------


def test_query_words_and_highlighting() -> None:
    terms = parse_query("  Számla, (nem)  számla!! a ")
    assert terms.words == ("Számla", "nem", "a")
    marked = highlight("A számlám nem jött meg, Anna", terms)
    assert [s.text for s in marked if s.hit] == ["A", "számlám", "nem"]
    assert "".join(s.text for s in marked) == "A számlám nem jött meg, Anna"
    long = "x " * 200 + "a számlámat keresem " + "y " * 200
    cut = snippet(long, parse_query("szamla"))
    shown = "".join(s.text for s in cut)
    assert shown.startswith("…") and shown.endswith("…") and len(shown) <= 170
    assert [s.text for s in cut if s.hit] == ["számlámat"]


# --- the page --------------------------------------------------------------------------------


def test_the_page_and_the_console_s_link_to_it(
    client: TestClient, database_url: str, seeded: tuple[list[int], list[Seeded]]
) -> None:
    opened = client.get("/console/conversations?open=conv-00", follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == "/login?next=%2Fconsole%2Fconversations%3Fopen%3Dconv-00"
    add_user(database_url, "page@example.com")
    agent = sign_in(client, "page@example.com").headers(csrf=None)
    page = client.get("/console/conversations?lang=hu&open=conv-00", headers=agent)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert '<html lang="hu">' in page.text and "Beszélgetések" in page.text
    for name in ("Éva Kovács", "Bob Smith"):  # the agent filter's choices
        assert f">{name}</option>" in page.text
    console = client.get("/console?lang=hu", headers=agent).text
    assert 'href="/console/conversations?lang=hu"' in console
    for asset in ("conversations.js", "conversations_record.js", "conversations_strings.js"):
        assert client.get(f"/console/{asset}", headers=agent).status_code == 200
    assert client.get("/console/conversations.css", headers=agent).status_code == 200
    add_user(database_url, "author@example.com", role="editor")
    editor = sign_in(client, "author@example.com").headers(csrf=None)
    assert client.get("/console/conversations", headers=editor).status_code == 403
