"""Sockets expiring at the same instant share one timer, and a released one is not closed."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from luna_graphql.api import realtime_ws
from luna_graphql.api.realtime_ws import ExpiryBuckets, SocketState


class Closable:
    def __init__(self) -> None:
        self.closed: list[int] = []

    async def close(self, code: int, reason: str) -> None:
        self.closed.append(code)


class FakeContext:
    """The one attribute `_close_expired` reads: the socket (here, a recorder)."""

    def __init__(self) -> None:
        self.response = Closable()


async def test_one_timer_per_instant_and_released_sockets_stay_open() -> None:
    buckets = ExpiryBuckets()
    at = time.time() + 0.2
    contexts = [FakeContext() for _ in range(3)]
    states = [SocketState() for _ in contexts]
    for context, state in zip(contexts, states, strict=True):
        buckets.add(at, context, state)  # type: ignore[arg-type]
    assert len(buckets._buckets) == 1
    assert states[0].expiry is states[1].expiry  # one key object for all
    buckets.discard(states[1])
    await asyncio.sleep(0.4)
    tasks: list[Any] = [state.closing for state in states if state.closing is not None]
    await asyncio.gather(*tasks)
    assert [context.response.closed for context in contexts] == [
        [realtime_ws.TOKEN_EXPIRED],
        [],
        [realtime_ws.TOKEN_EXPIRED],
    ]
    assert buckets._buckets == {}


async def test_the_last_release_cancels_the_timer() -> None:
    buckets = ExpiryBuckets()
    state = SocketState()
    context = FakeContext()
    buckets.add(time.time() + 0.1, context, state)  # type: ignore[arg-type]
    buckets.discard(state)
    assert buckets._buckets == {}
    await asyncio.sleep(0.2)
    assert state.closing is None
    assert context.response.closed == []
