"""Subscriptions `messageAdded`, `typing`, `receipts`, `presence`, `messageAnalyzed`.

Each resolver authorizes itself (a subscription sent over plain HTTP runs it too) and then
relays a service stream, mapping each item to its GraphQL type. Sockets keep no session: the
services open a short one per read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry
from strawberry.types import Info

from luna_graphql.api.context import LunaContext
from luna_graphql.api.direct_frames import direct_frames
from luna_graphql.api.ids import parse_id
from luna_graphql.api.realtime_runtime import realtime_of
from luna_graphql.api.realtime_types import MessageAnalysis, Presence, ReceiptEvent, TypingEvent
from luna_graphql.api.streams import MappedStream
from luna_graphql.api.types.messages import Message, shared_message
from luna_graphql.services.analyzed_stream import stream_analyses
from luna_graphql.services.message_stream import stream_messages
from luna_graphql.services.presence_stream import stream_presence
from luna_graphql.services.receipt_stream import stream_receipts
from luna_graphql.services.typing import stream_typing

Ctx = Info[LunaContext, None]


async def resolve_message_added(
    info: Ctx, conversation_id: strawberry.ID, after_seq: int | None = None
) -> AsyncIterator[Message]:
    ctx = info.context
    viewer = ctx.require_viewer()
    rt = realtime_of(ctx)
    stream = await stream_messages(
        sessionmaker=ctx.runtime.sessionmaker,
        bus=rt.bus,
        loader=rt.loader,
        delivery=rt.delivery,
        viewer=viewer,
        conversation_id=parse_id(conversation_id, field="conversationId"),
        after_seq=after_seq,
        views=rt.views,
        direct=direct_frames(ctx.request),
    )
    return MappedStream(stream, shared_message)


async def resolve_typing(info: Ctx, conversation_id: strawberry.ID) -> AsyncIterator[TypingEvent]:
    ctx = info.context
    viewer = ctx.require_viewer()
    rt = realtime_of(ctx)
    stream = await stream_typing(
        sessionmaker=ctx.runtime.sessionmaker,
        bus=rt.bus,
        clock=rt.clock,
        ttl_s=ctx.settings.typing_ttl_s,
        viewer=viewer,
        conversation_id=parse_id(conversation_id, field="conversationId"),
    )
    return MappedStream(stream, TypingEvent.from_state)


async def resolve_receipts(
    info: Ctx, conversation_id: strawberry.ID
) -> AsyncIterator[ReceiptEvent]:
    ctx = info.context
    viewer = ctx.require_viewer()
    stream = await stream_receipts(
        sessionmaker=ctx.runtime.sessionmaker,
        bus=realtime_of(ctx).bus,
        viewer=viewer,
        conversation_id=parse_id(conversation_id, field="conversationId"),
    )
    return MappedStream(stream, ReceiptEvent.from_update)


async def resolve_presence(
    info: Ctx, relationship_id: strawberry.ID | None = None
) -> AsyncIterator[Presence]:
    ctx = info.context
    viewer = ctx.require_viewer()
    stream = await stream_presence(
        sessionmaker=ctx.runtime.sessionmaker,
        bus=realtime_of(ctx).bus,
        viewer=viewer,
        relationship_id=(
            None if relationship_id is None else parse_id(relationship_id, field="relationshipId")
        ),
        offline_after_s=ctx.settings.presence_offline_after_s,
    )
    return MappedStream(stream, Presence.from_state)


async def resolve_message_analyzed(
    info: Ctx, conversation_id: strawberry.ID
) -> AsyncIterator[MessageAnalysis]:
    ctx = info.context
    viewer = ctx.require_viewer()
    rt = realtime_of(ctx)
    stream = await stream_analyses(
        sessionmaker=ctx.runtime.sessionmaker,
        bus=rt.bus,
        loader=rt.loader,
        viewer=viewer,
        conversation_id=parse_id(conversation_id, field="conversationId"),
    )
    return MappedStream(stream, MessageAnalysis.from_view)


@strawberry.type
class RealtimeSubscription:
    message_added: AsyncIterator[Message] = strawberry.subscription(
        resolver=resolve_message_added,
        description="New messages of the couple's conversation in seq order. With afterSeq, "
        "first every message with a greater seq (resume after a reconnect: exactly once, in "
        "order), then live ones.",
    )
    typing: AsyncIterator[TypingEvent] = strawberry.subscription(
        resolver=resolve_typing,
        description="The partner's typing state; a start without a stop expires by itself.",
    )
    receipts: AsyncIterator[ReceiptEvent] = strawberry.subscription(
        resolver=resolve_receipts,
        description="Delivered/read changes on the viewer's messages (read receipts only "
        "while the reader shares them).",
    )
    presence: AsyncIterator[Presence] = strawberry.subscription(
        resolver=resolve_presence,
        description="The partner's presence now, then each change (ONLINE/AWAY/OFFLINE).",
    )
    message_analyzed: AsyncIterator[MessageAnalysis] = strawberry.subscription(
        resolver=resolve_message_analyzed,
        description="Analysis results of the couple's messages as they land. Only for a "
        "viewer whose showSentimentIndicators is on (FORBIDDEN otherwise).",
    )
