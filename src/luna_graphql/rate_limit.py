"""Per-user rate limits: the one module that imports `limits`.

Limits are named ("send", "typing", "review", "gesture", "reaction") and read from settings in the
library's notation ("60/minute"). The storage URL selects where counters live: `memory://`
for one process, `redis://…` to share limits across processes and hosts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import SCHEMES, storage_from_string

from luna_graphql.errors import RateLimited

if TYPE_CHECKING:  # settings check their rate limits with this module
    from luna_graphql.settings import Settings


def to_async_storage_url(url: str) -> str:
    """`limits` names its asyncio storages `async+<scheme>`; settings use the plain scheme."""
    return url if url.startswith("async+") else f"async+{url}"


def parse_rate_limit(spec: str) -> RateLimitItem:
    try:
        return parse(spec)
    except ValueError:
        raise ValueError("expected a rate limit such as 60/minute or 30/10 seconds") from None


def check_storage_url(url: str) -> None:
    if urlsplit(to_async_storage_url(url)).scheme not in SCHEMES:
        raise ValueError("expected memory:// or a redis://… URL")


class RateLimiter:
    """Sliding-window limits per (name, key); `hit` raises RateLimited when one is spent.

    The sliding window *counter* (two fixed windows, the previous one weighted by how much of
    it still overlaps) rather than the exact moving window: the moving window's in-memory
    storage keeps every hit and expires them by handing each key to a worker thread, a
    thread wake-up and a GIL hand-off on nearly every send; the counter keeps two integers
    per key and never leaves the event loop. Bursts are still capped at the limit.
    """

    def __init__(self, limits: Mapping[str, str], storage_url: str = "memory://") -> None:
        self._items = {name: parse_rate_limit(spec) for name, spec in limits.items()}
        storage = storage_from_string(to_async_storage_url(storage_url))
        if not isinstance(storage, Storage):  # pragma: no cover - guarded by the prefix above
            raise TypeError(f"not an asyncio storage: {storage_url}")
        self._strategy = SlidingWindowCounterRateLimiter(storage)

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(
            {
                "send": settings.rate_limit_send,
                "typing": settings.rate_limit_typing,
                "review": settings.rate_limit_review,
                "gesture": settings.rate_limit_gesture,
                "reaction": settings.rate_limit_reaction,
            },
            settings.rate_limit_storage_url,
        )

    async def hit(self, name: str, key: str) -> None:
        item = self._items[name]
        if await self._strategy.hit(item, name, key):
            return
        stats = await self._strategy.get_window_stats(item, name, key)
        retry_after = max(0.0, stats.reset_time - time.time())
        raise RateLimited(
            f"Too many requests; try again in {math.ceil(retry_after)} s",
            retry_after_s=retry_after,
        )
