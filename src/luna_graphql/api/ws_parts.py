"""The receive queue and the writable gate of `ws_protocol.LeanWebSocketProtocol`: what
uvicorn's sans-I/O protocol uses an `asyncio.Queue` and an `asyncio.Event` for, allocating
only while something waits (an idle socket holds one of each for its whole life)."""

from __future__ import annotations

import asyncio
from typing import Any

from luna_graphql.realtime.single_reader import SingleReaderQueue


class Inbox(SingleReaderQueue[Any]):
    """The receive queue: uvicorn's `put_nowait`, `get` and `empty`, for its one reader
    (Starlette's WebSocket, Strawberry's handler)."""

    __slots__ = ()
    _SECOND_READER = "concurrent receive() on one WebSocket"

    def put_nowait(self, item: Any) -> None:
        self._append(item)

    async def get(self) -> Any:
        while not self._items:
            await self._waiting()
        return self._take()


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
