"""A PostgreSQL LISTEN/NOTIFY backend for broadcaster that survives real life.

broadcaster 0.3.1's own Postgres backend shares one connection without a lock, never
reconnects and queues without bound. This one keeps a single LISTEN connection per process
(NOTIFY cost grows with idle listeners), publishes over a separate small pool, reconnects
forever and then tells every channel to resync from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from broadcaster import BroadcastBackend, Event

__all__ = ["RESYNC", "ListenNotifyBackend", "check_channel", "to_asyncpg_dsn"]

logger = logging.getLogger(__name__)

RESYNC = '{"type":"resync"}'
"""Message of a synthetic event: events may have been lost, re-read state from the database."""

# PostgreSQL truncates identifiers to 63 bytes, so two long names could silently share a channel.
MAX_CHANNEL_BYTES = 62
# The server limit is 8000 bytes; staying below it keeps a NOTIFY from rolling back a write.
MAX_PAYLOAD_BYTES = 7900

_SCHEMES = frozenset({"postgresql", "postgres", "postgresql+asyncpg"})
_T = TypeVar("_T")


def to_asyncpg_dsn(url: str) -> str:
    """Map SQLAlchemy-style and short schemes to the one asyncpg understands."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise ValueError(f"not a PostgreSQL URL: scheme {parts.scheme!r}")
    return urlunsplit(parts._replace(scheme="postgresql"))


def check_channel(channel: str) -> None:
    size = len(channel.encode())
    if not 0 < size <= MAX_CHANNEL_BYTES or "\x00" in channel:
        raise ValueError(f"channel name must be 1..{MAX_CHANNEL_BYTES} bytes: {channel!r}")


class ListenNotifyBackend(BroadcastBackend):
    def __init__(
        self,
        url: str,
        *,
        queue_size: int = 10_000,
        keepalive_interval: float = 5.0,
        keepalive_timeout: float = 5.0,
        command_timeout: float = 10.0,
        backoff_base: float = 0.25,
        backoff_max: float = 2.0,
    ) -> None:
        # BroadcastBackend.__init__ only raises NotImplementedError, so it is not called.
        self._dsn = to_asyncpg_dsn(url)
        self._queue_size = queue_size
        self._keepalive_interval = keepalive_interval
        self._keepalive_timeout = keepalive_timeout
        self._command_timeout = command_timeout
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._lock = asyncio.Lock()
        self._channels: set[str] = set()
        self._conn: asyncpg.Connection | None = None
        self._pool: asyncpg.Pool | None = None
        self._lost = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._events: deque[Event] = deque()
        self._counts: Counter[str] = Counter()
        # Insertion-ordered set; while a channel's RESYNC is pending its events are redundant.
        self._resync: dict[str, None] = {}
        self._wakeup = asyncio.Event()
        self.reconnects = 0  # for health checks and metrics
        self.overflows = 0

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    @property
    def listen_pid(self) -> int | None:
        conn = self._conn
        return conn.get_server_pid() if conn is not None and not conn.is_closed() else None

    @property
    def channels(self) -> frozenset[str]:
        return frozenset(self._channels)

    async def connect(self) -> None:
        # Fail fast on a wrong DSN at startup; only later losses are retried forever.
        self._pool = await asyncpg.create_pool(
            self._dsn,
            # No floor: asyncpg restores one in the background, logging a traceback per failed
            # attempt while the database is down; connections open on demand instead.
            min_size=0,
            max_size=2,
            timeout=self._command_timeout,
            server_settings={"application_name": "luna-graphql-notify"},
        )
        try:
            await self._attach(await self._open())
        except BaseException:
            await self._pool.close()
            raise
        self._supervisor = asyncio.create_task(self._supervise(), name="pg-listen-supervisor")

    async def disconnect(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                async with asyncio.timeout(self._command_timeout), self._lock:
                    await conn.close()
            except Exception:
                conn.terminate()
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                async with asyncio.timeout(self._command_timeout):
                    await pool.close()
            except Exception:
                pool.terminate()
        self._channels.clear()
        self._events.clear()
        self._counts.clear()
        self._resync.clear()

    async def subscribe(self, channel: str) -> None:
        check_channel(channel)
        await self._shielded(self._listen(channel))

    async def unsubscribe(self, channel: str) -> None:
        await self._shielded(self._unlisten(channel))

    async def publish(self, channel: str, message: Any) -> None:
        check_channel(channel)
        if not isinstance(message, str):
            raise TypeError(f"NOTIFY payloads are str, got {type(message).__name__}")
        if len(message.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"payload exceeds {MAX_PAYLOAD_BYTES} bytes; send ids, not content")
        if self._pool is None:
            raise RuntimeError("backend is not connected")
        for attempt in range(2):
            try:
                await self._pool.execute(
                    "SELECT pg_notify($1, $2)", channel, message, timeout=self._command_timeout
                )
                return
            except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
                # A pooled connection may have died with the server; one retry gets a fresh
                # one. A duplicate NOTIFY is harmless, since subscribers drop duplicates by seq.
                if attempt:
                    raise
                logger.warning("publish on %r failed; retrying once", channel, exc_info=True)

    async def next_published(self) -> Event:
        while True:
            if self._resync:
                channel = next(iter(self._resync))
                del self._resync[channel]
                return Event(channel=channel, message=RESYNC)
            if self._events:
                event = self._events.popleft()
                self._counts[event.channel] -= 1
                if not self._counts[event.channel]:
                    del self._counts[event.channel]
                return event
            self._wakeup.clear()
            await self._wakeup.wait()

    async def listening_channels(self) -> set[str]:
        """What the server says this process LISTENs to (for health checks and tests)."""
        async with self._lock:
            if self._conn is None:
                return set()
            rows = await self._conn.fetch("SELECT pg_listening_channels() AS c")
            return {row["c"] for row in rows}

    async def _shielded(self, op: Awaitable[_T]) -> _T:
        # A cancelled caller must not leave the server LISTENing to a channel asyncpg forgot.
        return await asyncio.shield(asyncio.ensure_future(op))

    async def _listen(self, channel: str) -> None:
        async with self._lock:
            # Remembered first so that a reconnect re-LISTENs it whatever happens below.
            self._channels.add(channel)
            await self._on_conn(lambda conn: conn.add_listener(channel, self._on_notify))

    async def _unlisten(self, channel: str) -> None:
        async with self._lock:
            self._channels.discard(channel)
            self._resync.pop(channel, None)
            self._purge(channel)
            await self._on_conn(lambda conn: conn.remove_listener(channel, self._on_notify))

    async def _on_conn(self, op: Callable[[asyncpg.Connection], Awaitable[object]]) -> None:
        """Run op on the LISTEN connection (lock held); any failure means a fresh connection."""
        conn = self._conn
        if conn is None:
            return  # the reconnect loop will LISTEN to self._channels and send RESYNC
        try:
            async with asyncio.timeout(self._command_timeout):
                await op(conn)
        except Exception:
            logger.warning("LISTEN connection failed; reconnecting", exc_info=True)
            self._drop(conn)

    async def _open(self) -> asyncpg.Connection:
        conn: asyncpg.Connection = await asyncpg.connect(
            self._dsn,
            timeout=self._command_timeout,
            server_settings={"application_name": "luna-graphql-listen"},
        )
        conn.add_termination_listener(self._on_terminated)
        return conn

    def _drop(self, conn: asyncpg.Connection) -> None:
        if conn is self._conn:
            self._conn = None
            self._lost.set()
        conn.terminate()

    def _on_terminated(self, conn: object) -> None:
        if conn is self._conn:
            logger.warning("LISTEN connection closed by the server; reconnecting")
            self._conn = None
            self._lost.set()

    async def _supervise(self) -> None:
        while True:
            try:
                try:
                    async with asyncio.timeout(self._keepalive_interval):
                        await self._lost.wait()
                except TimeoutError:
                    await self._keepalive()
                if self._lost.is_set():
                    await self._reconnect()
            except Exception:  # a bug here must not silently end reconnects for the process
                logger.exception("LISTEN supervisor error")
                await asyncio.sleep(self._backoff_base)

    async def _keepalive(self) -> None:
        # Termination listeners miss a silent network cut; a round trip does not.
        async with self._lock:
            conn = self._conn
            if conn is None:
                self._lost.set()
                return
            try:
                async with asyncio.timeout(self._keepalive_timeout):
                    await conn.fetchval("SELECT 1")
            except Exception:
                logger.warning("LISTEN keepalive failed; reconnecting", exc_info=True)
                self._drop(conn)

    async def _attach(self, conn: asyncpg.Connection) -> list[str]:
        """LISTEN to every remembered channel on conn, then make it the LISTEN connection."""
        try:
            async with self._lock:
                channels = sorted(self._channels)
                async with asyncio.timeout(self._command_timeout):
                    for channel in channels:
                        await conn.add_listener(channel, self._on_notify)
                self._lost.clear()
                self._conn = conn
        except BaseException:
            conn.terminate()
            raise
        return channels

    async def _reconnect(self) -> None:
        # The wait between attempts stays short (`backoff_max`, 2 s by default): an attempt
        # against a server that is down costs one refused connection, while every second
        # between the server's return and our LISTEN is a second in which no subscriber of
        # this process hears of new messages. It starts over after each success.
        attempt = 0
        while True:
            try:
                channels = await self._attach(await self._open())
            except Exception as exc:
                delay = min(self._backoff_max, self._backoff_base * 2 ** min(attempt, 32))
                delay = random.uniform(delay / 2, delay)
                attempt += 1
                logger.warning(
                    "reconnect attempt %d failed (%r); next in %.2fs", attempt, exc, delay
                )
                await asyncio.sleep(delay)
                continue
            self.reconnects += 1
            logger.info("LISTEN connection restored; resyncing %d channels", len(channels))
            for channel in channels:
                self._mark_resync(channel)
            return

    def _on_notify(self, conn: object, pid: int, channel: str, payload: str) -> None:
        # Runs as an asyncpg callback: it must never block or raise.
        if channel not in self._channels or channel in self._resync:
            return
        if len(self._events) >= self._queue_size:
            self.overflows += 1
            # Collapse the busiest channel into one RESYNC: quiet channels keep exact events.
            victim = max(self._counts, key=self._counts.__getitem__, default=channel)
            self._mark_resync(victim)
            if victim == channel:
                return
        self._events.append(Event(channel=channel, message=payload))
        self._counts[channel] += 1
        self._wakeup.set()

    def _mark_resync(self, channel: str) -> None:
        self._purge(channel)
        if channel in self._channels and channel not in self._resync:
            self._resync[channel] = None
            self._wakeup.set()

    def _purge(self, channel: str) -> None:
        if self._counts.pop(channel, 0):
            self._events = deque(e for e in self._events if e.channel != channel)
