"""The reaction service and stream on the real PostgreSQL bus: events only on commit, each
change re-read for each viewer, other couples refused before anything streams."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from luna_graphql.db.models import MessageReaction
from luna_graphql.errors import NotFound
from luna_graphql.realtime.bus import BroadcastBus, build_bus
from luna_graphql.realtime.events import NotifyEmitter
from luna_graphql.services.access import Viewer
from luna_graphql.services.reactions import (
    MessageReactions,
    ReactionGroup,
    add_reaction,
    remove_reaction,
)
from luna_graphql.services.reactions_stream import stream_reactions
from tests.api.helpers import counting_statements, listening
from tests.realtime_services.conftest import Collector, World, make_world, send

HEART = "❤️"


async def _react(
    sessionmaker: async_sessionmaker[AsyncSession],
    viewer: Viewer,
    message_id: uuid.UUID,
    emoji: str = HEART,
    *,
    remove: bool = False,
) -> MessageReactions:
    change = remove_reaction if remove else add_reaction
    async with sessionmaker.begin() as session:
        return await change(
            session, viewer=viewer, emitter=NotifyEmitter(), message_id=message_id, emoji=emoji
        )


async def _count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(MessageReaction)) or 0)


async def test_the_event_goes_out_on_commit_and_never_on_rollback(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    database_url: str,
) -> None:
    message = await send(sessionmaker, bus, world.a, world.conversation_id)
    async with listening(database_url, world.relationship_id) as log:
        await log.drain()
        async with sessionmaker() as session:
            await add_reaction(
                session, viewer=world.b, emitter=bus.emitter, message_id=message.id, emoji=HEART
            )
            assert await log.drain() == []  # written, not committed: nobody hears of it
            await session.rollback()
        assert await log.drain() == []
        assert await _count(sessionmaker) == 0

        async with sessionmaker() as session:
            await add_reaction(
                session, viewer=world.b, emitter=bus.emitter, message_id=message.id, emoji=HEART
            )
            assert await log.drain() == []
            await session.commit()
        [event] = await log.drain()
        assert event.kind == "reaction"
        assert event.data["message_id"] == str(message.id)


async def test_each_partner_streams_the_reactions_as_they_see_them(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    collect: Callable[[Any], Collector],
) -> None:
    message = await send(sessionmaker, bus, world.a, world.conversation_id)
    streams = {
        name: collect(
            stream_reactions(
                sessionmaker=sessionmaker,
                bus=bus,
                viewer=viewer,
                conversation_id=world.conversation_id,
            )
        )
        for name, viewer in (("a", world.a), ("b", world.b))
    }
    await streams["a"].settle()  # both are subscribed before anything changes

    # Each item is the state when it was read, so wait for one change to arrive before the
    # next: changes in quick succession may be read once they have all landed.
    changes = [(world.b, False), (world.b, False), (world.a, False), (world.b, True)]
    expected = 0
    for viewer, remove in changes:
        changed = (await _react(sessionmaker, viewer, message.id, remove=remove)).changed
        expected += changed
        for stream in streams.values():
            await stream.wait_for(expected)

    seen_by_a, seen_by_b = streams["a"].items, streams["b"].items
    assert [item.message_id for item in seen_by_a] == [message.id] * 3
    assert [item.groups for item in seen_by_a] == [
        [ReactionGroup(HEART, ("partner_b",), reacted_by_me=False)],
        [ReactionGroup(HEART, ("partner_b", "partner_a"), reacted_by_me=True)],
        [ReactionGroup(HEART, ("partner_a",), reacted_by_me=True)],
    ]
    assert [item.groups for item in seen_by_b] == [
        [ReactionGroup(HEART, ("partner_b",), reacted_by_me=True)],
        [ReactionGroup(HEART, ("partner_b", "partner_a"), reacted_by_me=True)],
        [ReactionGroup(HEART, ("partner_a",), reacted_by_me=False)],
    ]
    # The second add changed nothing: no event, so no fourth item.
    assert len(await streams["a"].settle()) == 3
    assert len(await streams["b"].settle()) == 3


async def test_another_couples_conversation_is_not_found_before_streaming(
    sessionmaker: async_sessionmaker[AsyncSession], bus: BroadcastBus, world: World
) -> None:
    others = await make_world(sessionmaker)
    for conversation_id in (world.conversation_id, uuid.uuid4()):
        for viewer in (others.a, others.b):
            with pytest.raises(NotFound):
                await stream_reactions(
                    sessionmaker=sessionmaker,
                    bus=bus,
                    viewer=viewer,
                    conversation_id=conversation_id,
                )


async def test_another_couples_changes_never_reach_the_stream(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    collect: Callable[[Any], Collector],
) -> None:
    others = await make_world(sessionmaker)
    theirs = await send(sessionmaker, bus, others.a, others.conversation_id)
    ours = await send(sessionmaker, bus, world.a, world.conversation_id)
    stream = collect(
        stream_reactions(
            sessionmaker=sessionmaker,
            bus=bus,
            viewer=world.a,
            conversation_id=world.conversation_id,
        )
    )
    await stream.settle()
    await _react(sessionmaker, others.b, theirs.id)
    await _react(sessionmaker, world.b, ours.id)
    [item] = await stream.wait_for(1)
    assert item.message_id == ours.id
    assert await stream.settle() == [item]


async def test_one_read_per_change_serves_every_subscriber_of_the_process(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    engine: AsyncEngine,
    collect: Callable[[Any], Collector],
) -> None:
    message = await send(sessionmaker, bus, world.a, world.conversation_id)
    viewers = [world.a, world.b] * 3  # each partner on three devices
    streams = [
        collect(
            stream_reactions(
                sessionmaker=sessionmaker,
                bus=bus,
                viewer=viewer,
                conversation_id=world.conversation_id,
            )
        )
        for viewer in viewers
    ]
    await streams[0].settle()
    with counting_statements(engine) as statements:
        await _react(sessionmaker, world.b, message.id)
        for stream in streams:
            await stream.wait_for(1)
    reads = [s for s in statements if "array_agg" in s]
    assert len(reads) == 2  # the write's own answer, and one re-read for all six sockets
    mine = [stream.items[0].groups[0].reacted_by_me for stream in streams]
    assert mine == [viewer == world.b for viewer in viewers]


async def test_a_slow_consumer_that_lost_events_converges_on_the_current_reactions(
    sessionmaker: async_sessionmaker[AsyncSession], database_url: str, world: World
) -> None:
    small = build_bus(database_url, queue_size=2)  # overflows: the stream gets a RESYNC
    await small.connect()
    try:
        first = await send(sessionmaker, small, world.a, world.conversation_id, "one")
        second = await send(sessionmaker, small, world.a, world.conversation_id, "two")
        stream = await stream_reactions(
            sessionmaker=sessionmaker,
            bus=small,
            viewer=world.a,
            conversation_id=world.conversation_id,
        )
        pending = asyncio.ensure_future(anext(stream))  # the stream subscribes on first read
        await asyncio.sleep(0.3)
        await _react(sessionmaker, world.b, first.id)
        assert (await asyncio.wait_for(pending, 5)).message_id == first.id
        emoji = ["🎉", "🔥", "😂", "🥰", "👀"]
        for each in emoji:  # the consumer reads nothing meanwhile
            await _react(sessionmaker, world.b, first.id, each)
            await _react(sessionmaker, world.b, second.id, each)
        await _react(sessionmaker, world.b, first.id, remove=True)
        latest: dict[uuid.UUID, list[str]] = {}
        want = {first.id: emoji, second.id: emoji}
        async with asyncio.timeout(10):
            while latest != want:
                item = await anext(stream)
                latest[item.message_id] = [group.emoji for group in item.groups]
        await stream.aclose()  # type: ignore[attr-defined]
    finally:
        await small.disconnect()
