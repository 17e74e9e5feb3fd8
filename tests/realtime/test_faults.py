"""The LISTEN connection dies (terminated, frozen, server restarted) and comes back."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from broadcaster import Event

from luna_graphql.realtime.broadcast import SafeBroadcast
from luna_graphql.realtime.pg_backend import RESYNC, ListenNotifyBackend
from tests.pgtools import ThrowawayPostgres
from tests.realtime.conftest import FAST, eventually, within

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_terminated_listener_reconnects_and_resyncs(
    broadcast: SafeBroadcast, admin: asyncpg.Connection
) -> None:
    backend = broadcast._backend
    assert isinstance(backend, ListenNotifyBackend)
    async with broadcast.subscribe("a") as a, broadcast.subscribe("b") as b:
        old_pid = backend.listen_pid
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", old_pid)
        assert await within(a.get()) == Event("a", RESYNC)
        assert await within(b.get()) == Event("b", RESYNC)
        assert backend.connected and backend.reconnects == 1
        assert backend.listen_pid != old_pid
        await admin.execute("SELECT pg_notify('a', 'after reconnect')")
        assert await within(a.get()) == Event("a", "after reconnect")
        assert await backend.listening_channels() == {"a", "b"}


async def test_frozen_listener_is_caught_by_keepalive(
    broadcast: SafeBroadcast, admin: asyncpg.Connection
) -> None:
    # SIGSTOP on the server process looks to us like a silent network cut: no FIN, no error.
    backend = broadcast._backend
    assert isinstance(backend, ListenNotifyBackend)
    if os.geteuid() != 0:
        pytest.skip("signalling the server's backend process needs root")
    async with broadcast.subscribe("frozen") as sub:
        pid = backend.listen_pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        try:
            assert await within(sub.get()) == Event("frozen", RESYNC)
        finally:
            os.kill(pid, signal.SIGCONT)
        assert backend.listen_pid != pid
        await admin.execute("SELECT pg_notify('frozen', 'thawed')")
        assert await within(sub.get()) == Event("frozen", "thawed")


@pytest.fixture
def restartable() -> Iterator[ThrowawayPostgres]:
    # A server of its own: stopping the shared one would break other tests' fixtures.
    with ThrowawayPostgres() as server:
        yield server


@pytest.fixture
async def restartable_bc(restartable: ThrowawayPostgres) -> AsyncIterator[SafeBroadcast]:
    async with SafeBroadcast(backend=ListenNotifyBackend(restartable.dsn, **FAST)) as bc:
        yield bc


async def test_server_restart_reconnects_and_resyncs(
    restartable: ThrowawayPostgres, restartable_bc: SafeBroadcast
) -> None:
    bc = restartable_bc
    backend = bc._backend
    assert isinstance(backend, ListenNotifyBackend)
    async with bc.subscribe("r1") as r1, bc.subscribe("r2") as r2:
        await asyncio.to_thread(restartable.stop_server)
        await eventually(lambda: not backend.connected)
        # Subscribing while the server is down is remembered and LISTENed on reconnect.
        async with bc.subscribe("r3") as r3:
            await asyncio.sleep(0.3)  # several failed attempts with FAST backoff
            assert not backend.connected
            await asyncio.to_thread(restartable.start_server)
            for sub, channel in ((r1, "r1"), (r2, "r2"), (r3, "r3")):
                assert await within(sub.get(), timeout=15) == Event(channel, RESYNC)
            assert backend.connected and backend.reconnects == 1
            # The publish pool lost its connection too; publish must recover by itself.
            await bc.publish("r3", "after restart")
            assert await within(r3.get()) == Event("r3", "after restart")
        assert await backend.listening_channels() == {"r1", "r2"}
