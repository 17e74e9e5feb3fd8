"""Emoji reactions: a partner adds or removes theirs on a message of the couple's conversation.

One row per (message, user, emoji): adding twice or removing what is not there changes
nothing and emits nothing. A `reaction` event (ids and added/removed, never the emoji) rides
the write's transaction when a row changed; receivers re-read the message's reactions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Executable, Select, case, delete, func, literal, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import (
    MessageReaction,
    PartnerConversation,
    PartnerMessage,
    Relationship,
)
from luna_graphql.errors import NotFound
from luna_graphql.realtime.events import BusEvent, EventEmitter
from luna_graphql.services.access import PARTNER_A, PARTNER_B, Viewer, find_optional_membership
from luna_graphql.services.reactions_emoji import clean_emoji

REACTION = "reaction"
ADDED = "added"
REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class ReactionGroup:
    """One emoji on one message: who of the couple used it, oldest first."""

    emoji: str
    partner_roles: tuple[str, ...]
    reacted_by_me: bool

    @property
    def count(self) -> int:
        return len(self.partner_roles)


@dataclass(frozen=True, slots=True)
class MessageReactions:
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    groups: list[ReactionGroup]
    changed: bool = False


async def _lock_visible_message(
    session: AsyncSession, *, viewer: Viewer, message_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID]:
    """(conversation id, relationship id) of a live message of the viewer's couple.

    FOR SHARE waits for a concurrent soft delete of the row and then sees it deleted, so no
    reaction lands on a message whose deletion committed first.
    """
    membership = await find_optional_membership(session, viewer=viewer)
    if membership is None or membership.conversation_id is None:
        raise NotFound("Message not found", field="messageId")
    found = await session.scalar(
        select(PartnerMessage.id)
        .where(
            PartnerMessage.id == message_id,
            PartnerMessage.conversation_id == membership.conversation_id,
            PartnerMessage.deleted_at.is_(None),
        )
        .with_for_update(read=True)
    )
    if found is None:
        raise NotFound("Message not found", field="messageId")
    return membership.conversation_id, membership.relationship_id


async def _announce(
    session: AsyncSession,
    emitter: EventEmitter,
    *,
    relationship_id: uuid.UUID,
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    reaction_id: uuid.UUID,
    change: str,
) -> None:
    # The changed row's id and the change name each change uniquely (a row is added once and
    # removed once), so receivers in one process share one re-read per change.
    await emitter.emit(
        session,
        BusEvent(
            kind=REACTION,
            relationship_id=relationship_id,
            data={
                "conversation_id": str(conversation_id),
                "message_id": str(message_id),
                "reaction_id": str(reaction_id),
                "change": change,
            },
        ),
    )


async def add_reaction(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    message_id: uuid.UUID,
    emoji: str,
) -> MessageReactions:
    """React with `emoji`; a reaction already there is left as it is (no event)."""

    def insert_row(cleaned: str) -> Executable:
        return (
            insert(MessageReaction)
            .values(message_id=message_id, user_id=viewer.user_id, emoji=cleaned)
            .on_conflict_do_nothing(index_elements=["message_id", "user_id", "emoji"])
            .returning(MessageReaction.id)
        )

    return await _change_reaction(
        session, viewer, emitter, message_id, emoji, change=ADDED, statement=insert_row
    )


async def remove_reaction(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    message_id: uuid.UUID,
    emoji: str,
) -> MessageReactions:
    """Take back the viewer's `emoji`; removing one that is not there changes nothing."""

    def delete_row(cleaned: str) -> Executable:
        return (
            delete(MessageReaction)
            .where(
                MessageReaction.message_id == message_id,
                MessageReaction.user_id == viewer.user_id,
                MessageReaction.emoji == cleaned,
            )
            .returning(MessageReaction.id)
        )

    return await _change_reaction(
        session, viewer, emitter, message_id, emoji, change=REMOVED, statement=delete_row
    )


async def _change_reaction(
    session: AsyncSession,
    viewer: Viewer,
    emitter: EventEmitter,
    message_id: uuid.UUID,
    emoji: str,
    *,
    change: str,
    statement: Callable[[str], Executable],
) -> MessageReactions:
    """Run `statement` (returning the changed row's id, or nothing) on a live message of the
    viewer's couple; announce the change only when a row changed."""
    cleaned = clean_emoji(emoji)
    conversation_id, relationship_id = await _lock_visible_message(
        session, viewer=viewer, message_id=message_id
    )
    changed_id = await session.scalar(statement(cleaned))
    if changed_id is not None:
        await _announce(
            session,
            emitter,
            relationship_id=relationship_id,
            conversation_id=conversation_id,
            message_id=message_id,
            reaction_id=changed_id,
            change=change,
        )
    return await _current(session, viewer, conversation_id, message_id, changed_id is not None)


async def _current(
    session: AsyncSession,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    changed: bool,
) -> MessageReactions:
    groups = await load_reaction_groups(session, viewer=viewer, message_ids=[message_id])
    return MessageReactions(message_id, conversation_id, groups.get(message_id, []), changed)


def _grouped(*where: ColumnElement[bool]) -> Select[uuid.UUID, str, Sequence[Any]]:
    """Reactions of live messages grouped by (message, emoji), with who reacted in order; the
    groups of a message come in the order each emoji was first used."""
    role = case(
        (MessageReaction.user_id == Relationship.partner_a_id, literal(PARTNER_A)),
        else_=literal(PARTNER_B),
    )
    return (
        select(
            MessageReaction.message_id,
            MessageReaction.emoji,
            func.array_agg(aggregate_order_by(role, MessageReaction.created_at)),
        )
        .join(PartnerMessage, PartnerMessage.id == MessageReaction.message_id)
        .join(PartnerConversation, PartnerConversation.id == PartnerMessage.conversation_id)
        .join(Relationship, Relationship.id == PartnerConversation.relationship_id)
        .where(PartnerMessage.deleted_at.is_(None), *where)
        .group_by(MessageReaction.message_id, MessageReaction.emoji)
        .order_by(
            MessageReaction.message_id, func.min(MessageReaction.created_at), MessageReaction.emoji
        )
    )


async def load_reaction_groups(
    session: AsyncSession, *, viewer: Viewer, message_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ReactionGroup]]:
    """Reactions of live messages of the viewer's active relationship, in one query for any
    number of messages. Ids of other couples' or deleted messages simply have none."""
    if not message_ids:
        return {}
    rows = await session.execute(
        _grouped(
            MessageReaction.message_id.in_(list(message_ids)),
            Relationship.status == "active",
            or_(
                Relationship.partner_a_id == viewer.user_id,
                Relationship.partner_b_id == viewer.user_id,
            ),
        ).add_columns(func.bool_or(MessageReaction.user_id == viewer.user_id))
    )
    groups: dict[uuid.UUID, list[ReactionGroup]] = {}
    for message_id, emoji, roles, mine in rows:
        groups.setdefault(message_id, []).append(ReactionGroup(emoji, tuple(roles), bool(mine)))
    return groups


RoleGroups = dict[uuid.UUID, list[tuple[str, tuple[str, ...]]]]


async def load_conversation_reactions(
    session: AsyncSession, *, conversation_id: uuid.UUID, message_ids: Sequence[uuid.UUID]
) -> RoleGroups:
    """The same groups for callers that authorized the conversation already, told by partner
    role rather than for one viewer, so one read serves both partners (see `groups_for`)."""
    if not message_ids:
        return {}
    rows = await session.execute(
        _grouped(
            MessageReaction.message_id.in_(list(message_ids)),
            PartnerMessage.conversation_id == conversation_id,
        )
    )
    groups: RoleGroups = {}
    for message_id, emoji, roles in rows:
        groups.setdefault(message_id, []).append((emoji, tuple(roles)))
    return groups


def groups_for(role: str, groups: list[tuple[str, tuple[str, ...]]]) -> list[ReactionGroup]:
    return [ReactionGroup(emoji, roles, role in roles) for emoji, roles in groups]
