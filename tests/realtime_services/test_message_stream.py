"""messageAdded at the service level: backlog, live, gaps, resync, one read per event."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import PartnerMessage
from luna_graphql.db.outage import retry_transient
from luna_graphql.errors import BadUserInput, NotFound
from luna_graphql.realtime.bus import BroadcastBus, build_bus
from luna_graphql.realtime.events import BusEvent, channel_for
from luna_graphql.realtime.pg_backend import ListenNotifyBackend, to_asyncpg_dsn
from luna_graphql.services.delivery import DeliveryTracker
from luna_graphql.services.message_loader import MessageLoader
from luna_graphql.services.message_stream import stream_messages
from tests.realtime_services.conftest import Collector, World, eventually, make_world, send

pytestmark = pytest.mark.asyncio(loop_scope="session")

Collect = Callable[[Any], Collector]


@pytest.fixture
def loader(rows: asyncpg.Pool) -> MessageLoader:
    return MessageLoader(rows)


def stream(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    *,
    as_b: bool = True,
    after_seq: int | None = None,
    delivery: DeliveryTracker | None = None,
) -> Any:
    return stream_messages(
        sessionmaker=sessionmaker,
        bus=bus,
        loader=loader,
        delivery=delivery,
        viewer=world.b if as_b else world.a,
        conversation_id=world.conversation_id,
        after_seq=after_seq,
    )


async def test_backlog_then_live_in_order(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    collect: Collect,
) -> None:
    for i in range(5):
        await send(sessionmaker, bus, world.a, world.conversation_id, f"m{i}")
    got = collect(stream(sessionmaker, bus, loader, world, after_seq=2))
    await got.wait_for(3)
    for i in range(5, 8):
        await send(sessionmaker, bus, world.a, world.conversation_id, f"m{i}")
    items = await got.wait_for(6)
    assert [m.seq for m in items] == [3, 4, 5, 6, 7, 8]
    assert [m.content for m in items] == ["m2", "m3", "m4", "m5", "m6", "m7"]
    assert await got.settle(0.2) == items


async def test_without_after_seq_starts_now_and_skips_rolled_back(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    collect: Collect,
) -> None:
    await send(sessionmaker, bus, world.a, world.conversation_id, "old")
    got = collect(stream(sessionmaker, bus, loader, world))
    await asyncio.sleep(0.2)
    await send(sessionmaker, bus, world.a, world.conversation_id, "lost", commit=False)
    await send(sessionmaker, bus, world.a, world.conversation_id, "new")
    items = await got.wait_for(1)
    assert [m.content for m in await got.settle(0.3)] == ["new"]
    assert items[0].seq == 2  # the rolled-back insert took no seq


async def test_replay_is_exact_while_another_client_keeps_sending(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    collect: Collect,
) -> None:
    for i in range(250):  # more than one backlog page
        await send(sessionmaker, bus, world.a, world.conversation_id, f"m{i}")

    async def keep_sending() -> None:
        for i in range(250, 400):
            await send(sessionmaker, bus, world.a, world.conversation_id, f"m{i}")

    sender = asyncio.create_task(keep_sending())
    await asyncio.sleep(0.01)
    got = collect(stream(sessionmaker, bus, loader, world, after_seq=0))
    await sender
    await got.wait_for(400, timeout=30)
    assert [m.seq for m in await got.settle(0.2)] == list(range(1, 401))


async def test_gap_is_filled_from_the_database(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    collect: Collect,
) -> None:
    got = collect(stream(sessionmaker, bus, loader, world, after_seq=0))
    await asyncio.sleep(0.2)
    # Two messages whose events never come (written without emitting), then one event.
    async with sessionmaker() as session:
        for text in ("quiet-1", "quiet-2"):
            session.add(
                PartnerMessage(
                    conversation_id=world.conversation_id, sender_id="partner_a", content=text
                )
            )
            await session.flush()
        await session.commit()
    await send(sessionmaker, bus, world.a, world.conversation_id, "loud")
    items = await got.wait_for(3)
    assert [m.content for m in items] == ["quiet-1", "quiet-2", "loud"]


async def test_duplicate_events_are_dropped(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    collect: Collect,
) -> None:
    got = collect(stream(sessionmaker, bus, loader, world, after_seq=0))
    message = await send(sessionmaker, bus, world.a, world.conversation_id, "once")
    await got.wait_for(1)
    duplicate = BusEvent(
        "message_added",
        world.relationship_id,
        {
            "conversation_id": str(world.conversation_id),
            "id": str(message.id),
            "seq": 1,
            "sender": "partner_a",
        },
    )
    await bus.publish(duplicate)
    assert len(await got.settle(0.3)) == 1


async def test_deleted_messages_are_skipped(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    collect: Collect,
) -> None:
    await send(sessionmaker, bus, world.a, world.conversation_id, "keep")
    gone = await send(sessionmaker, bus, world.a, world.conversation_id, "gone")
    async with sessionmaker() as session:
        row = await session.get(PartnerMessage, gone.id)
        assert row is not None
        row.deleted_at = row.sent_at
        await session.commit()
    got = collect(stream(sessionmaker, bus, loader, world, after_seq=0))
    await send(sessionmaker, bus, world.a, world.conversation_id, "after")
    items = await got.wait_for(2)
    assert [m.content for m in await got.settle(0.2)] == ["keep", "after"]
    assert [m.seq for m in items] == [1, 3]


async def test_terminated_listener_loses_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    collect: Collect,
    database_url: str,
) -> None:
    got = collect(stream(sessionmaker, bus, loader, world, after_seq=0))
    await send(sessionmaker, bus, world.a, world.conversation_id, "before")
    await got.wait_for(1)
    backend = bus.broadcast._backend
    assert isinstance(backend, ListenNotifyBackend)
    admin = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", backend.listen_pid)
    finally:
        await admin.close()
    # Sent while the listener is down: only the resync can bring these.
    for i in range(3):
        await send(sessionmaker, bus, world.a, world.conversation_id, f"during-{i}")
    items = await got.wait_for(4, timeout=20)
    assert [m.content for m in items] == ["before", "during-0", "during-1", "during-2"]


async def test_one_read_per_event_for_many_subscribers(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    collect: Collect,
) -> None:
    streams = [
        collect(stream(sessionmaker, bus, loader, world, as_b=i % 2 == 0)) for i in range(50)
    ]
    channel = channel_for(world.relationship_id)
    await eventually(lambda: len(bus.broadcast._subs.get(channel, ())) == 50)
    await asyncio.sleep(0.2)  # each has read its (empty) backlog
    before = loader.queries
    await send(sessionmaker, bus, world.a, world.conversation_id, "to everyone")
    for got in streams:
        assert [m.content for m in await got.wait_for(1)] == ["to everyone"]
    assert loader.queries - before == 1


async def test_privacy_and_delivery_per_viewer(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    collect: Collect,
    rows: asyncpg.Pool,
) -> None:
    delivery = DeliveryTracker(rows, bus)
    async with sessionmaker() as session:
        session.add(
            PartnerMessage(
                conversation_id=world.conversation_id,
                sender_id="partner_a",
                content="softened",
                luna_intervened=True,
                intervention_type="reframe",
                original_content="harsh",
            )
        )
        await session.commit()
    mine = collect(
        stream(sessionmaker, bus, loader, world, as_b=False, after_seq=0, delivery=delivery)
    )
    theirs = [
        collect(stream(sessionmaker, bus, loader, world, after_seq=0, delivery=delivery))
        for _ in range(20)
    ]
    (own,) = await mine.wait_for(1)
    assert own.original_content == "harsh" and own.luna_intervened
    for got in theirs:
        (seen,) = await got.wait_for(1)
        assert seen.original_content is None and not seen.luna_intervened
    await asyncio.sleep(0.1)
    await delivery.wait_idle()
    assert delivery.updates == 1  # twenty sockets of the recipient, one UPDATE
    async with sessionmaker() as session:
        status = await session.scalar(select(PartnerMessage.status))
    assert status == "delivered"


async def test_another_couples_conversation_is_not_found(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
) -> None:
    other = await make_world(sessionmaker)
    intruder = stream_messages(
        sessionmaker=sessionmaker,
        bus=bus,
        loader=loader,
        delivery=None,
        viewer=other.a,
        conversation_id=world.conversation_id,
    )
    with pytest.raises(NotFound):
        await intruder
    missing = stream_messages(
        sessionmaker=sessionmaker,
        bus=bus,
        loader=loader,
        delivery=None,
        viewer=world.a,
        conversation_id=uuid.uuid4(),
    )
    with pytest.raises(NotFound):
        await missing
    with pytest.raises(BadUserInput):
        await stream(sessionmaker, bus, loader, world, after_seq=-1)


async def test_a_slow_consumer_catches_up_from_the_database(
    sessionmaker: async_sessionmaker[AsyncSession],
    database_url: str,
    loader: MessageLoader,
    world: World,
) -> None:
    small = build_bus(database_url, queue_size=3)  # overflows after three events
    await small.connect()
    try:
        stream = await stream_messages(
            sessionmaker=sessionmaker,
            bus=small,
            loader=loader,
            delivery=None,
            viewer=world.b,
            conversation_id=world.conversation_id,
            after_seq=0,
        )
        await send(sessionmaker, small, world.a, world.conversation_id, "m0")
        assert (await asyncio.wait_for(anext(stream), 5)).content == "m0"
        for i in range(1, 21):  # the consumer reads nothing meanwhile
            await send(sessionmaker, small, world.a, world.conversation_id, f"m{i}")
        await asyncio.sleep(0.3)
        inboxes = [sub for subs in small.broadcast._subs.values() for sub in subs]
        assert any(sub.overflows for sub in inboxes)  # it did fall behind
        got = [(await asyncio.wait_for(anext(stream), 5)).content for _ in range(20)]
        assert got == [f"m{i}" for i in range(1, 21)]
        await stream.aclose()  # type: ignore[attr-defined]
    finally:
        await small.disconnect()


async def test_a_read_that_meets_a_terminated_row_connection_is_retried(
    rows: asyncpg.Pool,
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
) -> None:
    """The row pool's connection dies under a read (e.g. a restart): the stream retries."""
    await send(sessionmaker, bus, world.a, world.conversation_id, "kept")
    admin = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'luna-graphql-stream'"
        )
    finally:
        await admin.close()
    assert killed >= 1
    loader = MessageLoader(rows)
    got = await retry_transient(lambda: loader.read_after(world.conversation_id, 0), what="test")
    assert [m.content for m in got] == ["kept"]
