"""broadcaster's Broadcast with the subscription bookkeeping fixed.

broadcaster 0.3.1 registers a subscriber only after LISTEN returns (concurrent first
subscribers overwrite each other, cleanup raises KeyError), queues without bound and lets one
slow consumer stall the fan-out for everyone. SafeBroadcast keeps broadcaster's public shape
(`connect`, `disconnect`, `publish`, `subscribe` yielding an async-iterable subscriber).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

from broadcaster import Broadcast, BroadcastBackend, Event

from luna_graphql.realtime.pg_backend import RESYNC, ListenNotifyBackend

__all__ = ["RESYNC", "SafeBroadcast", "Subscription", "Unsubscribed", "build_broadcast"]

logger = logging.getLogger(__name__)

_PG_SCHEMES = frozenset({"postgresql", "postgres", "postgresql+asyncpg"})
_BROADCASTER_SCHEMES = frozenset({"memory", "redis", "rediss"})


class Unsubscribed(Exception):
    """Raised by Subscription.get() once the subscription has ended."""


class Subscription:
    """One subscriber's bounded inbox; overflow collapses into a single RESYNC marker.

    Not an asyncio.Queue: a process holds one inbox per idle subscription, and a Queue's
    three deques and Event cost about 3 KiB each. This one holds a deque only while events
    wait, and a single waiter, since each inbox has exactly one consumer.
    """

    __slots__ = (
        "_accept",
        "_closed",
        "_items",
        "_maxsize",
        "_resync_pending",
        "_waiter",
        "channel",
        "overflows",
    )

    def __init__(
        self, channel: str, maxsize: int, accept: Callable[[Event], bool] | None = None
    ) -> None:
        self.channel = channel
        # Drops events this subscriber would discard before they wake it: on a busy
        # channel a thousand sockets otherwise each wake up to ignore every other event.
        self._accept = accept
        self._maxsize = max(1, maxsize)
        self._items: deque[Event] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        # While a RESYNC waits unread, newer events are redundant: the consumer re-reads
        # the database after taking it, which covers them.
        self._resync_pending = False
        self.overflows = 0

    def deliver(self, event: Event) -> None:
        if self._resync_pending or self._closed:
            return
        if self._accept is not None and event.message != RESYNC and not self._accept(event):
            return
        if event.message == RESYNC:
            self._resync_pending = True
        items = self._items
        if items is None:
            items = self._items = deque()
        if len(items) >= self._maxsize:
            self.overflows += 1
            items.clear()
            self._resync_pending = True
            event = Event(channel=self.channel, message=RESYNC)
        items.append(event)
        self._wake()

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    def close(self) -> None:
        self._closed = True
        self._items = None
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def get(self) -> Event:
        while not self._items:
            if self._closed:
                raise Unsubscribed  # and so do later get() calls
            if self._waiter is not None:
                raise RuntimeError("a Subscription has a single consumer")
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.popleft()
        if not self._items:
            self._items = None  # an idle inbox keeps no deque
        if item.message == RESYNC:
            self._resync_pending = False
        return item

    async def __aiter__(self) -> AsyncGenerator[Event, None]:
        try:
            while True:
                yield await self.get()
        except Unsubscribed:
            return


class _ChannelLock:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class _Subscribing:
    """`async with broadcast.subscribe(channel) as sub`. A class rather than an
    asynccontextmanager: every idle subscription holds its context manager, and a
    generator-based one (generator, frame, attribute dict) weighs several times more."""

    __slots__ = ("_broadcast", "_sub")

    def __init__(self, broadcast: SafeBroadcast, sub: Subscription) -> None:
        self._broadcast = broadcast
        self._sub = sub

    async def __aenter__(self) -> Subscription:
        try:
            await self._broadcast._join(self._sub)
        except BaseException:
            await self._broadcast._leave(self._sub)
            raise
        return self._sub

    async def __aexit__(self, *exc_info: object) -> None:
        await self._broadcast._leave(self._sub)


class SafeBroadcast(Broadcast):
    def __init__(
        self,
        url: str | None = None,
        *,
        backend: BroadcastBackend | None = None,
        queue_size: int = 1000,
    ) -> None:
        super().__init__(url, backend=backend)
        self._queue_size = queue_size
        self._subs: dict[str, set[Subscription]] = {}
        self._channel_locks: dict[str, _ChannelLock] = {}
        # Channels the backend has been asked to subscribe and not yet to unsubscribe.
        self._backend_channels: set[str] = set()
        self._closed = False

    def _create_backend(self, url: str) -> BroadcastBackend:
        if urlsplit(url).scheme in _PG_SCHEMES:
            return ListenNotifyBackend(url)
        return super()._create_backend(url)

    async def connect(self) -> None:
        self._closed = False
        await super().connect()

    async def disconnect(self) -> None:
        self._closed = True
        task = getattr(self, "_listener_task", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # End every open iterator instead of leaving it waiting forever.
        for subs in self._subs.values():
            for sub in subs:
                sub.close()
        await self._backend.disconnect()

    async def _listener(self) -> None:
        failures = 0
        while True:
            try:
                event = await self._backend.next_published()
            except Exception:
                failures += 1
                logger.exception("broadcast backend failed; fan-out continues")
                await asyncio.sleep(min(1.0, 0.05 * failures))
                continue
            failures = 0
            for sub in list(self._subs.get(event.channel, ())):
                sub.deliver(event)  # never blocks: a slow subscriber only hurts itself
            # next_published() returns without suspending while events are queued; yielding
            # per event lets consumers that keep up drain their inbox during a burst.
            await asyncio.sleep(0)

    def subscribe(  # type: ignore[override]
        self, channel: str, accept: Callable[[Event], bool] | None = None
    ) -> _Subscribing:
        # Overridden signature: broadcaster's Subscriber is not exported from its top level,
        # so our Subscription mirrors its interface instead of subclassing it.
        return _Subscribing(self, Subscription(channel, self._queue_size, accept))

    async def _join(self, sub: Subscription) -> None:
        channel = sub.channel
        # Registered before the backend subscribe is awaited, so a concurrent subscriber that
        # finds the channel already LISTENed never misses what arrives meanwhile.
        self._subs.setdefault(channel, set()).add(sub)
        async with self._channel_lock(channel):
            if channel not in self._backend_channels:
                # Marked before the await: if it is cancelled halfway, cleanup still
                # unsubscribes (backends tolerate unsubscribing what they never had).
                self._backend_channels.add(channel)
                await self._backend.subscribe(channel)

    async def _leave(self, sub: Subscription) -> None:
        channel = sub.channel
        subs = self._subs.get(channel)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[channel]
        sub.close()
        if channel not in self._subs:
            # Shielded so that a second cancellation cannot leave a LISTEN behind.
            await asyncio.shield(asyncio.ensure_future(self._release(channel)))

    @contextlib.asynccontextmanager
    async def _channel_lock(self, channel: str) -> AsyncIterator[None]:
        # Counted so the lock is dropped with its last user (waiters included): channels are
        # per conversation, and a lock kept per channel ever seen would grow without bound.
        entry = self._channel_locks.get(channel)
        if entry is None:
            entry = self._channel_locks[channel] = _ChannelLock()
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if not entry.users:
                del self._channel_locks[channel]

    async def _release(self, channel: str) -> None:
        async with self._channel_lock(channel):
            if channel in self._subs or channel not in self._backend_channels:
                return  # a new subscriber took over, or another release got here first
            self._backend_channels.discard(channel)
            if self._closed:
                return
            try:
                await self._backend.unsubscribe(channel)
            except Exception:
                logger.exception("unsubscribe from %r failed", channel)

    async def publish(self, channel: str, message: Any) -> None:
        await self._backend.publish(channel, message)


def build_broadcast(url: str, *, queue_size: int = 1000) -> Broadcast:
    """The process-wide event bus for a URL: PostgreSQL, memory:// (tests) or Redis."""
    scheme = urlsplit(url).scheme
    if scheme not in _PG_SCHEMES | _BROADCASTER_SCHEMES:
        raise ValueError(f"unsupported broadcast URL scheme {scheme!r}")
    return SafeBroadcast(url, queue_size=queue_size)
