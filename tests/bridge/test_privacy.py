"""Privacy requests: export and erase a person's data (service, admin API, CLI), on SQLite and
PostgreSQL. An erasure leaves no trace of the person in the bridge database or Rasa's tracker
store and leaves every report's figures as they were."""

import dataclasses
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bridge import privacy_cli
from bridge.app import create_app
from bridge.cli import app as cli_app
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import (
    REFERRAL_SOURCES,
    Base,
    Conversation,
    Message,
    PrivacyAudit,
    ReferralAnswer,
    ReviewClick,
    ReviewInvitation,
)
from bridge.services.privacy import InvalidSelector, PrivacyService, Selector
from bridge.services.privacy_export import (
    ConversationData,
    MessageData,
    PersonalData,
    ReferralData,
    ReviewInvitationData,
    render_html,
)
from bridge.services.rasa_tracker_store import NoTrackerStore
from bridge.web.privacy_strings import PRIVACY_STRINGS
from knowledge_base.settings import KBSettings
from tests import aio
from tests.bridge import privacy_seed
from tests.bridge.privacy_seed import (
    ALICE_EMAIL,
    ALICE_REFERRAL,
    ALICE_TRACES,
    ALICE_VISITOR,
    BOB_TEXT,
    REVIEW_CLICKS_AFTER,
    RecordingTracker,
)
from tests.conftest import make_settings
from tests.staff import Signed, add_user, sign_in

SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture
def seeded(database_url: str) -> str:
    aio.run_sql(database_url, privacy_seed.seed)
    return database_url


@pytest.fixture
async def sessions(seeded: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(seeded)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _rows_held(session: AsyncSession, conversation_ids: list[str]) -> int:
    """Rows of the conversations counted straight from the schema, apart from the export:
    every table with a conversation_id, and the review clicks through their invitations."""
    rows = len(conversation_ids)
    for table in Base.metadata.sorted_tables:
        if "conversation_id" in table.c:
            rows += (
                await session.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(table.c.conversation_id.in_(conversation_ids))
                )
                or 0
            )
    clicks = await session.scalar(
        select(func.count())
        .select_from(ReviewClick)
        .join(ReviewInvitation, ReviewInvitation.id == ReviewClick.invitation_id)
        .where(ReviewInvitation.conversation_id.in_(conversation_ids))
    )
    return rows + (clicks or 0)


async def _latest_audit(sessions: async_sessionmaker[AsyncSession]) -> PrivacyAudit:
    async with sessions() as session:
        row = await session.scalar(select(PrivacyAudit).order_by(PrivacyAudit.id.desc()).limit(1))
    assert row is not None
    return row


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("conversation", "conv-a1", ["conv-a1"]),
        ("visitor", ALICE_VISITOR, ["conv-a1", "conv-a2"]),
        ("email", " ALICE@example.com ", ["conv-a2", "conv-a3"]),
        ("visitor", "nobody", []),
    ],
)
async def test_export_finds_the_persons_conversations_and_everything_in_them(
    sessions: async_sessionmaker[AsyncSession], kind: Any, value: str, expected: list[str]
) -> None:
    privacy = PrivacyService(sessions=sessions, tracker=NoTrackerStore(), secret=SECRET)
    data = await privacy.export(Selector(kind, value), actor="admin@example.com")
    assert [c.id for c in data.conversations] == expected
    exported = data.to_json()
    assert BOB_TEXT not in exported
    if "conv-a1" in expected:
        a1 = data.conversations[0]
        assert next(m.text for m in a1.messages if m.role == "customer").endswith("twice")
        assert a1.visitor_id == ALICE_VISITOR and a1.page_url and "alice" in a1.page_url
        assert a1.handoffs[0].last_question == "alice-secret-question"
        assert a1.notes[0].text == "alice-secret-note: VIP"
        assert (a1.nps[0].score, a1.nps[0].reason) == (9, "alice-secret-reason")
        assert a1.feedback[0].query == "alice-secret-query"
        assert a1.goals[0].page_url == "https://shop.example/thanks?alice"
        assert a1.unanswered_questions[0].question == "alice-secret-unanswered"
        invited = privacy_seed.BASE + timedelta(minutes=12)
        assert a1.review_invitations == [
            ReviewInvitationData("en", invited, [invited + after for after in REVIEW_CLICKS_AFTER])
        ]
        assert [(r.source, r.detail, r.answered_at) for r in a1.referrals] == [
            ("other", ALICE_REFERRAL, privacy_seed.BASE + timedelta(minutes=14))
        ]
        as_json = json.loads(exported)["conversations"][0]
        assert as_json["review_invitations"][0]["clicked_at"] == [
            (invited + after).isoformat() for after in REVIEW_CLICKS_AFTER
        ]
        assert as_json["referrals"][0]["detail"] == ALICE_REFERRAL
        assert "review-token" not in exported  # the link's token is no personal data
    if kind == "email":
        assert {o.message for c in data.conversations for o in c.offline_requests} == {
            "alice-secret-offline-1",
            "alice-secret-offline-2",
        }
    assert json.loads(exported)["selector"] == kind
    audit = await _latest_audit(sessions)
    assert (audit.action, audit.selector, audit.actor) == ("export", kind, "admin@example.com")
    assert audit.conversations == len(expected) and audit.records == data.records
    async with sessions() as session:
        assert data.records == await _rows_held(session, expected)
    # The person is named by a keyed hash only, the same for the same request.
    assert audit.subject_hash == privacy.subject_hash(Selector(kind, value.strip()))
    assert value.strip().lower() not in (audit.subject_hash or "")


async def test_erase_leaves_no_trace_and_the_reports_unchanged(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        before = await privacy_seed.all_reports(session)
    assert before["conversations-None"].handoffs == 2  # the seed exercises the figures
    assert before["nps-None"].answered == 2 and before["conversion-None"].converted == 2
    assert (before["reviews-None"].invitations, before["reviews-None"].clicks) == (1, 2)
    assert before["reviews-en"].clicked_conversations == 1
    tracker = RecordingTracker(events_each=3)
    privacy = PrivacyService(sessions=sessions, tracker=tracker, secret=SECRET)

    by_visitor = await privacy.erase(Selector("visitor", ALICE_VISITOR), actor="cli:ops")
    by_email = await privacy.erase(Selector("email", ALICE_EMAIL), actor="cli:ops")

    # a2's message left went with the visitor's erasure: the email finds a3 alone now.
    assert (by_visitor.conversations, by_email.conversations) == (2, 1)
    assert by_visitor.tracker_events == 6
    assert sorted(tracker.deleted) == ["conv-a1", "conv-a2", "conv-a3"]
    async with sessions() as session:
        after = await privacy_seed.all_reports(session)
        text = await privacy_seed.all_text(session)
        kept = await session.scalars(
            select(Message.role).where(Message.conversation_id == "conv-a1").order_by(Message.seq)
        )
        erased = await session.scalars(
            select(Conversation.id).where(Conversation.erased_at.is_not(None))
        )
        assert list(kept) == ["customer", "agent"]  # what the reports read, emptied
        assert sorted(erased) == ["conv-a1", "conv-a2", "conv-a3"]
        referrals = (
            await session.execute(
                select(
                    ReferralAnswer.id,
                    ReferralAnswer.conversation_id,
                    ReferralAnswer.subject,
                    ReferralAnswer.source,
                    ReferralAnswer.detail,
                    ReferralAnswer.answered_at,
                ).order_by(ReferralAnswer.conversation_id)
            )
        ).all()
        invitations = await session.scalar(
            select(func.count())
            .select_from(ReviewInvitation)
            .where(ReviewInvitation.conversation_id == "conv-a1")
        )
    # Alice's answer keeps what the referral figures read; who she is and her words go.
    (a1_id, _, a1_subject, a1_source, a1_detail, a1_answered), bob = referrals
    assert (a1_subject, a1_source, a1_detail) == (f"erased:{a1_id}", "other", None)
    assert a1_answered is not None
    assert bob[1:5] == ("conv-b1", "visitor:visitor-bob", "search", None)
    assert invitations == 1  # review links hold nobody's data: kept for the reviews report
    assert after == before
    for trace in ALICE_TRACES:
        assert trace.lower() not in text, trace
    assert BOB_TEXT in text and "bob was slow" in text  # nobody else's data goes
    audit = await _latest_audit(sessions)
    assert (audit.action, audit.selector, audit.actor) == ("erase", "email", "cli:ops")
    assert (audit.conversations, audit.tracker_events) == (1, 3)
    # The export after an erasure shows what is left: no text, no identifiers.
    left = await privacy.export(Selector("conversation", "conv-a1"), actor="cli:ops")
    assert left.conversations[0].erased_at is not None
    assert all(m.text == "" for m in left.conversations[0].messages)


async def test_erase_rolls_back_when_rasas_store_fails(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    privacy = PrivacyService(sessions=sessions, tracker=RecordingTracker(fail=True), secret=SECRET)
    with pytest.raises(OSError):
        await privacy.erase(Selector("conversation", "conv-a1"), actor="cli:ops")
    async with sessions() as session:
        assert "alice-secret-1" in await privacy_seed.all_text(session)


def test_selectors_are_checked() -> None:
    with pytest.raises(InvalidSelector):
        Selector("visitor", "   ")
    with pytest.raises(InvalidSelector):
        Selector("phone", "123")  # type: ignore[arg-type]
    with pytest.raises(InvalidSelector):
        Selector("email", "x" * 300)
    with pytest.raises(InvalidSelector):  # PostgreSQL cannot even compare it
        Selector("visitor", "a\x00b")


def test_the_readable_export_escapes_what_customers_typed() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    message = MessageData(1, "customer", "<script>alert(1)</script>", None, now)
    conversation = ConversationData(
        "c1", now, now, "bot", "en", None, None, None, [message], [], [], [], [], [], [], []
    )
    page = render_html(PersonalData("conversation", now, [conversation]), "hu")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Átirat" in page and "<script" not in page


async def test_the_readable_export_shows_review_links_and_the_referral_answer(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    privacy = PrivacyService(sessions=sessions, tracker=NoTrackerStore(), secret=SECRET)
    data = await privacy.export(Selector("conversation", "conv-a1"), actor="cli:ops")
    invited = privacy_seed.BASE + timedelta(minutes=12)
    clicks = [(invited + after).strftime("%Y-%m-%d %H:%M:%S UTC") for after in REVIEW_CLICKS_AFTER]
    for language, label, heading in (
        ("en", "other", "How you heard about us"),
        ("hu", "egyéb", "Honnan hallott rólunk"),
    ):
        page = render_html(data, language)
        assert heading in page and PRIVACY_STRINGS[language]["reviews"] in page
        invitation = page.split('data-testid="review-invitation"')[1].split("</tr>")[0]
        assert all(click in invitation for click in clicks), invitation
        referral = page.split('data-testid="referral"')[1].split("</tr>")[0]
        assert f"<td>{label}</td>" in referral and ALICE_REFERRAL in referral
        assert "review-token" not in page


def test_every_referral_source_has_a_label_in_every_language() -> None:
    sources = (*REFERRAL_SOURCES, "skipped", "unanswered")
    for language, strings in PRIVACY_STRINGS.items():
        assert strings.keys() == PRIVACY_STRINGS["en"].keys(), language
        assert all(strings[f"source_{s}"] for s in sources), language
    now = datetime(2026, 6, 1, tzinfo=UTC)
    skipped = ReferralData("visitor:v", "hu", now, now, "skipped", None)
    conversation = ConversationData(
        "c1", now, now, "bot", "hu", None, None, None, [], [], [], [], [], [], [], []
    )
    page = render_html(
        PersonalData("visitor", now, [dataclasses.replace(conversation, referrals=[skipped])]),
        "hu",
    )
    assert "nem kívánta megmondani" in page


# --- the admin API and page ------------------------------------------------------------------


@pytest.fixture
def admin_client(seeded: str, tmp_path: Path) -> Iterator[TestClient]:
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index")
    # The tracker store is Rasa's SQLite file that does not exist: nothing to delete there.
    settings = make_settings(seeded, None, rasa_tracker_url=f"sqlite:///{tmp_path / 'rasa.db'}")
    with TestClient(create_app(settings, kb)) as client:
        yield client


def _signed(client: TestClient, database_url: str, role: str) -> Signed:
    add_user(database_url, f"{role}@example.com", role=role)
    return sign_in(client, f"{role}@example.com")


def test_api_is_for_admins_with_csrf(admin_client: TestClient, database_url: str) -> None:
    agent = _signed(admin_client, database_url, "agent")
    admin = _signed(admin_client, database_url, "admin")
    body = {"kind": "conversation", "value": "conv-a1"}
    url = "/api/staff/privacy/erase"
    assert admin_client.post(url, json=body).status_code == 401
    assert admin_client.post(url, json=body, headers=agent.headers()).status_code == 403
    assert admin_client.post(url, json=body, headers=admin.headers(csrf=None)).status_code == 403
    assert admin_client.get("/dashboard/privacy", headers=agent.headers()).status_code == 403
    bad = admin_client.post(url, json={"kind": "phone", "value": "1"}, headers=admin.headers())
    assert bad.status_code == 422
    blank = admin_client.post(url, json={"kind": "email", "value": " "}, headers=admin.headers())
    assert blank.status_code == 422 and isinstance(blank.json()["detail"], list)
    exported = admin_client.post(
        "/api/staff/privacy/export", json={**body, "format": "json"}, headers=admin.headers()
    )
    assert exported.status_code == 200
    assert exported.json()["conversations"][0]["notes"][0]["text"] == "alice-secret-note: VIP"
    page = admin_client.post(
        "/api/staff/privacy/export",
        json={**body, "format": "html", "lang": "hu"},
        headers=admin.headers(),
    )
    assert page.headers["content-type"].startswith("text/html")
    assert "attachment" in page.headers["content-disposition"] and "alice-secret-1" in page.text
    erased = admin_client.post(url, json=body, headers=admin.headers())
    assert erased.status_code == 200, erased.text
    assert erased.json() == {
        "conversations": 1,
        "deleted": erased.json()["deleted"],
        "anonymised": erased.json()["anonymised"],
        "tracker_events": 0,
    }
    assert erased.json()["deleted"] >= 7  # bot/system lines, later lines, note, question
    log = admin_client.get("/api/staff/privacy/audit", headers=admin.headers()).json()
    assert [e["action"] for e in log[:3]] == ["erase", "export", "export"]
    assert {e["actor"] for e in log[:3]} == {"admin@example.com"}
    assert "conv-a1" not in json.dumps(log)
    html = admin_client.get("/dashboard/privacy?lang=hu", headers=admin.headers())
    assert html.status_code == 200 and "Adatvédelmi kérések" in html.text
    assert "admin@example.com" in html.text and "erase" in html.text
    assert "<script>" not in html.text and '<script src="/dashboard/privacy.js"' in html.text
    script = admin_client.get("/dashboard/privacy.js", headers=admin.headers())
    assert script.status_code == 200 and "X-CSRF-Token" in script.text


def test_an_erased_conversation_is_closed_to_its_customers_token(
    admin_client: TestClient, database_url: str
) -> None:
    created = admin_client.post("/api/conversations", json={"language": "en"}).json()
    conversation, token = created["conversation_id"], created["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    url = f"/api/conversations/{conversation}/messages"
    assert admin_client.get(url, headers=bearer).status_code == 200
    admin = _signed(admin_client, database_url, "admin")
    body = {"kind": "conversation", "value": conversation}
    erased = admin_client.post("/api/staff/privacy/erase", json=body, headers=admin.headers())
    assert erased.status_code == 200 and erased.json()["conversations"] == 1
    assert admin_client.get(url, headers=bearer).status_code == 404
    with admin_client.websocket_connect(f"/ws/chat/{conversation}?token={token}") as socket:
        assert socket.receive_json()["code"] == "not_found"


def test_signed_out_page_goes_to_sign_in(admin_client: TestClient) -> None:
    response = admin_client.get("/dashboard/privacy", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/dashboard/privacy"


# --- the command line ------------------------------------------------------------------------


def test_cli_export_erase_purge_and_audit(
    seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = seeded
    settings = make_settings(database_url, None, rasa_tracker_url="", retention_days=30)
    monkeypatch.setattr(privacy_cli, "get_settings", lambda: settings)
    runner = CliRunner()

    exported = runner.invoke(cli_app, ["privacy", "export", "--email", ALICE_EMAIL])
    assert exported.exit_code == 0, exported.output
    assert [c["id"] for c in json.loads(exported.stdout)["conversations"]] == [
        "conv-a2",
        "conv-a3",
    ]
    out = tmp_path / "alice.html"
    to_file = runner.invoke(
        cli_app,
        ["privacy", "export", "--visitor", ALICE_VISITOR, "--format", "html", "-o", str(out)],
    )
    assert to_file.exit_code == 0 and "alice-secret-note" in out.read_text(encoding="utf-8")

    both = runner.invoke(cli_app, ["privacy", "erase", "--visitor", "x", "--email", "y", "--yes"])
    assert both.exit_code == 1 and "exactly one" in both.output
    refused = runner.invoke(cli_app, ["privacy", "erase", "--conversation", "conv-a1"], input="n\n")
    assert refused.exit_code == 1
    erased = runner.invoke(cli_app, ["privacy", "erase", "--conversation", "conv-a1", "--yes"])
    assert erased.exit_code == 0 and "erased 1 conversations" in erased.output

    # The seed is from June 2026 and RETENTION_DAYS=30: the three others are due.
    dry = runner.invoke(cli_app, ["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "3 conversations" in dry.output
    purged = runner.invoke(cli_app, ["privacy", "purge"])
    assert purged.exit_code == 0 and "erased 3 conversations" in purged.output

    audit = runner.invoke(cli_app, ["privacy", "audit", "--limit", "4"])
    assert audit.exit_code == 0 and "purge" in audit.output

    async def newest(session: AsyncSession) -> list[tuple[str, str]]:
        rows = await session.scalars(select(PrivacyAudit).order_by(PrivacyAudit.id.desc()))
        return [(row.action, row.actor) for row in list(rows)[:4]]

    user = privacy_cli.actor()
    assert user.startswith("cli:")
    assert aio.run_sql(database_url, newest) == [
        ("purge", user),
        ("erase", user),
        ("export", user),
        ("export", user),
    ]
    text = aio.run_sql(database_url, privacy_seed.all_text)
    assert "alice-secret" not in text and BOB_TEXT not in text
