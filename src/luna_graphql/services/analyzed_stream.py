"""`messageAnalyzed`: background analysis results of the couple's messages, as they land.

Analysis fields are readable by both partners, but only a viewer who turned
`show_sentiment_indicators` on sees them (it is off by default): for anyone else the
subscription is refused with FORBIDDEN, so a client learns why it would stay silent.
The row is read once per process per event through the shared loader.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.errors import Forbidden
from luna_graphql.realtime.bus import EventBus, Resync
from luna_graphql.realtime.events import channel_for
from luna_graphql.services.access import Membership, Viewer
from luna_graphql.services.message_loader import MessageLoader
from luna_graphql.services.message_stream import authorize_conversation, event_conversation

MESSAGE_ANALYZED = "message_analyzed"  # emitted by services.analysis.record_result


@dataclass(frozen=True, slots=True)
class AnalysisView:
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int
    sender: str
    sentiment_score: float | None
    sentiment_label: str | None
    emotions: list[Any]
    escalation_risk: str | None
    analyzed_at: datetime | None


async def stream_analyses(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    loader: MessageLoader,
    viewer: Viewer,
    conversation_id: uuid.UUID,
) -> AsyncIterator[AnalysisView]:
    member = await authorize_conversation(
        sessionmaker, viewer=viewer, conversation_id=conversation_id
    )
    prefs = member.own_preferences
    if prefs is None or not prefs.show_sentiment_indicators:
        raise Forbidden("Turn on showSentimentIndicators to receive message analyses")
    return _relay_analyses(bus, loader, member, conversation_id)


async def _relay_analyses(
    bus: EventBus, loader: MessageLoader, member: Membership, conversation_id: uuid.UUID
) -> AsyncIterator[AnalysisView]:
    channel = channel_for(member.relationship_id)
    async with bus.subscribe(channel, frozenset({MESSAGE_ANALYZED})) as events:
        async for event in events:
            # Analyses lost in a resync stay readable through queries; nothing to replay.
            if isinstance(event, Resync) or event.kind != MESSAGE_ANALYZED:
                continue
            if event_conversation(event) != conversation_id:
                continue
            try:
                message_id = uuid.UUID(str(event.data["id"]))
            except (KeyError, ValueError):
                continue
            row = await loader.read_message(conversation_id, message_id)
            if row is None or row.deleted_at is not None or row.analysis_status != "done":
                continue
            yield AnalysisView(
                message_id=row.id,
                conversation_id=row.conversation_id,
                seq=row.seq,
                sender=row.sender_id,
                sentiment_score=row.sentiment_score,
                sentiment_label=row.sentiment_label,
                emotions=list(row.emotions),
                escalation_risk=row.escalation_risk,
                analyzed_at=row.analyzed_at,
            )
