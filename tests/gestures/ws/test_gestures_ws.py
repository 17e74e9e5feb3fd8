"""Gestures over real WebSockets across two server processes on real PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.procs import ServerProcess
from tests.realtime_ws.client import GqlWs, Operation, gql
from tests.realtime_ws.conftest import Couple, Partner, make_partners

pytestmark = pytest.mark.asyncio(loop_scope="session")

GESTURES = """
subscription ($r: ID) {
  gestures(relationshipId: $r) {
    __typename
    ... on GestureReceived { gesture { id gestureType sentBy isMine message deliveredAt } }
    ... on GestureAcknowledged {
      gesture { id acknowledgedBy responseGestureId }
      responseGesture { id gestureType sentBy message }
    }
  }
}"""

SEND = """
mutation ($input: SendGestureInput!) {
  sendGesture(input: $input) { recipientOnline gesture { id deliveredAt } }
}"""

ACKNOWLEDGE = """
mutation ($input: AcknowledgeGestureInput!) {
  acknowledgeGesture(input: $input) {
    acknowledged gesture { id responseGestureId } responseGesture { id }
  }
}"""

ONE = "query ($id: ID!) { gesture(id: $id) { id deliveredAt acknowledgedAt } }"
PENDING = "{ pendingGestures { id } }"


async def subscribe(server: ServerProcess, partner: Partner) -> tuple[GqlWs, Operation]:
    ws = await GqlWs.open(server.base_url, {"Authorization": f"Bearer {partner.token}"})
    return ws, await ws.subscribe(GESTURES)


async def send(
    http: httpx.AsyncClient, server: ServerProcess, partner: Partner, **fields: Any
) -> dict[str, Any]:
    data = await gql(
        http, server.base_url, partner.token, SEND, {"input": {"gestureType": "HUG", **fields}}
    )
    payload: dict[str, Any] = data["sendGesture"]
    return payload


async def delivered_at(
    http: httpx.AsyncClient, server: ServerProcess, partner: Partner, gesture_id: str
) -> str:
    """The gesture's deliveredAt once set (the stream stamps it right after the push)."""
    async with asyncio.timeout(10):
        while True:
            data = await gql(http, server.base_url, partner.token, ONE, {"id": gesture_id})
            if data["gesture"]["deliveredAt"] is not None:
                return str(data["gesture"]["deliveredAt"])
            await asyncio.sleep(0.05)


async def test_a_gesture_reaches_the_partner_live_on_another_process(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    ws, op = await subscribe(two, couple.b)  # Blair is connected to process 2 only
    try:
        sent = await send(http, one, couple.a, gestureType="KISS", message="mwah")
        assert sent["recipientOnline"] is True
        assert sent["gesture"]["deliveredAt"] is None
        event = (await op.next())["gestures"]
        assert event == {
            "__typename": "GestureReceived",
            "gesture": {
                "id": sent["gesture"]["id"],
                "gestureType": "KISS",
                "sentBy": "PARTNER_A",
                "isMine": False,
                "message": "mwah",
                "deliveredAt": None,
            },
        }
        assert await delivered_at(http, one, couple.a, sent["gesture"]["id"])
        await op.nothing()
    finally:
        await ws.close()


async def test_offline_gesture_waits_in_pending_and_arrives_on_connect(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    first = await send(http, one, couple.a, gestureType="THINKING_OF_YOU")
    second = await send(http, one, couple.a)
    assert first["recipientOnline"] is False and second["recipientOnline"] is False
    pending = (await gql(http, two.base_url, couple.b.token, PENDING))["pendingGestures"]
    assert [g["id"] for g in pending] == [first["gesture"]["id"], second["gesture"]["id"]]

    acked = await gql(
        http,
        two.base_url,
        couple.b.token,
        ACKNOWLEDGE,
        {"input": {"gestureId": first["gesture"]["id"]}},
    )
    assert acked["acknowledgeGesture"]["acknowledged"] is True
    pending = (await gql(http, two.base_url, couple.b.token, PENDING))["pendingGestures"]
    assert [g["id"] for g in pending] == [second["gesture"]["id"]]

    # Blair comes online: what no device received yet is pushed, and now counts as delivered.
    ws, op = await subscribe(two, couple.b)
    try:
        event = (await op.next())["gestures"]
        assert (event["__typename"], event["gesture"]["id"]) == (
            "GestureReceived",
            second["gesture"]["id"],
        )
        await delivered_at(http, one, couple.a, second["gesture"]["id"])
        await op.nothing()
    finally:
        await ws.close()


async def test_acknowledge_with_send_back_reaches_the_original_sender_linked(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    original = (await send(http, two, couple.a, gestureType="HUG"))["gesture"]
    ws, op = await subscribe(one, couple.a)  # Alex listens on process 1
    try:
        await op.nothing(0.3)
        acked = (
            await gql(
                http,
                two.base_url,
                couple.b.token,
                ACKNOWLEDGE,
                {
                    "input": {
                        "gestureId": original["id"],
                        "sendBack": True,
                        "sendBackType": "KISS",
                        "sendBackMessage": "back at you",
                    }
                },
            )
        )["acknowledgeGesture"]
        response_id = acked["responseGesture"]["id"]
        assert acked["gesture"]["responseGestureId"] == response_id

        events = [(await op.next())["gestures"] for _ in range(2)]
        by_type = {event["__typename"]: event for event in events}
        assert by_type["GestureReceived"]["gesture"]["id"] == response_id
        assert by_type["GestureAcknowledged"] == {
            "__typename": "GestureAcknowledged",
            "gesture": {
                "id": original["id"],
                "acknowledgedBy": "PARTNER_B",
                "responseGestureId": response_id,
            },
            "responseGesture": {
                "id": response_id,
                "gestureType": "KISS",
                "sentBy": "PARTNER_B",
                "message": "back at you",
            },
        }
        # The response reached its recipient (Alex) live: delivered.
        await delivered_at(http, two, couple.b, response_id)
        await op.nothing()
    finally:
        await ws.close()


async def test_another_couples_relationship_is_refused_in_the_resolver(
    servers: list[ServerProcess],
    couple: Couple,
    http: httpx.AsyncClient,
    shared_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    _, two = servers
    others = await make_partners(shared_sessionmaker, http, two.base_url)
    ws = await GqlWs.open(two.base_url, {"token": couple.a.token})
    try:
        op = await ws.subscribe(GESTURES, {"r": others.relationship_id})
        message = await op.message()
        assert message["type"] == "error", message
        assert [e["extensions"]["code"] for e in message["payload"]] == ["NOT_FOUND"]
        # The socket stays usable for the viewer's own couple.
        own = await ws.subscribe(GESTURES, {"r": couple.relationship_id})
        await own.nothing(0.3)
    finally:
        await ws.close()
