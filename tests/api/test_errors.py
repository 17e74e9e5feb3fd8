"""Unexpected failures are masked and logged with a request id; rate limits are coded."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.api import viewer as viewer_api
from luna_graphql.services import gestures as gesture_service
from luna_graphql.services import message_send
from luna_graphql.services.access import Viewer, ViewerProfile
from tests.api.conftest import make_settings, serve
from tests.api.helpers import SEND, CoupleClients, GraphQLClient, token_for
from tests.factories import make_couple
from tests.gestures.helpers import SEND_GESTURE


async def test_unexpected_errors_are_masked_and_logged(
    pair: CoupleClients, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object, viewer: Viewer) -> ViewerProfile:
        raise RuntimeError(
            'relation "secret_table" does not exist: SELECT password FROM secret_table'
        )

    monkeypatch.setattr(viewer_api, "describe_viewer", broken)
    caplog.set_level(logging.ERROR, logger="luna_graphql.api")
    response = await pair.a.http.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers=pair.a.headers()
    )
    assert response.status_code == 200
    body = response.json()
    error = body["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    request_id = error["extensions"]["requestId"]
    assert response.headers["x-request-id"] == request_id
    for leak in ("secret_table", "SELECT", "Traceback", "RuntimeError"):
        assert leak not in response.text
    records = [r for r in caplog.records if request_id in r.getMessage()]
    assert records and records[0].exc_info is not None
    assert "secret_table" in str(records[0].exc_info[1])


async def test_a_driver_error_is_logged_by_type_and_request_id_only(
    pair: CoupleClients,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Were the rule missed, the driver's error (which quotes the value) and SQLAlchemy's
    `[parameters: …]` must still keep the text out of the log. Both send paths: the raw
    asyncpg one (messages) and the ORM (gestures)."""

    def storable(text: str, *, field: str) -> str:
        return text

    monkeypatch.setattr(message_send, "require_storable", storable)
    monkeypatch.setattr(gesture_service, "require_storable", storable)
    caplog.set_level(logging.DEBUG)
    marker = "PRIVATE-TEXT-7f3a"
    for document, variables in (
        (SEND, {"input": {"conversationId": pair.conversation_id, "content": marker + "\ud83d"}}),
        (SEND_GESTURE, {"input": {"gestureType": "HUG", "message": marker + "\ud83d"}}),
    ):
        result = await pair.a.execute_escaped(document, variables)
        assert result.codes == ["INTERNAL_SERVER_ERROR"], result
        request_id = result["errors"][0]["extensions"]["requestId"]
        logged = [r for r in caplog.records if request_id in r.getMessage()]
        assert len(logged) == 1 and logged[0].exc_info is None, logged
        assert "DataError" in logged[0].getMessage()
    assert marker not in caplog.text


async def test_a_sane_client_request_id_is_kept(pair: CoupleClients) -> None:
    response = await pair.a.http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"X-Request-ID": "client-abc.123"},
    )
    assert response.headers["x-request-id"] == "client-abc.123"
    odd = await pair.a.http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"X-Request-ID": "bad id\twith spaces"},
    )
    assert odd.headers["x-request-id"] != "bad id\twith spaces"


async def test_send_is_rate_limited_per_user(database_url: str, session: AsyncSession) -> None:
    couple = await make_couple(session)
    settings = make_settings(database_url, rate_limit_send="3/minute")
    async with serve(settings) as http:
        a = GraphQLClient(http, token_for(settings, couple.partner_a.id))
        b = GraphQLClient(http, token_for(settings, couple.partner_b.id))
        conversation = (await a.data("{ conversation { id } }"))["conversation"]["id"]
        variables = {"input": {"conversationId": conversation, "content": "hi"}}
        for _ in range(3):
            await a.data(SEND, variables)
        limited = await a.execute(SEND, variables)
        assert limited.codes == ["RATE_LIMITED"]
        assert 0 < limited["errors"][0]["extensions"]["retryAfter"] <= 60
        # The partner has a budget of their own.
        await b.data(SEND, variables)
        assert (await a.data("{ conversation { messageCount } }"))["conversation"][
            "messageCount"
        ] == 4


async def test_send_budget_spares_retries_and_malformed_sends(
    database_url: str, session: AsyncSession
) -> None:
    couple = await make_couple(session)
    settings = make_settings(database_url, rate_limit_send="2/minute")
    async with serve(settings) as http:
        a = GraphQLClient(http, token_for(settings, couple.partner_a.id))
        conversation = (await a.data("{ conversation { id } }"))["conversation"]["id"]

        def send(content: str, key: str | None = None) -> dict[str, object]:
            return {
                "input": {"conversationId": conversation, "content": content}
                | ({} if key is None else {"clientMessageId": key})
            }

        for malformed in (send("   "), send("x" * 5001), send("hi", ""), send("hi", "k" * 129)):
            assert (await a.execute(SEND, malformed)).codes == ["BAD_USER_INPUT"]
        first = (await a.data(SEND, send("one", "key-1")))["sendMessage"]["message"]
        await a.data(SEND, send("two", "key-2"))
        assert (await a.execute(SEND, send("three", "key-3"))).codes == ["RATE_LIMITED"]
        assert (await a.execute(SEND, send("three"))).codes == ["RATE_LIMITED"]
        # The client never saw the answer to its first send: over the limit, it still learns.
        retried = (await a.data(SEND, send("one", "key-1")))["sendMessage"]["message"]
        assert retried["id"] == first["id"]
        assert (await a.data("{ conversation { messageCount } }"))["conversation"][
            "messageCount"
        ] == 2
