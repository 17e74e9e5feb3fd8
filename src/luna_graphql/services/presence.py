"""Presence shared across processes: online while any socket of the user is connected anywhere.

Each socket is a `presence_connections` row naming its process (`node_id`) and refreshed by
that process's heartbeat. A process that dies without saying goodbye stops refreshing, and
after `offline_after_s` any process's reaper removes its rows. A user's aggregate status
(offline / online / away) is recomputed under a lock on their `user_presence` row and, when it
differs from what was last announced, a `presence` event goes out on each of their couples'
channels inside the same transaction. Times come from the database clock, shared by all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import PresenceConnection, Relationship, UserPresence
from luna_graphql.errors import BadUserInput
from luna_graphql.realtime.events import BusEvent, EventEmitter
from luna_graphql.services.access import Viewer

PRESENCE = "presence"
SETTABLE = frozenset({"online", "away"})


@dataclass(frozen=True, slots=True)
class PresenceState:
    user_id: uuid.UUID
    status: str  # online | away | offline
    last_seen_at: datetime | None


def is_live(offline_after_s: float) -> ColumnElement[bool]:
    """SQL condition: a connection row heard from within the threshold."""
    return PresenceConnection.heartbeat_at > func.now() - timedelta(seconds=offline_after_s)


async def lock_presence(session: AsyncSession, user_id: uuid.UUID) -> UserPresence:
    """The user's presence row, created if missing and locked until the transaction ends."""
    await session.execute(insert(UserPresence).values(user_id=user_id).on_conflict_do_nothing())
    return (
        await session.execute(
            select(UserPresence).where(UserPresence.user_id == user_id).with_for_update()
        )
    ).scalar_one()


async def settle_presence(
    session: AsyncSession,
    emitter: EventEmitter,
    *,
    user_id: uuid.UUID,
    offline_after_s: float,
    away: bool | None = None,
) -> PresenceState:
    """Recompute the user's status under their row lock; announce it if it changed."""
    row = await lock_presence(session, user_id)
    last_heard = await session.scalar(
        select(func.max(PresenceConnection.heartbeat_at)).where(
            PresenceConnection.user_id == user_id, is_live(offline_after_s)
        )
    )
    if away is not None:
        row.away = away
    if last_heard is None:
        status = "offline"
        row.away = False  # away is a choice for this stay; coming back starts online
    else:
        status = "away" if row.away else "online"
    if status != row.status:
        if status == "offline":
            seen_last = await session.scalar(select(func.now()))
            row.last_seen_at = max(filter(None, (row.last_seen_at, seen_last)))
        else:
            row.last_seen_at = last_heard
        row.status = status
        row.updated_at = func.now()
        await session.flush()
        await session.refresh(row, ["last_seen_at"])
        await _announce(session, emitter, PresenceState(user_id, status, row.last_seen_at))
    return PresenceState(user_id, status, row.last_seen_at)


async def _announce(session: AsyncSession, emitter: EventEmitter, state: PresenceState) -> None:
    relationships = await session.scalars(
        select(Relationship.id).where(
            or_(
                Relationship.partner_a_id == state.user_id,
                Relationship.partner_b_id == state.user_id,
            ),
            Relationship.status == "active",
        )
    )
    data = {
        "user_id": str(state.user_id),
        "status": state.status,
        "last_seen_at": state.last_seen_at.isoformat() if state.last_seen_at else None,
    }
    for relationship_id in relationships:
        await emitter.emit(session, BusEvent(PRESENCE, relationship_id, data))


async def set_presence(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    emitter: EventEmitter,
    viewer: Viewer,
    status: str,
    offline_after_s: float,
) -> PresenceState:
    """`away` or back `online`; offline is what the sockets say, not a choice."""
    if status not in SETTABLE:
        raise BadUserInput("status must be ONLINE or AWAY", field="status")
    async with sessionmaker() as session, session.begin():
        return await settle_presence(
            session,
            emitter,
            user_id=viewer.user_id,
            offline_after_s=offline_after_s,
            away=status == "away",
        )
