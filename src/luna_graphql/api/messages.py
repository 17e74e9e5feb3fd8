"""Queries `messages`, `message`; mutations `sendMessage`, `deleteMessage`."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.types import Info

from luna_graphql.api.context import LunaContext
from luna_graphql.api.ids import decode_cursor, parse_id
from luna_graphql.api.luna import assistant_of
from luna_graphql.api.types.luna import LunaReviewRequired, MessageReview
from luna_graphql.api.types.messages import (
    DeleteMessagePayload,
    Message,
    MessageConnection,
    MessageSent,
    SendMessageInput,
    SendMessageResult,
)
from luna_graphql.realtime.events import NotifyEmitter
from luna_graphql.services.history import PageRequest, list_messages
from luna_graphql.services.luna_review import ReviewRequired, send_with_review
from luna_graphql.services.messages import delete_message, get_message


async def resolve_messages(
    info: Info[LunaContext, None],
    conversation_id: strawberry.ID,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> MessageConnection:
    ctx = info.context
    viewer = ctx.require_viewer()
    page = PageRequest(
        first=first,
        after_seq=None if after is None else decode_cursor(after, field="after"),
        last=last,
        before_seq=None if before is None else decode_cursor(before, field="before"),
    )
    async with ctx.read() as session:
        result = await list_messages(
            session,
            viewer=viewer,
            conversation_id=parse_id(conversation_id, field="conversationId"),
            page=page,
            default_size=ctx.settings.page_size_default,
            max_size=ctx.settings.page_size_max,
        )
    return MessageConnection.from_page(result)


async def resolve_message(info: Info[LunaContext, None], id: strawberry.ID) -> Message:
    ctx = info.context
    viewer = ctx.require_viewer()
    async with ctx.read() as session:
        view = await get_message(session, viewer=viewer, message_id=parse_id(id))
    return Message.from_view(view)


async def resolve_send_message(
    info: Info[LunaContext, None], input: SendMessageInput
) -> SendMessageResult:
    ctx = info.context
    viewer = ctx.require_viewer()
    conversation_id = parse_id(input.conversation_id, field="conversationId")
    reply_to_id = (
        None if input.reply_to_id is None else parse_id(input.reply_to_id, field="replyToId")
    )
    # The asyncpg send path emits with pg_notify itself: only where that is the emitter.
    realtime = ctx.runtime.realtime
    row_pool = (
        realtime.row_pool
        if realtime is not None and isinstance(ctx.emitter, NotifyEmitter)
        else None
    )
    # Phases with short sessions of their own: a model review holds no connection.
    outcome = await send_with_review(
        ctx,
        viewer=viewer,
        emitter=ctx.emitter,
        assistant=assistant_of(ctx),
        conversation_id=conversation_id,
        content=input.content,
        client_message_id=input.client_message_id,
        reply_to_id=reply_to_id,
        request_review=input.request_luna_review,
        max_content_chars=ctx.settings.message_max_chars,
        context_messages=ctx.settings.luna_context_messages,
        row_pool=row_pool,
        spend=partial(ctx.runtime.limiter.hit, "send", str(viewer.user_id)),
    )
    if isinstance(outcome, ReviewRequired):
        return LunaReviewRequired(
            review=MessageReview.from_review(outcome.review, outcome.suggestion)
        )
    return MessageSent(message=Message.from_view(outcome.message))


async def resolve_delete_message(
    info: Info[LunaContext, None], id: strawberry.ID
) -> DeleteMessagePayload:
    ctx = info.context
    viewer = ctx.require_viewer()
    async with ctx.write() as session:
        deleted = await delete_message(
            session, viewer=viewer, emitter=ctx.emitter, message_id=parse_id(id)
        )
    return DeleteMessagePayload(
        deleted_message_id=strawberry.ID(str(deleted.id)),
        conversation_id=strawberry.ID(str(deleted.conversation_id)),
        seq=deleted.seq,
    )


@strawberry.type
class MessageQuery:
    messages: MessageConnection = strawberry.field(
        resolver=resolve_messages,
        description="History as a Relay connection in chronological order. No arguments: the "
        "newest 50. first/after page forwards, last/before backwards; at most 100 per page.",
    )
    message: Message = strawberry.field(
        resolver=resolve_message, description="One message of the viewer's conversation."
    )


@strawberry.type
class MessageMutation:
    send_message: SendMessageResult = strawberry.mutation(
        resolver=resolve_send_message,
        description="Send a message as the viewer, or get LunaReviewRequired instead when the "
        "viewer's Luna settings stop the draft (answer it with respondToSuggestion). Retrying "
        "with the same clientMessageId returns the first message instead of sending a second.",
    )
    delete_message: DeleteMessagePayload = strawberry.mutation(
        resolver=resolve_delete_message,
        description="Soft-delete one of the viewer's own messages.",
    )
