"""`reactionChanged`: a message's reactions as they are now, each time a partner changes them.

Events carry ids only; each one is answered by re-reading that message's reactions for the
viewer (one indexed query). After lost events (RESYNC) the latest messages' reactions are
re-announced, since a removal leaves nothing in the database to find it by.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import PartnerMessage
from luna_graphql.realtime.bus import EventBus, Resync
from luna_graphql.realtime.events import BusEvent, channel_for
from luna_graphql.services.access import Membership, Viewer
from luna_graphql.services.message_stream import authorize_conversation, event_conversation
from luna_graphql.services.reactions import REACTION, MessageReactions, load_reaction_groups

RESYNC_MESSAGES = 50  # latest messages whose reactions are re-announced after a resync


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
    return _relay_reactions(sessionmaker, bus, viewer, member, conversation_id)


async def _relay_reactions(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    viewer: Viewer,
    member: Membership,
    conversation_id: uuid.UUID,
) -> AsyncIterator[MessageReactions]:
    async with bus.subscribe(channel_for(member.relationship_id), frozenset({REACTION})) as events:
        async for event in events:
            if isinstance(event, Resync):
                for current in await _read_latest(sessionmaker, viewer, conversation_id):
                    yield current
                continue
            message_id = _reacted_message(event, conversation_id)
            if message_id is None:
                continue
            yield await _read_one(sessionmaker, viewer, conversation_id, message_id)


def _reacted_message(event: BusEvent, conversation_id: uuid.UUID) -> uuid.UUID | None:
    if event.kind != REACTION or event_conversation(event) != conversation_id:
        return None
    try:
        return uuid.UUID(str(event.data["message_id"]))
    except (KeyError, ValueError):
        return None


async def _read_one(
    sessionmaker: async_sessionmaker[AsyncSession],
    viewer: Viewer,
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
) -> MessageReactions:
    # A message deleted since the event reads as having no reactions, as in history.
    async with sessionmaker() as session:
        groups = await load_reaction_groups(session, viewer=viewer, message_ids=[message_id])
    return MessageReactions(message_id, conversation_id, groups.get(message_id, []))


async def _read_latest(
    sessionmaker: async_sessionmaker[AsyncSession], viewer: Viewer, conversation_id: uuid.UUID
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
        groups = await load_reaction_groups(session, viewer=viewer, message_ids=ids)
    return [MessageReactions(m, conversation_id, groups.get(m, [])) for m in reversed(ids)]
