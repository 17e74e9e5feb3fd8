"""Messages: send (idempotent; the path itself is in `message_send`), read one, soft-delete."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from luna_graphql.db.models import PartnerConversation, PartnerMessage
from luna_graphql.errors import Forbidden, NotFound
from luna_graphql.realtime.events import BusEvent, EventEmitter
from luna_graphql.services.access import Viewer, find_optional_membership
from luna_graphql.services.message_send import (
    LunaMarks,
    SendCheck,
    SentMessage,
    check_send,
    clean_client_message_id,
    clean_content,
    insert_message,
    send_message,
)
from luna_graphql.services.message_view import VIEW_COLUMNS, MessageView, view_message


@dataclass(frozen=True)
class DeletedMessage:
    id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int


async def get_message(
    session: AsyncSession, *, viewer: Viewer, message_id: uuid.UUID
) -> MessageView:
    membership = await find_optional_membership(session, viewer=viewer)
    if membership is None or membership.conversation_id is None:
        raise NotFound("Message not found", field="id")
    message = await session.scalar(
        select(PartnerMessage)
        .options(load_only(*VIEW_COLUMNS, raiseload=True))
        .where(
            PartnerMessage.id == message_id,
            PartnerMessage.conversation_id == membership.conversation_id,
            PartnerMessage.deleted_at.is_(None),
        )
    )
    if message is None:
        raise NotFound("Message not found", field="id")
    return view_message(message, membership)


async def delete_message(
    session: AsyncSession, *, viewer: Viewer, emitter: EventEmitter, message_id: uuid.UUID
) -> DeletedMessage:
    """Soft-delete the viewer's own message and keep the conversation's summary honest."""
    membership = await find_optional_membership(session, viewer=viewer)
    if membership is None or membership.conversation_id is None:
        raise NotFound("Message not found", field="id")
    conversation_id = membership.conversation_id
    # Lock the conversation first, as the insert trigger does: the summary recomputed below
    # then sees every message committed before us, and no insert can slip in between.
    await session.execute(
        select(PartnerConversation.id)
        .where(PartnerConversation.id == conversation_id)
        .with_for_update()
    )
    seq = await session.scalar(
        update(PartnerMessage)
        .where(
            PartnerMessage.id == message_id,
            PartnerMessage.conversation_id == conversation_id,
            PartnerMessage.sender_id == membership.role,
            PartnerMessage.deleted_at.is_(None),
        )
        .values(deleted_at=func.now())
        .returning(PartnerMessage.seq)
    )
    if seq is None:
        author = await session.scalar(
            select(PartnerMessage.sender_id).where(
                PartnerMessage.id == message_id,
                PartnerMessage.conversation_id == conversation_id,
                PartnerMessage.deleted_at.is_(None),
            )
        )
        if author is None:
            raise NotFound("Message not found", field="id")
        raise Forbidden("Only the author can delete a message", field="id")

    latest = (
        select(PartnerMessage)
        .where(
            PartnerMessage.conversation_id == conversation_id, PartnerMessage.deleted_at.is_(None)
        )
        .order_by(PartnerMessage.seq.desc())
        .limit(1)
        .subquery()
    )
    await session.execute(
        update(PartnerConversation)
        .where(PartnerConversation.id == conversation_id)
        .values(
            message_count=PartnerConversation.message_count - 1,
            # The insert trigger's rule: plain text cut, an encrypted value whole.
            last_message_preview=select(
                func.luna_message_preview(latest.c.content)
            ).scalar_subquery(),
            last_message_at=select(latest.c.sent_at).scalar_subquery(),
            updated_at=func.now(),
        )
    )
    await emitter.emit(
        session,
        BusEvent(
            kind="message_deleted",
            relationship_id=membership.relationship_id,
            data={"conversation_id": str(conversation_id), "id": str(message_id), "seq": seq},
        ),
    )
    return DeletedMessage(id=message_id, conversation_id=conversation_id, seq=seq)


__all__ = [  # the send path and the views are re-exported: callers read them from here
    "VIEW_COLUMNS",
    "DeletedMessage",
    "LunaMarks",
    "MessageView",
    "SendCheck",
    "SentMessage",
    "check_send",
    "clean_client_message_id",
    "clean_content",
    "delete_message",
    "get_message",
    "insert_message",
    "send_message",
    "view_message",
]
