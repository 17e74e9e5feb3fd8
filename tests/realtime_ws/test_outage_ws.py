"""The database goes away while clients are connected, and comes back.

Runs real `serve` processes on a throwaway PostgreSQL of the test's own (stopping the shared
server would break every other test). The bounds are the issue's: the partner sees the
truth within the heartbeat interval, and new messages flow within 5 s of the database
answering again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from luna_graphql.db.engine import build_engine, build_sessionmaker
from tests.pgtools import ThrowawayPostgres
from tests.procs import ServerProcess
from tests.realtime_ws.client import MESSAGE_ADDED, SEND, Closed, GqlWs, send_message
from tests.realtime_ws.conftest import Couple, make_partners, start_servers

pytestmark = pytest.mark.asyncio(loop_scope="session")

HEARTBEAT_S = 5
OUTAGE_S = 30
RECOVERY_S = 5.0
PRESENCE = "subscription ($r: ID) { presence(relationshipId: $r) { status } }"


@pytest.fixture
def restartable() -> Iterator[ThrowawayPostgres]:
    with ThrowawayPostgres() as server:
        yield server


@pytest.fixture
async def server(restartable: ThrowawayPostgres, tmp_path: Path) -> AsyncIterator[ServerProcess]:
    (running,) = start_servers(
        restartable.dsn,
        tmp_path,
        count=1,
        sequential=True,
        LUNA_PRESENCE_HEARTBEAT_S=str(HEARTBEAT_S),
        LUNA_WS_MAX_CONNECTIONS_PER_USER="2",
    )
    yield running
    running.stop()


@pytest.fixture
async def couple(restartable: ThrowawayPostgres, server: ServerProcess) -> Couple:
    engine = build_engine(restartable.dsn, pool_size=1, max_overflow=0)
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            return await make_partners(build_sessionmaker(engine), http, server.base_url)
    finally:
        await engine.dispose()


async def raw_send(http: httpx.AsyncClient, base_url: str, token: str, c: str, t: str) -> Any:
    response = await http.post(
        f"{base_url}/graphql",
        json={"query": SEND, "variables": {"c": c, "t": t}},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.json()


async def test_sockets_closed_during_an_outage_release_presence_and_the_cap(
    restartable: ThrowawayPostgres, server: ServerProcess, couple: Couple
) -> None:
    watcher = await GqlWs.open(server.base_url, {"token": couple.a.token})
    try:
        presence = await watcher.subscribe(PRESENCE, {"r": couple.relationship_id})
        assert (await presence.next())["presence"]["status"] == "OFFLINE"
        sockets = [await GqlWs.open(server.base_url, {"token": couple.b.token}) for _ in range(2)]
        assert (await presence.next())["presence"]["status"] == "ONLINE"

        await asyncio.to_thread(restartable.stop_server)
        for ws in sockets:  # their goodbyes find no database
            await ws.close()
        await asyncio.sleep(1.0)
        await asyncio.to_thread(restartable.start_server)

        status = (await presence.next(timeout=HEARTBEAT_S))["presence"]["status"]
        assert status == "OFFLINE"
        # The cap (2 per user) counts open sockets, not rows the outage left behind.
        sockets = [await GqlWs.open(server.base_url, {"token": couple.b.token}) for _ in range(2)]
        assert (await presence.next())["presence"]["status"] == "ONLINE"
        for ws in sockets:
            await ws.close()
        assert (await presence.next(timeout=HEARTBEAT_S))["presence"]["status"] == "OFFLINE"
    finally:
        await watcher.close()


async def test_an_outage_answers_a_retryable_code_and_delivery_resumes_at_once(
    restartable: ThrowawayPostgres, server: ServerProcess, couple: Couple
) -> None:
    ws = await GqlWs.open(server.base_url, {"token": couple.b.token})
    try:
        op = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id, "s": 0})
        async with httpx.AsyncClient(timeout=10) as http:
            await send_message(
                http, server.base_url, couple.a.token, couple.conversation_id, "before"
            )
            assert (await op.next())["messageAdded"]["content"] == "before"

            await asyncio.to_thread(restartable.stop_server)
            # The outage of the outside test (30 s): any growing backoff has long outgrown the
            # recovery bound by then.
            outage_ends = time.monotonic() + OUTAGE_S
            while time.monotonic() < outage_ends:
                body = await raw_send(
                    http, server.base_url, couple.a.token, couple.conversation_id, "lost"
                )
                (error,) = body["errors"]
                assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", body
                assert error["extensions"]["retryAfter"] > 0
                await asyncio.sleep(1.0)
            # A socket opened now is told to come back later (graphql-ws clients retry 1013).
            refused = await GqlWs.open(server.base_url, init=False)
            await refused.send({"type": "connection_init", "payload": {"token": couple.a.token}})
            with pytest.raises(Closed) as closed:
                await refused.control_message()
            assert closed.value.code == 1013
            await refused.close()

            await asyncio.to_thread(restartable.start_server)
            back = time.monotonic()
            while "errors" in await raw_send(
                http, server.base_url, couple.a.token, couple.conversation_id, "after"
            ):
                assert time.monotonic() - back < RECOVERY_S, "sends still failing"
                await asyncio.sleep(0.2)
            assert (await op.next(timeout=RECOVERY_S))["messageAdded"]["content"] == "after"
            assert time.monotonic() - back < RECOVERY_S
            await op.nothing(0.5)  # nothing lost in the outage was stored, nothing twice
    finally:
        await ws.close()
