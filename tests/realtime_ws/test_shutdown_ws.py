"""Graceful shutdown: sockets get a proper close and clients resume on another process."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, NegotiationError

from tests.procs import ServerProcess
from tests.realtime_ws.client import MESSAGE_ADDED, GqlWs, send_message
from tests.realtime_ws.conftest import Couple, start_servers

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_sigterm_closes_sockets_properly_and_clients_resume_elsewhere(
    servers: list[ServerProcess],
    couple: Couple,
    http: httpx.AsyncClient,
    shared_database_url: str,
    tmp_path: Path,
) -> None:
    (leaving,) = start_servers(shared_database_url, tmp_path, count=1)
    try:
        ws = await GqlWs.open(leaving.base_url, {"token": couple.b.token})
        op = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id, "s": 0})
        await send_message(
            http, servers[0].base_url, couple.a.token, couple.conversation_id, "before"
        )
        last = (await op.next())["messageAdded"]["seq"]
        leaving.process.send_signal(signal.SIGTERM)
        code, _ = await ws.wait_closed(timeout=15)
        assert code in (1001, 1012)  # going away / service restart: clients reconnect
        assert leaving.process.wait(20) == 0  # a clean shutdown
    finally:
        leaving.stop()
    await send_message(
        http, servers[0].base_url, couple.a.token, couple.conversation_id, "while moving"
    )
    ws = await GqlWs.open(servers[1].base_url, {"token": couple.b.token})
    try:
        op = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id, "s": last})
        assert (await op.next())["messageAdded"]["content"] == "while moving"
    finally:
        await ws.close()


async def test_legacy_graphql_ws_protocol_is_off_by_default(servers: list[ServerProcess]) -> None:
    url = servers[1].base_url.replace("http://", "ws://") + "/graphql"
    with pytest.raises((InvalidStatus, NegotiationError, AssertionError)):
        async with connect(url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
            assert ws.subprotocol == "graphql-ws"
            await ws.recv()
