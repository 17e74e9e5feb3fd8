"""ListenNotifyBackend against a real (throwaway) PostgreSQL."""

from __future__ import annotations

import asyncio
import random

import asyncpg
import pytest
from broadcaster import Event

from luna_graphql.realtime.pg_backend import RESYNC, ListenNotifyBackend, to_asyncpg_dsn
from tests.pgtools import ThrowawayPostgres
from tests.realtime.conftest import FAST, eventually, within

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_concurrent_publish_and_churn_never_collide(backend: ListenNotifyBackend) -> None:
    stable = [f"stable_{i}" for i in range(5)]
    for channel in stable:
        await backend.subscribe(channel)
    arrived: dict[tuple[str, str], asyncio.Event] = {}

    def expect(channel: str, message: str) -> asyncio.Event:
        return arrived.setdefault((channel, message), asyncio.Event())

    async def reader() -> None:
        while True:
            event = await backend.next_published()
            expect(event.channel, event.message).set()

    async def publish_stable(i: int) -> None:
        channel = stable[i % len(stable)]
        expect(channel, f"m{i}")
        await backend.publish(channel, f"m{i}")

    async def churn(i: int) -> None:
        # Subscribe, publish after the subscription is registered, receive, unsubscribe.
        channel = f"churn_{i}"
        await backend.subscribe(channel)
        await backend.publish(channel, "hello")
        await within(expect(channel, "hello").wait())
        await backend.unsubscribe(channel)

    ops = [publish_stable(i) for i in range(110)] + [churn(i) for i in range(30)]
    random.Random(7).shuffle(ops)  # 110 publishes + 30 * (subscribe, publish, unsubscribe)
    reading = asyncio.create_task(reader())
    try:
        await within(asyncio.gather(*ops), timeout=30)
        await within(asyncio.gather(*(e.wait() for e in arrived.values())))
    finally:
        reading.cancel()
    assert all(e.is_set() for e in arrived.values())
    # A collision would be self-healed by a reconnect and hidden; there must be none.
    assert backend.reconnects == 0 and backend.connected
    assert await backend.listening_channels() == set(stable)
    for channel in stable:
        await backend.unsubscribe(channel)
    assert await backend.listening_channels() == set()


async def test_subscribe_and_unsubscribe_are_idempotent(backend: ListenNotifyBackend) -> None:
    await backend.subscribe("twice")
    await backend.subscribe("twice")
    assert await backend.listening_channels() == {"twice"}
    await backend.unsubscribe("twice")
    await backend.unsubscribe("twice")
    await backend.unsubscribe("never_subscribed")
    assert await backend.listening_channels() == set()
    assert backend.channels == frozenset()


async def test_notify_arrives_on_commit_and_never_on_rollback(
    backend: ListenNotifyBackend, admin: asyncpg.Connection, pg: ThrowawayPostgres
) -> None:
    await backend.subscribe("tx")
    other = await asyncpg.connect(pg.dsn)
    try:
        tx = other.transaction()
        await tx.start()
        await other.execute("SELECT pg_notify('tx', 'committed')")
        # A later autocommit NOTIFY overtakes it: proof the first was held back until COMMIT.
        await admin.execute("SELECT pg_notify('tx', 'marker-1')")
        assert await within(backend.next_published()) == Event("tx", "marker-1")
        await tx.commit()
        assert await within(backend.next_published()) == Event("tx", "committed")
    finally:
        await other.close()


async def test_rollback_drops_the_notify(
    backend: ListenNotifyBackend, admin: asyncpg.Connection, pg: ThrowawayPostgres
) -> None:
    await backend.subscribe("tx")
    other = await asyncpg.connect(pg.dsn)
    try:
        tx = other.transaction()
        await tx.start()
        await other.execute("SELECT pg_notify('tx', 'rolled-back')")
        await tx.rollback()
        await admin.execute("SELECT pg_notify('tx', 'marker-2')")
        # NOTIFYs arrive in commit order, so anything from the rolled-back one would be first.
        assert await within(backend.next_published()) == Event("tx", "marker-2")
    finally:
        await other.close()


@pytest.mark.parametrize("channel", ["c" * 63, "é" * 32, ""])
async def test_channel_names_postgres_would_truncate_are_rejected(
    backend: ListenNotifyBackend, channel: str
) -> None:
    with pytest.raises(ValueError):
        await backend.subscribe(channel)
    with pytest.raises(ValueError):
        await backend.publish(channel, "x")
    assert backend.channels == frozenset()
    assert await backend.listening_channels() == set()


async def test_longest_channel_and_payload_still_pass(backend: ListenNotifyBackend) -> None:
    channel = "c" * 62
    await backend.subscribe(channel)
    await backend.publish(channel, "é" * 3950)  # 7900 bytes
    event = await within(backend.next_published())
    assert event.channel == channel and len(event.message.encode()) == 7900


async def test_oversized_payload_is_rejected_and_nothing_is_sent(
    backend: ListenNotifyBackend,
) -> None:
    await backend.subscribe("big")
    with pytest.raises(ValueError):
        await backend.publish("big", "x" * 7901)
    with pytest.raises(ValueError):
        await backend.publish("big", "é" * 3951)
    await backend.publish("big", "after")
    assert await within(backend.next_published()) == Event("big", "after")


async def test_full_queue_collapses_the_busiest_channel_into_resync(
    pg: ThrowawayPostgres, admin: asyncpg.Connection
) -> None:
    backend = ListenNotifyBackend(pg.dsn, queue_size=10, **FAST)
    await backend.connect()
    try:
        await backend.subscribe("busy")
        await backend.subscribe("quiet")
        await admin.execute("SELECT pg_notify('quiet', 'q1')")
        for i in range(30):
            await admin.execute(f"SELECT pg_notify('busy', 'b{i}')")
        await admin.execute("SELECT pg_notify('quiet', 'q2')")
        # Nothing reads meanwhile; the last NOTIFY arriving means all of them did.
        await eventually(lambda: backend._counts.get("quiet") == 2)
        assert backend.overflows >= 1
        assert len(backend._events) <= 10
        got = [await within(backend.next_published()) for _ in range(3)]
        assert got == [Event("busy", RESYNC), Event("quiet", "q1"), Event("quiet", "q2")]
        await admin.execute("SELECT pg_notify('busy', 'fresh')")
        assert await within(backend.next_published()) == Event("busy", "fresh")
    finally:
        await backend.disconnect()


@pytest.mark.parametrize("scheme", ["postgresql+asyncpg", "postgres", "postgresql"])
async def test_dsn_schemes_are_accepted(pg: ThrowawayPostgres, scheme: str) -> None:
    url = pg.dsn.replace("postgresql://", f"{scheme}://", 1)
    backend = ListenNotifyBackend(url, **FAST)
    await backend.connect()
    try:
        await backend.subscribe("scheme")
        await backend.publish("scheme", scheme)
        assert await within(backend.next_published()) == Event("scheme", scheme)
    finally:
        await backend.disconnect()


async def test_foreign_schemes_are_rejected() -> None:
    assert to_asyncpg_dsn("postgresql+asyncpg://u:p@h/db?ssl=x") == "postgresql://u:p@h/db?ssl=x"
    with pytest.raises(ValueError):
        ListenNotifyBackend("mysql://u@h/db")


async def test_disconnect_stops_background_work(pg: ThrowawayPostgres) -> None:
    backend = ListenNotifyBackend(pg.dsn, **FAST)
    await backend.connect()
    await backend.subscribe("bye")
    supervisor = backend._supervisor
    await backend.disconnect()
    assert supervisor is not None and supervisor.done()
    assert not backend.connected
    with pytest.raises(RuntimeError):
        await backend.publish("bye", "x")
