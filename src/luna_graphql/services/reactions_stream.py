"""`reactionChanged`: a message's reactions as they are now, each time a partner changes them.

Events carry ids only; each change is answered by re-reading that message's reactions once
per process, told by partner role, and every subscriber it woke turns that into its own view
in memory (`reactedByMe`). After lost events (RESYNC) the latest messages' reactions are
re-announced, since a removal leaves nothing in the database to find it by.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Hashable
from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import PartnerMessage
from luna_graphql.realtime.bus import EventBus, Resync
from luna_graphql.realtime.events import BusEvent, channel_for
from luna_graphql.services.access import Membership, Viewer
from luna_graphql.services.coalesce import Coalescer
from luna_graphql.services.message_stream import authorize_conversation, event_conversation
from luna_graphql.services.reactions import (
    REACTION,
    MessageReactions,
    RoleGroups,
    groups_for,
    load_conversation_reactions,
)

RESYNC_MESSAGES = 50  # latest messages whose reactions are re-announced after a resync


# Concurrent reads of one change share the first one's result. Keyed by the change, never by
# the message alone: a read that began before a later change committed must not answer for
# it. Per process, like the bus subscriptions it serves.
_CHANGE_READS = Coalescer()


async def stream_reactions(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    viewer: Viewer,
    conversation_id: uuid.UUID,
) -> AsyncIterator[MessageReactions]:
    """Authorize now (so a failure surfaces on any transport), then stream."""
    member = await authorize_conversation(
        sessionmaker, viewer=viewer, conversation_id=conversation_id
    )
    return _relay_reactions(sessionmaker, bus, member, conversation_id)


async def _relay_reactions(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    member: Membership,
    conversation_id: uuid.UUID,
) -> AsyncIterator[MessageReactions]:
    async with bus.subscribe(channel_for(member.relationship_id), frozenset({REACTION})) as events:
        async for event in events:
            if isinstance(event, Resync):
                for current in await _read_latest(sessionmaker, member, conversation_id):
                    yield current
                continue
            message_id = _reacted_message(event, conversation_id)
            if message_id is None:
                continue
            load = partial(_read_message, sessionmaker, conversation_id, message_id)
            key = _change_key(event, message_id)
            groups = await (load() if key is None else _CHANGE_READS.read(key, load))
            yield MessageReactions(
                message_id, conversation_id, groups_for(member.role, groups.get(message_id, []))
            )


def _reacted_message(event: BusEvent, conversation_id: uuid.UUID) -> uuid.UUID | None:
    if event.kind != REACTION or event_conversation(event) != conversation_id:
        return None
    try:
        return uuid.UUID(str(event.data["message_id"]))
    except (KeyError, ValueError):
        return None


def _change_key(event: BusEvent, message_id: uuid.UUID) -> Hashable | None:
    reaction_id, change = event.data.get("reaction_id"), event.data.get("change")
    if not isinstance(reaction_id, str) or not isinstance(change, str):
        return None  # cannot tell this change from another: read alone
    return (message_id, reaction_id, change)


async def _read_message(
    sessionmaker: async_sessionmaker[AsyncSession],
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
) -> RoleGroups:
    # A message deleted since the event reads as having no reactions, as in history.
    async with sessionmaker() as session:
        return await load_conversation_reactions(
            session, conversation_id=conversation_id, message_ids=[message_id]
        )


async def _read_latest(
    sessionmaker: async_sessionmaker[AsyncSession], member: Membership, conversation_id: uuid.UUID
) -> list[MessageReactions]:
    async with sessionmaker() as session:
        ids = list(
            await session.scalars(
                select(PartnerMessage.id)
                .where(
                    PartnerMessage.conversation_id == conversation_id,
                    PartnerMessage.deleted_at.is_(None),
                )
                .order_by(PartnerMessage.seq.desc())
                .limit(RESYNC_MESSAGES)
            )
        )
        groups = await load_conversation_reactions(
            session, conversation_id=conversation_id, message_ids=ids
        )
    return [
        MessageReactions(m, conversation_id, groups_for(member.role, groups.get(m, [])))
        for m in reversed(ids)
    ]
