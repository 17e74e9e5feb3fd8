"""A closed socket leaves nothing behind: its context, handler and operations are freed.

Served by real uvicorn with our WebSocket protocol, on real PostgreSQL. The app is fresh, so
its pools open connections from inside the sockets' own operations (which is where a
connection, or a timer of asyncpg's, once kept a copy of the socket's contextvars).
"""

from __future__ import annotations

import asyncio
import gc

import pytest
from starlette.applications import Starlette
from starlette.websockets import WebSocket

from luna_graphql.api.context import LunaContext
from luna_graphql.api.realtime_ws import TransportWSHandler
from luna_graphql.settings import Settings
from tests.api.conftest import make_settings
from tests.api.helpers import CoupleClients, serving
from tests.realtime_ws.client import GqlWs

pytestmark = pytest.mark.asyncio(loop_scope="session")

SOCKETS = 40
MESSAGES = """
subscription ($c: ID!, $s: Int) { messageAdded(conversationId: $c, afterSeq: $s) { seq content } }
"""
PRESENCE = "subscription { presence { status } }"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, ws_max_connections_per_user=SOCKETS)


def sockets_alive(app: Starlette) -> tuple[int, int]:
    """This app's socket contexts and protocol handlers still in memory (other tests' objects
    may linger in captured tracebacks and the like)."""
    gc.collect()
    runtime = app.state.runtime
    contexts = handlers = 0
    for obj in gc.get_objects():
        if (
            type(obj) is LunaContext
            and obj.runtime is runtime
            and isinstance(obj.request, WebSocket)
        ):
            contexts += 1
        elif type(obj) is TransportWSHandler and obj.context.runtime is runtime:
            handlers += 1
    return contexts, handlers


async def test_closed_sockets_leave_nothing_pinned(app: Starlette, pair: CoupleClients) -> None:
    presence = app.state.runtime.realtime.presence
    async with serving(app) as base_url:
        for round_ in range(2):
            sockets = [await GqlWs.open(base_url, {"token": pair.b.token}) for _ in range(SOCKETS)]
            streams = []
            for ws in sockets:
                # Each round sends one message: seq round_ + 1.
                streams.append(
                    await ws.subscribe(MESSAGES, {"c": pair.conversation_id, "s": round_})
                )
                await ws.subscribe(PRESENCE)
            await pair.send(pair.a, f"round {round_}")
            for stream in streams:
                assert (await stream.next())["messageAdded"]["content"] == f"round {round_}"
            contexts, handlers = sockets_alive(app)
            assert contexts >= SOCKETS and handlers >= SOCKETS
            for ws in sockets:
                await ws.close()
            del sockets, streams, ws, stream
            for _ in range(100):
                if presence.connection_count == 0:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)  # the handlers' shutdowns finish after the goodbyes
            assert sockets_alive(app) == (0, 0)
