"""Connection gestures: queries, mutations and the `gestures` subscription.

Error codes: another couple's gesture id is NOT_FOUND (like a missing one); acknowledging
one's own gesture is FORBIDDEN; a second acknowledgement is CONFLICT and changes nothing;
a note over 280 characters or an unknown gesture type is BAD_USER_INPUT; more gestures
than `LUNA_RATE_LIMIT_GESTURE` allows is RATE_LIMITED.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry
from strawberry.types import Info

from luna_graphql.api.context import LunaContext
from luna_graphql.api.ids import parse_id
from luna_graphql.api.luna import assistant_of
from luna_graphql.api.realtime_runtime import realtime_of
from luna_graphql.api.streams import MappedStream
from luna_graphql.api.types.gestures import (
    AcknowledgeGestureInput,
    AcknowledgeGesturePayload,
    GenerateGestureMessageInput,
    Gesture,
    GestureMessage,
    GestureStreamEvent,
    SendGestureInput,
    SendGesturePayload,
    event_from,
)
from luna_graphql.services.gesture_notes import write_gesture_message
from luna_graphql.services.gesture_reads import (
    get_gesture,
    list_pending_gestures,
    list_recent_gestures,
)
from luna_graphql.services.gesture_stream import stream_gestures
from luna_graphql.services.gestures import acknowledge_gesture, send_gesture

Ctx = Info[LunaContext, None]
RECENT_DEFAULT = 20


async def resolve_send_gesture(info: Ctx, input: SendGestureInput) -> SendGesturePayload:
    ctx = info.context
    viewer = ctx.require_viewer()
    relationship_id = (
        None
        if input.relationship_id is None
        else parse_id(input.relationship_id, field="relationshipId")
    )
    await ctx.runtime.limiter.hit("gesture", str(viewer.user_id))
    async with ctx.write() as session:
        sent = await send_gesture(
            session,
            viewer=viewer,
            emitter=ctx.emitter,
            relationship_id=relationship_id,
            gesture_type=input.gesture_type.value,
            message=input.message,
            ai_generated=bool(input.ai_generated),
            client_gesture_id=input.client_gesture_id,
            offline_after_s=ctx.settings.presence_offline_after_s,
        )
    return SendGesturePayload(
        gesture=Gesture.from_view(sent.gesture), recipient_online=sent.recipient_online
    )


async def resolve_acknowledge_gesture(
    info: Ctx, input: AcknowledgeGestureInput
) -> AcknowledgeGesturePayload:
    ctx = info.context
    viewer = ctx.require_viewer()
    gesture_id = parse_id(input.gesture_id, field="gestureId")
    if input.send_back:
        # Sending back is sending a gesture: it counts against the same limit.
        await ctx.runtime.limiter.hit("gesture", str(viewer.user_id))
    async with ctx.write() as session:
        result = await acknowledge_gesture(
            session,
            viewer=viewer,
            emitter=ctx.emitter,
            gesture_id=gesture_id,
            send_back=bool(input.send_back),
            send_back_type=None if input.send_back_type is None else input.send_back_type.value,
            send_back_message=input.send_back_message,
        )
    return AcknowledgeGesturePayload(
        acknowledged=True,
        gesture=Gesture.from_view(result.gesture),
        response_gesture=None if result.response is None else Gesture.from_view(result.response),
    )


async def resolve_generate_gesture_message(
    info: Ctx, input: GenerateGestureMessageInput
) -> GestureMessage:
    ctx = info.context
    viewer = ctx.require_viewer()
    relationship_id = (
        None
        if input.relationship_id is None
        else parse_id(input.relationship_id, field="relationshipId")
    )
    # Every assistant call may cost a model request: it shares Luna's review budget.
    await ctx.runtime.limiter.hit("review", str(viewer.user_id))
    draft = await write_gesture_message(
        sessionmaker=ctx.runtime.sessionmaker,
        assistant=assistant_of(ctx),
        viewer=viewer,
        relationship_id=relationship_id,
        gesture_type=input.gesture_type.value,
        analysis_enabled_default=ctx.settings.analysis_enabled_default,
    )
    return GestureMessage.from_draft(draft)


async def resolve_pending_gestures(info: Ctx) -> list[Gesture]:
    ctx = info.context
    viewer = ctx.require_viewer()
    async with ctx.read() as session:
        views = await list_pending_gestures(session, viewer=viewer)
    return [Gesture.from_view(view) for view in views]


async def resolve_gesture(info: Ctx, id: strawberry.ID) -> Gesture:
    ctx = info.context
    viewer = ctx.require_viewer()
    async with ctx.read() as session:
        view = await get_gesture(session, viewer=viewer, gesture_id=parse_id(id))
    return Gesture.from_view(view)


async def resolve_recent_gestures(info: Ctx, limit: int | None = RECENT_DEFAULT) -> list[Gesture]:
    ctx = info.context
    viewer = ctx.require_viewer()
    async with ctx.read() as session:
        views = await list_recent_gestures(
            session, viewer=viewer, limit=RECENT_DEFAULT if limit is None else limit
        )
    return [Gesture.from_view(view) for view in views]


async def resolve_gestures(
    info: Ctx, relationship_id: strawberry.ID | None = None
) -> AsyncIterator[GestureStreamEvent]:
    ctx = info.context
    viewer = ctx.require_viewer()  # authorize here too: a subscription over HTTP runs this
    stream = await stream_gestures(
        sessionmaker=ctx.runtime.sessionmaker,
        bus=realtime_of(ctx).bus,
        viewer=viewer,
        relationship_id=(
            None if relationship_id is None else parse_id(relationship_id, field="relationshipId")
        ),
    )
    return MappedStream(stream, event_from)


@strawberry.type
class GestureQuery:
    pending_gestures: list[Gesture] = strawberry.field(
        resolver=resolve_pending_gestures,
        description="Gestures sent to the viewer and not yet acknowledged, oldest first "
        "(what an app shows on open).",
    )
    gesture: Gesture = strawberry.field(
        resolver=resolve_gesture, description="One gesture of the viewer's couple."
    )
    recent_gestures: list[Gesture] = strawberry.field(
        resolver=resolve_recent_gestures,
        description="The couple's gestures in both directions, newest first; limit 1..100.",
    )


@strawberry.type
class GestureMutation:
    send_gesture: SendGesturePayload = strawberry.mutation(
        resolver=resolve_send_gesture,
        description="Send a gesture to the partner as the viewer. Retrying with the same "
        "clientGestureId returns the first gesture. Rate-limited per sender (RATE_LIMITED).",
    )
    acknowledge_gesture: AcknowledgeGesturePayload = strawberry.mutation(
        resolver=resolve_acknowledge_gesture,
        description="Acknowledge a gesture sent to the viewer, optionally sending one back "
        "in the same transaction. Only the recipient may (FORBIDDEN), once: a second "
        "acknowledgement changes nothing and fails with CONFLICT.",
    )
    generate_gesture_message: GestureMessage = strawberry.mutation(
        resolver=resolve_generate_gesture_message,
        description="Luna suggests a warm note (at most 280 characters) for a gesture, from "
        "the partner's name and the couple's recent positive messages. Sends nothing.",
    )


@strawberry.type
class GestureSubscription:
    gestures: AsyncIterator[GestureStreamEvent] = strawberry.subscription(
        resolver=resolve_gestures,
        description="GestureReceived for gestures sent to the viewer (first any that reached "
        "none of their devices yet, then live ones; each marks the gesture delivered) and "
        "GestureAcknowledged when the partner acknowledges one of the viewer's. An item may "
        "repeat what pendingGestures showed: deduplicate by gesture id.",
    )
