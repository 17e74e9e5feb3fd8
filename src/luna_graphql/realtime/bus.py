"""The event bus services use: subscribe to a couple's channel, publish ephemeral events.

Services see `EventBus` only; `BroadcastBus` adapts our `SafeBroadcast` (the one place that
knows broadcaster) to it. A subscription yields `BusEvent`s, or `RESYNC_REQUIRED` when events
may have been lost (listener reconnect, queue overflow): the consumer then re-reads the
database, which is the source of truth.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from broadcaster import Broadcast, Event

from luna_graphql.realtime.after_commit import AfterCommitEmitter
from luna_graphql.realtime.broadcast import RESYNC, SafeBroadcast, Unsubscribed, build_broadcast
from luna_graphql.realtime.events import BusEvent, EventEmitter, NotifyEmitter

__all__ = [
    "RESYNC_REQUIRED",
    "BroadcastBus",
    "BusSubscription",
    "EventBus",
    "Resync",
    "build_bus",
    "is_transactional_bus",
]

logger = logging.getLogger(__name__)

_PG_SCHEMES = frozenset({"postgresql", "postgres", "postgresql+asyncpg"})


@functools.lru_cache(maxsize=512)
def _decode(payload: str) -> BusEvent:
    # Every subscriber of a channel receives the same payload: parse it once per process.
    # Consumers only read events, so sharing one BusEvent is safe.
    return BusEvent.decode(payload)


def _ours(event: Event) -> BusEvent | None:
    """The event decoded, or None when it is not ours: anyone with database access can
    NOTIFY our channels."""
    try:
        return _decode(event.message)
    except (ValueError, KeyError, TypeError):
        return None


@functools.lru_cache(maxsize=64)
def _of_kinds(kinds: frozenset[str]) -> Callable[[Event], bool]:
    # Cached: subscribers asking for the same kinds share one filter instead of a closure each.
    def accept(event: Event) -> bool:
        decoded = _ours(event)  # not ours: the subscriber would skip it anyway
        return decoded is not None and decoded.kind in kinds

    return accept


class Resync:
    """Marker: events may have been lost; re-read state from the database."""

    _instance: Resync | None = None

    def __new__(cls) -> Resync:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "RESYNC_REQUIRED"


RESYNC_REQUIRED: Final = Resync()


class BusSubscription(Protocol):
    """One subscriber's inbox on one channel."""

    async def get(self) -> BusEvent | Resync:
        """The next event; raises StopAsyncIteration once the bus has shut down."""
        ...

    def __aiter__(self) -> AsyncIterator[BusEvent | Resync]: ...

    async def __anext__(self) -> BusEvent | Resync: ...

    def push_with(self, push: Callable[[BusEvent], bool]) -> None:
        """While the consumer waits idle, offer each event to `push` first: True means it
        was taken (the consumer is not woken for it), False queues it as usual."""
        ...


class EventBus(Protocol):
    """What services need from the bus (in-transaction emits go through `emitter`)."""

    @property
    def emitter(self) -> EventEmitter: ...

    @property
    def transactional(self) -> bool:
        """True when `emitter` NOTIFYs inside the write's transaction (PostgreSQL)."""
        ...

    @property
    def listening(self) -> bool:
        """False while events cannot arrive (the LISTEN connection is reconnecting)."""
        ...

    def subscribe(
        self, channel: str, kinds: frozenset[str] | None = None
    ) -> AbstractAsyncContextManager[BusSubscription]:
        """Events of the channel (only those of `kinds` when given) and RESYNC markers."""
        ...

    async def publish(self, event: BusEvent) -> None:
        """Fire an ephemeral event (typing, presence pings): no transaction, no storage."""
        ...


class _DecodedSubscription:
    """Decodes broadcaster events into BusEvent / RESYNC_REQUIRED, skipping garbage.

    Also the context manager `subscribe` returns (entering the broadcaster's one): every idle
    subscription holds it, so one small object rather than a generator-based manager."""

    __slots__ = ("_cm", "_push", "_sub")

    def __init__(self, cm: AbstractAsyncContextManager[Any]) -> None:
        self._cm = cm
        self._sub: Any = None
        self._push: Callable[[BusEvent], bool] | None = None

    async def __aenter__(self) -> BusSubscription:
        self._sub = await self._cm.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return await self._cm.__aexit__(*exc_info)

    async def get(self) -> BusEvent | Resync:
        while True:
            try:
                event: Event = await self._sub.get()
            except Unsubscribed:
                raise StopAsyncIteration from None
            if event.message == RESYNC:
                return RESYNC_REQUIRED
            decoded = _ours(event)
            if decoded is not None:
                return decoded
            logger.warning("ignoring malformed event on %s", event.channel)

    def __aiter__(self) -> AsyncIterator[BusEvent | Resync]:
        return self

    def push_with(self, push: Callable[[BusEvent], bool]) -> None:
        self._push = push
        if hasattr(self._sub, "direct"):  # our inboxes; broadcaster's own have no such hook
            self._sub.direct = self._push_raw

    def _push_raw(self, event: Event) -> bool:
        push, decoded = self._push, _ours(event)
        # Not ours: the consumer skips it, with a warning, as usual.
        return push is not None and decoded is not None and push(decoded)

    # An alias, not a method awaiting get(): an idle consumer waits in __anext__ for the
    # socket's whole life, and each coroutine layer in that chain is kept per socket.
    __anext__ = get


class BroadcastBus:
    """EventBus over broadcaster's Broadcast API (PostgreSQL, memory:// or redis://)."""

    def __init__(self, broadcast: Broadcast, *, transactional: bool) -> None:
        self._broadcast = broadcast
        self._emitter: EventEmitter = NotifyEmitter() if transactional else AfterCommitEmitter(self)
        self._transactional = transactional

    @property
    def emitter(self) -> EventEmitter:
        return self._emitter

    @property
    def transactional(self) -> bool:
        return self._transactional

    @property
    def broadcast(self) -> Broadcast:
        return self._broadcast

    @property
    def listening(self) -> bool:
        """False while events cannot arrive (the LISTEN connection is reconnecting)."""
        return not isinstance(self._broadcast, SafeBroadcast) or self._broadcast.listening

    async def connect(self) -> None:
        await self._broadcast.connect()

    def prepare_with(self, prepare: Callable[[BusEvent], Awaitable[object] | None]) -> None:
        """Give each event of a busy channel a head start before its subscribers wake (see
        `SafeBroadcast.prepare_with`); malformed events are delivered unprepared."""

        def prepare_raw(event: Event) -> Awaitable[object] | None:
            decoded = _ours(event)
            return None if decoded is None else prepare(decoded)

        if isinstance(self._broadcast, SafeBroadcast):
            self._broadcast.prepare_with(prepare_raw)

    async def disconnect(self) -> None:
        if isinstance(self._emitter, AfterCommitEmitter):
            await self._emitter.drain()
        await self._broadcast.disconnect()

    def subscribe(
        self, channel: str, kinds: frozenset[str] | None = None
    ) -> AbstractAsyncContextManager[BusSubscription]:
        if kinds is None:
            cm = self._broadcast.subscribe(channel)
        else:
            cm = self._broadcast.subscribe(channel, accept=_of_kinds(kinds))  # type: ignore[call-arg]
        return _DecodedSubscription(cm)

    async def publish(self, event: BusEvent) -> None:
        await self._broadcast.publish(event.channel, event.encode())


def is_transactional_bus(url: str) -> bool:
    """PostgreSQL buses deliver in-transaction NOTIFYs; others publish after COMMIT."""
    return urlsplit(url).scheme in _PG_SCHEMES


def build_bus(url: str, *, queue_size: int = 1000) -> BroadcastBus:
    """The process-wide bus for a URL. A PostgreSQL bus must be the application database,
    since events are NOTIFYed on the write's own connection."""
    return BroadcastBus(
        build_broadcast(url, queue_size=queue_size), transactional=is_transactional_bus(url)
    )
