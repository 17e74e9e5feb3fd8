"""Delivery receipts for messages pushed to the recipient's live subscription.

Every socket of the recipient reports what it pushed; per process, reports for one
(conversation, recipient) are merged so that a user with a thousand sockets costs one UPDATE.
The UPDATE only moves `sent` rows forward, and a `receipt` event is emitted (inside the
UPDATE's transaction) only when rows changed. Marking runs in the background: it never delays
the stream. Nothing pushes a message twice, so a mark that fails (the database restarts) is
retried until it gets through; being forward-only, running it again is harmless.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from functools import partial

import asyncpg

from luna_graphql.db.outage import retry_transient
from luna_graphql.realtime.bus import EventBus
from luna_graphql.realtime.events import BusEvent, channel_for
from luna_graphql.services.message_rows import ReceiptChannel, mark_delivered

logger = logging.getLogger(__name__)

RECEIPT = "receipt"
# Rows per UPDATE: the event lists their ids like `receipts.mark_delivered` does, and 100
# UUIDs keep the NOTIFY payload near 4 KB, well under PostgreSQL's 8000-byte limit.
BATCH = 100

_Key = tuple[uuid.UUID, str]  # (conversation, recipient role)


class DeliveryTracker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        bus: EventBus,
        *,
        remembered_keys: int = 4096,
        remembered_seqs: int = 512,
        delay_s: float = 0.02,
    ) -> None:
        self._pool = pool
        self._bus = bus
        self._pending: dict[_Key, set[int]] = {}
        self._relationships: dict[_Key, uuid.UUID] = {}
        self._running: dict[_Key, asyncio.Task[None]] = {}
        # Seqs already marked (or being marked) per key, so the other sockets' reports of the
        # same push cost nothing. Bounded: forgetting only costs an UPDATE that changes 0 rows.
        self._marked: OrderedDict[_Key, set[int]] = OrderedDict()
        self._remembered_keys = remembered_keys
        self._remembered_seqs = remembered_seqs
        # A short wait gathers the pushes of a burst (and of every socket) into one UPDATE.
        self._delay_s = delay_s
        self.updates = 0  # for tests and the benchmark

    def note_pushed(
        self,
        *,
        conversation_id: uuid.UUID,
        relationship_id: uuid.UUID,
        recipient_role: str,
        seq: int,
    ) -> None:
        """A message from the partner of `recipient_role` reached one of their sockets."""
        key = (conversation_id, recipient_role)
        marked = self._marked.get(key)
        if marked is not None and seq in marked:
            return
        pending = self._pending.setdefault(key, set())
        pending.add(seq)
        self._relationships[key] = relationship_id
        if key not in self._running:
            self._running[key] = asyncio.create_task(self._flush(key), name="mark-delivered")

    async def wait_idle(self, timeout_s: float | None = None) -> None:
        """Wait for every scheduled UPDATE (tests, shutdown); after `timeout_s`, give up on
        those still retrying (the database is down)."""
        try:
            async with asyncio.timeout(timeout_s):
                while self._running:
                    await asyncio.gather(*self._running.values(), return_exceptions=True)
        except TimeoutError:
            logger.warning("giving up on delivery marks for %d conversations", len(self._running))
            for task in self._running.values():
                task.cancel()
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _flush(self, key: _Key) -> None:
        try:
            await asyncio.sleep(self._delay_s)
            while seqs := self._pending.pop(key, None):
                marked = self._remember(key, seqs)
                ordered = sorted(seqs)
                for start in range(0, len(ordered), BATCH):
                    batch = ordered[start : start + BATCH]
                    try:
                        await retry_transient(partial(self._mark, key, batch), what="delivery mark")
                    except Exception:
                        marked.difference_update(batch)  # let another push try again
                        logger.exception("marking messages delivered failed; giving up")
        finally:
            del self._running[key]
            self._relationships.pop(key, None)

    def _remember(self, key: _Key, seqs: set[int]) -> set[int]:
        marked = self._marked.get(key)
        if marked is None or len(marked) > self._remembered_seqs:
            marked = self._marked[key] = set()
        marked.update(seqs)
        self._marked.move_to_end(key)
        while len(self._marked) > self._remembered_keys:
            self._marked.popitem(last=False)
        return marked

    async def _mark(self, key: _Key, seqs: list[int]) -> None:
        conversation_id, recipient_role = key
        relationship_id = self._relationships[key]
        self.updates += 1
        # A transactional bus NOTIFYs inside the UPDATE's transaction (the statement builds
        # the same receipt as `receipt_event`); another publishes once it has committed.
        changed = await mark_delivered(
            self._pool,
            conversation_id=conversation_id,
            sender_role="partner_b" if recipient_role == "partner_a" else "partner_a",
            seqs=seqs,
            announce=(
                ReceiptChannel(channel_for(relationship_id), relationship_id.hex, recipient_role)
                if self._bus.transactional
                else None
            ),
        )
        if changed and not self._bus.transactional:
            await self._bus.publish(
                receipt_event(relationship_id, conversation_id, recipient_role, changed)
            )


def receipt_event(
    relationship_id: uuid.UUID,
    conversation_id: uuid.UUID,
    recipient_role: str,
    ids: list[uuid.UUID],
) -> BusEvent:
    """Messages delivered to `recipient_role`: the same shape `receipts.mark_delivered`
    emits for the mutation."""
    data = {
        "conversation_id": str(conversation_id),
        "status": "delivered",
        "ids": [str(message_id) for message_id in ids],
        "by": recipient_role,
    }
    return BusEvent(RECEIPT, relationship_id, data)
