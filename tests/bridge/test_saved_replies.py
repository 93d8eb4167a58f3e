"""Saved replies over the real app, on SQLite and PostgreSQL: create, list, change and delete;
shared replies for admins only, personal ones for their owner only; and every refused input
leaves the table exactly as it was."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bridge.app import create_app
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import SavedReply
from bridge.services import saved_replies as service_module
from bridge.services.reply_placeholders import PLACEHOLDERS, check_placeholders
from bridge.services.saved_replies import ReplyDraft, SavedReplies, StaleVersion
from bridge.services.staff_auth import StaffMember
from knowledge_base.settings import KBSettings
from tests import aio
from tests.chat import start_conversation
from tests.conftest import make_settings
from tests.processes import ROOT
from tests.staff import Signed, add_user, sign_in

URL = "/api/staff/saved-replies"
MAX_CHARS = 80  # the bridge's max_message_chars in these tests
REFUND = {
    "shortcut": "refund",
    "title": "Refund on its way",
    "text_en": "Hi {customer}, {agent} here: your refund is on its way.",
    "text_hu": "Kedves {customer}! {agent} vagyok: a visszatérítés úton van.",
}


@pytest.fixture
def app_client(database_url: str, kb_settings: KBSettings) -> Iterator[TestClient]:
    settings = make_settings(database_url, None, max_message_chars=MAX_CHARS)
    with TestClient(create_app(settings, kb_settings)) as client:
        yield client


@pytest.fixture
def anna(app_client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "anna@example.com")
    return sign_in(app_client, "anna@example.com")


@pytest.fixture
def bela(app_client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "bela@example.com")
    return sign_in(app_client, "bela@example.com")


@pytest.fixture
def root(app_client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "root@example.com", role="admin")
    return sign_in(app_client, "root@example.com")


async def _rows(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.scalars(select(SavedReply).order_by(SavedReply.id))
            return [
                (r.id, r.owner_id, r.shortcut, r.title, r.text_en, r.text_hu, r.version)
                for r in rows
            ]
    finally:
        await engine.dispose()


def stored(url: str) -> list[tuple[Any, ...]]:
    """Every saved reply as the database holds it."""
    return aio.run(_rows(url))


def create(client: TestClient, who: Signed, **changes: Any) -> dict[str, Any]:
    response = client.post(URL, json={**REFUND, **changes}, headers=who.headers())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def listed(client: TestClient, who: Signed) -> list[dict[str, Any]]:
    response = client.get(URL, headers=who.headers())
    assert response.status_code == 200, response.text
    replies: list[dict[str, Any]] = response.json()["replies"]
    return replies


def change(reply: dict[str, Any], **changes: Any) -> dict[str, Any]:
    fields = ("shortcut", "title", "text_en", "text_hu", "version")
    return {**{name: reply[name] for name in fields}, **changes}


# --- the ordinary life of a reply ------------------------------------------------------------


def test_an_agent_creates_changes_and_deletes_a_personal_reply(
    app_client: TestClient, anna: Signed, database_url: str
) -> None:
    listing = app_client.get(URL, headers=anna.headers()).json()
    assert listing == {
        "replies": [],
        "placeholders": list(PLACEHOLDERS),
        "max_chars": MAX_CHARS,
        "can_edit_shared": False,
    }
    made = create(app_client, anna, title="  Refund   on its way ", text_en="  Hi {agent}!\n ")
    assert {k: made[k] for k in ("shared", "shortcut", "title", "text_en", "version")} == {
        "shared": False,
        "shortcut": "refund",
        "title": "Refund on its way",  # whitespace tidied
        "text_en": "Hi {agent}!",
        "version": 1,
    }
    assert made["editable"] is True and made["text_hu"] == REFUND["text_hu"]
    assert listed(app_client, anna) == [made]

    url = f"{URL}/{made['id']}"
    changed = app_client.put(url, json=change(made, text_hu=""), headers=anna.headers())
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.json()["text_hu"] is None  # no variant

    gone = app_client.delete(f"{url}?version=2", headers=anna.headers())
    assert gone.status_code == 204 and gone.content == b""
    assert listed(app_client, anna) == [] and stored(database_url) == []


def test_shared_replies_are_kept_by_admins_and_seen_by_every_agent(
    app_client: TestClient, anna: Signed, root: Signed, database_url: str
) -> None:
    shared = create(app_client, root, shared=True, shortcut="hello", text_hu=None)
    mine = create(app_client, anna, shortcut="hello")  # a personal one may share the shortcut
    assert [(r["id"], r["shared"], r["editable"]) for r in listed(app_client, anna)] == [
        (shared["id"], True, False),
        (mine["id"], False, True),
    ]
    admin_view = app_client.get(URL, headers=root.headers()).json()
    assert admin_view["can_edit_shared"] is True
    assert [r["id"] for r in admin_view["replies"]] == [shared["id"]]  # not Anna's own

    before = stored(database_url)
    url = f"{URL}/{shared['id']}"
    refusals = [
        app_client.post(URL, json={**REFUND, "shared": True}, headers=anna.headers()),
        app_client.put(url, json=change(shared, title="Mine now"), headers=anna.headers()),
        app_client.delete(f"{url}?version=1", headers=anna.headers()),
    ]
    assert [r.status_code for r in refusals] == [403, 403, 403]
    assert "admin" in refusals[0].json()["detail"]
    assert stored(database_url) == before

    edited = app_client.put(url, json=change(shared, title="Hello!"), headers=root.headers())
    assert edited.status_code == 200 and edited.json()["title"] == "Hello!"
    assert app_client.delete(f"{url}?version=2", headers=root.headers()).status_code == 204
    assert [r["id"] for r in listed(app_client, anna)] == [mine["id"]]


def test_nobody_sees_or_touches_another_agents_own_replies(
    app_client: TestClient, anna: Signed, bela: Signed, root: Signed, database_url: str
) -> None:
    annas = create(app_client, anna)
    belas = create(app_client, bela)  # the same shortcut: each agent's list is their own
    assert [r["id"] for r in listed(app_client, bela)] == [belas["id"]]
    before = stored(database_url)
    url = f"{URL}/{annas['id']}"
    for intruder in (bela, root):
        edit = app_client.put(url, json=change(annas, title="Hacked"), headers=intruder.headers())
        removal = app_client.delete(f"{url}?version=1", headers=intruder.headers())
        assert (edit.status_code, removal.status_code) == (404, 404)
        assert edit.json() == {"detail": "unknown saved reply"}
    missing = app_client.put(f"{URL}/999999", json=change(annas), headers=anna.headers())
    assert missing.status_code == 404
    assert stored(database_url) == before


def test_a_stale_version_is_refused_with_the_reply_as_it_is_now(
    app_client: TestClient, anna: Signed, database_url: str
) -> None:
    made = create(app_client, anna)
    url = f"{URL}/{made['id']}"
    first = app_client.put(url, json=change(made, title="First"), headers=anna.headers())
    assert first.status_code == 200
    before = stored(database_url)
    second = app_client.put(url, json=change(made, title="Second"), headers=anna.headers())
    assert second.status_code == 409
    assert second.json()["code"] == "stale"
    assert second.json()["current"]["title"] == "First"
    assert second.json()["current"]["version"] == 2
    late_delete = app_client.delete(f"{url}?version=1", headers=anna.headers())
    assert late_delete.status_code == 409 and late_delete.json()["code"] == "stale"
    assert stored(database_url) == before


def test_a_shortcut_is_unique_within_its_list(
    app_client: TestClient, anna: Signed, root: Signed, database_url: str
) -> None:
    create(app_client, anna)
    other = create(app_client, anna, shortcut="thanks")
    create(app_client, root, shared=True)
    before = stored(database_url)
    again = app_client.post(URL, json=REFUND, headers=anna.headers())
    assert again.status_code == 409
    assert again.json() == {
        "detail": "/refund is taken: one of your replies has this shortcut already",
        "code": "shortcut_taken",
        "current": None,
    }
    shared_again = app_client.post(URL, json={**REFUND, "shared": True}, headers=root.headers())
    assert shared_again.status_code == 409 and "a shared reply" in shared_again.json()["detail"]
    renamed = app_client.put(
        f"{URL}/{other['id']}", json=change(other, shortcut="refund"), headers=anna.headers()
    )
    assert renamed.status_code == 409 and renamed.json()["code"] == "shortcut_taken"
    assert stored(database_url) == before


def test_a_list_has_a_bound(
    app_client: TestClient, anna: Signed, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "MAX_PER_SCOPE", 2)
    create(app_client, anna, shortcut="a")
    create(app_client, anna, shortcut="b")
    before = stored(database_url)
    third = app_client.post(URL, json={**REFUND, "shortcut": "c"}, headers=anna.headers())
    assert third.status_code == 409 and third.json()["code"] == "too_many"
    assert stored(database_url) == before


# --- refused input ---------------------------------------------------------------------------

LONGEST = "x" * MAX_CHARS


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"text_en": LONGEST + "y"}, f"is {MAX_CHARS + 1} characters long; a reply may be at most"),
        ({"text_hu": "é" * (MAX_CHARS + 1)}, "the Hungarian text (text_hu)"),
        ({"text_en": "a\x00b"}, "String should match pattern"),
        ({"title": "a\x00b"}, "String should match pattern"),
        ({"shortcut": "re\x00fund"}, "a shortcut is 1-32 characters"),
        ({"shortcut": "Refund"}, "lowercase letters"),
        ({"shortcut": "/refund"}, "a shortcut is 1-32 characters"),
        ({"shortcut": "two words"}, "a shortcut is 1-32 characters"),
        ({"shortcut": "visszatérítés"}, "a shortcut is 1-32 characters"),
        ({"shortcut": ""}, "a shortcut is 1-32 characters"),
        ({"shortcut": "x" * 33}, "at most 32 characters"),
        ({"title": ""}, "at least 1 character"),
        ({"title": "   "}, "give the reply a title"),
        ({"title": "t" * 121}, "at most 120 characters"),
        ({"text_en": None, "text_hu": None}, "in English, in Hungarian, or in both"),
        ({"text_en": " \n ", "text_hu": ""}, "in English, in Hungarian, or in both"),
        ({"text_hu": "Szia {agnet}, {Customer}!"}, "unknown placeholders in the Hungarian text"),
        ({"text_en": "Hi {agent"}, "braces that are not placeholders"),
        ({"text_en": "Hi { agent }"}, "{ agent }"),
        ({"text_en": "an empty {} pair"}, "braces that are not placeholders"),
        ({"lang": "hu"}, "Extra inputs are not permitted"),
        ({"shared": "maybe"}, "valid boolean"),
        ({"text_en": 42}, "valid string"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    app_client: TestClient,
    anna: Signed,
    root: Signed,
    database_url: str,
    changes: dict[str, Any],
    says: str,
) -> None:
    made = create(app_client, anna, shortcut="existing")
    before = stored(database_url)
    for who, body in ((anna, {**REFUND, **changes}), (root, {**REFUND, "shared": True, **changes})):
        refused = app_client.post(URL, json=body, headers=who.headers())
        assert refused.status_code == 422, refused.text
        assert says in str(refused.json()["detail"])
    update = {**change(made), **changes}  # "shared" too: an update never moves a reply
    refused = app_client.put(f"{URL}/{made['id']}", json=update, headers=anna.headers())
    assert refused.status_code == 422, refused.text
    assert stored(database_url) == before


def test_the_longest_text_and_every_placeholder_are_accepted(
    app_client: TestClient, anna: Signed
) -> None:
    every = " ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    made = create(app_client, anna, text_en=LONGEST, text_hu=f"{every} {{{{literal}}}}")
    assert made["text_en"] == LONGEST
    assert made["text_hu"].endswith("{{literal}}")


@pytest.mark.parametrize(
    ("path", "query"),
    [("/0", "?version=1"), ("/x", "?version=1"), (f"/{2**63}", "?version=1"), ("/1", "?version=0")],
)
def test_bad_ids_and_versions_are_refused(
    app_client: TestClient, anna: Signed, path: str, query: str
) -> None:
    assert app_client.delete(f"{URL}{path}{query}", headers=anna.headers()).status_code == 422


def test_every_change_needs_a_session_and_the_csrf_header(
    app_client: TestClient, anna: Signed, database_url: str
) -> None:
    made = create(app_client, anna)
    before = stored(database_url)
    url = f"{URL}/{made['id']}"
    calls = (
        ("POST", URL, {**REFUND, "shortcut": "new"}),
        ("PUT", url, change(made, title="Changed")),
        ("DELETE", f"{url}?version=1", None),
    )
    conversation_id, token = start_conversation(app_client)
    customer = {"Authorization": f"Bearer {token}"}
    for method, target, body in calls:
        no_csrf = app_client.request(method, target, json=body, headers=anna.headers(csrf=None))
        wrong = app_client.request(method, target, json=body, headers=anna.headers(csrf="nope"))
        assert (no_csrf.status_code, wrong.status_code) == (403, 403)
        assert "CSRF" in no_csrf.json()["detail"]
        signed_out = app_client.request(method, target, json=body)
        assert signed_out.status_code == 401
        as_customer = app_client.request(method, target, json=body, headers=customer)
        assert as_customer.status_code == 401
    assert app_client.get(URL).status_code == 401
    assert app_client.get(URL, headers=customer).status_code == 401
    assert stored(database_url) == before
    assert conversation_id  # the customer's conversation exists; its token opens nothing here


def test_editors_have_no_saved_replies(
    app_client: TestClient, anna: Signed, database_url: str
) -> None:
    add_user(database_url, "erik@example.com", role="editor")
    editor = sign_in(app_client, "erik@example.com")
    assert app_client.get(URL, headers=editor.headers()).status_code == 403
    refused = app_client.post(URL, json=REFUND, headers=editor.headers())
    assert refused.status_code == 403 and stored(database_url) == []


# --- the service on its own: the clock, and a race between two editors ---------------------


def test_times_come_from_the_clock_and_one_of_two_editors_wins(database_url: str) -> None:
    moments = iter(datetime(2026, 12, 7, 9, 0, tzinfo=UTC) + timedelta(minutes=m) for m in range(9))
    anna_id = add_user(database_url, "anna@example.com")
    anna = StaffMember(id=anna_id, email="anna@example.com", display_name="Anna", role="agent")

    async def run() -> None:
        engine = create_engine(database_url)
        try:
            replies = SavedReplies(
                sessions=create_sessionmaker(engine), max_chars=100, now=lambda: next(moments)
            )
            draft = ReplyDraft(shortcut="hi", title="Hi", text_en="Hi {customer}", text_hu=None)
            made = await replies.create(anna, draft, shared=False)
            assert made.created_at == made.updated_at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
            changed = await replies.update(anna, made.id, draft, version=1)
            assert changed.created_at == made.created_at
            assert changed.updated_at == datetime(2026, 12, 7, 9, 1, tzinfo=UTC)
            with pytest.raises(StaleVersion) as lost:
                await replies.update(anna, made.id, draft, version=1)
            assert lost.value.current.version == 2
        finally:
            await engine.dispose()

    aio.run(run())


# --- the placeholder grammar, shared with the console ----------------------------------------


def test_the_placeholder_grammar() -> None:
    assert not check_placeholders("Hi {customer}, {agent} here. {{not one}} }} {{")
    problems = check_placeholders("{agnet} {agnet} {Page} {a-b} { } { x")
    assert problems.unknown == ("{agnet}", "{Page}")
    assert problems.malformed == ("{a-b}", "{ }", "{")


def test_the_console_knows_the_same_placeholders() -> None:
    """placeholders.js fills what the bridge accepts: one list, checked on both sides."""
    script = (ROOT / "bridge/web/static/console/placeholders.js").read_text(encoding="utf-8")
    declared = re.search(r"export const PLACEHOLDERS = \[([^\]]*)\]", script)
    assert declared is not None
    assert tuple(re.findall(r'"([a-z_]+)"', declared.group(1))) == PLACEHOLDERS
