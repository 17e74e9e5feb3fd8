"""Read each event's rows once per process, however many subscribers want them.

A bus event wakes every subscriber of the couple at once, and each asks for the same range
(seq > last, seq <= event seq). Identical reads in flight share one query, and a small recent
cache answers the range without a query when it holds every seq of it. Reads go straight to
asyncpg (see `message_rows`), taking a connection per read and returning it before anyone
awaits the bus again. Rows are transient ORM objects shared by all subscribers: nobody
mutates them; each viewer's privacy is applied when they are rendered.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import asyncpg

from luna_graphql.db.models import PartnerMessage
from luna_graphql.services.coalesce import Coalescer
from luna_graphql.services.message_rows import fetch_last_seq, fetch_message, fetch_range

PAGE_SIZE = 200


class MessageLoader:
    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        cache_size: int = 2048,
        cache_ttl_s: float = 10.0,
    ) -> None:
        self._pool = pool
        self._flights = Coalescer()
        # (conversation_id, seq) -> (loaded at, row). Short-lived: a row read for one event
        # only needs to outlive that event's fan-out, and a short TTL bounds staleness.
        self._cache: OrderedDict[tuple[uuid.UUID, int], tuple[float, PartnerMessage]] = (
            OrderedDict()
        )
        self._cache_size = cache_size
        self._cache_ttl_s = cache_ttl_s
        self.queries = 0  # for tests and the benchmark

    def mark(self) -> int:
        """A point in time: reads begun after it see everything committed before it.

        Take one right after subscribing and pass it to open-ended reads: joining a read that
        began before the subscription could miss a message whose event came too early to be
        seen, and nothing would fill that gap until the conversation's next event.
        """
        return self._flights.mark()

    async def read_after(
        self,
        conversation_id: uuid.UUID,
        after_seq: int,
        *,
        up_to: int | None = None,
        limit: int = PAGE_SIZE,
        fresh_after: int = 0,
    ) -> list[PartnerMessage]:
        """Messages (deleted ones included, so callers can advance past them) with
        after_seq < seq <= up_to, in seq order, at most `limit`.

        A bounded range needs no `fresh_after`: its last seq was announced by an event, so
        any read of it began after that message had committed.
        """
        if up_to is not None:
            if up_to <= after_seq:
                return []
            cached = self._cached_range(conversation_id, after_seq, up_to)
            if cached is not None:
                return cached
        key = ("range", conversation_id, after_seq, up_to, limit)
        rows: list[PartnerMessage] = await self._flights.read(
            key, lambda: self._query_range(conversation_id, after_seq, up_to, limit), fresh_after
        )
        return rows

    def cached_message(self, conversation_id: uuid.UUID, seq: int) -> PartnerMessage | None:
        """The row of `seq` if the recent cache holds it, without a query."""
        entry = self._cache.get((conversation_id, seq))
        if entry is None or time.monotonic() - entry[0] > self._cache_ttl_s:
            return None
        return entry[1]

    async def read_message(self, conversation_id: uuid.UUID, message_id: uuid.UUID) -> Any:
        """One whole message by id, fresh from the database (e.g. after its analysis landed);
        never cached, since analysis changes the row after it was first read."""
        key = ("id", conversation_id, message_id)
        return await self._flights.read(key, lambda: self._query_one(conversation_id, message_id))

    async def read_last_seq(self, conversation_id: uuid.UUID, *, fresh_after: int = 0) -> int:
        key = ("last_seq", conversation_id)
        seq: int = await self._flights.read(
            key, lambda: self._query_last_seq(conversation_id), fresh_after
        )
        return seq

    @property
    def joined(self) -> int:
        """Reads that waited on another's query (tests)."""
        return self._flights.joined

    def forget(self, conversation_id: uuid.UUID, seq: int) -> None:
        """Drop a cached row that changed (deleted, analysed)."""
        self._cache.pop((conversation_id, seq), None)

    def _cached_range(
        self, conversation_id: uuid.UUID, after_seq: int, up_to: int
    ) -> list[PartnerMessage] | None:
        if up_to - after_seq > 64:
            return None
        now = time.monotonic()
        rows = []
        for seq in range(after_seq + 1, up_to + 1):
            entry = self._cache.get((conversation_id, seq))
            if entry is None or now - entry[0] > self._cache_ttl_s:
                return None
            rows.append(entry[1])
        return rows

    def _remember(self, rows: Sequence[PartnerMessage]) -> None:
        now = time.monotonic()
        for row in rows:
            key = (row.conversation_id, row.seq)
            self._cache[key] = (now, row)
            self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def _query_range(
        self, conversation_id: uuid.UUID, after_seq: int, up_to: int | None, limit: int
    ) -> list[PartnerMessage]:
        self.queries += 1
        rows = await fetch_range(self._pool, conversation_id, after_seq, up_to, limit)
        self._remember(rows)
        return rows

    async def _query_one(
        self, conversation_id: uuid.UUID, message_id: uuid.UUID
    ) -> PartnerMessage | None:
        self.queries += 1
        return await fetch_message(self._pool, conversation_id, message_id)

    async def _query_last_seq(self, conversation_id: uuid.UUID) -> int:
        self.queries += 1
        return await fetch_last_seq(self._pool, conversation_id)
