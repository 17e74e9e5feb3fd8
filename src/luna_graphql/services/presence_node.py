"""This process's sockets in the shared presence table: connect, goodbye, heartbeat, reaper.

What this process holds in memory is the truth about its own sockets; the table follows it.
Each socket is reserved here before its row is written and released here before its row is
deleted, so the per-user cap counts open sockets, never rows: a goodbye that fails (the
database is down) cannot keep a user over their cap. Such a goodbye is owed: the heartbeat
loop retries every second until the database answers, then deletes the row and settles the
user, so the partner sees the true status about a second after the database is back. In
normal times the loop runs every `heartbeat_s`, refreshing this process's rows, restoring
any that a reaper removed while we were slow, and reaping other processes' stale rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import PresenceConnection, UserPresence
from luna_graphql.db.outage import database_unavailable
from luna_graphql.errors import RateLimited
from luna_graphql.realtime.events import EventEmitter
from luna_graphql.services.presence import is_live, settle_presence

logger = logging.getLogger(__name__)

# How soon the loop tries again after a failed round or goodbye: the partner of a user whose
# goodbye failed waits for this, not for a whole heartbeat, once the database is back.
RETRY_S = 1.0


class PresenceNode:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        emitter: EventEmitter,
        *,
        offline_after_s: float,
        heartbeat_s: float,
        node_id: str | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._emitter = emitter
        self.offline_after_s = offline_after_s
        self.heartbeat_s = heartbeat_s
        self.node_id = node_id or uuid.uuid4().hex
        self._connections: dict[uuid.UUID, uuid.UUID] = {}  # open socket -> user
        self._per_user: Counter[uuid.UUID] = Counter()
        # Sockets gone whose row may still be there (a goodbye or a connect that failed).
        self._owed: dict[uuid.UUID, uuid.UUID] = {}
        self._retry = asyncio.Event()  # cuts the loop's wait short

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    @property
    def goodbyes_owed(self) -> int:
        return len(self._owed)

    async def connect(self, user_id: uuid.UUID, *, max_connections: int | None = None) -> uuid.UUID:
        """Register a socket; raises RateLimited when the user has too many on this process."""
        if max_connections is not None and self._per_user[user_id] >= max_connections:
            raise RateLimited("Too many connections for this user")
        connection_id = uuid.uuid4()
        # Reserved before the first await, so that concurrent connects count it.
        self._connections[connection_id] = user_id
        self._per_user[user_id] += 1
        try:
            async with self._sessionmaker() as session, session.begin():
                await self._write_row(session, connection_id, user_id)
        except BaseException:
            # The row may have been written even so (a COMMIT whose answer was lost).
            self._release(connection_id)
            self._owe(connection_id, user_id)
            raise
        return connection_id

    async def disconnect(self, connection_id: uuid.UUID) -> None:
        """Say goodbye for a socket. Never raises: a goodbye that fails is owed and retried."""
        user_id = self._release(connection_id)
        if user_id is None:
            return
        try:
            async with self._sessionmaker() as session, session.begin():
                await self._delete_rows(session, {connection_id: user_id})
        except Exception as exc:
            self._owe(connection_id, user_id)
            _log_failure("presence goodbye", exc)

    async def heartbeat(self) -> None:
        """Pay owed goodbyes, refresh this process's rows, restore any a reaper removed."""
        owed = dict(self._owed)
        if owed:
            async with self._sessionmaker() as session, session.begin():
                await self._delete_rows(session, owed)
            for connection_id in owed:
                self._owed.pop(connection_id, None)
        if not self._connections:
            return
        async with self._sessionmaker() as session, session.begin():
            alive = set(
                await session.scalars(
                    update(PresenceConnection)
                    .where(PresenceConnection.node_id == self.node_id)
                    .values(heartbeat_at=func.now())
                    .returning(PresenceConnection.id)
                )
            )
        lost = {cid: uid for cid, uid in self._connections.items() if cid not in alive}
        for connection_id, user_id in lost.items():
            async with self._sessionmaker() as session, session.begin():
                await self._write_row(session, connection_id, user_id)
            if connection_id not in self._connections:
                # Its goodbye ran while we restored it, maybe before: delete it next round.
                self._owe(connection_id, user_id)

    async def reap(self) -> int:
        """Remove rows nobody refreshed in time and settle their users; returns users settled."""
        async with self._sessionmaker() as session, session.begin():
            stale = set(
                await session.scalars(
                    delete(PresenceConnection)
                    .where(~is_live(self.offline_after_s))
                    .returning(PresenceConnection.user_id)
                )
            )
            # Also users still announced as present with no live socket (a reaper that died
            # between its delete and its settle).
            stale.update(
                await session.scalars(
                    select(UserPresence.user_id).where(
                        UserPresence.status != "offline",
                        ~exists().where(
                            and_(
                                PresenceConnection.user_id == UserPresence.user_id,
                                is_live(self.offline_after_s),
                            )
                        ),
                    )
                )
            )
        for user_id in stale:
            async with self._sessionmaker() as session, session.begin():
                await settle_presence(
                    session, self._emitter, user_id=user_id, offline_after_s=self.offline_after_s
                )
        return len(stale)

    async def run(self) -> None:
        """Heartbeat and reap forever (a task of the app's lifespan)."""
        behind = False
        while True:
            wait = RETRY_S if behind or self._owed else self.heartbeat_s
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._retry.wait()
            self._retry.clear()
            try:
                await self.heartbeat()
                await self.reap()
            except Exception as exc:
                behind = True
                _log_failure("presence heartbeat", exc)
            else:
                behind = False

    async def close(self) -> None:
        """Say goodbye for every socket of this process and pay what is owed, once; rows
        left behind (the database is down) go to another process's reaper."""
        for connection_id in list(self._connections):
            await self.disconnect(connection_id)
        if self._owed:
            try:
                await self.heartbeat()
            except Exception as exc:
                _log_failure("presence goodbye at shutdown (the reaper will clean up)", exc)

    async def _write_row(
        self, session: AsyncSession, connection_id: uuid.UUID, user_id: uuid.UUID
    ) -> None:
        # Idempotent: the heartbeat may restore a row that a connect in flight writes too.
        # The settle takes the user's row lock, which orders it with their other changes.
        await session.execute(
            insert(PresenceConnection)
            .values(id=connection_id, user_id=user_id, node_id=self.node_id)
            .on_conflict_do_nothing()
        )
        await settle_presence(
            session, self._emitter, user_id=user_id, offline_after_s=self.offline_after_s
        )

    async def _delete_rows(self, session: AsyncSession, rows: dict[uuid.UUID, uuid.UUID]) -> None:
        await session.execute(
            delete(PresenceConnection).where(PresenceConnection.id.in_(list(rows)))
        )
        for user_id in sorted(set(rows.values())):  # one lock order for every caller
            await settle_presence(
                session, self._emitter, user_id=user_id, offline_after_s=self.offline_after_s
            )

    def _release(self, connection_id: uuid.UUID) -> uuid.UUID | None:
        user_id = self._connections.pop(connection_id, None)
        if user_id is not None:
            self._per_user[user_id] -= 1
            if not self._per_user[user_id]:
                del self._per_user[user_id]
        return user_id

    def _owe(self, connection_id: uuid.UUID, user_id: uuid.UUID) -> None:
        self._owed[connection_id] = user_id
        self._retry.set()


def _log_failure(what: str, exc: Exception) -> None:
    if database_unavailable(exc):
        # Expected while the database is down: one line per attempt, not a traceback each.
        logger.warning("%s failed, database unavailable (%r); retrying", what, exc)
    else:
        logger.error("%s failed; retrying", what, exc_info=exc)
