"""messageAdded in a big fan-out: the row read before subscribers wake, shared views, and
with `direct`, live messages taken by the fan-out while subscriptions wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass
class Fanout:
    """One couple's conversation, its streams subscribed in one process, and a sender."""

    sessionmaker: async_sessionmaker[AsyncSession]
    bus: BroadcastBus
    rows: asyncpg.Pool
    world: World
    collect: Callable[[Any], Collector]

    async def subscribe(
        self,
        loader: MessageLoader,
        directs: list[Direct | None],
        delivery: DeliveryTracker | None = None,
    ) -> list[Collector]:
        """A stream per entry of `directs` (alternating partners B and A), all waiting."""
        self.bus.prepare_with(partial(prefetch_added_message, loader))
        views: IdentityMemo[MessageView] = IdentityMemo()
        world = self.world
        streams = [
            self.collect(
                stream_messages(
                    sessionmaker=self.sessionmaker,
                    bus=self.bus,
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
        await eventually(lambda: len(self.bus.broadcast._subs.get(channel, ())) == len(directs))
        await asyncio.sleep(0.2)  # each has read its (empty) backlog and waits
        return streams

    async def send(self, text: str) -> Any:
        world = self.world
        return await send(self.sessionmaker, self.bus, world.a, world.conversation_id, text)


@pytest.fixture
def fanout(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    rows: asyncpg.Pool,
    world: World,
    collect: Callable[[Any], Collector],
) -> Fanout:
    return Fanout(sessionmaker, bus, rows, world, collect)


async def test_prefetched_row_wakes_subscribers_once_with_shared_views(fanout: Fanout) -> None:
    loader = MessageLoader(fanout.rows)
    streams = await fanout.subscribe(loader, [None] * 20)
    queries, joined = loader.queries, loader.joined
    await fanout.send("to everyone")
    got = [(await s.wait_for(1))[0] for s in streams]
    # One query, read before anyone woke: nobody had to wait on it.
    assert (loader.queries - queries, loader.joined - joined) == (1, 0)
    as_b, as_a = got[0::2], got[1::2]
    assert all(view is as_b[0] for view in as_b) and all(view is as_a[0] for view in as_a)
    assert (as_a[0].is_mine, as_b[0].is_mine) == (True, False)


async def test_waiting_subscribers_take_live_messages_without_waking(fanout: Fanout) -> None:
    loader = MessageLoader(fanout.rows)
    delivery = DeliveryTracker(fanout.rows, fanout.bus, delay_s=0)
    directs = [Direct() for _ in range(SUBSCRIBERS)]
    streams = await fanout.subscribe(loader, directs, delivery)
    for text in ("one", "two", "three"):
        await fanout.send(text)
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
    async with fanout.rows.acquire() as conn:
        statuses = await conn.fetch(
            "SELECT status FROM partner_messages WHERE conversation_id = $1",
            fanout.world.conversation_id,
        )
    assert {row["status"] for row in statuses} == {"delivered"}


async def test_a_refused_push_wakes_the_stream_from_where_the_pushes_left_it(
    fanout: Fanout,
) -> None:
    loader = MessageLoader(fanout.rows)
    directs = [Direct() for _ in range(SUBSCRIBERS)]
    streams = await fanout.subscribe(loader, directs)
    await fanout.send("pushed")
    await eventually(lambda: all(len(direct.taken) == 1 for direct in directs))
    for direct in directs:
        direct.accept = False  # e.g. the socket's transport paused
    await fanout.send("woken")
    for got in streams:
        items = await got.wait_for(1)
        assert [(view.seq, view.content) for view in items] == [(2, "woken")]
    for direct in directs:
        direct.accept = True
    await fanout.send("pushed again")
    await eventually(lambda: all(len(direct.taken) == 2 for direct in directs))
    assert [view.seq for view in directs[0].taken] == [1, 3]
    for got in streams:
        assert [view.seq for view in await got.settle(0.1)] == [2]


async def test_without_a_cached_row_the_stream_reads_it_itself(fanout: Fanout) -> None:
    """Below the prefetch threshold nothing is read ahead, so nothing can be pushed."""
    loader = MessageLoader(fanout.rows)
    directs = [Direct()]
    (got,) = await fanout.subscribe(loader, directs)
    await fanout.send("hello")
    assert [view.content for view in await got.wait_for(1)] == ["hello"]
    assert directs[0].taken == []
