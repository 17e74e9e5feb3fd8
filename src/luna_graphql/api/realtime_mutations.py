"""Mutations `setTyping` and `setPresence`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from luna_graphql.api.context import LunaContext
from luna_graphql.api.ids import parse_id
from luna_graphql.api.realtime_runtime import realtime_of
from luna_graphql.api.realtime_types import Presence, PresenceStatus
from luna_graphql.services.presence import set_presence
from luna_graphql.services.typing import set_typing

Ctx = Info[LunaContext, None]


async def resolve_set_typing(info: Ctx, conversation_id: strawberry.ID, is_typing: bool) -> bool:
    ctx = info.context
    viewer = ctx.require_viewer()
    return await set_typing(
        sessionmaker=ctx.runtime.sessionmaker,
        bus=realtime_of(ctx).bus,
        limiter=ctx.runtime.limiter,
        viewer=viewer,
        conversation_id=parse_id(conversation_id, field="conversationId"),
        is_typing=is_typing,
    )


async def resolve_set_presence(info: Ctx, status: PresenceStatus) -> Presence:
    ctx = info.context
    viewer = ctx.require_viewer()
    state = await set_presence(
        sessionmaker=ctx.runtime.sessionmaker,
        emitter=ctx.emitter,
        viewer=viewer,
        status=status.value,
        offline_after_s=ctx.settings.presence_offline_after_s,
    )
    return Presence.from_state(state)


@strawberry.type
class RealtimeMutation:
    set_typing: bool = strawberry.mutation(
        resolver=resolve_set_typing,
        description="Tell the partner the viewer is (not) typing. Never stored; a start "
        "expires by itself without a stop. True when accepted (whether the partner sees it "
        "depends on both partners' showTypingIndicators, which the answer does not reveal).",
    )
    set_presence: Presence = strawberry.mutation(
        resolver=resolve_set_presence,
        description="Set the viewer AWAY or back ONLINE. OFFLINE follows from having no "
        "connected socket and cannot be set (BAD_USER_INPUT).",
    )
