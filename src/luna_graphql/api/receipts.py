"""Mutations `markDelivered` and `markRead`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from luna_graphql.api.context import LunaContext
from luna_graphql.api.ids import parse_id, parse_ids
from luna_graphql.api.types.messages import MarkDeliveredPayload, MarkReadPayload
from luna_graphql.services.receipts import mark_delivered, mark_read


async def resolve_mark_delivered(
    info: Info[LunaContext, None], message_ids: list[strawberry.ID]
) -> MarkDeliveredPayload:
    ctx = info.context
    viewer = ctx.require_viewer()
    ids = parse_ids(message_ids, field="messageIds")
    async with ctx.write() as session:
        change = await mark_delivered(session, viewer=viewer, emitter=ctx.emitter, message_ids=ids)
    return MarkDeliveredPayload(
        changed_count=change.changed_count,
        message_ids=[strawberry.ID(str(message_id)) for message_id in change.changed_ids],
    )


async def resolve_mark_read(
    info: Info[LunaContext, None], conversation_id: strawberry.ID, up_to_seq: int
) -> MarkReadPayload:
    ctx = info.context
    viewer = ctx.require_viewer()
    async with ctx.write() as session:
        change = await mark_read(
            session,
            viewer=viewer,
            emitter=ctx.emitter,
            conversation_id=parse_id(conversation_id, field="conversationId"),
            up_to_seq=up_to_seq,
        )
    return MarkReadPayload(
        conversation_id=strawberry.ID(str(change.conversation_id)),
        up_to_seq=up_to_seq,
        changed_count=change.changed_count,
    )


@strawberry.type
class ReceiptMutation:
    mark_delivered: MarkDeliveredPayload = strawberry.mutation(
        resolver=resolve_mark_delivered,
        description="Mark the partner's messages delivered (at most 100 ids). Only the "
        "recipient can; messages already delivered or read are left as they are.",
    )
    mark_read: MarkReadPayload = strawberry.mutation(
        resolver=resolve_mark_read,
        description="Mark every partner message up to upToSeq read (and delivered). The "
        "viewer's own messages are never affected.",
    )
