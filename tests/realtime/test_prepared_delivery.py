"""SafeBroadcast.prepare_with: a busy channel's events wait for their preparation, in order."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

import pytest
from broadcaster import Event

from luna_graphql.realtime.broadcast import PREPARE_MIN_SUBSCRIBERS, SafeBroadcast, Subscription
from tests.realtime.conftest import within

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def subscribed(stack: AsyncExitStack, bc: SafeBroadcast, count: int) -> list[Subscription]:
    return [await stack.enter_async_context(bc.subscribe("room")) for _ in range(count)]


async def received(sub: Subscription, count: int) -> list[str]:
    return [str((await within(sub.get())).message) for _ in range(count)]


async def test_events_wait_for_their_preparation_and_keep_their_order(
    broadcast: SafeBroadcast,
) -> None:
    gates: dict[str, asyncio.Future[None]] = {}
    prepared: list[str] = []

    def prepare(event: Event) -> asyncio.Future[None]:
        prepared.append(event.message)
        gates[event.message] = asyncio.get_running_loop().create_future()
        return gates[event.message]

    broadcast.prepare_with(prepare)
    async with AsyncExitStack() as stack:
        subs = await subscribed(stack, broadcast, PREPARE_MIN_SUBSCRIBERS)
        await broadcast.publish("room", "first")
        await broadcast.publish("room", "second")
        await within(_until(lambda: len(prepared) == 2))
        gates["second"].set_result(None)  # the later one is ready first: it still waits
        await asyncio.sleep(0.1)
        assert all(sub.qsize() == 0 for sub in subs)
        gates["first"].set_result(None)
        for sub in subs:
            assert await received(sub, 2) == ["first", "second"]


async def test_a_failed_preparation_still_delivers(broadcast: SafeBroadcast) -> None:
    def prepare(event: Event) -> asyncio.Future[None]:
        failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        failed.set_exception(RuntimeError("database gone"))
        return failed

    broadcast.prepare_with(prepare)
    async with AsyncExitStack() as stack:
        subs = await subscribed(stack, broadcast, PREPARE_MIN_SUBSCRIBERS)
        await broadcast.publish("room", "hello")
        for sub in subs:
            assert await received(sub, 1) == ["hello"]


async def test_a_quiet_channel_is_delivered_unprepared(broadcast: SafeBroadcast) -> None:
    calls: list[Any] = []

    def prepare(event: Event) -> asyncio.Future[None]:
        calls.append(event)
        return asyncio.get_running_loop().create_future()  # would never finish

    broadcast.prepare_with(prepare)
    async with AsyncExitStack() as stack:
        subs = await subscribed(stack, broadcast, PREPARE_MIN_SUBSCRIBERS - 1)
        await broadcast.publish("room", "hello")
        for sub in subs:
            assert await received(sub, 1) == ["hello"]
    assert calls == []


async def _until(predicate: Any) -> None:
    while not predicate():
        await asyncio.sleep(0.01)
