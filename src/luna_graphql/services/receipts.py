"""Delivered and read receipts: only the recipient marks, and status only moves forward.

Each change is one UPDATE whose WHERE admits only rows below the target status
(sent → delivered → read), so concurrent or repeated marks never move a message back and
never set a timestamp twice. An event is emitted only when rows changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import PartnerMessage
from luna_graphql.errors import BadUserInput, Forbidden, NotFound
from luna_graphql.realtime.events import BusEvent, EventEmitter
from luna_graphql.services.access import (
    Viewer,
    find_conversation_membership,
    find_optional_membership,
)

# Receipt events list the ids they cover; 100 UUIDs keep the NOTIFY payload near 4 KB,
# safely under PostgreSQL's 8000-byte limit.
MAX_RECEIPT_IDS = 100

STATUS_ORDER = ("sent", "delivered", "read")


def _below(status: str) -> tuple[str, ...]:
    return STATUS_ORDER[: STATUS_ORDER.index(status)]


@dataclass(frozen=True)
class ReceiptChange:
    conversation_id: uuid.UUID
    status: str
    changed_count: int
    changed_ids: list[uuid.UUID]


async def mark_delivered(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    message_ids: Sequence[uuid.UUID],
) -> ReceiptChange:
    """Mark the partner's messages delivered; any id not visible to the viewer fails the call."""
    ids = list(dict.fromkeys(message_ids))
    if not ids:
        raise BadUserInput("messageIds must not be empty", field="messageIds")
    if len(ids) > MAX_RECEIPT_IDS:
        raise BadUserInput(f"messageIds takes at most {MAX_RECEIPT_IDS} ids", field="messageIds")
    membership = await find_optional_membership(session, viewer=viewer)
    if membership is None or membership.conversation_id is None:
        raise NotFound("Message not found", field="messageIds")
    conversation_id = membership.conversation_id

    rows = await session.execute(
        select(PartnerMessage.id, PartnerMessage.sender_id).where(
            PartnerMessage.id.in_(ids),
            PartnerMessage.conversation_id == conversation_id,
            PartnerMessage.deleted_at.is_(None),
        )
    )
    senders = {message_id: sender for message_id, sender in rows}
    if len(senders) != len(ids):
        raise NotFound("Message not found", field="messageIds")
    if any(sender == membership.role for sender in senders.values()):
        raise Forbidden("Only the recipient can mark a message delivered", field="messageIds")

    changed = list(
        await session.scalars(
            update(PartnerMessage)
            .where(PartnerMessage.id.in_(ids), PartnerMessage.status.in_(_below("delivered")))
            .values(status="delivered", delivered_at=func.now())
            .returning(PartnerMessage.id)
        )
    )
    if changed:
        await emitter.emit(
            session,
            BusEvent(
                kind="receipt",
                relationship_id=membership.relationship_id,
                data={
                    "conversation_id": str(conversation_id),
                    "status": "delivered",
                    "ids": [str(message_id) for message_id in changed],
                    "by": membership.role,
                },
            ),
        )
    return ReceiptChange(conversation_id, "delivered", len(changed), changed)


async def mark_read(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    conversation_id: uuid.UUID,
    up_to_seq: int,
) -> ReceiptChange:
    """Mark every partner message up to `up_to_seq` read (and delivered, if it was not).

    The viewer's own messages are never touched: a sender cannot read their own message.
    """
    if up_to_seq < 1:
        raise BadUserInput("upToSeq must be at least 1", field="upToSeq")
    membership = await find_conversation_membership(
        session, viewer=viewer, conversation_id=conversation_id
    )
    result = await session.execute(
        update(PartnerMessage)
        .where(
            PartnerMessage.conversation_id == conversation_id,
            PartnerMessage.sender_id == membership.partner_role,
            PartnerMessage.seq <= up_to_seq,
            PartnerMessage.status.in_(_below("read")),
            PartnerMessage.deleted_at.is_(None),
        )
        .values(
            status="read",
            read_at=func.now(),
            delivered_at=func.coalesce(PartnerMessage.delivered_at, func.now()),
        )
    )
    assert isinstance(result, CursorResult)
    changed = result.rowcount
    # The reader's preference decides whether the partner learns about it at all.
    if changed and membership.viewer_shares_read_receipts:
        await emitter.emit(
            session,
            BusEvent(
                kind="receipt",
                relationship_id=membership.relationship_id,
                data={
                    "conversation_id": str(conversation_id),
                    "status": "read",
                    "up_to_seq": up_to_seq,
                    "by": membership.role,
                },
            ),
        )
    return ReceiptChange(conversation_id, "read", changed, [])
