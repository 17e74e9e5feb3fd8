"""Typing: ephemeral, expiring on an injected clock, preference-aware, rate-limited."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.errors import RateLimited
from luna_graphql.rate_limit import RateLimiter
from luna_graphql.realtime.bus import BroadcastBus
from luna_graphql.services.typing import TypingState, set_typing, stream_typing
from tests.realtime_services.conftest import Collector, World, set_preferences

pytestmark = pytest.mark.asyncio(loop_scope="session")

Collect = Callable[[Any], Collector]
TTL = 6.0


class FakeClock:
    """Time moves only when the test says so."""

    def __init__(self) -> None:
        self._now = 1000.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        self._now += seconds
        for wake_at, future in list(self._sleepers):
            if wake_at <= self._now and not future.done():
                future.set_result(None)
        self._sleepers = [(w, f) for w, f in self._sleepers if not f.done()]
        await asyncio.sleep(0.05)  # let woken streams run


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def watch(sessionmaker: Any, bus: BroadcastBus, clock: FakeClock, world: World) -> Any:
    """Partner B watching A type."""
    return stream_typing(
        sessionmaker=sessionmaker,
        bus=bus,
        clock=clock,
        ttl_s=TTL,
        viewer=world.b,
        conversation_id=world.conversation_id,
    )


async def typing(
    sessionmaker: Any, bus: BroadcastBus, world: World, on: bool, limiter: Any = None
) -> bool:
    return await set_typing(
        sessionmaker=sessionmaker,
        bus=bus,
        limiter=limiter,
        viewer=world.a,
        conversation_id=world.conversation_id,
        is_typing=on,
    )


async def test_start_then_stop(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    clock: FakeClock,
    collect: Collect,
) -> None:
    got = collect(watch(sessionmaker, bus, clock, world))
    await asyncio.sleep(0.2)
    assert await typing(sessionmaker, bus, world, True)
    await typing(sessionmaker, bus, world, True)  # a refresh is not a change
    await typing(sessionmaker, bus, world, False)
    items = await got.wait_for(2)
    assert [s.is_typing for s in await got.settle(0.2)] == [True, False]
    assert items[0] == TypingState(world.conversation_id, "partner_a", True)


async def test_start_without_stop_expires_after_ttl(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    clock: FakeClock,
    collect: Collect,
) -> None:
    got = collect(watch(sessionmaker, bus, clock, world))
    await asyncio.sleep(0.2)
    await typing(sessionmaker, bus, world, True)
    await got.wait_for(1)
    await clock.advance(TTL - 1)
    await typing(sessionmaker, bus, world, True)  # refreshed: the TTL starts again
    await asyncio.sleep(0.1)
    await clock.advance(TTL - 1)
    assert [s.is_typing for s in await got.settle(0.1)] == [True]
    await clock.advance(1.5)
    assert [s.is_typing for s in await got.wait_for(2)] == [True, False]


async def test_own_typing_is_not_echoed(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    clock: FakeClock,
    collect: Collect,
) -> None:
    own = collect(
        stream_typing(
            sessionmaker=sessionmaker,
            bus=bus,
            clock=clock,
            ttl_s=TTL,
            viewer=world.a,
            conversation_id=world.conversation_id,
        )
    )
    await asyncio.sleep(0.2)
    await typing(sessionmaker, bus, world, True)
    assert await own.settle(0.3) == []


@pytest.mark.parametrize("role", ["partner_a", "partner_b"])
async def test_either_partner_hiding_typing_stops_delivery(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    clock: FakeClock,
    collect: Collect,
    role: str,
) -> None:
    await set_preferences(sessionmaker, world, role, show_typing_indicators=False)
    got = collect(watch(sessionmaker, bus, clock, world))
    await asyncio.sleep(0.2)
    assert await typing(sessionmaker, bus, world, True)  # accepted, revealing nothing
    assert await got.settle(0.3) == []


async def test_typing_is_rate_limited_per_user(
    sessionmaker: async_sessionmaker[AsyncSession], bus: BroadcastBus, world: World
) -> None:
    limiter = RateLimiter({"typing": "3/minute"})
    for _ in range(3):
        await typing(sessionmaker, bus, world, True, limiter)
    with pytest.raises(RateLimited):
        await typing(sessionmaker, bus, world, True, limiter)
