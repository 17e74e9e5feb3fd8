"""Messages: send (idempotent), read one, soft-delete."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, func, insert, null, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from luna_graphql.db.models import PartnerConversation, PartnerMessage
from luna_graphql.errors import BadUserInput, Conflict, Forbidden, NotFound
from luna_graphql.realtime.events import BusEvent, EventEmitter
from luna_graphql.services.access import (
    Membership,
    Viewer,
    find_optional_membership,
    membership_from_row,
    membership_statement,
    role_of,
)
from luna_graphql.services.message_view import VIEW_COLUMNS, MessageView, view_message

CLIENT_MESSAGE_ID_MAX = 128  # the column is VARCHAR(128)
CLIENT_MESSAGE_ID_CONSTRAINT = "uq_partner_messages_client_message_id"
PREVIEW_CHARS = 100  # as the insert trigger cuts it


@dataclass(frozen=True)
class SentMessage:
    """`created` is False when a retried clientMessageId returned the first message."""

    message: MessageView
    created: bool


# The Luna issue widens this to `SentMessage | ReviewRequired`; resolvers already switch on it.
SendOutcome = SentMessage


@dataclass(frozen=True)
class DeletedMessage:
    id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int


def clean_content(content: str, *, max_chars: int) -> str:
    text = content.strip()
    if not text:
        raise BadUserInput("Message content must not be empty", field="content")
    if len(text) > max_chars:
        raise BadUserInput(
            f"Message content must be at most {max_chars} characters", field="content"
        )
    if "\x00" in text:  # PostgreSQL text cannot hold NUL; refuse it as input, not as a crash
        raise BadUserInput("Message content must not contain NUL characters", field="content")
    return text


def clean_client_message_id(client_message_id: str | None) -> str | None:
    if client_message_id is None:
        return None
    if not client_message_id or "\x00" in client_message_id:
        raise BadUserInput("clientMessageId must be a non-empty string", field="clientMessageId")
    if len(client_message_id) > CLIENT_MESSAGE_ID_MAX:
        raise BadUserInput(
            f"clientMessageId must be at most {CLIENT_MESSAGE_ID_MAX} characters",
            field="clientMessageId",
        )
    return client_message_id


async def send_message(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    conversation_id: uuid.UUID,
    content: str,
    client_message_id: str | None,
    reply_to_id: uuid.UUID | None,
    max_content_chars: int,
) -> SendOutcome:
    """Insert the viewer's message and emit `message_added` in the same transaction.

    The hot path is one SELECT (membership, retry lookup and reply check folded together),
    the INSERT (seq and conversation counters come from the trigger) and the NOTIFY.
    """
    text = clean_content(content, max_chars=max_content_chars)
    client_id = clean_client_message_id(client_message_id)

    existing_id: ColumnElement[Any] = null()
    if client_id is not None:
        existing_id = (
            select(PartnerMessage.id)
            .where(
                PartnerMessage.conversation_id == conversation_id,
                PartnerMessage.sender_id == role_of(viewer.user_id),
                PartnerMessage.client_message_id == client_id,
            )
            .scalar_subquery()
            .label("existing_id")
        )
    reply_ok: ColumnElement[bool] = true()
    if reply_to_id is not None:
        reply_ok = exists().where(
            PartnerMessage.id == reply_to_id,
            PartnerMessage.conversation_id == conversation_id,
            PartnerMessage.deleted_at.is_(None),
        )
    statement = membership_statement(viewer.user_id).add_columns(existing_id, reply_ok)
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise NotFound("Conversation not found", field="conversationId")
    relationship, own_conversation_id, own_prefs, partner_prefs, found_id, reply_found = row
    membership = membership_from_row(
        viewer.user_id, relationship, own_conversation_id, own_prefs, partner_prefs
    )
    membership.require_conversation(conversation_id)

    # A retry answers with the first message whatever it carries now: the client's
    # request already happened once.
    if found_id is not None:
        return _retried(await _load(session, found_id), membership)
    if not reply_found:
        raise NotFound("Message to reply to not found", field="replyToId")

    insert_statement = (
        insert(PartnerMessage)
        .values(
            conversation_id=conversation_id,
            sender_id=membership.role,
            content=text,
            client_message_id=client_id,
            reply_to_id=reply_to_id,
        )
        .returning(PartnerMessage)
    )
    if client_id is None:
        message = (await session.scalars(insert_statement)).one()
    else:
        try:
            # Two concurrent retries can both miss the lookup above; the unique constraint
            # decides, and the savepoint keeps the caller's transaction usable.
            async with session.begin_nested():
                message = (await session.scalars(insert_statement)).one()
        except IntegrityError as exc:
            if CLIENT_MESSAGE_ID_CONSTRAINT not in str(exc.orig):
                raise
            first = await _load_by_client_id(session, conversation_id, membership.role, client_id)
            return _retried(first, membership)

    await emitter.emit(
        session,
        BusEvent(
            kind="message_added",
            relationship_id=membership.relationship_id,
            data={
                "conversation_id": str(conversation_id),
                "id": str(message.id),
                "seq": message.seq,
                "sender": message.sender_id,
            },
        ),
    )
    return SentMessage(view_message(message, membership), created=True)


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
            last_message_preview=select(
                func.left(latest.c.content, PREVIEW_CHARS)
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


def _retried(first: PartnerMessage, membership: Membership) -> SentMessage:
    if first.deleted_at is not None:
        # Resending would break idempotency and un-deleting would surprise the author.
        raise Conflict("This clientMessageId belongs to a deleted message", field="clientMessageId")
    return SentMessage(view_message(first, membership), created=False)


async def _load(session: AsyncSession, message_id: uuid.UUID) -> PartnerMessage:
    message = await session.scalar(
        select(PartnerMessage)
        .options(load_only(*VIEW_COLUMNS, raiseload=True))
        .where(PartnerMessage.id == message_id)
    )
    if message is None:  # pragma: no cover - the caller just found it by id
        raise NotFound("Message not found")
    return message


async def _load_by_client_id(
    session: AsyncSession, conversation_id: uuid.UUID, sender: str, client_id: str
) -> PartnerMessage:
    message = await session.scalar(
        select(PartnerMessage)
        .options(load_only(*VIEW_COLUMNS, raiseload=True))
        .where(
            PartnerMessage.conversation_id == conversation_id,
            PartnerMessage.sender_id == sender,
            PartnerMessage.client_message_id == client_id,
        )
    )
    if message is None:  # pragma: no cover - the unique violation says it exists
        raise NotFound("Message not found")
    return message


__all__ = [  # the views are re-exported: callers read them as part of this module's API
    "VIEW_COLUMNS",
    "DeletedMessage",
    "MessageView",
    "SendOutcome",
    "SentMessage",
    "delete_message",
    "get_message",
    "send_message",
    "view_message",
]
