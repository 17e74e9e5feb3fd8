"""The receive queue and the writable gate of `ws_protocol.LeanWebSocketProtocol`: what
uvicorn's sans-I/O protocol uses an `asyncio.Queue` and an `asyncio.Event` for, allocating
only while something waits (an idle socket holds one of each for its whole life)."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any


class Inbox:
    """The receive queue: uvicorn's `put_nowait`, `get` and `empty`, for one consumer.

    `asyncio.Queue` allocates three deques (and an Event) per socket whether anything waits
    or not. Here an idle socket holds two empty slots: a deque exists only while events wait,
    a future only while the app waits. Events always go through the deque, so a consumer
    cancelled after being woken loses nothing (as with `asyncio.Queue`).
    """

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[Any] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> Any:
        while not self._items:
            if self._waiter is not None:
                # uvicorn's ASGI `receive` has one reader per socket (Starlette's WebSocket,
                # Strawberry's handler); a second one would take the first one's wake-up.
                raise RuntimeError("concurrent receive() on one WebSocket")
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                if self._waiter is waiter:  # cancelled before any put
                    self._waiter = None
        items = self._items
        item = items.popleft()
        if not items:
            self._items = None
        return item


class Gate:
    """`set`/`clear`/`wait`/`is_set` as uvicorn uses its `writable` event.

    Open nearly always (closed only while the transport's write buffer is over its high
    water mark); waiters' futures exist only while it is closed.
    """

    __slots__ = ("_open", "_waiters")

    def __init__(self) -> None:
        self._open = True
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._open

    def set(self) -> None:
        self._open = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._open = False

    async def wait(self) -> bool:
        if self._open:
            return True
        # One future per waiter, as asyncio.Event does: several operations of one socket can
        # wait to send, and cancelling one must not cancel the others' wait.
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        waiters = self._waiters
        waiters.append(waiter)
        try:
            await waiter
        finally:
            # Cancelled while still closed: forget this waiter. (Once `set` has run, the list
            # it took is no longer ours to edit, and this waiter is done.)
            if self._waiters is waiters:
                waiters.remove(waiter)
                if not waiters:
                    self._waiters = None
        return True
