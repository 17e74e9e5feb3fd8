"""Fixtures for the realtime tests: a throwaway PostgreSQL and fast-reacting backends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import asyncpg
import pytest

from luna_graphql.realtime.broadcast import SafeBroadcast
from luna_graphql.realtime.pg_backend import ListenNotifyBackend
from tests.pgtools import ThrowawayPostgres

T = TypeVar("T")

# Fast enough that fault tests finish in about a second, slow enough not to spin.
FAST = {
    "keepalive_interval": 0.3,
    "keepalive_timeout": 1.0,
    "backoff_base": 0.05,
    "backoff_max": 0.3,
}


@pytest.fixture(scope="session")
def pg() -> Iterator[ThrowawayPostgres]:
    with ThrowawayPostgres() as server:
        yield server


@pytest.fixture
async def backend(pg: ThrowawayPostgres) -> AsyncIterator[ListenNotifyBackend]:
    b = ListenNotifyBackend(pg.dsn, **FAST)
    await b.connect()
    yield b
    await b.disconnect()


@pytest.fixture
async def broadcast(pg: ThrowawayPostgres) -> AsyncIterator[SafeBroadcast]:
    bc = SafeBroadcast(backend=ListenNotifyBackend(pg.dsn, **FAST))
    async with bc:
        yield bc


@pytest.fixture
async def admin(pg: ThrowawayPostgres) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection of the test's own, for NOTIFY from outside and pg_terminate_backend."""
    conn = await asyncpg.connect(pg.dsn)
    yield conn
    await conn.close()


@pytest.fixture(autouse=True)
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """Fail a test whose background tasks or callbacks died unnoticed."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    yield errors
    loop.set_exception_handler(previous)
    assert not errors, errors


async def within(aw: Awaitable[T], timeout: float = 5.0) -> T:
    async with asyncio.timeout(timeout):
        return await aw


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)
