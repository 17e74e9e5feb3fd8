"""Emoji reactions: a partner adds or removes theirs on a message of the couple's conversation.

One row per (message, user, emoji): adding twice or removing what is not there changes
nothing and emits nothing. A `reaction` event (ids only) rides the write's transaction when a
row changed; receivers re-read the message's reactions.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, delete, func, literal, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import (
    EMOJI_MAX_CHARS,
    MessageReaction,
    PartnerConversation,
    PartnerMessage,
    Relationship,
)
from luna_graphql.errors import BadUserInput, NotFound
from luna_graphql.realtime.events import BusEvent, EventEmitter
from luna_graphql.services.access import PARTNER_A, PARTNER_B, Viewer, find_optional_membership

REACTION = "reaction"

_ZWJ = "\u200d"
_EMOJI_PRESENTATION = "\ufe0f"
# Subdivision flags (🏴 + tag letters + cancel tag) are built from these format characters.
_TAG_CHARS = range(0xE0020, 0xE0080)


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


def _is_allowed_char(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cf":
        return char == _ZWJ or ord(char) in _TAG_CHARS
    # Whitespace, separators, controls, surrogates, private use and unassigned code points.
    return not category.startswith(("Z", "C"))


def _is_symbol_char(char: str) -> bool:
    # Emoji are non-ASCII symbols (❤ 👍), punctuation (‼ ⁉), or enclosing marks (the keycap
    # of 1️⃣); an emoji presentation selector makes any preceding character an emoji (ℹ️).
    if char == _EMOJI_PRESENTATION:
        return True
    return not char.isascii() and unicodedata.category(char).startswith(("S", "P", "Me"))


def clean_emoji(raw: str) -> str:
    """The emoji trimmed, or BAD_USER_INPUT: 1..32 characters, no words, no blanks."""
    emoji = raw.strip()
    if not 1 <= len(emoji) <= EMOJI_MAX_CHARS:
        raise BadUserInput(f"emoji must be 1 to {EMOJI_MAX_CHARS} characters", field="emoji")
    if not all(_is_allowed_char(char) for char in emoji):
        raise BadUserInput("emoji must not contain spaces or control characters", field="emoji")
    # No emoji contains an ASCII letter; this refuses words ("lol") and words with emoji.
    if any(char.isascii() and char.isalpha() for char in emoji) or not any(
        _is_symbol_char(char) for char in emoji
    ):
        raise BadUserInput("emoji must be an emoji, not text", field="emoji")
    return emoji


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
) -> None:
    await emitter.emit(
        session,
        BusEvent(
            kind=REACTION,
            relationship_id=relationship_id,
            data={"conversation_id": str(conversation_id), "message_id": str(message_id)},
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
    cleaned = clean_emoji(emoji)
    conversation_id, relationship_id = await _lock_visible_message(
        session, viewer=viewer, message_id=message_id
    )
    inserted = await session.scalar(
        insert(MessageReaction)
        .values(message_id=message_id, user_id=viewer.user_id, emoji=cleaned)
        .on_conflict_do_nothing(index_elements=["message_id", "user_id", "emoji"])
        .returning(MessageReaction.id)
    )
    if inserted is not None:
        await _announce(
            session,
            emitter,
            relationship_id=relationship_id,
            conversation_id=conversation_id,
            message_id=message_id,
        )
    return await _current(session, viewer, conversation_id, message_id, inserted is not None)


async def remove_reaction(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    message_id: uuid.UUID,
    emoji: str,
) -> MessageReactions:
    """Take back the viewer's `emoji`; removing one that is not there changes nothing."""
    cleaned = clean_emoji(emoji)
    conversation_id, relationship_id = await _lock_visible_message(
        session, viewer=viewer, message_id=message_id
    )
    removed = await session.scalar(
        delete(MessageReaction)
        .where(
            MessageReaction.message_id == message_id,
            MessageReaction.user_id == viewer.user_id,
            MessageReaction.emoji == cleaned,
        )
        .returning(MessageReaction.id)
    )
    if removed is not None:
        await _announce(
            session,
            emitter,
            relationship_id=relationship_id,
            conversation_id=conversation_id,
            message_id=message_id,
        )
    return await _current(session, viewer, conversation_id, message_id, removed is not None)


async def _current(
    session: AsyncSession,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    changed: bool,
) -> MessageReactions:
    groups = await load_reaction_groups(session, viewer=viewer, message_ids=[message_id])
    return MessageReactions(message_id, conversation_id, groups.get(message_id, []), changed)


async def load_reaction_groups(
    session: AsyncSession, *, viewer: Viewer, message_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ReactionGroup]]:
    """Reactions of live messages of the viewer's active relationship, grouped by emoji in
    the order they were first used, in one query for any number of messages. Ids of other
    couples' or deleted messages simply have none."""
    if not message_ids:
        return {}
    role = case(
        (MessageReaction.user_id == Relationship.partner_a_id, literal(PARTNER_A)),
        else_=literal(PARTNER_B),
    )
    first_used = func.min(MessageReaction.created_at)
    rows = await session.execute(
        select(
            MessageReaction.message_id,
            MessageReaction.emoji,
            func.array_agg(aggregate_order_by(role, MessageReaction.created_at)),
            func.bool_or(MessageReaction.user_id == viewer.user_id),
        )
        .join(PartnerMessage, PartnerMessage.id == MessageReaction.message_id)
        .join(PartnerConversation, PartnerConversation.id == PartnerMessage.conversation_id)
        .join(Relationship, Relationship.id == PartnerConversation.relationship_id)
        .where(
            MessageReaction.message_id.in_(list(message_ids)),
            PartnerMessage.deleted_at.is_(None),
            Relationship.status == "active",
            or_(
                Relationship.partner_a_id == viewer.user_id,
                Relationship.partner_b_id == viewer.user_id,
            ),
        )
        .group_by(MessageReaction.message_id, MessageReaction.emoji)
        .order_by(MessageReaction.message_id, first_used, MessageReaction.emoji)
    )
    groups: dict[uuid.UUID, list[ReactionGroup]] = {}
    for message_id, emoji, roles, mine in rows:
        groups.setdefault(message_id, []).append(ReactionGroup(emoji, tuple(roles), bool(mine)))
    return groups
