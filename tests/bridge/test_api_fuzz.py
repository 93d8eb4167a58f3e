"""Schemathesis over the bridge's OpenAPI: whatever a client sends, valid or not, the answer is
never a server error, and documented answers match their schemas.

Requests go in process through the test client, with the credentials each route takes (a
customer's token, the service token, a signed-in admin's session and CSRF header), so the
generated input reaches the routes and services and not only the authentication. Generation is
derandomised and bounded, so a run is the same every time (about 50 s per database).

Left out: `GET /readyz` answers 503 by design while Rasa is down (no Rasa here), and
`POST /api/staff/logout` would end the session the other operations use (its refusals are
covered in test_staff_auth.py).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from bridge.app import create_app
from bridge.db.migrate import upgrade
from knowledge_base.settings import KBSettings
from tests import aio
from tests.chat import start_conversation
from tests.conftest import TEST_SERVICE_TOKEN, make_settings, private_index, truncate_postgres
from tests.staff import Signed, add_user, sign_in

EXAMPLES_PER_OPERATION = 25
LEFT_OUT = ("GET /readyz", "POST /api/staff/logout")
CUSTOMER_ROUTES = "/api/conversations/{conversation_id}/"
BASE_URL = "http://testserver"  # the test client's


@dataclass(frozen=True)
class Target:
    """The bridge under test and the credentials its routes take."""

    client: TestClient
    conversation_id: str
    customer_token: str
    staff: Signed


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def target(
    request: pytest.FixtureRequest,
    kb_settings: KBSettings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Target]:
    """One bridge for all the operations (starting one per operation would take most of the
    time), on SQLite and on the real PostgreSQL, like the `database_url` fixture."""
    folder = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        database_url = f"sqlite+aiosqlite:///{folder / 'bridge.db'}"
        upgrade(database_url)
    else:
        database_url = request.getfixturevalue("postgres_url")
        aio.run(truncate_postgres(database_url))
    # Erasing also deletes from Rasa's tracker store: a file of this test's, not var/'s.
    tracker = f"sqlite:///{folder / 'rasa_tracker.db'}"
    settings = make_settings(database_url, None, rasa_tracker_url=tracker)
    app = create_app(settings, private_index(kb_settings, folder / "kb-index"))
    with TestClient(app) as client:
        conversation_id, token = start_conversation(client)
        add_user(database_url, "admin@example.com", role="admin")
        yield Target(client, conversation_id, token, sign_in(client, "admin@example.com"))


def bridge_openapi() -> dict[str, Any]:
    """The bridge's OpenAPI: the same for every database and index, so built once here."""
    return create_app(make_settings("sqlite+aiosqlite://", None), KBSettings()).openapi()


schema = schemathesis.openapi.from_dict(bridge_openapi()).exclude(
    func=lambda ctx: f"{ctx.operation.method.upper()} {ctx.operation.path}" in LEFT_OUT
)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES_PER_OPERATION,
    deterministic=True,
)


def credentials(case: Case, target: Target) -> dict[str, str]:
    """The headers that let the case through authentication, replacing generated ones."""
    path = case.operation.path
    if path.startswith(CUSTOMER_ROUTES):
        # The token opens one conversation: generated ids would all stop at the token check.
        case.path_parameters = {
            **(case.path_parameters or {}),
            "conversation_id": target.conversation_id,
        }
        return {"Authorization": f"Bearer {target.customer_token}"}
    if path.startswith(("/api/staff/", "/api/studio/")):
        return target.staff.headers()
    return {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}


def send(client: TestClient, request: dict[str, Any]) -> Response:
    """The case as schemathesis would send it with `requests`, through the test client
    (which runs the app on the lifespan the fixture started)."""
    assert not request.pop("cookies", None), "the API takes no cookie parameters"
    body = request.pop("data", None)
    if isinstance(body, str | bytes):
        request["content"] = body
    elif body is not None:
        request["data"] = body
    return client.request(**request, follow_redirects=False)


@schema.parametrize()
@settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_no_server_errors(case: Case, target: Target) -> None:
    request = case.as_transport_kwargs(base_url=BASE_URL, headers=credentials(case, target))
    response = send(target.client, request)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
