"""The listener dies (terminated backend, PostgreSQL restart) during a live subscription.

Runs on a throwaway PostgreSQL of its own: restarting the shared server would break every
other test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from luna_graphql.db.engine import build_engine, build_sessionmaker
from tests.pgtools import ThrowawayPostgres
from tests.realtime_ws.client import MESSAGE_ADDED, GqlWs, send_message
from tests.realtime_ws.conftest import make_partners, start_servers

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def restartable() -> Iterator[ThrowawayPostgres]:
    with ThrowawayPostgres() as server:
        yield server


async def send_retrying(
    http: httpx.AsyncClient, base_url: str, token: str, conversation_id: str, text: str
) -> Any:
    """A client retries a send that failed while the database was away."""
    for _ in range(40):
        try:
            return await send_message(http, base_url, token, conversation_id, text)
        except (AssertionError, httpx.HTTPError, ValueError):
            await asyncio.sleep(0.25)
    raise AssertionError(f"could not send {text!r}")


async def test_listener_loss_and_postgres_restart_lose_nothing(
    restartable: ThrowawayPostgres, tmp_path: Path
) -> None:
    servers = start_servers(restartable.dsn, tmp_path, sequential=True)
    engine = build_engine(restartable.dsn, pool_size=1, max_overflow=2)
    one, two = servers
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            couple = await make_partners(build_sessionmaker(engine), http, one.base_url)
            await engine.dispose()
            ws = await GqlWs.open(two.base_url, {"token": couple.b.token})
            op = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id, "s": 0})
            expected: list[str] = []

            async def send(text: str) -> None:
                await send_retrying(
                    http, one.base_url, couple.a.token, couple.conversation_id, text
                )
                expected.append(text)

            await send("before")
            received = [(await op.next())["messageAdded"]["content"]]

            admin = await asyncpg.connect(restartable.dsn)
            try:
                killed = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = 'luna-graphql-listen'"
                )
            finally:
                await admin.close()
            assert killed == 2  # one LISTEN connection per process, not per socket
            for i in range(3):
                await send(f"after terminate {i}")

            await asyncio.to_thread(restartable.restart, 1.0)
            for i in range(3):
                await send(f"after restart {i}")

            while len(received) < len(expected):
                received.append((await op.next(timeout=30))["messageAdded"]["content"])
            await op.nothing(0.5)
            assert received == expected
            await ws.close()
    finally:
        for server in servers:
            server.stop()
        await engine.dispose()
