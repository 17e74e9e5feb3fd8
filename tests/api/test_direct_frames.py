"""Direct frames: a busy conversation's live messages written by the fan-out, over real
WebSockets to the app served by uvicorn with our WebSocket protocol, on real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from starlette.applications import Starlette

from luna_graphql.realtime.events import channel_for
from luna_graphql.realtime.inbox import Subscription
from tests.api.helpers import CoupleClients, serving
from tests.realtime_ws.client import GqlWs, Operation

pytestmark = pytest.mark.asyncio(loop_scope="session")

PLAIN = """
subscription ($c: ID!) {
  messageAdded(conversationId: $c) { id seq content isMine clientMessageId status }
}"""
# `analysis` resolves asynchronously: such a subscription is never written to directly.
WITH_ANALYSIS = """
subscription ($c: ID!) {
  messageAdded(conversationId: $c) { seq content analysis { sentimentLabel } }
}"""


def inboxes(app: Starlette, pair: CoupleClients) -> list[Subscription]:
    broadcast = app.state.runtime.realtime.bus.broadcast
    return list(broadcast._subs.get(channel_for(uuid.UUID(pair.relationship_id)), ()))


async def test_live_messages_reach_every_subscriber_in_order_through_direct_frames(
    app: Starlette, pair: CoupleClients
) -> None:
    async with serving(app) as base_url:
        sockets: list[GqlWs] = []
        plain: list[tuple[str, Operation]] = []
        try:
            for i in range(6):
                who = "a" if i % 2 == 0 else "b"
                client = pair.a if who == "a" else pair.b
                ws = await GqlWs.open(base_url, {"token": client.token})
                sockets.append(ws)
                plain.append((who, await ws.subscribe(PLAIN, {"c": pair.conversation_id})))
            analysed = await sockets[1].subscribe(WITH_ANALYSIS, {"c": pair.conversation_id})
            for _ in range(100):
                if len(inboxes(app, pair)) == 7:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # every subscription has read its backlog and waits
            sent = [
                await pair.send(pair.a, f"message {n}", clientMessageId=f"key-{n}")
                for n in range(1, 5)
            ]
            for who, operation in plain:
                got = [await operation.next() for _ in sent]
                assert [data["messageAdded"]["seq"] for data in got] == [1, 2, 3, 4]
                for data, message in zip(got, sent, strict=True):
                    added = data["messageAdded"]
                    assert added["id"] == message["id"]
                    # The sender's own key, and "mine", for partner A's sockets only.
                    assert added["isMine"] is (who == "a")
                    assert added["clientMessageId"] == (
                        message["clientMessageId"] if who == "a" else None
                    )
                await operation.nothing(0.2)
            got = [(await analysed.next())["messageAdded"]["seq"] for _ in sent]
            assert got == [1, 2, 3, 4]
            pushed = sorted(inbox.pushed for inbox in inboxes(app, pair))
        finally:
            for ws in sockets:
                await ws.close()
    # The analysed subscription was woken for every message; the others took at least the
    # messages after their first directly (the first tells whether events run synchronously).
    assert pushed[0] == 0
    assert all(count >= 3 for count in pushed[1:]), pushed
