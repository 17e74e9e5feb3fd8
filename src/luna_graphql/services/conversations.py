"""The couple's one conversation: created on first access, read with the viewer's unread count."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import PartnerConversation, PartnerMessage
from luna_graphql.services.access import Membership, Viewer, find_membership


@dataclass(frozen=True)
class ConversationView:
    conversation: PartnerConversation
    unread_count: int
    membership: Membership


def unread_count_for(membership: Membership) -> ScalarSelect[int]:
    """Partner's messages the viewer has not read, correlated to the conversation row read.

    The predicate is the one of `ix_partner_messages_unread`, so this counts on the index.
    """
    return (
        select(func.count())
        .where(
            PartnerMessage.conversation_id == PartnerConversation.id,
            PartnerMessage.sender_id == membership.partner_role,
            PartnerMessage.status != "read",
            PartnerMessage.deleted_at.is_(None),
        )
        .scalar_subquery()
    )


async def open_conversation(
    session: AsyncSession, *, viewer: Viewer, relationship_id: uuid.UUID | None = None
) -> ConversationView:
    """The viewer's conversation, created if this is the couple's first access.

    Runs in a write transaction: the caller commits. Two partners opening it at once
    both end up with the same row (ON CONFLICT on the one-per-relationship constraint).
    """
    membership = await find_membership(session, viewer=viewer, relationship_id=relationship_id)
    if membership.conversation_id is None:
        await session.execute(
            insert(PartnerConversation)
            .values(relationship_id=membership.relationship_id)
            .on_conflict_do_nothing(constraint="uq_partner_conversations_relationship")
        )
    conversation, unread = (
        await session.execute(
            select(PartnerConversation, unread_count_for(membership)).where(
                PartnerConversation.relationship_id == membership.relationship_id
            )
        )
    ).one()
    return ConversationView(conversation=conversation, unread_count=unread, membership=membership)
