"""Reading presence: the partner's state now, `is_partner_online`, and the presence stream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import PresenceConnection, Relationship, UserPresence
from luna_graphql.db.outage import retry_transient
from luna_graphql.realtime.bus import EventBus, Resync
from luna_graphql.realtime.events import BusEvent, channel_for
from luna_graphql.services.access import Membership, Viewer, find_membership
from luna_graphql.services.presence import PRESENCE, PresenceState, is_live


async def read_presence(
    session: AsyncSession, *, user_id: uuid.UUID, offline_after_s: float
) -> PresenceState:
    """Computed from live sockets, so a dead process's users read offline before reaping."""
    last_heard = await session.scalar(
        select(func.max(PresenceConnection.heartbeat_at)).where(
            PresenceConnection.user_id == user_id, is_live(offline_after_s)
        )
    )
    row = (
        await session.execute(
            select(UserPresence.away, UserPresence.last_seen_at).where(
                UserPresence.user_id == user_id
            )
        )
    ).first()
    away, last_seen = (row[0], row[1]) if row is not None else (False, None)
    if last_heard is None:
        return PresenceState(user_id, "offline", last_seen)
    return PresenceState(user_id, "away" if away else "online", last_heard)


async def is_partner_online(
    session: AsyncSession,
    *,
    viewer: Viewer,
    relationship_id: uuid.UUID,
    offline_after_s: float,
) -> bool:
    """True when the viewer's partner has a live socket on any process (away counts)."""
    rel = await session.get(Relationship, relationship_id)
    if rel is None or viewer.user_id not in (rel.partner_a_id, rel.partner_b_id):
        return False
    partner_id = rel.partner_b_id if rel.partner_a_id == viewer.user_id else rel.partner_a_id
    live = await session.scalar(
        select(PresenceConnection.id)
        .where(PresenceConnection.user_id == partner_id, is_live(offline_after_s))
        .limit(1)
    )
    return live is not None


async def stream_presence(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    viewer: Viewer,
    relationship_id: uuid.UUID | None,
    offline_after_s: float,
) -> AsyncIterator[PresenceState]:
    """The partner's presence now, then every change (re-read after a resync)."""
    async with sessionmaker() as session:
        member = await find_membership(session, viewer=viewer, relationship_id=relationship_id)
    return _relay_presence(sessionmaker, bus, member, offline_after_s)


async def _relay_presence(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    member: Membership,
    offline_after_s: float,
) -> AsyncIterator[PresenceState]:
    partner_id = member.partner_user_id
    channel = channel_for(member.relationship_id)
    async with bus.subscribe(channel, frozenset({PRESENCE})) as events:
        current: PresenceState | None = None
        event: BusEvent | Resync | None = Resync()
        while event is not None:
            state: PresenceState | None
            if isinstance(event, Resync):
                state = await retry_transient(
                    partial(_read, sessionmaker, partner_id, offline_after_s),
                    what="presence stream read",
                )
            else:
                state = _partner_state(event, partner_id)
            if state is not None and (current is None or state.status != current.status):
                current = state
                yield state
            event = await anext(events, None)


async def _read(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: uuid.UUID, offline_after_s: float
) -> PresenceState:
    async with sessionmaker() as session:
        return await read_presence(session, user_id=user_id, offline_after_s=offline_after_s)


def _partner_state(event: BusEvent, partner_id: uuid.UUID) -> PresenceState | None:
    if event.kind != PRESENCE or event.data.get("user_id") != str(partner_id):
        return None
    seen = event.data.get("last_seen_at")
    return PresenceState(
        partner_id,
        str(event.data.get("status")),
        datetime.fromisoformat(seen) if isinstance(seen, str) else None,
    )
