"""Identical reads in flight share one: every subscriber of an event asks for the same rows.

Keyed by what is read; `mark()` gives a point in time, and a read passed `fresh_after=mark`
never joins one that began before it (it could miss what committed in between).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class _Flight:
    """One read in flight and who waits for it; `tick` orders it against `mark()`."""

    __slots__ = ("task", "tick", "waiters")

    def __init__(self, tick: int, task: asyncio.Future[Any]) -> None:
        self.tick = tick
        self.task = task
        self.waiters: list[asyncio.Future[None]] = []


class Coalescer:
    def __init__(self) -> None:
        self._inflight: dict[Hashable, _Flight] = {}
        self._ticks = itertools.count(1)
        self.joined = 0  # reads that waited on another's (tests)

    def mark(self) -> int:
        """A point in time: reads begun after it see everything committed before it."""
        return next(self._ticks)

    async def read(
        self, key: Hashable, make: Callable[[], Awaitable[T]], fresh_after: int = 0
    ) -> T:
        """`make()`'s result, shared with the identical reads in flight (begun after
        `fresh_after`); an error is every waiter's."""
        flight = self._inflight.get(key)
        if flight is None or flight.tick <= fresh_after:
            flight = _Flight(next(self._ticks), asyncio.ensure_future(make()))
            self._inflight[key] = flight
            flight.task.add_done_callback(lambda task: self._finish(key, flight))
        else:
            self.joined += 1
        if not flight.task.done():
            # A future of its own per waiter, so one waiter giving up (its socket closed)
            # cannot cancel the others' read; cheaper than asyncio.shield for the
            # thousand waiters of a fan-out burst.
            waiter = asyncio.get_running_loop().create_future()
            flight.waiters.append(waiter)
            await waiter
        result: T = flight.task.result()
        return result

    def _finish(self, key: Hashable, flight: _Flight) -> None:
        if self._inflight.get(key) is flight:
            del self._inflight[key]
        for waiter in flight.waiters:
            if not waiter.done():
                waiter.set_result(None)
        flight.waiters.clear()
        if not flight.task.cancelled():
            flight.task.exception()  # retrieved here, so an error nobody awaited is not logged
