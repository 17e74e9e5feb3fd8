"""Reusable pieces for end-to-end API tests: tokens, a small GraphQL client, couples."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import jwt
import uvicorn
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from luna_graphql.api.auth import mint_token
from luna_graphql.api.ws_protocol import WS_PROTOCOL
from luna_graphql.db.engine import to_asyncpg_dsn
from luna_graphql.realtime.events import BusEvent, channel_for
from luna_graphql.settings import Settings
from tests.factories import Couple, make_couple

ALL_CODES = {
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "CONFLICT",
    "RATE_LIMITED",
    "SERVICE_UNAVAILABLE",
    "INTERNAL_SERVER_ERROR",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
}


def token_for(settings: Settings, user_id: uuid.UUID, *, ttl_s: int = 3600) -> str:
    return mint_token(settings, user_id, ttl_s=ttl_s)


def forged_token(
    user_id: uuid.UUID, *, secret: str = "not-the-secret-but-long-enough-for-hs256!", **claims: Any
) -> str:
    """A token signed with any secret and any claims (bad signatures, expiry, audience)."""
    now = int(time.time())
    payload: dict[str, Any] = {"sub": str(user_id), "iat": now, "exp": now + 3600}
    payload.update(claims)
    return jwt.encode(
        {k: v for k, v in payload.items() if v is not None}, secret, algorithm="HS256"
    )


class GraphQLResult(dict[str, Any]):
    """The JSON body of a GraphQL response plus the HTTP status."""

    status_code: int = 200

    @property
    def codes(self) -> list[str]:
        return [error.get("extensions", {}).get("code") for error in self.get("errors") or []]

    @property
    def messages(self) -> list[str]:
        return [error["message"] for error in self.get("errors") or []]


@dataclass
class GraphQLClient:
    http: httpx.AsyncClient
    token: str | None = None

    def with_token(self, token: str | None) -> GraphQLClient:
        return GraphQLClient(self.http, token)

    def headers(self) -> dict[str, str]:
        return {} if self.token is None else {"Authorization": f"Bearer {self.token}"}

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, **extra: Any
    ) -> GraphQLResult:
        body: dict[str, Any] = {"query": query, **extra}
        if variables is not None:
            body["variables"] = variables
        response = await self.http.post("/graphql", json=body, headers=self.headers())
        return self._result(response)

    async def execute_escaped(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> GraphQLResult:
        """As `execute`, with a body of ASCII JSON: other characters travel as \\u escapes,
        lone surrogates included (JavaScript's JSON.stringify sends them so), which httpx's
        UTF-8 `json=` cannot encode."""
        body = json.dumps({"query": query, "variables": variables})
        headers = {**self.headers(), "content-type": "application/json"}
        return self._result(await self.http.post("/graphql", content=body, headers=headers))

    @staticmethod
    def _result(response: httpx.Response) -> GraphQLResult:
        assert response.status_code != 500, response.text
        result = GraphQLResult(response.json())
        result.status_code = response.status_code
        return result

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Execute and insist on success."""
        result = await self.execute(query, variables)
        assert not result.get("errors"), result["errors"]
        data: dict[str, Any] = result["data"]
        return data

    async def error_code(self, query: str, variables: dict[str, Any] | None = None) -> str:
        """Execute and insist on exactly one coded error; returns its code."""
        result = await self.execute(query, variables)
        assert result.get("errors"), result
        codes = result.codes
        assert len(set(codes)) == 1 and codes[0] in ALL_CODES, result
        return codes[0]


CONVERSATION = "query($rel: ID) { conversation(relationshipId: $rel) { id relationshipId messageCount unreadCount lastSeq lastMessagePreview lastMessageAt } }"

MESSAGE_FIELDS = """
  id conversationId seq senderId isMine content clientMessageId status sentAt deliveredAt
  readAt replyToId createdAt lunaIntervened interventionType interventionAccepted originalContent
"""

SEND = f"""
mutation($input: SendMessageInput!) {{
  sendMessage(input: $input) {{
    __typename
    ... on MessageSent {{ message {{ {MESSAGE_FIELDS} }} }}
  }}
}}
"""

HISTORY = f"""
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  messages(conversationId: $id, first: $first, after: $after, last: $last, before: $before) {{
    edges {{ cursor node {{ {MESSAGE_FIELDS} }} }}
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
  }}
}}
"""


@dataclass
class CoupleClients:
    """A couple with a client per partner and their conversation opened."""

    couple: Couple
    a: GraphQLClient
    b: GraphQLClient
    conversation_id: str
    # Copied out of the ORM rows: a test's rollback would expire them.
    relationship_id: str
    a_id: str
    b_id: str

    async def send(self, client: GraphQLClient, content: str, **fields: Any) -> dict[str, Any]:
        data = await client.data(
            SEND, {"input": {"conversationId": self.conversation_id, "content": content, **fields}}
        )
        message: dict[str, Any] = data["sendMessage"]["message"]
        return message

    async def history(self, client: GraphQLClient, **args: Any) -> dict[str, Any]:
        data = await client.data(HISTORY, {"id": self.conversation_id, **args})
        connection: dict[str, Any] = data["messages"]
        return connection


async def make_couple_clients(
    session: AsyncSession, http: httpx.AsyncClient, settings: Settings, **names: Any
) -> CoupleClients:
    couple = await make_couple(session, **names)
    a = GraphQLClient(http, token_for(settings, couple.partner_a.id))
    b = GraphQLClient(http, token_for(settings, couple.partner_b.id))
    data = await a.data(CONVERSATION)
    return CoupleClients(
        couple=couple,
        a=a,
        b=b,
        conversation_id=data["conversation"]["id"],
        relationship_id=str(couple.relationship.id),
        a_id=str(couple.partner_a.id),
        b_id=str(couple.partner_b.id),
    )


class EventLog:
    """Bus events of one couple, read with a LISTEN connection of the test's own."""

    SENTINEL = '{"k": "__sentinel__", "r": "00000000000000000000000000000000", "d": {}}'

    def __init__(self, connection: asyncpg.Connection, channel: str) -> None:
        self.connection = connection
        self.channel = channel
        self.events: list[BusEvent] = []
        self._sentinel = asyncio.Event()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        event = BusEvent.decode(payload)
        if event.kind == "__sentinel__":
            self._sentinel.set()
        else:
            self.events.append(event)

    async def settle(self) -> list[BusEvent]:
        """Every event committed before this call has arrived (NOTIFYs arrive in commit
        order, so a sentinel sent now arrives after them)."""
        self._sentinel.clear()
        await self.connection.execute("SELECT pg_notify($1, $2)", self.channel, self.SENTINEL)
        await asyncio.wait_for(self._sentinel.wait(), timeout=5)
        return self.events

    async def drain(self) -> list[BusEvent]:
        events = list(await self.settle())
        self.events.clear()
        return events


@asynccontextmanager
async def listening(database_url: str, relationship_id: uuid.UUID) -> AsyncIterator[EventLog]:
    connection = await asyncpg.connect(to_asyncpg_dsn(database_url))
    log = EventLog(connection, channel_for(relationship_id))
    await connection.add_listener(log.channel, log._on_notify)
    try:
        yield log
    finally:
        await connection.close()


@contextmanager
def counting_statements(
    engine: AsyncEngine, rows: asyncpg.Pool | None = None
) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs (Zulip-style query counts).

    `rows`: the app's raw asyncpg pool (the plain send path runs there), counted the same
    way: BEGIN/COMMIT are left out as the engine's cursor events leave them out, SAVEPOINTs
    are counted as they are there. Its connections are those the pool has opened when the
    block starts (sequential requests reuse them: the pool's queue is last in, first out).
    """
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def record_raw(logged: Any) -> None:
        # Like the engine's reset on return (a ROLLBACK, not a cursor event), asyncpg's reset
        # on release (pg_advisory_unlock_all ...) is the pool's, not the send path's.
        if not logged.query.startswith(("BEGIN", "COMMIT", "ROLLBACK;", "SELECT pg_advisory")):
            statements.append(logged.query)

    # asyncpg has no pool-wide query logger: attach one to each open connection.
    connections = [] if rows is None else [h._con for h in rows._holders if h._con is not None]
    for connection in connections:
        connection.add_query_logger(record_raw)
    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        for connection in connections:
            connection.remove_query_logger(record_raw)


async def assert_refused_unchanged(
    client: GraphQLClient,
    query: str,
    variables: dict[str, Any],
    code: str,
    *,
    pair: CoupleClients,
    database_url: str,
    rows: Callable[[], Awaitable[Any]],
    field: str | None = None,
) -> None:
    """The call fails with `code` (on `field`, when given), and neither `rows()` nor the
    couple's bus events change."""
    before = await rows()
    async with listening(database_url, uuid.UUID(pair.relationship_id)) as log:
        await log.drain()
        result = await client.execute(query, variables)
        assert result.codes == [code], result
        assert result.get("data") is None, result
        if field is not None:
            assert result["errors"][0]["extensions"].get("field") == field, result
        assert await log.drain() == []
    assert await rows() == before


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """The app (its lifespan already running) served by real uvicorn with our WebSocket
    protocol on a free port; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws=WS_PROTOCOL, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
