"""One subscriber's inbox on a channel: bounded, single consumer, RESYNC on overflow."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable

from broadcaster import Event

from luna_graphql.realtime.pg_backend import RESYNC
from luna_graphql.realtime.single_reader import SingleReaderQueue

__all__ = ["Subscription", "Unsubscribed"]

logger = logging.getLogger(__name__)


class Unsubscribed(Exception):
    """Raised by Subscription.get() once the subscription has ended."""


class Subscription(SingleReaderQueue[Event]):
    """One subscriber's bounded inbox; overflow collapses into a single RESYNC marker.

    A `SingleReaderQueue`: a process holds one inbox per idle subscription, and each has
    exactly one consumer.
    """

    _SECOND_READER = "a Subscription has a single consumer"

    __slots__ = (
        "_accept",
        "_closed",
        "_maxsize",
        "_resync_pending",
        "channel",
        "direct",
        "overflows",
        "pushed",
    )

    def __init__(
        self, channel: str, maxsize: int, accept: Callable[[Event], bool] | None = None
    ) -> None:
        super().__init__()
        self.channel = channel
        # Drops events this subscriber would discard before they wake it: on a busy
        # channel a thousand sockets otherwise each wake up to ignore every other event.
        self._accept = accept
        self._maxsize = max(1, maxsize)
        self._closed = False
        # While a RESYNC waits unread, newer events are redundant: the consumer re-reads
        # the database after taking it, which covers them.
        self._resync_pending = False
        self.overflows = 0
        self.pushed = 0  # events `direct` took (tests and the benchmark)
        # Set by a consumer that can take an event without waking (see `deliver`).
        self.direct: Callable[[Event], bool] | None = None

    def deliver(self, event: Event) -> None:
        if self._resync_pending or self._closed:
            return
        if self._accept is not None and event.message != RESYNC and not self._accept(event):
            return
        if event.message == RESYNC:
            self._resync_pending = True
        elif self.direct is not None and self._idle() and self._pushed(self.direct, event):
            self.pushed += 1
            return
        items = self._items
        if items is not None and len(items) >= self._maxsize:
            self.overflows += 1
            items.clear()
            self._resync_pending = True
            event = Event(channel=self.channel, message=RESYNC)
        self._append(event)

    def _idle(self) -> bool:
        # The consumer waits in get() with nothing queued: its state is settled, and nothing
        # queued could overtake an event taken now.
        waiter = self._waiter
        return waiter is not None and not waiter.done() and not self._items

    def _pushed(self, direct: Callable[[Event], bool], event: Event) -> bool:
        try:
            return direct(event)
        except Exception:
            logger.exception("taking an event without a wake-up failed; queueing it")
            return False

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    def close(self) -> None:
        self._closed = True
        self._items = None
        self._wake()

    async def get(self) -> Event:
        while not self._items:
            if self._closed:
                raise Unsubscribed  # and so do later get() calls
            await self._waiting()
        item = self._take()
        if item.message == RESYNC:
            self._resync_pending = False
        return item

    async def __aiter__(self) -> AsyncGenerator[Event, None]:
        try:
            while True:
                yield await self.get()
        except Unsubscribed:
            return
