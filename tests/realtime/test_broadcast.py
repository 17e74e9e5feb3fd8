"""SafeBroadcast: subscription bookkeeping, bounded fan-out, build_broadcast."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from broadcaster import Broadcast, BroadcastBackend, Event

from luna_graphql.realtime.broadcast import (
    SafeBroadcast,
    Subscription,
    Unsubscribed,
    build_broadcast,
)
from luna_graphql.realtime.pg_backend import RESYNC, ListenNotifyBackend
from tests.pgtools import ThrowawayPostgres
from tests.realtime.conftest import FAST, eventually, within

pytestmark = pytest.mark.asyncio(loop_scope="session")


class SlowListenBackend(ListenNotifyBackend):
    """Widens the window in which broadcaster's own subscribe loses concurrent subscribers."""

    subscribe_calls = 0
    unsubscribe_calls = 0

    async def subscribe(self, channel: str) -> None:
        self.subscribe_calls += 1
        await asyncio.sleep(0.05)
        await super().subscribe(channel)

    async def unsubscribe(self, channel: str) -> None:
        self.unsubscribe_calls += 1
        await asyncio.sleep(0.05)
        await super().unsubscribe(channel)


@pytest.fixture
async def slow(pg: ThrowawayPostgres) -> Any:
    backend = SlowListenBackend(pg.dsn, **FAST)
    async with SafeBroadcast(backend=backend) as bc:
        yield bc, backend


async def test_concurrent_first_subscribers_all_receive(slow: Any) -> None:
    bc, backend = slow
    inside = asyncio.Barrier(4)

    async def subscriber() -> Event:
        async with bc.subscribe("room") as sub:
            await inside.wait()
            return await within(sub.get())

    tasks = [asyncio.create_task(subscriber()) for _ in range(3)]
    await within(inside.wait())
    await bc.publish("room", "hi")
    assert await within(asyncio.gather(*tasks)) == [Event("room", "hi")] * 3
    assert (backend.subscribe_calls, backend.unsubscribe_calls) == (1, 1)
    assert await backend.listening_channels() == set()
    assert backend.channels == frozenset()
    assert bc._subs == {} and bc._channel_locks == {}


async def test_cancelled_subscribers_leave_no_listen_behind(slow: Any) -> None:
    bc, backend = slow
    entered = asyncio.Event()

    got: list[Event] = []

    async def while_listening() -> None:
        async with bc.subscribe("cancel") as sub:
            entered.set()
            async for event in sub:
                got.append(event)

    async def during_listen() -> None:
        async with bc.subscribe("cancel"):
            await asyncio.sleep(3600)

    holder = asyncio.create_task(while_listening())
    early = asyncio.create_task(during_listen())
    await asyncio.sleep(0.01)  # `early` now waits on the slow LISTEN started by `holder`
    early.cancel()
    await within(entered.wait())
    await bc.publish("cancel", "still here")
    # The holder's subscription survived its neighbour's cancellation; now cancel it mid-get.
    await eventually(lambda: got == [Event("cancel", "still here")])
    holder.cancel()
    for task in (early, holder):
        with pytest.raises(asyncio.CancelledError):
            await within(task)
    await eventually(lambda: backend.unsubscribe_calls == 1)
    assert await backend.listening_channels() == set()
    assert bc._subs == {} and bc._channel_locks == {} and bc._backend_channels == set()


async def test_cancelling_during_cleanup_still_unlistens(slow: Any) -> None:
    bc, backend = slow
    inside = asyncio.Event()

    async def subscriber() -> None:
        async with bc.subscribe("twice-cancelled"):
            inside.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(subscriber())
    await within(inside.wait())
    task.cancel()
    await asyncio.sleep(0.01)  # now inside the (slow) UNLISTEN of the cleanup
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await within(task)
    await eventually(lambda: backend.channels == frozenset())
    await eventually(lambda: not bc._channel_locks)
    assert await backend.listening_channels() == set()


async def test_slow_consumer_gets_resync_while_fast_one_gets_everything(
    pg: ThrowawayPostgres,
) -> None:
    bc = SafeBroadcast(backend=ListenNotifyBackend(pg.dsn, **FAST), queue_size=5)
    async with bc, bc.subscribe("feed") as slow, bc.subscribe("feed") as fast:
        received: list[str] = []

        async def read_fast() -> None:
            async for event in fast:
                received.append(event.message)
                if len(received) == 41:
                    return

        reader = asyncio.create_task(read_fast())
        for i in range(40):
            await bc.publish("feed", f"e{i}")
        await eventually(lambda: len(received) == 40)
        assert received == [f"e{i}" for i in range(40)]
        assert slow.qsize() == 1 and slow.overflows == 1
        assert await within(slow.get()) == Event("feed", RESYNC)
        # After taking the marker, the slow consumer is live again.
        await bc.publish("feed", "next")
        assert await within(slow.get()) == Event("feed", "next")
        await within(reader)
        assert received[-1] == "next" and fast.overflows == 0


async def test_subscription_queue_is_bounded_and_ends_on_close() -> None:
    sub = Subscription("c", maxsize=3)
    for i in range(10):
        sub.deliver(Event("c", str(i)))
    assert sub.qsize() == 1
    assert await sub.get() == Event("c", RESYNC)
    sub.deliver(Event("c", "x"))
    sub.close()
    assert [e async for e in sub] == []
    with pytest.raises(Unsubscribed):
        await sub.get()


async def test_a_waiting_consumer_wakes_for_events_and_for_close() -> None:
    sub = Subscription("c", maxsize=3)
    waiting = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    sub.deliver(Event("c", "a"))
    assert await within(waiting) == Event("c", "a")
    assert sub.qsize() == 0
    waiting = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    sub.close()
    with pytest.raises(Unsubscribed):
        await within(waiting)
    sub.deliver(Event("c", "late"))  # after close: dropped, not queued
    assert sub.qsize() == 0


async def test_a_cancelled_get_leaves_the_inbox_usable() -> None:
    sub = Subscription("c", maxsize=3)
    waiting = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    sub.deliver(Event("c", "b"))
    assert await within(sub.get()) == Event("c", "b")


class FlakyBackend(BroadcastBackend):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self.failures = 2

    async def connect(self) -> None:
        pass

    async def disconnect(self) -> None:
        pass

    async def subscribe(self, channel: str) -> None:
        pass

    async def unsubscribe(self, channel: str) -> None:
        raise ConnectionError("cleanup must not raise this")

    async def publish(self, channel: str, message: Any) -> None:
        await self.queue.put(Event(channel, message))

    async def next_published(self) -> Event:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("backend hiccup")
        return await self.queue.get()


async def test_fan_out_survives_backend_errors(caplog: pytest.LogCaptureFixture) -> None:
    async with SafeBroadcast(backend=FlakyBackend()) as bc, bc.subscribe("c") as sub:
        await bc.publish("c", "after errors")
        assert await within(sub.get()) == Event("c", "after errors")
    assert "backend hiccup" in caplog.text


async def test_disconnect_ends_open_subscriptions() -> None:
    bc = build_broadcast("memory://")
    await bc.connect()
    async with bc.subscribe("c") as sub:
        reader = asyncio.create_task(within(sub.get()))
        await asyncio.sleep(0)
        await bc.disconnect()
        with pytest.raises(Unsubscribed):
            await reader


async def test_build_broadcast_memory_roundtrip() -> None:
    bc = build_broadcast("memory://")
    assert isinstance(bc, SafeBroadcast)
    async with bc:
        for _ in range(2):  # memory's unsubscribe raises KeyError if called twice
            async with bc.subscribe("m") as a, bc.subscribe("m") as b:
                await bc.publish("m", "hello")
                assert await within(a.get()) == await within(b.get()) == Event("m", "hello")


async def test_build_broadcast_postgres_schemes(pg: ThrowawayPostgres) -> None:
    url = pg.dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    bc = build_broadcast(url, queue_size=7)
    assert isinstance(bc, SafeBroadcast) and isinstance(bc._backend, ListenNotifyBackend)
    async with bc, bc.subscribe("pg") as sub:
        await bc.publish("pg", "via sqlalchemy url")
        assert await within(sub.get()) == Event("pg", "via sqlalchemy url")
    for scheme in ("postgres", "postgresql"):
        assert isinstance(build_broadcast(f"{scheme}://h/db")._backend, ListenNotifyBackend)


async def test_build_broadcast_redis_and_unknown() -> None:
    for url in ("redis://localhost:6379", "rediss://localhost:6380"):
        backend = build_broadcast(url)._backend
        assert type(backend).__name__ == "RedisBackend"
    with pytest.raises(ValueError):
        build_broadcast("kafka://localhost:9092")
    assert isinstance(SafeBroadcast("memory://"), Broadcast)
