"""Presence across processes: sockets anywhere, away, dead processes reaped, partner online."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import PresenceConnection
from luna_graphql.errors import BadUserInput, RateLimited
from luna_graphql.realtime.bus import BroadcastBus
from luna_graphql.services.presence import set_presence
from luna_graphql.services.presence_node import PresenceNode
from luna_graphql.services.presence_stream import is_partner_online, stream_presence
from tests.realtime_services.conftest import Collector, World

pytestmark = pytest.mark.asyncio(loop_scope="session")

Collect = Callable[[Any], Collector]


def node(sessionmaker: Any, bus: BroadcastBus, offline_after_s: float = 90) -> PresenceNode:
    return PresenceNode(sessionmaker, bus.emitter, offline_after_s=offline_after_s, heartbeat_s=30)


def watch(sessionmaker: Any, bus: BroadcastBus, world: World, offline_after_s: float = 90) -> Any:
    """B watching A's presence."""
    return stream_presence(
        sessionmaker=sessionmaker,
        bus=bus,
        viewer=world.b,
        relationship_id=world.relationship_id,
        offline_after_s=offline_after_s,
    )


def statuses(items: list[Any]) -> list[str]:
    return [s.status for s in items]


async def partner_online(sessionmaker: Any, world: World) -> bool:
    async with sessionmaker() as session:
        return await is_partner_online(
            session, viewer=world.b, relationship_id=world.relationship_id, offline_after_s=90
        )


async def test_online_while_any_socket_on_any_process(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    collect: Collect,
) -> None:
    one, two = node(sessionmaker, bus), node(sessionmaker, bus)
    got = collect(watch(sessionmaker, bus, world))
    await got.wait_for(1)
    assert not await partner_online(sessionmaker, world)
    first = await one.connect(world.a.user_id)
    second = await two.connect(world.a.user_id)
    await got.wait_for(2)
    assert await partner_online(sessionmaker, world)
    await one.disconnect(first)
    assert await partner_online(sessionmaker, world)
    await two.disconnect(second)
    items = await got.wait_for(3)
    assert statuses(await got.settle(0.2)) == ["offline", "online", "offline"]
    assert items[-1].last_seen_at is not None
    assert not await partner_online(sessionmaker, world)


async def test_away_and_back(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    collect: Collect,
) -> None:
    one = node(sessionmaker, bus)
    await one.connect(world.a.user_id)
    got = collect(watch(sessionmaker, bus, world))
    await got.wait_for(1)
    for status in ("away", "away", "online"):
        await set_presence(
            sessionmaker=sessionmaker,
            emitter=bus.emitter,
            viewer=world.a,
            status=status,
            offline_after_s=90,
        )
    await got.wait_for(3)
    assert statuses(await got.settle(0.2)) == ["online", "away", "online"]
    with pytest.raises(BadUserInput):
        await set_presence(
            sessionmaker=sessionmaker,
            emitter=bus.emitter,
            viewer=world.a,
            status="offline",
            offline_after_s=90,
        )
    await one.close()


async def test_dead_process_is_reaped_by_another(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    collect: Collect,
) -> None:
    dead, alive = node(sessionmaker, bus, 1.0), node(sessionmaker, bus, 1.0)
    await dead.connect(world.a.user_id)  # and then it never heartbeats again
    await alive.connect(world.b.user_id)
    got = collect(watch(sessionmaker, bus, world, 1.0))
    await got.wait_for(1)
    await asyncio.sleep(1.2)
    await alive.heartbeat()
    assert await alive.reap() == 1
    assert statuses(await got.wait_for(2)) == ["online", "offline"]
    async with sessionmaker() as session:
        remaining = await session.scalar(select(func.count()).select_from(PresenceConnection))
    assert remaining == 1  # the live node's socket survived its own reaper


async def test_heartbeat_restores_rows_reaped_while_slow(
    sessionmaker: async_sessionmaker[AsyncSession], bus: BroadcastBus, world: World
) -> None:
    slow = node(sessionmaker, bus, 1.0)
    await slow.connect(world.a.user_id)
    await asyncio.sleep(1.2)
    await node(sessionmaker, bus, 1.0).reap()
    await slow.heartbeat()
    async with sessionmaker() as session:
        assert await is_partner_online(
            session, viewer=world.b, relationship_id=world.relationship_id, offline_after_s=1.0
        )


async def test_connections_per_user_are_capped(
    sessionmaker: async_sessionmaker[AsyncSession], bus: BroadcastBus, world: World
) -> None:
    one = node(sessionmaker, bus)
    for _ in range(2):
        await one.connect(world.a.user_id, max_connections=2)
    with pytest.raises(RateLimited):
        await one.connect(world.a.user_id, max_connections=2)
    await node(sessionmaker, bus).connect(world.a.user_id, max_connections=2)  # per process
    await one.close()
    assert one.connection_count == 0
