"""messageAdded with `direct`: live messages taken by the fan-out while subscriptions wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.realtime.bus import BroadcastBus
from luna_graphql.realtime.events import channel_for
from luna_graphql.services.delivery import DeliveryTracker
from luna_graphql.services.identity_memo import IdentityMemo
from luna_graphql.services.message_loader import MessageLoader
from luna_graphql.services.message_stream import prefetch_added_message, stream_messages
from luna_graphql.services.message_view import MessageView
from tests.realtime_services.conftest import Collector, World, eventually, send

pytestmark = pytest.mark.asyncio(loop_scope="session")

SUBSCRIBERS = 8


class Direct:
    """Stands in for the socket writer of `api.direct_frames`: records what it took."""

    def __init__(self, accept: bool = True) -> None:
        self.accept = accept
        self.taken: list[MessageView] = []

    def __call__(self, view: MessageView) -> bool:
        if self.accept:
            self.taken.append(view)
        return self.accept


async def subscribe_all(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    loader: MessageLoader,
    world: World,
    collect: Callable[[Any], Collector],
    directs: list[Direct],
    delivery: DeliveryTracker | None = None,
) -> list[Collector]:
    bus.prepare_with(partial(prefetch_added_message, loader))
    views: IdentityMemo[MessageView] = IdentityMemo()
    streams = [
        collect(
            stream_messages(
                sessionmaker=sessionmaker,
                bus=bus,
                loader=loader,
                delivery=delivery,
                viewer=world.b if i % 2 == 0 else world.a,
                conversation_id=world.conversation_id,
                views=views,
                direct=direct,
            )
        )
        for i, direct in enumerate(directs)
    ]
    channel = channel_for(world.relationship_id)
    await eventually(lambda: len(bus.broadcast._subs.get(channel, ())) == len(directs))
    await asyncio.sleep(0.2)  # each has read its (empty) backlog and waits
    return streams


async def test_waiting_subscribers_take_live_messages_without_waking(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    rows: asyncpg.Pool,
    world: World,
    collect: Callable[[Any], Collector],
) -> None:
    loader = MessageLoader(rows)
    delivery = DeliveryTracker(rows, bus, delay_s=0)
    directs = [Direct() for _ in range(SUBSCRIBERS)]
    streams = await subscribe_all(sessionmaker, bus, loader, world, collect, directs, delivery)
    for text in ("one", "two", "three"):
        await send(sessionmaker, bus, world.a, world.conversation_id, text)
    await eventually(lambda: all(len(direct.taken) == 3 for direct in directs))
    for i, (direct, got) in enumerate(zip(directs, streams, strict=True)):
        assert [view.content for view in direct.taken] == ["one", "two", "three"]
        assert [view.seq for view in direct.taken] == [1, 2, 3]
        # Each viewer's privacy still applies: partner B's views are not "mine".
        assert all(view.is_mine is (i % 2 == 1) for view in direct.taken)
        assert await got.settle(0.1) == []  # the streams themselves never woke to yield
    # Partner B's sockets reported the pushes: the messages are delivered.
    await eventually(lambda: delivery.updates >= 1)
    await delivery.wait_idle()
    async with rows.acquire() as conn:
        statuses = await conn.fetch(
            "SELECT status FROM partner_messages WHERE conversation_id = $1",
            world.conversation_id,
        )
    assert {row["status"] for row in statuses} == {"delivered"}


async def test_a_refused_push_wakes_the_stream_from_where_the_pushes_left_it(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    rows: asyncpg.Pool,
    world: World,
    collect: Callable[[Any], Collector],
) -> None:
    loader = MessageLoader(rows)
    directs = [Direct() for _ in range(SUBSCRIBERS)]
    streams = await subscribe_all(sessionmaker, bus, loader, world, collect, directs)
    await send(sessionmaker, bus, world.a, world.conversation_id, "pushed")
    await eventually(lambda: all(len(direct.taken) == 1 for direct in directs))
    for direct in directs:
        direct.accept = False  # e.g. the socket's transport paused
    await send(sessionmaker, bus, world.a, world.conversation_id, "woken")
    for got in streams:
        items = await got.wait_for(1)
        assert [(view.seq, view.content) for view in items] == [(2, "woken")]
    for direct in directs:
        direct.accept = True
    await send(sessionmaker, bus, world.a, world.conversation_id, "pushed again")
    await eventually(lambda: all(len(direct.taken) == 2 for direct in directs))
    assert [view.seq for view in directs[0].taken] == [1, 3]
    for got in streams:
        assert [view.seq for view in await got.settle(0.1)] == [2]


async def test_without_a_cached_row_the_stream_reads_it_itself(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    rows: asyncpg.Pool,
    world: World,
    collect: Callable[[Any], Collector],
) -> None:
    """Below the prefetch threshold nothing is read ahead, so nothing can be pushed."""
    loader = MessageLoader(rows)
    directs = [Direct()]
    (got,) = await subscribe_all(sessionmaker, bus, loader, world, collect, directs)
    await send(sessionmaker, bus, world.a, world.conversation_id, "hello")
    assert [view.content for view in await got.wait_for(1)] == ["hello"]
    assert directs[0].taken == []
