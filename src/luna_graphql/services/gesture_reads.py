"""Reading gestures: one by id, the viewer's pending ones, the couple's recent ones."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import ConnectionGesture
from luna_graphql.errors import BadUserInput, NotFound
from luna_graphql.services.access import Viewer, find_membership
from luna_graphql.services.gestures import GestureView, view_gesture

RECENT_MAX = 100


async def get_gesture(
    session: AsyncSession, *, viewer: Viewer, gesture_id: uuid.UUID
) -> GestureView:
    """One gesture of the viewer's couple; NotFound for any other id."""
    member = await find_membership(session, viewer=viewer)
    row = await session.scalar(
        select(ConnectionGesture).where(
            ConnectionGesture.id == gesture_id,
            ConnectionGesture.relationship_id == member.relationship_id,
        )
    )
    if row is None:
        raise NotFound("Gesture not found", field="id")
    return view_gesture(row, member.role)


async def list_pending_gestures(session: AsyncSession, *, viewer: Viewer) -> list[GestureView]:
    """Unacknowledged gestures sent to the viewer, oldest first (the partial index's shape)."""
    member = await find_membership(session, viewer=viewer)
    rows = await session.scalars(
        select(ConnectionGesture)
        .where(
            ConnectionGesture.relationship_id == member.relationship_id,
            ConnectionGesture.sent_by == member.partner_role,
            ConnectionGesture.acknowledged_at.is_(None),
        )
        .order_by(ConnectionGesture.sent_at, ConnectionGesture.id)
    )
    return [view_gesture(row, member.role) for row in rows]


async def list_recent_gestures(
    session: AsyncSession, *, viewer: Viewer, limit: int, max_limit: int = RECENT_MAX
) -> list[GestureView]:
    """Both directions, newest first."""
    if not 1 <= limit <= max_limit:
        raise BadUserInput(f"limit must be between 1 and {max_limit}", field="limit")
    member = await find_membership(session, viewer=viewer)
    rows = await session.scalars(
        select(ConnectionGesture)
        .where(ConnectionGesture.relationship_id == member.relationship_id)
        .order_by(ConnectionGesture.sent_at.desc(), ConnectionGesture.id.desc())
        .limit(limit)
    )
    return [view_gesture(row, member.role) for row in rows]
