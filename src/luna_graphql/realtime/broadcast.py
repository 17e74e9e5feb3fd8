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
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from broadcaster import Broadcast, BroadcastBackend, Event

from luna_graphql.realtime.inbox import Subscription, Unsubscribed
from luna_graphql.realtime.pg_backend import RESYNC, ListenNotifyBackend

__all__ = ["RESYNC", "SafeBroadcast", "Subscription", "Unsubscribed", "build_broadcast"]

logger = logging.getLogger(__name__)

_PG_SCHEMES = frozenset({"postgresql", "postgres", "postgresql+asyncpg"})
_BROADCASTER_SCHEMES = frozenset({"memory", "redis", "rediss"})
# A channel with this many local subscribers gets its events prepared before they are
# delivered (see `SafeBroadcast.prepare_with`); below it, the extra hop costs more than it saves.
PREPARE_MIN_SUBSCRIBERS = 4
PREPARE_TIMEOUT_S = 2.0

Prepare = Callable[[Event], Awaitable[object] | None]


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
        self._prepare: Prepare | None = None
        # Per channel, events waiting (in order) for their preparation to finish.
        self._held: dict[str, deque[tuple[Event, Awaitable[object] | None]]] = {}
        self._releasing: set[asyncio.Task[None]] = set()

    def prepare_with(self, prepare: Prepare | None) -> None:
        """Run `prepare(event)` before delivering an event to a busy channel's subscribers.

        When it returns an awaitable, the event is delivered once that is done (or failed, or
        timed out: preparing is only a head start), still in order with the channel's other
        events. The realtime runtime reads a new message's row here, so a thousand
        subscribers wake once to find it cached instead of waking twice around one read.
        """
        self._prepare = prepare

    def _create_backend(self, url: str) -> BroadcastBackend:
        if urlsplit(url).scheme in _PG_SCHEMES:
            return ListenNotifyBackend(url)
        return super()._create_backend(url)

    @property
    def listening(self) -> bool:
        """False while events cannot arrive: our PostgreSQL backend's LISTEN connection is
        down (it is reconnecting). Other backends report no such state."""
        return bool(getattr(self._backend, "connected", True))

    async def connect(self) -> None:
        self._closed = False
        await super().connect()

    async def disconnect(self) -> None:
        self._closed = True
        for releasing in list(self._releasing):
            releasing.cancel()
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
            self._route(event)
            # next_published() returns without suspending while events are queued; yielding
            # per event lets consumers that keep up drain their inbox during a burst.
            await asyncio.sleep(0)

    def _route(self, event: Event) -> None:
        channel = event.channel
        subs = self._subs.get(channel)
        if not subs:
            return
        ready = None
        prepare = self._prepare
        if prepare is not None and len(subs) >= PREPARE_MIN_SUBSCRIBERS and event.message != RESYNC:
            ready = prepare(event)
        held = self._held.get(channel)
        if held is None and ready is None:
            self._deliver(event)
            return
        if held is None:
            held = self._held[channel] = deque()
            task = asyncio.create_task(self._release_held(channel, held))
            self._releasing.add(task)
            task.add_done_callback(self._releasing.discard)
        held.append((event, ready))

    async def _release_held(
        self, channel: str, held: deque[tuple[Event, Awaitable[object] | None]]
    ) -> None:
        try:
            while held:
                event, ready = held[0]
                if ready is not None:
                    try:
                        await asyncio.wait_for(ready, PREPARE_TIMEOUT_S)
                    except Exception:
                        logger.debug("preparing an event failed; delivering it anyway")
                held.popleft()
                self._deliver(event)
        finally:
            if self._held.get(channel) is held:
                del self._held[channel]

    def _deliver(self, event: Event) -> None:
        for sub in list(self._subs.get(event.channel, ())):
            sub.deliver(event)  # never blocks: a slow subscriber only hurts itself

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
    check_broadcast_url(url)
    return SafeBroadcast(url, queue_size=queue_size)


def check_broadcast_url(url: str) -> None:
    if urlsplit(url).scheme not in _PG_SCHEMES | _BROADCASTER_SCHEMES:
        raise ValueError("expected a postgresql://…, memory:// or redis://… URL")
