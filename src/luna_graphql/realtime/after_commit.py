"""The emitter for buses without transactional NOTIFY (memory://, redis://).

Events are held on the session while its transaction is open and published only after COMMIT,
in emission order; a rollback (of the transaction, or of the savepoint they were emitted in)
discards them. Unlike pg_notify there is a small window after COMMIT in which a crash loses
the event; subscribers still catch up from the database on their next event or reconnect.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any, Protocol

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from luna_graphql.realtime.events import BusEvent

logger = logging.getLogger(__name__)

_PENDING_KEY = "luna_pending_events"


class Publisher(Protocol):
    async def publish(self, event: BusEvent) -> None: ...


class AfterCommitEmitter:
    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher
        self._outbox: deque[BusEvent] = deque()
        self._drainer: asyncio.Task[None] | None = None

    async def emit(self, session: AsyncSession, event: BusEvent) -> None:
        sync = session.sync_session
        pending: list[tuple[SessionTransaction | None, BusEvent]] | None = sync.info.get(
            _PENDING_KEY
        )
        if pending is None:
            pending = sync.info[_PENDING_KEY] = []
            # Listeners live on this session instance only (and die with it).
            sa_event.listen(sync, "after_commit", self._on_commit)
            sa_event.listen(sync, "after_soft_rollback", self._on_rollback)
        # The innermost transaction, so a savepoint's rollback discards its own events only.
        pending.append((sync.get_nested_transaction() or sync.get_transaction(), event))

    def _on_commit(self, session: Session) -> None:
        pending = session.info.get(_PENDING_KEY)
        if not pending:
            return
        self._outbox.extend(event for _, event in pending)
        pending.clear()
        self._ensure_drainer()

    def _on_rollback(self, session: Session, previous: SessionTransaction) -> None:
        pending = session.info.get(_PENDING_KEY)
        if pending:
            # Keep only events emitted outside the transaction (or savepoint) rolled back.
            pending[:] = [(tx, ev) for tx, ev in pending if not _within(tx, previous)]

    def _ensure_drainer(self) -> None:
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(
                self._drain(), name="after-commit-publisher"
            )

    async def _drain(self) -> None:
        # One task publishes everything, so events leave in commit order.
        while self._outbox:
            event = self._outbox.popleft()
            try:
                await self._publisher.publish(event)
            except Exception:
                logger.exception("publishing %s after commit failed", event.kind)

    async def drain(self) -> None:
        """Wait until every committed event has been handed to the bus (tests, shutdown)."""
        while self._drainer is not None and not self._drainer.done():
            await asyncio.shield(self._drainer)


def _within(tx: SessionTransaction | None, ended: Any) -> bool:
    while tx is not None:
        if tx is ended:
            return True
        tx = tx.parent
    return False
