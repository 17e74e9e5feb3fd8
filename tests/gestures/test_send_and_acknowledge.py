"""Sending to an offline partner, pending gestures, acknowledging and sending back (HTTP)."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import ConnectionGesture
from tests.api.helpers import CoupleClients, listening
from tests.gestures.helpers import (
    ACKNOWLEDGE,
    ONE,
    RECENT,
    SEND_GESTURE,
    acknowledge,
    gesture_rows,
    pending_ids,
    send_gesture,
)


async def test_offline_partner_finds_it_pending_until_acknowledged(
    pair: CoupleClients, database_url: str, session: AsyncSession
) -> None:
    async with listening(database_url, uuid.UUID(pair.relationship_id)) as log:
        sent = await send_gesture(
            pair.a, gestureType="THINKING_OF_YOU", message="  miss you already \n"
        )
        gesture = sent["gesture"]
        assert sent["recipientOnline"] is False  # Blair has no socket anywhere
        assert (gesture["gestureType"], gesture["sentBy"], gesture["isMine"]) == (
            "THINKING_OF_YOU",
            "PARTNER_A",
            True,
        )
        assert gesture["message"] == "miss you already"  # trimmed
        assert gesture["deliveredAt"] is None and gesture["acknowledgedAt"] is None
        events = await log.drain()
        assert [(e.kind, e.data) for e in events] == [
            ("gesture_received", {"id": gesture["id"], "sent_by": "partner_a"})
        ]

        assert await pending_ids(pair.b) == [gesture["id"]]
        assert await pending_ids(pair.a) == []  # sent BY the viewer is not pending for them

        acked = await acknowledge(pair.b, gesture["id"])
        assert acked["acknowledged"] is True and acked["responseGesture"] is None
        assert acked["gesture"]["acknowledgedBy"] == "PARTNER_B"
        assert acked["gesture"]["acknowledgedAt"] is not None
        # Acknowledging proves delivery.
        assert acked["gesture"]["deliveredAt"] is not None
        assert await pending_ids(pair.b) == []
        events = await log.drain()
        assert [(e.kind, e.data) for e in events] == [
            (
                "gesture_acknowledged",
                {"id": gesture["id"], "sent_by": "partner_a", "response_id": None},
            )
        ]
    rows = await gesture_rows(session)
    assert len(rows) == 1


async def test_pending_is_oldest_first_and_recent_newest_first(pair: CoupleClients) -> None:
    first = (await send_gesture(pair.a, gestureType="HUG"))["gesture"]["id"]
    second = (await send_gesture(pair.a, gestureType="KISS"))["gesture"]["id"]
    mine = (await send_gesture(pair.b, gestureType="HUG"))["gesture"]["id"]
    assert await pending_ids(pair.b) == [first, second]
    assert await pending_ids(pair.a) == [mine]
    recent = (await pair.a.data(RECENT))["recentGestures"]
    assert [g["id"] for g in recent] == [mine, second, first]
    assert [g["isMine"] for g in recent] == [False, True, True]
    two = (await pair.b.data(RECENT, {"limit": 2}))["recentGestures"]
    assert [g["id"] for g in two] == [mine, second]


async def test_acknowledge_with_send_back_links_the_response_in_one_step(
    pair: CoupleClients, database_url: str, session: AsyncSession
) -> None:
    original = (await send_gesture(pair.a, gestureType="KISS", message="x"))["gesture"]
    async with listening(database_url, uuid.UUID(pair.relationship_id)) as log:
        await log.drain()
        acked = await acknowledge(
            pair.b,
            original["id"],
            sendBack=True,
            sendBackType="HUG",
            sendBackMessage=" right back at you ",
        )
        response = acked["responseGesture"]
        assert acked["acknowledged"] is True
        assert acked["gesture"]["responseGestureId"] == response["id"]
        assert (response["gestureType"], response["sentBy"], response["message"]) == (
            "HUG",
            "PARTNER_B",
            "right back at you",
        )
        events = await log.drain()
        assert [(e.kind, e.data) for e in events] == [
            ("gesture_received", {"id": response["id"], "sent_by": "partner_b"}),
            (
                "gesture_acknowledged",
                {"id": original["id"], "sent_by": "partner_a", "response_id": response["id"]},
            ),
        ]
    # The response now waits for Alex; the original is done.
    assert await pending_ids(pair.a) == [response["id"]]
    assert await pending_ids(pair.b) == []
    seen_by_a = (await pair.a.data(ONE, {"id": original["id"]}))["gesture"]
    assert seen_by_a["responseGestureId"] == response["id"]
    assert seen_by_a["acknowledgedBy"] == "PARTNER_B"

    await session.rollback()
    stored = await session.get(ConnectionGesture, uuid.UUID(original["id"]))
    assert stored is not None and stored.response_gesture_id == uuid.UUID(response["id"])
    # Same transaction: the acknowledgement and the response carry the same database time.
    reply = await session.get(ConnectionGesture, uuid.UUID(response["id"]))
    assert reply is not None and reply.sent_at == stored.acknowledged_at


async def test_send_back_without_a_type_returns_the_same_kind(pair: CoupleClients) -> None:
    original = (await send_gesture(pair.a, gestureType="THINKING_OF_YOU"))["gesture"]
    acked = await acknowledge(pair.b, original["id"], sendBack=True)
    assert acked["responseGesture"]["gestureType"] == "THINKING_OF_YOU"
    assert acked["responseGesture"]["message"] is None


async def test_idempotent_client_gesture_id(
    pair: CoupleClients, database_url: str, session: AsyncSession
) -> None:
    async with listening(database_url, uuid.UUID(pair.relationship_id)) as log:
        first = await send_gesture(pair.a, clientGestureId="tap-1", message="one")
        retry = await send_gesture(pair.a, clientGestureId="tap-1", message="changed")
        assert retry["gesture"]["id"] == first["gesture"]["id"]
        assert retry["gesture"]["message"] == "one"  # the first request already happened
        assert first["gesture"]["clientGestureId"] == "tap-1"
        # The same key from the other partner is a different gesture.
        other = await send_gesture(pair.b, clientGestureId="tap-1")
        assert other["gesture"]["id"] != first["gesture"]["id"]
        assert len(await log.drain()) == 2  # one event per gesture created, none for the retry
    # The key is the sender's business.
    seen_by_b = (await pair.b.data(ONE, {"id": first["gesture"]["id"]}))["gesture"]
    assert seen_by_b["clientGestureId"] is None
    await session.rollback()
    count = len(list(await session.scalars(select(ConnectionGesture.id))))
    assert count == 2


async def test_ai_generated_flag_is_kept(pair: CoupleClients) -> None:
    sent = await send_gesture(pair.a, message="from Luna", aiGenerated=True)
    assert sent["gesture"]["aiGenerated"] is True
    plain = await send_gesture(pair.a)
    assert plain["gesture"]["aiGenerated"] is False and plain["gesture"]["message"] is None


async def test_two_devices_acknowledging_at_once_one_wins(
    pair: CoupleClients, session: AsyncSession
) -> None:
    """The row lock serialises them: exactly one acknowledges (and sends back), the other
    sees it acknowledged and gets CONFLICT."""
    gesture = (await send_gesture(pair.a))["gesture"]
    variables = {"input": {"gestureId": gesture["id"], "sendBack": True}}
    results = await asyncio.gather(*(pair.b.execute(ACKNOWLEDGE, variables) for _ in range(4)))
    assert sorted(tuple(r.codes) for r in results) == [
        (),
        ("CONFLICT",),
        ("CONFLICT",),
        ("CONFLICT",),
    ]
    winner = next(r for r in results if not r.codes)["data"]["acknowledgeGesture"]
    rows = await gesture_rows(session)
    assert len(rows) == 2  # the original and exactly one response
    assert winner["gesture"]["responseGestureId"] == winner["responseGesture"]["id"]


async def test_concurrent_retries_with_one_client_gesture_id_make_one_gesture(
    pair: CoupleClients, session: AsyncSession
) -> None:
    variables = {"input": {"gestureType": "KISS", "clientGestureId": "double-tap"}}
    results = await asyncio.gather(*(pair.a.execute(SEND_GESTURE, variables) for _ in range(5)))
    ids = {r["data"]["sendGesture"]["gesture"]["id"] for r in results}
    assert len(ids) == 1 and all(not r.codes for r in results)
    assert len(await gesture_rows(session)) == 1
