"""messageAdded over a real socket from a `serve` process with encryption at rest on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.crypto import generate_encryption_key
from luna_graphql.db.engine import to_asyncpg_dsn
from tests.procs import ServerProcess
from tests.realtime_ws.client import MESSAGE_ADDED, GqlWs, send_message
from tests.realtime_ws.conftest import make_partners, start_servers

pytestmark = pytest.mark.asyncio(loop_scope="session")

KEYS = generate_encryption_key("ws")
TEXT = "Home soon 🫶🏽 " + "x" * 200


@pytest.fixture(scope="module")
def sealed_server(
    shared_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    (server,) = start_servers(
        shared_database_url,
        tmp_path_factory.mktemp("sealed"),
        count=1,
        LUNA_ENCRYPTION_KEYS=KEYS,
    )
    yield server
    server.stop()


async def test_a_live_subscriber_reads_plain_text_of_a_sealed_row(
    sealed_server: ServerProcess,
    shared_database_url: str,
    shared_sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
) -> None:
    couple = await make_partners(shared_sessionmaker, http, sealed_server.base_url)
    backlog = await send_message(
        http, sealed_server.base_url, couple.a.token, couple.conversation_id, "before 💕"
    )
    ws = await GqlWs.open(sealed_server.base_url, {"token": couple.b.token})
    try:
        op = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id, "s": 0})
        assert (await op.next())["messageAdded"]["content"] == "before 💕"
        sent = await send_message(
            http, sealed_server.base_url, couple.a.token, couple.conversation_id, TEXT
        )
        got = (await op.next())["messageAdded"]
        assert (got["id"], got["content"]) == (sent["id"], TEXT)
    finally:
        await ws.close()

    raw = await asyncpg.connect(to_asyncpg_dsn(shared_database_url))
    try:
        rows = await raw.fetch(
            "SELECT content FROM partner_messages WHERE id = ANY($1::uuid[])",
            [uuid.UUID(backlog["id"]), uuid.UUID(sent["id"])],
        )
    finally:
        await raw.close()
    assert len(rows) == 2
    for row in rows:
        assert row["content"].startswith("enc:v1:ws:")
        assert "💕" not in row["content"] and "Home soon" not in row["content"]
    assert KEYS.partition(":")[2] not in sealed_server.log()
