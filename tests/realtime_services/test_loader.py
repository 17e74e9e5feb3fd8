"""MessageLoader: identical reads in flight share one query; a waiter that gives up does
not cancel the read for the others; a read older than a subscription is not joined."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.realtime.bus import BroadcastBus
from luna_graphql.services.message_loader import MessageLoader
from tests.realtime_services.conftest import World, send

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_identical_reads_share_one_query_and_survive_a_cancelled_waiter(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    rows: asyncpg.Pool,
    world: World,
) -> None:
    for text in ("one", "two"):
        await send(sessionmaker, bus, world.a, world.conversation_id, text)
    loader = MessageLoader(rows)
    readers = [
        asyncio.create_task(loader.read_after(world.conversation_id, 0, up_to=2)) for _ in range(50)
    ]
    await asyncio.sleep(0)
    readers[0].cancel()
    results = await asyncio.gather(*readers[1:])
    assert loader.queries == 1
    assert all([m.content for m in r] == ["one", "two"] for r in results)
    # Now cached: no query at all.
    assert [m.seq for m in await loader.read_after(world.conversation_id, 1, up_to=2)] == [2]
    assert loader.queries == 1


async def test_open_ended_reads_begun_before_a_mark_are_not_joined(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    rows: asyncpg.Pool,
    world: World,
) -> None:
    loader = MessageLoader(rows)
    early = asyncio.create_task(loader.read_after(world.conversation_id, 0))
    await asyncio.sleep(0)
    mark = loader.mark()
    late = asyncio.create_task(loader.read_after(world.conversation_id, 0, fresh_after=mark))
    await asyncio.gather(early, late)
    assert loader.queries == 2
