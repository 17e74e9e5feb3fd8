"""Bad input of every kind gets a clear, coded error, and never a 500."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import PartnerMessage
from tests.api.conftest import make_settings, serve
from tests.api.helpers import SEND, CoupleClients, GraphQLClient, token_for
from tests.factories import make_couple


def send_input(pair: CoupleClients, **fields: Any) -> dict[str, Any]:
    return {"input": {"conversationId": pair.conversation_id, "content": "hi", **fields}}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "   \n\t "}, "content"),
        ({"content": "x" * 5001}, "content"),
        ({"content": "nul \x00 byte"}, "content"),
        ({"clientMessageId": ""}, "clientMessageId"),
        ({"clientMessageId": "k" * 129}, "clientMessageId"),
        ({"conversationId": "not-a-uuid"}, "conversationId"),
        ({"replyToId": "12345"}, "replyToId"),
    ],
)
async def test_bad_send_input(
    pair: CoupleClients, session: AsyncSession, fields: dict[str, Any], field: str
) -> None:
    result = await pair.a.execute(SEND, send_input(pair, **fields))
    assert result.status_code == 200
    assert result.codes == ["BAD_USER_INPUT"], result
    assert result["errors"][0]["extensions"]["field"] == field
    assert await session.scalar(select(func.count()).select_from(PartnerMessage)) == 0


async def test_longest_message_of_four_byte_emoji_is_accepted(pair: CoupleClients) -> None:
    content = "💞" * 5000  # 20,000 bytes of UTF-8
    message = await pair.send(pair.a, f"  {content}  ")
    assert message["content"] == content
    conversation = (await pair.a.data("{ conversation { lastMessagePreview } }"))["conversation"]
    assert conversation["lastMessagePreview"] == "💞" * 100


async def test_reply_to_a_missing_message_is_not_found(pair: CoupleClients) -> None:
    result = await pair.a.execute(
        SEND, send_input(pair, replyToId="00000000-0000-4000-8000-000000000000")
    )
    assert result.codes == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query($id: ID!) { message(id: $id) { id } }", {"id": "123"}),
        ("mutation($id: ID!) { deleteMessage(id: $id) { seq } }", {"id": "🙂"}),
        ('mutation { markDelivered(messageIds: ["x"]) { changedCount } }', None),
        ('mutation { markRead(conversationId: "x", upToSeq: 1) { changedCount } }', None),
        ('{ conversation(relationshipId: "zzz") { id } }', None),
        (
            "query($c: ID!) { messages(conversationId: $c, first: 1000) { edges { cursor } } }",
            {"c": "00000000-0000-4000-8000-000000000000"},
        ),
    ],
)
async def test_malformed_ids_and_sizes(
    pair: CoupleClients, query: str, variables: dict[str, Any] | None
) -> None:
    assert await pair.a.error_code(query, variables) == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ viewer { id ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ viewer { nope } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ('{ conversation(relationshipID: "x") { id } }', None, "GRAPHQL_VALIDATION_FAILED"),
        (
            "mutation($i: SendMessageInput!) { sendMessage(input: $i) { __typename } }",
            {"i": {"content": 5}},
            "BAD_USER_INPUT",
        ),
        (
            "mutation($i: SendMessageInput!) { sendMessage(input: $i) { __typename } }",
            None,
            "BAD_USER_INPUT",
        ),
        (
            'query($n: Int) { messages(conversationId: "x", first: $n) { edges { cursor } } }',
            {"n": "ten"},
            "BAD_USER_INPUT",
        ),
        (
            'query($n: Int) { messages(conversationId: "x", first: $n) { edges { cursor } } }',
            {"n": 2**40},
            "BAD_USER_INPUT",
        ),
        (
            "mutation { updateMessagingPreferences(input: {suggestionMode: NEVER}) { partnerId } }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "mutation($m: SuggestionMode) { updateMessagingPreferences(input: {suggestionMode: $m}) { partnerId } }",
            {"m": "NEVER"},
            "BAD_USER_INPUT",
        ),
        (
            "fragment F on Query { ...G } fragment G on Query { ...F } { ...F }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        # A subscription over HTTP is refused before validation (400 BAD_REQUEST): see
        # tests/realtime_ws/test_auth_ws.py::test_subscriptions_over_plain_http_are_refused.
    ],
)
async def test_document_and_variable_errors_are_coded(
    pair: CoupleClients, query: str, variables: dict[str, Any] | None, code: str
) -> None:
    result = await pair.a.execute(query, variables)
    assert result.status_code == 200, result
    assert set(result.codes) == {code}, result
    assert result.get("data") is None


def nested(depth: int) -> str:
    inner = "id"
    for level in range(depth):
        inner = f"f{level} {{ {inner} }}"
    return f"{{ viewer {{ partner {{ {inner} }} }} }}"


async def test_deeply_nested_query_is_refused(pair: CoupleClients) -> None:
    result = await pair.a.execute(nested(20))
    assert result.status_code == 200
    assert set(result.codes) == {"GRAPHQL_VALIDATION_FAILED"}
    assert any("exceeds maximum operation depth of 12" in m for m in result.messages)
    shallow = await pair.a.execute(nested(0))
    assert shallow["data"] == {"viewer": {"partner": {"id": pair.b_id}}}


async def test_aliases_are_limited(pair: CoupleClients) -> None:
    thousand = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(1000)) + " }"
    result = await pair.a.execute(thousand)
    assert result.status_code == 200
    assert result.codes == ["GRAPHQL_PARSE_FAILED"]  # over the token limit before aliases count
    assert "tokens" in result.messages[0]
    thirty_one = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
    result = await pair.a.execute(thirty_one)
    assert result.codes == ["GRAPHQL_VALIDATION_FAILED"]
    assert "aliases" in result.messages[0]


async def test_thousand_aliases_hit_the_alias_limit_when_tokens_allow(
    database_url: str, session: AsyncSession
) -> None:
    couple = await make_couple(session)
    settings = make_settings(database_url, max_tokens=20_000)
    async with serve(settings) as http:
        client = GraphQLClient(http, token_for(settings, couple.partner_a.id))
        thousand = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(1000)) + " }"
        result = await client.execute(thousand)
        assert result.codes == ["GRAPHQL_VALIDATION_FAILED"]
        assert "1000 aliases" in result.messages[0]


def deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


SEND_DOC = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { __typename } }"

# id: (body, what the error message says)
MALFORMED_BODIES: dict[str, tuple[bytes, str]] = {
    "not json": (b"{not json", "parse"),
    "a string": (b'"x"', "JSON object"),
    "a number": (b"42", "JSON object"),
    "null": (b"null", "JSON object"),
    "true": (b"true", "JSON object"),
    "an empty batch": (b"[]", "Batching"),
    "a batch": (b'[{"query": "{ __typename }"}, {"query": "{ __typename }"}]', "Batching"),
    "query not a string": (b'{"query": 42}', "query"),
    "no query": (b"{}", "query"),
    "variables 34 levels deep": (
        b'{"query": "{ __typename }", "variables": {"v": ' + deep(32) + b"}}",
        "nested deeper than 32",
    ),
    "variables 100002 levels deep": (
        b'{"query": "{ __typename }", "variables": {"v": ' + deep(100_000) + b"}}",
        "nested deeper than 32",
    ),
    "deep inside an input": (
        b'{"query": "' + SEND_DOC.encode() + b'", "variables": {"i": '
        b'{"conversationId": "x", "content": ' + deep(5000) + b"}}}",
        "nested deeper than 32",
    ),
    "invalid UTF-8": (b'{"query": "{ __typename }", "x": "\xff"}', "UTF-8"),
    "UTF-8 of a surrogate": (b'{"query": "{ __typename }", "x": "\xed\xa0\xbd"}', "UTF-8"),
    "UTF-16": ('{"query": "{ __typename }"}'.encode("utf-16"), "UTF-8"),
    "an operation name of a lone surrogate": (
        b'{"query": "{ __typename }", "operationName": "\\ud83d"}',
        "Unknown operation",
    ),
}


@pytest.mark.parametrize(("body", "says"), MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
async def test_malformed_bodies_get_json_errors(
    http: httpx.AsyncClient, body: bytes, says: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert says in error["message"], error
    assert caplog.records == []  # nothing beyond the server's access line


async def test_other_transport_errors_are_json(http: httpx.AsyncClient) -> None:
    cases = [
        await http.post("/graphql", content=b"query=1", headers={"content-type": "text/plain"}),
        await http.post("/graphql", content=b'{"query": "{ __typename }"}'),
        await http.put("/graphql", json={"query": "{ __typename }"}),
        await http.get("/graphql", params={"query": "{ __typename }", "variables": "[[1]]"}),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, response.text
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] in {"BAD_REQUEST", "METHOD_NOT_ALLOWED"}


@pytest.mark.parametrize("depth", [50, 5000])
async def test_deep_argument_literals_are_graphql_errors(pair: CoupleClients, depth: int) -> None:
    nested = "{a: " * depth + '"x"' + "}" * depth
    result = await pair.a.execute(f"{{ conversation(relationshipId: {nested}) {{ id }} }}")
    assert result.status_code == 200
    assert result.codes in (["GRAPHQL_VALIDATION_FAILED"], ["GRAPHQL_PARSE_FAILED"]), result


async def test_request_body_is_capped(http: httpx.AsyncClient, settings: Any) -> None:
    padding = "x" * (settings.max_body_bytes + 1)
    response = await http.post(
        "/graphql", json={"query": "{ __typename }", "variables": {"p": padding}}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    async def chunks() -> Any:
        for _ in range(5):
            yield b" " * (settings.max_body_bytes // 4)

    streamed = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    small = await http.post("/graphql", json={"query": "{ __typename }"})
    assert small.json() == {"data": {"__typename": "Query"}}
