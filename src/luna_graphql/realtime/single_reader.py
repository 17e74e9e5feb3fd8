"""A queue with exactly one reader that allocates only while something waits.

Every idle socket holds a few queues for its whole life (the server's receive queue, each
subscription's bus inbox), and an `asyncio.Queue` costs three deques and an Event each. This
one holds a deque only while items wait and a future only while its reader waits. Items
always go through the deque, so a reader cancelled after being woken loses nothing.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleReaderQueue(Generic[T]):
    __slots__ = ("_items", "_waiter")

    # What a second concurrent reader is told (it would take the first one's wake-up).
    _SECOND_READER = "a single-reader queue read concurrently"

    def __init__(self) -> None:
        self._items: deque[T] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def empty(self) -> bool:
        return not self._items

    def _append(self, item: T) -> None:
        items = self._items
        if items is None:
            items = self._items = deque()
        items.append(item)
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _waiting(self) -> asyncio.Future[None]:
        """What the reader awaits until an item arrives or `_wake` is called.

        A future to await in the reader's own `get`, not a coroutine of ours: an idle reader
        waits for its socket's whole life, and each coroutine in that chain is kept per
        socket. A done waiter (woken, or its reader cancelled) is replaced on the next wait,
        and `_take` drops it.
        """
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            raise RuntimeError(self._SECOND_READER)
        waiter = self._waiter = asyncio.get_running_loop().create_future()
        return waiter

    def _take(self) -> T:
        items = self._items
        assert items, "_take() with nothing queued"
        item = items.popleft()
        if not items:
            self._items = None  # an idle queue keeps no deque
        self._waiter = None
        return item
