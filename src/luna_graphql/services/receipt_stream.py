"""`receipts`: delivered/read changes on the viewer's own messages, as the partner makes them.

Read receipts reach the stream only when the reader shares them: `receipts.mark_read` emits
nothing otherwise, and after a resync the re-read applies the reader's current preference.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import PartnerMessage
from luna_graphql.realtime.bus import EventBus, Resync
from luna_graphql.realtime.events import BusEvent, channel_for
from luna_graphql.services.access import Membership, Viewer, find_conversation_membership
from luna_graphql.services.delivery import RECEIPT
from luna_graphql.services.message_stream import authorize_conversation, event_conversation

RESYNC_IDS = 100  # delivered-but-unread messages re-announced after a resync


@dataclass(frozen=True, slots=True)
class ReceiptUpdate:
    """`delivered` lists the messages; `read` covers every message of the viewer up to
    `up_to_seq` (the reader marks read by position)."""

    conversation_id: uuid.UUID
    status: str
    message_ids: list[uuid.UUID] = field(default_factory=list)
    up_to_seq: int | None = None


async def stream_receipts(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    viewer: Viewer,
    conversation_id: uuid.UUID,
) -> AsyncIterator[ReceiptUpdate]:
    """Authorize now (so a failure surfaces on any transport), then stream."""
    member = await authorize_conversation(
        sessionmaker, viewer=viewer, conversation_id=conversation_id
    )
    return _relay_receipts(sessionmaker, bus, viewer, member, conversation_id)


async def _relay_receipts(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    viewer: Viewer,
    member: Membership,
    conversation_id: uuid.UUID,
) -> AsyncIterator[ReceiptUpdate]:
    channel = channel_for(member.relationship_id)
    async with bus.subscribe(channel, frozenset({RECEIPT})) as events:
        async for event in events:
            if isinstance(event, Resync):
                for current in await _read_current(sessionmaker, viewer, member):
                    yield current
                continue
            update = _partner_receipt(event, conversation_id, member.partner_role)
            if update is not None:
                yield update


def _partner_receipt(
    event: BusEvent, conversation_id: uuid.UUID, partner_role: str
) -> ReceiptUpdate | None:
    if (
        event.kind != RECEIPT
        or event.data.get("by") != partner_role
        or event_conversation(event) != conversation_id
    ):
        return None
    status = event.data.get("status")
    if status == "delivered":
        try:
            ids = [uuid.UUID(str(value)) for value in event.data.get("ids", ())]
        except ValueError:
            return None
        return ReceiptUpdate(conversation_id, "delivered", message_ids=ids)
    up_to = event.data.get("up_to_seq")
    if status == "read" and isinstance(up_to, int):
        return ReceiptUpdate(conversation_id, "read", up_to_seq=up_to)
    return None


async def _read_current(
    sessionmaker: async_sessionmaker[AsyncSession], viewer: Viewer, member: Membership
) -> list[ReceiptUpdate]:
    """After lost events: the state now, with the reader's preference as it is now."""
    conversation_id = member.require_conversation(member.conversation_id or uuid.UUID(int=0))
    async with sessionmaker() as session:
        fresh = await find_conversation_membership(
            session, viewer=viewer, conversation_id=conversation_id
        )
        mine = (
            PartnerMessage.conversation_id == conversation_id,
            PartnerMessage.sender_id == member.role,
            PartnerMessage.deleted_at.is_(None),
        )
        delivered = list(
            await session.scalars(
                select(PartnerMessage.id)
                .where(*mine, PartnerMessage.status == "delivered")
                .order_by(PartnerMessage.seq.desc())
                .limit(RESYNC_IDS)
            )
        )
        read_up_to = None
        if fresh.partner_shares_read_receipts:
            read_up_to = await session.scalar(
                select(func.max(PartnerMessage.seq)).where(*mine, PartnerMessage.status == "read")
            )
    updates = []
    if delivered:
        updates.append(ReceiptUpdate(conversation_id, "delivered", message_ids=delivered[::-1]))
    if read_up_to is not None:
        updates.append(ReceiptUpdate(conversation_id, "read", up_to_seq=read_up_to))
    return updates
