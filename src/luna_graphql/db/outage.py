"""Telling "the database does not answer" apart from every other failure.

While PostgreSQL restarts, is stopped or cannot be reached, each path fails differently: the
ORM wraps the driver's error, asyncpg raises its own, and connecting fails with a plain
OSError (a refused TCP port, a missing Unix socket, a timeout). Clients need one answer for
all of them (retry later), and the server must not log them as bugs; everything else stays
an unexpected error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from sqlalchemy.exc import DBAPIError

from luna_graphql.db.engine import to_asyncpg_dsn
from luna_graphql.errors import ServiceUnavailable

logger = logging.getLogger(__name__)
T = TypeVar("T")

# What a client is told to wait before retrying: about one reconnect of the LISTEN
# connection and of the pools, which retry every couple of seconds while it lasts.
RETRY_AFTER_S = 2.0

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, unreachable, no socket file, connect timeout
    asyncpg.PostgresConnectionError,  # class 08: lost, failed, could not connect
    asyncpg.CannotConnectNowError,  # 57P03: starting up or shutting down
    asyncpg.AdminShutdownError,  # 57P01: the server is shutting down
    asyncpg.CrashShutdownError,  # 57P02: a backend crashed, the server restarts
    asyncpg.TooManyConnectionsError,  # 53300: no slot now, maybe in a moment
)


def database_unavailable(exc: BaseException) -> bool:
    """True when exc, or what it wraps, says the database could not be reached."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, _UNAVAILABLE):
            return True
        if isinstance(current, DBAPIError):
            if current.connection_invalidated:
                return True
            orig = current.orig
            stack.append(orig if isinstance(orig, BaseException) else None)
        if isinstance(current, asyncpg.InterfaceError) and "connection is closed" in str(current):
            return True
        stack.append(current.__cause__)
    return False


def unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The service is temporarily unavailable; try again shortly",
        retry_after_s=RETRY_AFTER_S,
    )


# What a statement may fail with while the database restarts or a backend is terminated: server
# errors such as admin_shutdown, a connection that died under us, the ORM's wrapping of
# either. A query that starts in the instant between a terminated backend's FATAL message
# and its closed socket gets asyncpg's InternalClientError ("another operation is in
# progress"). Broader than `database_unavailable` on purpose: the statements retried are
# safe to run again, so retrying one that would fail anyway only costs time.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    DBAPIError,
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)
# Long enough to ride out a restart or a short outage; then a subscription ends with
# SERVICE_UNAVAILABLE (its client resumes it) and a delivery mark is given up.
RETRY_S = 60.0
# The wait between attempts grows to this and no further: once the database answers again,
# whatever waits runs within a second.
RETRY_MAX_DELAY_S = 1.0


async def retry_transient(run: Callable[[], Awaitable[T]], *, what: str) -> T:
    """Run a statement that is safe to run again (a read, a forward-only mark) until it
    gets through a database blip, for at most RETRY_S."""
    deadline = time.monotonic() + RETRY_S
    attempt = 0
    while True:
        try:
            return await run()
        except TRANSIENT_ERRORS as exc:
            if time.monotonic() >= deadline:
                raise
            logger.warning("%s failed (%r); retrying", what, exc)
            await asyncio.sleep(min(RETRY_MAX_DELAY_S, 0.1 * 2**attempt))
            attempt += 1


async def ping(database_url: str, *, timeout_s: float = 5.0) -> None:
    """Connect once and hang up; raises what connecting raised."""
    conn = await asyncpg.connect(to_asyncpg_dsn(database_url), timeout=timeout_s)
    await conn.close()
