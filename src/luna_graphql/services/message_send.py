"""The send path: clean the input, one SELECT, the INSERT and its NOTIFY.

Split in two steps (`check_send`, `insert_message`) so that Luna's send path can decide
between them, inside the same transaction, whether the draft needs a review first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, insert, null, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from luna_graphql.db.models import PartnerMessage
from luna_graphql.errors import BadUserInput, Conflict, NotFound
from luna_graphql.realtime.events import BusEvent, EventEmitter
from luna_graphql.services.access import (
    Membership,
    Viewer,
    membership_from_row,
    membership_statement,
    role_of,
)
from luna_graphql.services.message_view import VIEW_COLUMNS, MessageView, view_message

CLIENT_MESSAGE_ID_MAX = 128  # the column is VARCHAR(128)
CLIENT_MESSAGE_ID_CONSTRAINT = "uq_partner_messages_client_message_id"


@dataclass(frozen=True)
class SentMessage:
    """`created` is False when a retried clientMessageId returned the first message."""

    message: MessageView
    created: bool


@dataclass(frozen=True)
class LunaMarks:
    """How Luna was involved in a message sent from one of its suggestions.

    Stored on the message for its author only (`view_message` hides it from the partner).
    """

    intervention_type: str  # suggestion | warning | reframe
    accepted: bool
    original_content: str


@dataclass(frozen=True)
class SendCheck:
    """What the send path's one SELECT found: the membership, or the first message of a
    retried clientMessageId (then nothing more is to be done)."""

    membership: Membership
    retried: SentMessage | None


def clean_content(content: str, *, max_chars: int, field: str = "content") -> str:
    """Trimmed text, 1..max_chars long. `field` names the input in errors (a draft to
    review and a suggestion's final text obey the same rules as a message)."""
    text = content.strip()
    if not text:
        raise BadUserInput("Message content must not be empty", field=field)
    if len(text) > max_chars:
        raise BadUserInput(f"Message content must be at most {max_chars} characters", field=field)
    if "\x00" in text:  # PostgreSQL text cannot hold NUL; refuse it as input, not as a crash
        raise BadUserInput("Message content must not contain NUL characters", field=field)
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
    luna: LunaMarks | None = None,
) -> SentMessage:
    """Insert the viewer's message and emit `message_added` in the same transaction.

    The hot path is one SELECT (membership, retry lookup and reply check folded together),
    the INSERT (seq and conversation counters come from the trigger) and the NOTIFY.
    """
    text = clean_content(content, max_chars=max_content_chars)
    client_id = clean_client_message_id(client_message_id)
    check = await check_send(
        session,
        viewer=viewer,
        conversation_id=conversation_id,
        client_id=client_id,
        reply_to_id=reply_to_id,
    )
    if check.retried is not None:
        return check.retried
    return await insert_message(
        session,
        membership=check.membership,
        emitter=emitter,
        conversation_id=conversation_id,
        text=text,
        client_id=client_id,
        reply_to_id=reply_to_id,
        luna=luna,
    )


async def check_send(
    session: AsyncSession,
    *,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    client_id: str | None,
    reply_to_id: uuid.UUID | None,
) -> SendCheck:
    """The send path's one SELECT: membership (with both partners' preferences), the
    retry lookup and the reply check. `client_id` is already cleaned."""
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
        return SendCheck(membership, retried_message(await _load(session, found_id), membership))
    if not reply_found:
        raise NotFound("Message to reply to not found", field="replyToId")
    return SendCheck(membership, None)


async def insert_message(
    session: AsyncSession,
    *,
    membership: Membership,
    emitter: EventEmitter,
    conversation_id: uuid.UUID,
    text: str,
    client_id: str | None,
    reply_to_id: uuid.UUID | None,
    luna: LunaMarks | None = None,
) -> SentMessage:
    """INSERT and NOTIFY, after `check_send` in the same transaction."""
    values: dict[str, Any] = {
        "conversation_id": conversation_id,
        "sender_id": membership.role,
        "content": text,
        "client_message_id": client_id,
        "reply_to_id": reply_to_id,
    }
    if luna is not None:
        values.update(
            luna_intervened=True,
            intervention_type=luna.intervention_type,
            intervention_accepted=luna.accepted,
            original_content=luna.original_content,
        )
    insert_statement = insert(PartnerMessage).values(**values).returning(PartnerMessage)
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
            return retried_message(first, membership)

    await emitter.emit(session, message_added_event(membership, message))
    return SentMessage(view_message(message, membership), created=True)


def message_added_event(membership: Membership, message: PartnerMessage) -> BusEvent:
    """The event every send path emits. It carries ids only: nothing in it may tell the
    partner that Luna was involved."""
    return BusEvent(
        kind="message_added",
        relationship_id=membership.relationship_id,
        data={
            "conversation_id": str(message.conversation_id),
            "id": str(message.id),
            "seq": message.seq,
            "sender": message.sender_id,
        },
    )


def retried_message(first: PartnerMessage, membership: Membership) -> SentMessage:
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
