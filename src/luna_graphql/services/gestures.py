"""Connection gestures (hug, kiss, thinking of you): send, acknowledge and send back.

Writes emit their bus events inside the caller's transaction: `gesture_received` (for the
recipient) on every new gesture, `gesture_acknowledged` (for the original sender) when the
recipient acknowledges. Payloads carry ids and roles only; streams re-read the rows.
The viewer's role always comes from the relationship row; the sender is the viewer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from luna_graphql.db.models import GESTURE_NOTE_MAX, GESTURE_TYPES, ConnectionGesture
from luna_graphql.errors import BadUserInput, Conflict, Forbidden, NotFound
from luna_graphql.realtime.events import BusEvent, EventEmitter
from luna_graphql.services.access import Membership, Viewer, find_membership
from luna_graphql.services.presence_stream import is_partner_online
from luna_graphql.services.storable_text import require_storable

GESTURE_RECEIVED = "gesture_received"
GESTURE_ACKNOWLEDGED = "gesture_acknowledged"
CLIENT_GESTURE_ID_MAX = 128  # the column is VARCHAR(128)
CLIENT_GESTURE_ID_CONSTRAINT = "uq_connection_gestures_client_gesture_id"


@dataclass(frozen=True)
class GestureView:
    """A gesture as one partner sees it (the idempotency key is the sender's alone)."""

    id: uuid.UUID
    relationship_id: uuid.UUID
    gesture_type: str
    sent_by: str
    is_mine: bool
    message: str | None
    client_gesture_id: str | None
    ai_generated: bool
    sent_at: datetime
    delivered_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    response_gesture_id: uuid.UUID | None


@dataclass(frozen=True)
class SentGesture:
    """`created` is False when a retried clientGestureId returned the first gesture."""

    gesture: GestureView
    recipient_online: bool
    created: bool


@dataclass(frozen=True)
class Acknowledgement:
    gesture: GestureView
    response: GestureView | None


def view_gesture(row: ConnectionGesture, role: str) -> GestureView:
    mine = row.sent_by == role
    return GestureView(
        id=row.id,
        relationship_id=row.relationship_id,
        gesture_type=row.gesture_type,
        sent_by=row.sent_by,
        is_mine=mine,
        message=row.message,
        client_gesture_id=row.client_gesture_id if mine else None,
        ai_generated=row.ai_generated,
        sent_at=row.sent_at,
        delivered_at=row.delivered_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        response_gesture_id=row.response_gesture_id,
    )


def clean_gesture_type(gesture_type: str, *, field: str = "gestureType") -> str:
    # The GraphQL enum already refuses unknown values; this guards other callers.
    if gesture_type not in GESTURE_TYPES:
        raise BadUserInput("Unknown gesture type", field=field)
    return gesture_type


def clean_note(message: str | None, *, field: str = "message") -> str | None:
    """Trimmed; blank means no note. The length is counted in characters, as the CHECK does."""
    if message is None:
        return None
    text = message.strip()
    if not text:
        return None
    if len(text) > GESTURE_NOTE_MAX:
        raise BadUserInput(
            f"A gesture note must be at most {GESTURE_NOTE_MAX} characters", field=field
        )
    return require_storable(text, field=field)


def clean_client_gesture_id(client_gesture_id: str | None) -> str | None:
    if client_gesture_id is None:
        return None
    if not client_gesture_id:
        raise BadUserInput("clientGestureId must be a non-empty string", field="clientGestureId")
    if len(client_gesture_id) > CLIENT_GESTURE_ID_MAX:
        raise BadUserInput(
            f"clientGestureId must be at most {CLIENT_GESTURE_ID_MAX} characters",
            field="clientGestureId",
        )
    return require_storable(client_gesture_id, field="clientGestureId")


async def send_gesture(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    relationship_id: uuid.UUID | None,
    gesture_type: str,
    message: str | None,
    ai_generated: bool,
    client_gesture_id: str | None,
    offline_after_s: float,
) -> SentGesture:
    """Insert the viewer's gesture and emit `gesture_received` in the same transaction."""
    kind = clean_gesture_type(gesture_type)
    note = clean_note(message)
    client_id = clean_client_gesture_id(client_gesture_id)
    member = await find_membership(session, viewer=viewer, relationship_id=relationship_id)

    row: ConnectionGesture | None = None
    if client_id is not None:
        # A retry answers with the first gesture whatever it carries now.
        row = await _by_client_id(session, member, client_id)
    created = row is None
    if row is None:
        statement = (
            insert(ConnectionGesture)
            .values(
                relationship_id=member.relationship_id,
                gesture_type=kind,
                sent_by=member.role,
                message=note,
                ai_generated=ai_generated,
                client_gesture_id=client_id,
            )
            .returning(ConnectionGesture)
        )
        if client_id is None:
            row = (await session.scalars(statement)).one()
        else:
            row, created = await _insert_once(session, statement, member, client_id)
        if created:
            await _emit_received(session, emitter, row)
    online = await is_partner_online(
        session,
        viewer=viewer,
        relationship_id=member.relationship_id,
        offline_after_s=offline_after_s,
    )
    return SentGesture(view_gesture(row, member.role), recipient_online=online, created=created)


async def acknowledge_gesture(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    gesture_id: uuid.UUID,
    send_back: bool,
    send_back_type: str | None,
    send_back_message: str | None,
) -> Acknowledgement:
    """The recipient acknowledges, once; with `send_back` the response gesture is created
    and linked in the same transaction. The gesture's row lock serialises two devices
    acknowledging at once: the second sees it acknowledged and gets CONFLICT."""
    if not send_back and (send_back_type is not None or send_back_message is not None):
        raise BadUserInput("sendBackType and sendBackMessage need sendBack: true", field="sendBack")
    back_type = (
        None if send_back_type is None else clean_gesture_type(send_back_type, field="sendBackType")
    )
    back_note = clean_note(send_back_message, field="sendBackMessage")
    member = await find_membership(session, viewer=viewer)
    gesture = await session.scalar(
        select(ConnectionGesture)
        .where(
            ConnectionGesture.id == gesture_id,
            ConnectionGesture.relationship_id == member.relationship_id,
        )
        .with_for_update()
    )
    if gesture is None:
        raise NotFound("Gesture not found", field="gestureId")
    if gesture.sent_by == member.role:
        raise Forbidden("Only the recipient can acknowledge a gesture", field="gestureId")
    if gesture.acknowledged_at is not None:
        raise Conflict("Gesture already acknowledged", field="gestureId")

    response: ConnectionGesture | None = None
    if send_back:
        response = (
            await session.scalars(
                insert(ConnectionGesture)
                .values(
                    relationship_id=member.relationship_id,
                    # "Send one back" without a type returns the same kind of gesture.
                    gesture_type=back_type or gesture.gesture_type,
                    sent_by=member.role,
                    message=back_note,
                )
                .returning(ConnectionGesture)
            )
        ).one()
    acknowledged = (
        await session.scalars(
            update(ConnectionGesture)
            .where(ConnectionGesture.id == gesture.id)
            .values(
                acknowledged_at=func.now(),
                acknowledged_by=member.role,
                # Acknowledging proves delivery; delivered_at only moves forward.
                delivered_at=func.coalesce(ConnectionGesture.delivered_at, func.now()),
                response_gesture_id=None if response is None else response.id,
            )
            .returning(ConnectionGesture)
            .execution_options(populate_existing=True)
        )
    ).one()
    if response is not None:
        await _emit_received(session, emitter, response)
    await emitter.emit(
        session,
        BusEvent(
            GESTURE_ACKNOWLEDGED,
            member.relationship_id,
            {
                "id": str(acknowledged.id),
                "sent_by": acknowledged.sent_by,
                "response_id": None if response is None else str(response.id),
            },
        ),
    )
    return Acknowledgement(
        gesture=view_gesture(acknowledged, member.role),
        response=None if response is None else view_gesture(response, member.role),
    )


async def _by_client_id(
    session: AsyncSession, member: Membership, client_id: str
) -> ConnectionGesture | None:
    return await session.scalar(
        select(ConnectionGesture).where(
            ConnectionGesture.relationship_id == member.relationship_id,
            ConnectionGesture.sent_by == member.role,
            ConnectionGesture.client_gesture_id == client_id,
        )
    )


async def _insert_once(
    session: AsyncSession,
    statement: ReturningInsert[ConnectionGesture],
    member: Membership,
    client_id: str,
) -> tuple[ConnectionGesture, bool]:
    """Insert a gesture carrying a clientGestureId; (row, created).

    Two concurrent retries can both miss the lookup: the unique constraint decides, and the
    savepoint keeps the caller's transaction usable for reading the winner.
    """
    try:
        async with session.begin_nested():
            return (await session.scalars(statement)).one(), True
    except IntegrityError as exc:
        if CLIENT_GESTURE_ID_CONSTRAINT not in str(exc.orig):
            raise
    first = await _by_client_id(session, member, client_id)
    if first is None:  # pragma: no cover - the conflicting row was committed before us
        raise RuntimeError("clientGestureId conflict without a first gesture")
    return first, False


async def _emit_received(
    session: AsyncSession, emitter: EventEmitter, row: ConnectionGesture
) -> None:
    await emitter.emit(
        session,
        BusEvent(
            GESTURE_RECEIVED, row.relationship_id, {"id": str(row.id), "sent_by": row.sent_by}
        ),
    )
