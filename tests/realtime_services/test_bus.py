"""The bus adapter and both emitters: events ride the write's transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.engine import to_asyncpg_dsn
from luna_graphql.realtime.after_commit import AfterCommitEmitter
from luna_graphql.realtime.bus import RESYNC_REQUIRED, BroadcastBus, build_bus
from luna_graphql.realtime.events import BusEvent, NotifyEmitter, channel_for
from luna_graphql.services.delivery import DeliveryTracker, receipt_event
from luna_graphql.services.message_rows import ReceiptChannel, create_row_pool, mark_delivered
from tests.realtime_services.conftest import World, eventually, nothing_within, send, within

pytestmark = pytest.mark.asyncio(loop_scope="session")

REL = uuid.uuid4()


def event(n: int) -> BusEvent:
    return BusEvent("test", REL, {"n": n})


@pytest.fixture
async def memory_bus() -> AsyncIterator[BroadcastBus]:
    bus = build_bus("memory://")
    await bus.connect()
    yield bus
    await bus.disconnect()


async def test_emitter_is_chosen_by_url() -> None:
    assert isinstance(build_bus("postgresql://u@h/db").emitter, NotifyEmitter)
    assert isinstance(build_bus("memory://").emitter, AfterCommitEmitter)


async def test_pg_bus_delivers_on_commit_only(
    bus: BroadcastBus, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with bus.subscribe(channel_for(REL)) as sub:
        async with sessionmaker() as session:
            await bus.emitter.emit(session, event(1))
            await session.rollback()
        async with sessionmaker() as session:
            await bus.emitter.emit(session, event(2))
            await session.commit()
        assert await within(sub.get()) == event(2)


async def test_publish_is_ephemeral_and_garbage_is_skipped(
    bus: BroadcastBus, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with bus.subscribe(channel_for(REL)) as sub:
        async with sessionmaker() as session:
            await session.execute(text("SELECT pg_notify(:c, 'not json')"), {"c": channel_for(REL)})
            await session.commit()
        await bus.publish(event(3))
        assert await within(sub.get()) == event(3)


async def test_after_commit_emitter_publishes_in_order_after_commit(
    memory_bus: BroadcastBus, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with memory_bus.subscribe(channel_for(REL)) as sub:
        async with sessionmaker() as session:
            await session.execute(text("SELECT 1"))
            await memory_bus.emitter.emit(session, event(1))
            await memory_bus.emitter.emit(session, event(2))
            await nothing_within(sub.get(), 0.1)  # held until COMMIT
            await session.commit()
        assert await within(sub.get()) == event(1)
        assert await within(sub.get()) == event(2)


async def test_after_commit_emitter_drops_rolled_back_events(
    memory_bus: BroadcastBus, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with memory_bus.subscribe(channel_for(REL)) as sub:
        async with sessionmaker() as session:
            await session.execute(text("SELECT 1"))
            await memory_bus.emitter.emit(session, event(1))
            await session.rollback()
            await session.execute(text("SELECT 1"))
            await memory_bus.emitter.emit(session, event(2))
            async with session.begin_nested() as savepoint:
                await memory_bus.emitter.emit(session, event(3))
                await savepoint.rollback()
            await memory_bus.emitter.emit(session, event(4))
            await session.commit()
        assert await within(sub.get()) == event(2)
        assert await within(sub.get()) == event(4)
        await nothing_within(sub.get(), 0.1)


async def test_resync_reaches_subscribers_as_a_marker(bus: BroadcastBus) -> None:
    backend = bus.broadcast._backend
    async with bus.subscribe(channel_for(REL)) as sub:
        backend._mark_resync(channel_for(REL))
        assert await within(sub.get()) is RESYNC_REQUIRED


async def test_delivery_receipts_are_published_after_commit_on_a_memory_bus(
    memory_bus: BroadcastBus,
    sessionmaker: async_sessionmaker[AsyncSession],
    rows: asyncpg.Pool,
    world: World,
) -> None:
    message = await send(sessionmaker, memory_bus, world.a, world.conversation_id, "hi")
    delivery = DeliveryTracker(rows, memory_bus, delay_s=0)
    async with memory_bus.subscribe(channel_for(world.relationship_id)) as sub:
        delivery.note_pushed(
            conversation_id=world.conversation_id,
            relationship_id=world.relationship_id,
            recipient_role="partner_b",
            seq=message.seq,
        )
        event = await within(sub.get())
        while isinstance(event, BusEvent) and event.kind == "message_added":
            event = await within(sub.get())  # the send's own event, if it came late
    assert isinstance(event, BusEvent)
    assert (event.kind, event.data["ids"], event.data["by"]) == (
        "receipt",
        [str(message.id)],
        "partner_b",
    )


async def test_subscribers_are_not_woken_by_kinds_they_do_not_want(bus: BroadcastBus) -> None:
    async with bus.subscribe(channel_for(REL), frozenset({"wanted"})) as sub:
        await bus.publish(BusEvent("other", REL, {"n": 1}))
        await bus.publish(BusEvent("wanted", REL, {"n": 2}))
        assert await within(sub.get()) == BusEvent("wanted", REL, {"n": 2})
        bus.broadcast._backend._mark_resync(channel_for(REL))
        assert await within(sub.get()) is RESYNC_REQUIRED  # always let through


async def test_delivery_receipt_is_one_statement_with_the_python_payload(
    bus: BroadcastBus,
    sessionmaker: async_sessionmaker[AsyncSession],
    database_url: str,
    world: World,
) -> None:
    """The tracker's UPDATE builds its receipt NOTIFY in SQL: byte for byte the receipt the
    Python path encodes, in the UPDATE's own transaction, leaving no session setting behind."""
    first = await send(sessionmaker, bus, world.a, world.conversation_id, "one")
    second = await send(sessionmaker, bus, world.a, world.conversation_id, "two")
    payloads: list[str] = []
    listener = await asyncpg.connect(to_asyncpg_dsn(database_url))
    single = await create_row_pool(database_url, max_size=1)
    try:
        await listener.add_listener(
            channel_for(world.relationship_id), lambda *args: payloads.append(args[3])
        )
        changed = await mark_delivered(
            single,
            conversation_id=world.conversation_id,
            sender_role="partner_a",
            seqs=[first.seq, second.seq],
            announce=ReceiptChannel(
                channel_for(world.relationship_id), world.relationship_id.hex, "partner_b"
            ),
        )
        await eventually(lambda: any('"receipt"' in payload for payload in payloads))
        again = await mark_delivered(
            single,
            conversation_id=world.conversation_id,
            sender_role="partner_a",
            seqs=[first.seq],
        )
        setting = await single.fetchval("SHOW synchronous_commit")
    finally:
        await listener.close()
        await single.close()
    assert set(changed) == {first.id, second.id} and again == []
    receipts = [payload for payload in payloads if '"receipt"' in payload]
    expected = receipt_event(world.relationship_id, world.conversation_id, "partner_b", changed)
    assert receipts == [expected.encode()]
    assert setting == "on"
    async with sessionmaker() as session:
        statuses = await session.scalars(
            text("SELECT status FROM partner_messages WHERE id IN (:a, :b)"),
            {"a": first.id, "b": second.id},
        )
        assert set(statuses) == {"delivered"}
