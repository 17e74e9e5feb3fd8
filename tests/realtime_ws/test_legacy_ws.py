"""The legacy `graphql-ws` subprotocol works when LUNA_GRAPHQL_WS_LEGACY turns it on (its
default is off: see test_shutdown_ws), with the same authentication and delivery."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import connect

from tests.procs import ServerProcess
from tests.realtime_ws.client import MESSAGE_ADDED, send_message
from tests.realtime_ws.conftest import make_partners, start_servers

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
def legacy_server(
    shared_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    [server] = start_servers(
        shared_database_url,
        tmp_path_factory.mktemp("legacy"),
        count=1,
        LUNA_GRAPHQL_WS_LEGACY="true",
    )
    yield server
    server.stop()


async def test_legacy_protocol_authenticates_and_delivers(
    legacy_server: ServerProcess,
    http: httpx.AsyncClient,
    shared_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    couple = await make_partners(shared_sessionmaker, http, legacy_server.base_url)
    url = legacy_server.base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "graphql-ws"
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": couple.b.token}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "start",
                    "payload": {
                        "query": MESSAGE_ADDED,
                        # afterSeq 0: the backlog covers a send that beats the subscription.
                        "variables": {"c": couple.conversation_id, "s": 0},
                    },
                }
            )
        )
        await send_message(
            http, legacy_server.base_url, couple.a.token, couple.conversation_id, "old clients too"
        )
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] != "ka":  # the legacy protocol's keep-alives
                break
        assert frame["type"] == "data", frame
        assert frame["payload"]["data"]["messageAdded"]["content"] == "old clients too"


async def test_legacy_protocol_refuses_a_bad_token(legacy_server: ServerProcess) -> None:
    url = legacy_server.base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": "nope"}}))
        frame = json.loads(await ws.recv())
        assert frame["type"] == "connection_error", frame
