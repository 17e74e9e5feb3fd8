"""Seen from the partner's side, a Luna-assisted message is an ordinary message.

The partner's `message`, `messages`, `conversation` (unreadCount, lastMessagePreview),
`mySuggestions`, bus events and live `messageAdded` payloads are compared with those of a
message Luna never touched: the same shape, byte for byte once ids, text and times are
masked. Reviews that sent nothing leave no trace for the partner at all.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect

from luna_graphql.api.schema import SUBSCRIPTIONS
from tests.api.conftest import TEST_SECRET
from tests.api.helpers import (
    CONVERSATION,
    MESSAGE_FIELDS,
    CoupleClients,
    GraphQLClient,
    listening,
    token_for,
)
from tests.factories import make_couple
from tests.luna.helpers import KNOWN, MY_SUGGESTIONS, SAFE, SEVERE, respond, send, set_luna
from tests.procs import start_server, wait_healthy

LUNA_FIELDS = ("lunaIntervened", "interventionType", "interventionAccepted", "originalContent")
# Values that differ between any two messages; everything else must match exactly.
VARYING = ("id", "seq", "content", "sentAt", "createdAt", "conversationId")
SINGLE = f"query($id: ID!) {{ message(id: $id) {{ {MESSAGE_FIELDS} }} }}"
HISTORY = f"query($id: ID!) {{ messages(conversationId: $id) {{ edges {{ node {{ {MESSAGE_FIELDS} }} }} }} }}"


def masked(message: dict[str, Any]) -> str:
    return json.dumps({k: "<v>" if k in VARYING else v for k, v in message.items()})


async def luna_assisted_and_untouched(pair: CoupleClients) -> tuple[dict[str, Any], dict[str, Any]]:
    """Alex sends one message Luna rewrote (ALWAYS mode, ACCEPTED) and one it never saw."""
    await set_luna(pair.a, suggestionMode="ALWAYS", interventionSensitivity="HIGH")
    stopped = await send(pair, pair.a, KNOWN)
    answer = await respond(pair.a, stopped["review"]["suggestion"]["id"], "ACCEPTED")
    assisted = answer["message"]
    assert assisted["lunaIntervened"] and assisted["originalContent"] == KNOWN
    await set_luna(pair.a, suggestionMode="OFF")
    untouched = (await send(pair, pair.a, SAFE))["message"]
    return assisted, untouched


async def raw(client: GraphQLClient, query: str, variables: dict[str, Any]) -> str:
    response = await client.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=client.headers()
    )
    assert response.status_code == 200
    return response.text


def assert_no_luna(text: str) -> None:
    for secret in (KNOWN, "SUGGESTION", "WARNING", "REFRAME", "suggestion"):
        assert secret not in text, secret


async def test_partner_reads_an_ordinary_message(pair: CoupleClients, database_url: str) -> None:
    async with listening(database_url, pair.couple.relationship.id) as events:
        assisted, untouched = await luna_assisted_and_untouched(pair)
        added = [e for e in await events.drain() if e.kind == "message_added"]

    # message(id)
    seen = []
    for message in (assisted, untouched):
        text = await raw(pair.b, SINGLE, {"id": message["id"]})
        assert_no_luna(text)
        seen.append(json.loads(text)["data"]["message"])
    assert masked(seen[0]) == masked(seen[1])
    assert {k: seen[0][k] for k in LUNA_FIELDS} == dict.fromkeys(LUNA_FIELDS, None) | {
        "lunaIntervened": False
    }

    # messages(...)
    text = await raw(pair.b, HISTORY, {"id": pair.conversation_id})
    assert_no_luna(text)
    nodes = [edge["node"] for edge in json.loads(text)["data"]["messages"]["edges"]]
    assert [n["id"] for n in nodes] == [assisted["id"], untouched["id"]]
    assert masked(nodes[0]) == masked(nodes[1])

    # Bus events: ids and seq only, the same keys for both.
    assert [e.data["id"] for e in added] == [assisted["id"], untouched["id"]]
    assert added[0].data.keys() == added[1].data.keys()
    assert_no_luna(json.dumps([e.data for e in added]))


async def test_reviews_that_sent_nothing_leave_no_trace(
    pair: CoupleClients, database_url: str
) -> None:
    await send(pair, pair.a, "hello")
    before = await raw(pair.b, CONVERSATION, {})
    await set_luna(pair.a, suggestionMode="ALWAYS")

    async with listening(database_url, pair.couple.relationship.id) as events:
        stopped = await send(pair, pair.a, SEVERE)
        assert stopped["__typename"] == "LunaReviewRequired"
        await respond(pair.a, stopped["review"]["suggestion"]["id"], "IGNORED")
        await pair.a.data(
            "mutation($i: ReviewMessageInput!) { reviewMessage(input: $i) { source } }",
            {"i": {"conversationId": pair.conversation_id, "draft": KNOWN}},
        )
        assert await events.drain() == []  # nothing on the bus: the partner's clients can't tell

    after = await raw(pair.b, CONVERSATION, {})
    assert after == before  # unreadCount, lastMessagePreview, messageCount, lastSeq unchanged
    conversation = json.loads(after)["data"]["conversation"]
    assert conversation["unreadCount"] == 1 and conversation["lastMessagePreview"] == "hello"


async def test_counts_and_preview_show_only_what_was_sent(pair: CoupleClients) -> None:
    _, untouched = await luna_assisted_and_untouched(pair)
    conversation = (await pair.b.data(CONVERSATION))["conversation"]
    assert conversation["unreadCount"] == 2 and conversation["messageCount"] == 2
    assert conversation["lastMessagePreview"] == untouched["content"]
    await set_luna(pair.a, suggestionMode="ALWAYS")
    stopped = await send(pair, pair.a, KNOWN)
    final = await respond(pair.a, stopped["review"]["suggestion"]["id"], "ACCEPTED")
    conversation = (await pair.b.data(CONVERSATION))["conversation"]
    assert conversation["lastMessagePreview"] == final["message"]["content"][:100]
    assert conversation["unreadCount"] == 3
    assert_no_luna(await raw(pair.b, CONVERSATION, {}))


async def test_partners_suggestions_are_invisible(pair: CoupleClients) -> None:
    await luna_assisted_and_untouched(pair)
    text = await raw(pair.b, MY_SUGGESTIONS, {"id": pair.conversation_id})
    assert json.loads(text)["data"]["mySuggestions"]["edges"] == []
    assert_no_luna(text)
    mine = (await pair.a.data(MY_SUGGESTIONS, {"id": pair.conversation_id}))["mySuggestions"]
    assert len(mine["edges"]) == 1


MESSAGE_ADDED = f"""
subscription($c: ID!) {{ messageAdded(conversationId: $c) {{ {MESSAGE_FIELDS} }} }}
"""


async def test_live_subscription_payloads_look_untouched(
    database_url: str, session: AsyncSession, settings: Any, tmp_path: Path
) -> None:
    if not SUBSCRIPTIONS:
        pytest.skip("realtime subscriptions are not in the schema yet (events are tested above)")
    env = {
        "LUNA_DATABASE_URL": database_url,
        "LUNA_JWT_SECRET": TEST_SECRET,
        "LUNA_ASSISTANT_PROVIDER": "local",
        "LUNA_ANALYSIS_WORKER_ENABLED": "false",
        "LUNA_RATE_LIMIT_SEND": "10000/minute",
    }
    server = start_server(env, tmp_path, name="luna")
    try:
        await asyncio.to_thread(wait_healthy, server)
        couple = await make_couple(session)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
            a = GraphQLClient(http, token_for(settings, couple.partner_a.id))
            b = GraphQLClient(http, token_for(settings, couple.partner_b.id))
            conversation_id = (await a.data(CONVERSATION))["conversation"]["id"]
            pair = CoupleClients(couple, a, b, conversation_id, str(couple.relationship.id), "", "")
            url = server.base_url.replace("http://", "ws://") + "/graphql"
            async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
                await ws.send(
                    json.dumps({"type": "connection_init", "payload": {"token": b.token}})
                )
                assert json.loads(await ws.recv())["type"] == "connection_ack"
                await ws.send(
                    json.dumps(
                        {
                            "id": "1",
                            "type": "subscribe",
                            "payload": {
                                "query": MESSAGE_ADDED,
                                "variables": {"c": conversation_id},
                            },
                        }
                    )
                )
                await asyncio.sleep(0.5)  # let the subscription register before sending
                assisted, untouched = await luna_assisted_and_untouched(pair)
                frames: list[str | bytes] = []
                while len(frames) < 2:
                    frame = await asyncio.wait_for(ws.recv(), timeout=10)
                    if json.loads(frame).get("type") == "next":
                        frames.append(frame)
    finally:
        server.stop()

    for frame in frames:
        assert_no_luna(str(frame))
    live = [json.loads(frame)["payload"]["data"]["messageAdded"] for frame in frames]
    assert [m["id"] for m in live] == [assisted["id"], untouched["id"]]
    assert masked(live[0]) == masked(live[1])
    assert live[0]["lunaIntervened"] is False and live[0]["originalContent"] is None
