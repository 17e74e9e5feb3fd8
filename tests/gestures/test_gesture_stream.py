"""The gestures stream at the service level, on the real PostgreSQL bus: backlog, live,
acknowledgements with the response, delivered_at, and recovery after lost events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import ConnectionGesture
from luna_graphql.errors import NotFound
from luna_graphql.realtime.bus import BroadcastBus
from luna_graphql.realtime.pg_backend import ListenNotifyBackend, to_asyncpg_dsn
from luna_graphql.services.access import Viewer
from luna_graphql.services.gesture_stream import ACKNOWLEDGED, RECEIVED, stream_gestures
from luna_graphql.services.gestures import (
    GestureView,
    acknowledge_gesture,
    send_gesture,
)
from tests.realtime_services.conftest import Collector, World, make_world

pytestmark = pytest.mark.asyncio(loop_scope="session")

Collect = Callable[[Any], Collector]
Maker = async_sessionmaker[AsyncSession]


async def send(maker: Maker, bus: BroadcastBus, viewer: Viewer, kind: str = "hug") -> GestureView:
    async with maker() as session, session.begin():
        sent = await send_gesture(
            session,
            viewer=viewer,
            emitter=bus.emitter,
            relationship_id=None,
            gesture_type=kind,
            message=None,
            ai_generated=False,
            client_gesture_id=None,
            offline_after_s=90,
        )
    return sent.gesture


async def ack(
    maker: Maker, bus: BroadcastBus, viewer: Viewer, gesture_id: uuid.UUID, **back: Any
) -> Any:
    async with maker() as session, session.begin():
        return await acknowledge_gesture(
            session,
            viewer=viewer,
            emitter=bus.emitter,
            gesture_id=gesture_id,
            send_back=bool(back),
            send_back_type=back.get("kind"),
            send_back_message=back.get("note"),
        )


async def delivered_at(maker: Maker, gesture_id: uuid.UUID) -> datetime | None:
    async with maker() as session:
        row = await session.get(ConnectionGesture, gesture_id)
        assert row is not None
        return row.delivered_at


async def stamped(maker: Maker, gesture_id: uuid.UUID, timeout: float = 5.0) -> datetime:
    """delivered_at, once set (the stream sets it after the push, off the test's clock)."""
    async with asyncio.timeout(timeout):
        while (at := await delivered_at(maker, gesture_id)) is None:
            await asyncio.sleep(0.02)
    return at


def watch(maker: Maker, bus: BroadcastBus, viewer: Viewer) -> Any:
    return stream_gestures(sessionmaker=maker, bus=bus, viewer=viewer, relationship_id=None)


def summary(items: list[Any]) -> list[tuple[str, uuid.UUID, uuid.UUID | None]]:
    return [(i.kind, i.gesture.id, i.response.id if i.response else None) for i in items]


async def test_live_to_the_recipient_only_and_marked_delivered(
    sessionmaker: Maker, bus: BroadcastBus, world: World, collect: Collect
) -> None:
    to_b, to_a = (
        collect(watch(sessionmaker, bus, world.b)),
        collect(watch(sessionmaker, bus, world.a)),
    )
    await to_b.settle(0.2)
    gesture = await send(sessionmaker, bus, world.a, "kiss")
    items = await to_b.wait_for(1)
    assert summary(items) == [(RECEIVED, gesture.id, None)]
    assert items[0].gesture.gesture_type == "kiss" and not items[0].gesture.is_mine
    await stamped(sessionmaker, gesture.id)
    assert await to_a.settle() == []  # the sender's own gesture is not "received" by them


async def test_undelivered_gestures_arrive_on_subscribe_once(
    sessionmaker: Maker, bus: BroadcastBus, world: World, collect: Collect
) -> None:
    waiting = await send(sessionmaker, bus, world.a)
    acknowledged = await send(sessionmaker, bus, world.a)
    await ack(sessionmaker, bus, world.b, acknowledged.id)
    first = collect(watch(sessionmaker, bus, world.b))
    assert summary(await first.wait_for(1)) == [(RECEIVED, waiting.id, None)]
    at = await stamped(sessionmaker, waiting.id)
    # Another device subscribing later: it was delivered already, pendingGestures has it.
    second = collect(watch(sessionmaker, bus, world.b))
    assert await second.settle() == []
    assert await delivered_at(sessionmaker, waiting.id) == at  # set once


async def test_acknowledged_with_response_reaches_the_original_sender(
    sessionmaker: Maker, bus: BroadcastBus, world: World, collect: Collect
) -> None:
    gesture = await send(sessionmaker, bus, world.a)
    to_a = collect(watch(sessionmaker, bus, world.a))
    await to_a.settle(0.2)
    result = await ack(sessionmaker, bus, world.b, gesture.id, kind="kiss", note="back")
    response = result.response
    items = await to_a.wait_for(2)
    assert summary(items) == [
        (RECEIVED, response.id, None),
        (ACKNOWLEDGED, gesture.id, response.id),
    ]
    assert items[1].gesture.response_gesture_id == response.id
    assert items[1].response.message == "back"


async def test_lost_events_are_recovered_after_the_listener_comes_back(
    sessionmaker: Maker, bus: BroadcastBus, world: World, collect: Collect, database_url: str
) -> None:
    from_b = await send(sessionmaker, bus, world.b)
    to_a = collect(watch(sessionmaker, bus, world.a))
    to_b = collect(watch(sessionmaker, bus, world.b))
    assert summary(await to_a.wait_for(1)) == [(RECEIVED, from_b.id, None)]  # the backlog
    await to_b.settle(0.2)
    backend = bus.broadcast._backend
    assert isinstance(backend, ListenNotifyBackend)
    admin = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", backend.listen_pid)
    finally:
        await admin.close()
    # While the listener is down: only the resync's catch-up can bring these to Blair.
    from_a = await send(sessionmaker, bus, world.a)
    result = await ack(sessionmaker, bus, world.a, from_b.id, kind="thinking_of_you")
    items = await to_b.wait_for(3, timeout=20)
    assert sorted(summary(items)) == sorted(
        [
            (RECEIVED, from_a.id, None),
            (RECEIVED, result.response.id, None),
            (ACKNOWLEDGED, from_b.id, result.response.id),
        ]
    )
    assert len(await to_b.settle()) == 3  # nothing twice
    assert len(await to_a.settle()) == 1  # Alex's own doings are not news to Alex


async def test_another_couples_relationship_is_not_found(
    sessionmaker: Maker, bus: BroadcastBus, world: World
) -> None:
    other = await make_world(sessionmaker)
    with pytest.raises(NotFound):
        await stream_gestures(
            sessionmaker=sessionmaker,
            bus=bus,
            viewer=world.a,
            relationship_id=other.relationship_id,
        )
