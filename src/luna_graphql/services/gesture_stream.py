"""`gestures`: gestures arriving for the viewer and acknowledgements of the viewer's own.

1. Authorize (another couple's relationship is NOT_FOUND, like a missing one).
2. Subscribe to the couple's channel before reading anything, so a gesture committed while
   we read still wakes us.
3. Catch up from the database: gestures sent to the viewer that no device has received yet
   (sent while they were offline). After a RESYNC (events may be lost) the catch-up also
   covers everything that changed since the previous one, minus a margin for transactions
   that were in flight.
4. Relay live events, re-reading each event's rows. Items already relayed are dropped by id.

A gesture pushed to its recipient gets `delivered_at` (once, forward-only) after the
consumer asks for the next item, i.e. once the transport has sent it.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import ConnectionGesture
from luna_graphql.db.outage import retry_transient
from luna_graphql.realtime.bus import EventBus, Resync
from luna_graphql.realtime.events import BusEvent, channel_for
from luna_graphql.services.access import Membership, Viewer, find_membership
from luna_graphql.services.gestures import (
    GESTURE_ACKNOWLEDGED,
    GESTURE_RECEIVED,
    GestureView,
    view_gesture,
)

logger = logging.getLogger(__name__)

RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
CATCH_UP_LIMIT = 100  # rows per kind per catch-up; gestures are rate-limited far below this
IN_FLIGHT_MARGIN = timedelta(seconds=30)  # a gesture's transaction is far shorter than this
REMEMBERED = 1024  # relayed ids kept for dropping duplicates


@dataclass(frozen=True, slots=True)
class GestureEvent:
    """`received`: a gesture for the viewer. `acknowledged`: the partner acknowledged the
    viewer's gesture, with the gesture they sent back if any."""

    kind: str
    gesture: GestureView
    response: GestureView | None = None


async def stream_gestures(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    viewer: Viewer,
    relationship_id: uuid.UUID | None,
) -> AsyncIterator[GestureEvent]:
    """Authorize now (so a failure surfaces on any transport), then stream."""
    async with sessionmaker() as session:
        member = await find_membership(session, viewer=viewer, relationship_id=relationship_id)
    return _relay_gestures(sessionmaker, bus, member)


async def _relay_gestures(
    sessionmaker: async_sessionmaker[AsyncSession], bus: EventBus, member: Membership
) -> AsyncIterator[GestureEvent]:
    relayed: OrderedDict[tuple[str, uuid.UUID], None] = OrderedDict()
    since: datetime | None = None  # the first catch-up only looks for undelivered gestures
    async with bus.subscribe(channel_for(member.relationship_id)) as events:
        event: BusEvent | Resync | None = Resync()
        while event is not None:
            if isinstance(event, Resync):
                items, since = await retry_transient(
                    partial(_catch_up, sessionmaker, member, since), what="gesture stream read"
                )
            else:
                items = await retry_transient(
                    partial(_read_event, sessionmaker, member, event), what="gesture stream read"
                )
            for item in items:
                key = (item.kind, item.gesture.id)
                if key in relayed:
                    continue
                relayed[key] = None
                if len(relayed) > REMEMBERED:
                    relayed.popitem(last=False)
                yield item
                await _mark_delivered(sessionmaker, member, item)
            event = await anext(events, None)


async def _read_event(
    sessionmaker: async_sessionmaker[AsyncSession], member: Membership, event: BusEvent
) -> list[GestureEvent]:
    """The rows behind one event, when the event is for this viewer (no read otherwise).

    Unlike messages there is no shared per-process loader: the event names the sender's
    role, so only the other partner's few sockets read, and gestures are rate-limited.
    """
    sent_by = event.data.get("sent_by")
    if event.kind == GESTURE_RECEIVED and sent_by == member.partner_role:
        ids = _ids(event.data.get("id"))
        async with sessionmaker() as session:
            rows = await _gestures(session, member, ids)
        # Already acknowledged (on another device, before we read): nothing to show.
        return [
            GestureEvent(RECEIVED, view_gesture(row, member.role))
            for row in rows
            if row.acknowledged_at is None
        ]
    if event.kind == GESTURE_ACKNOWLEDGED and sent_by == member.role:
        ids = _ids(event.data.get("id"), event.data.get("response_id"))
        async with sessionmaker() as session:
            rows = await _gestures(session, member, ids)
        return _acknowledgements(rows, member)
    return []


async def _catch_up(
    sessionmaker: async_sessionmaker[AsyncSession], member: Membership, since: datetime | None
) -> tuple[list[GestureEvent], datetime]:
    """What the events may have carried: (items, the point the next catch-up starts from)."""
    mine = ConnectionGesture.relationship_id == member.relationship_id
    async with sessionmaker() as session:
        now = await session.scalar(select(func.now()))
        not_received = ConnectionGesture.delivered_at.is_(None)
        received = list(
            await session.scalars(
                select(ConnectionGesture)
                .where(
                    mine,
                    ConnectionGesture.sent_by == member.partner_role,
                    ConnectionGesture.acknowledged_at.is_(None),
                    not_received
                    if since is None
                    else or_(not_received, ConnectionGesture.sent_at >= since),
                )
                .order_by(ConnectionGesture.sent_at, ConnectionGesture.id)
                .limit(CATCH_UP_LIMIT)
            )
        )
        acknowledged: list[ConnectionGesture] = []
        if since is not None:
            originals = list(
                await session.scalars(
                    select(ConnectionGesture)
                    .where(
                        mine,
                        ConnectionGesture.sent_by == member.role,
                        ConnectionGesture.acknowledged_at >= since,
                    )
                    .order_by(ConnectionGesture.acknowledged_at, ConnectionGesture.id)
                    .limit(CATCH_UP_LIMIT)
                )
            )
            responses = [row.response_gesture_id for row in originals if row.response_gesture_id]
            acknowledged = originals + await _gestures(session, member, responses)
    items = [GestureEvent(RECEIVED, view_gesture(row, member.role)) for row in received]
    items.extend(_acknowledgements(acknowledged, member))
    assert now is not None
    return items, now - IN_FLIGHT_MARGIN


def _acknowledgements(rows: Sequence[ConnectionGesture], member: Membership) -> list[GestureEvent]:
    by_id = {row.id: row for row in rows}
    items = []
    for row in rows:
        if row.sent_by != member.role or row.acknowledged_at is None:
            continue
        response = by_id.get(row.response_gesture_id) if row.response_gesture_id else None
        items.append(
            GestureEvent(
                ACKNOWLEDGED,
                view_gesture(row, member.role),
                None if response is None else view_gesture(response, member.role),
            )
        )
    return items


async def _gestures(
    session: AsyncSession, member: Membership, ids: Sequence[uuid.UUID]
) -> list[ConnectionGesture]:
    if not ids:
        return []
    return list(
        await session.scalars(
            select(ConnectionGesture).where(
                ConnectionGesture.id.in_(ids),
                # Events can be NOTIFYed by anyone with database access: stay in the couple.
                ConnectionGesture.relationship_id == member.relationship_id,
            )
        )
    )


async def _mark_delivered(
    sessionmaker: async_sessionmaker[AsyncSession], member: Membership, item: GestureEvent
) -> None:
    """The gestures this item pushed to their recipient (the viewer) are delivered."""
    pushed = [
        g.id
        for g in (item.gesture, item.response)
        if g is not None and not g.is_mine and g.delivered_at is None
    ]
    if not pushed:
        return
    try:
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(ConnectionGesture)
                .where(
                    ConnectionGesture.id.in_(pushed),
                    ConnectionGesture.relationship_id == member.relationship_id,
                    ConnectionGesture.sent_by == member.partner_role,
                    ConnectionGesture.delivered_at.is_(None),
                )
                .values(delivered_at=func.now())
            )
    except (DBAPIError, OSError):
        # A lost mark only shows the gesture as undelivered; the stream must go on.
        logger.warning("marking a gesture delivered failed", exc_info=True)


def _ids(*values: object) -> list[uuid.UUID]:
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return ids
