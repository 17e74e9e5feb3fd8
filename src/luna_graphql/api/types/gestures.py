"""Connection gestures: the gesture, the mutations' inputs and payloads, the stream's events."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from luna_graphql.api.types.enums import PartnerRole
from luna_graphql.services.gesture_notes import GestureNoteDraft
from luna_graphql.services.gesture_stream import ACKNOWLEDGED, GestureEvent
from luna_graphql.services.gestures import GestureView


@strawberry.enum(description="A connection gesture.")
class GestureType(Enum):
    HUG = "hug"
    KISS = "kiss"
    THINKING_OF_YOU = "thinking_of_you"


@strawberry.enum(description="What a generated gesture note drew on.")
class GestureContextSource(Enum):
    PARTNER_NAME = "partner_name"
    RECENT_POSITIVE_MESSAGES = "recent_positive_messages"


@strawberry.type(description="A hug, kiss or thinking-of-you from one partner to the other.")
class Gesture:
    id: strawberry.ID
    relationship_id: strawberry.ID
    gesture_type: GestureType
    sent_by: PartnerRole
    is_mine: bool = strawberry.field(description="True when the viewer sent it.")
    message: str | None = strawberry.field(description="The sender's note (at most 280 chars).")
    client_gesture_id: str | None = strawberry.field(
        description="The sender's idempotency key (visible to the sender only)."
    )
    ai_generated: bool = strawberry.field(description="The sender says Luna wrote the note.")
    sent_at: datetime
    delivered_at: datetime | None = strawberry.field(
        description="When it first reached one of the recipient's live subscriptions (or was "
        "acknowledged); set once."
    )
    acknowledged_at: datetime | None
    acknowledged_by: PartnerRole | None
    response_gesture_id: strawberry.ID | None = strawberry.field(
        description="The gesture the recipient sent back when acknowledging, if any."
    )

    @classmethod
    def from_view(cls, view: GestureView) -> Gesture:
        return cls(
            id=strawberry.ID(str(view.id)),
            relationship_id=strawberry.ID(str(view.relationship_id)),
            gesture_type=GestureType(view.gesture_type),
            sent_by=PartnerRole(view.sent_by),
            is_mine=view.is_mine,
            message=view.message,
            client_gesture_id=view.client_gesture_id,
            ai_generated=view.ai_generated,
            sent_at=view.sent_at,
            delivered_at=view.delivered_at,
            acknowledged_at=view.acknowledged_at,
            acknowledged_by=(
                None if view.acknowledged_by is None else PartnerRole(view.acknowledged_by)
            ),
            response_gesture_id=(
                None
                if view.response_gesture_id is None
                else strawberry.ID(str(view.response_gesture_id))
            ),
        )


@strawberry.input
class SendGestureInput:
    relationship_id: strawberry.ID | None = strawberry.field(
        default=None, description="The viewer's relationship (optional: they have one)."
    )
    gesture_type: GestureType
    message: str | None = strawberry.field(
        default=None, description="A note, trimmed; at most 280 characters; blank = none."
    )
    ai_generated: bool | None = False
    client_gesture_id: str | None = strawberry.field(
        default=None,
        description="Idempotency key: a retry with the same key returns the first gesture.",
    )


@strawberry.type
class SendGesturePayload:
    gesture: Gesture
    recipient_online: bool = strawberry.field(
        description="The partner has a live connection on some server right now."
    )


@strawberry.input
class AcknowledgeGestureInput:
    gesture_id: strawberry.ID
    send_back: bool | None = strawberry.field(
        default=False, description="Also send a gesture back, in the same step."
    )
    send_back_type: GestureType | None = strawberry.field(
        default=None, description="What to send back (default: the same kind)."
    )
    send_back_message: str | None = strawberry.field(
        default=None, description="A note with the gesture sent back (at most 280 characters)."
    )


@strawberry.type
class AcknowledgeGesturePayload:
    acknowledged: bool = strawberry.field(
        description="True: this call acknowledged the gesture. A repeat changes nothing and "
        "fails with CONFLICT instead, so it never reads false in a successful result."
    )
    gesture: Gesture
    response_gesture: Gesture | None


@strawberry.input
class GenerateGestureMessageInput:
    relationship_id: strawberry.ID | None = None
    gesture_type: GestureType


@strawberry.type(description="A note Luna suggests; nothing is sent until sendGesture.")
class GestureMessage:
    message: str = strawberry.field(description="At most 280 characters.")
    context_used: list[GestureContextSource]

    @classmethod
    def from_draft(cls, draft: GestureNoteDraft) -> GestureMessage:
        return cls(
            message=draft.message,
            context_used=[GestureContextSource(source) for source in draft.context_used],
        )


@strawberry.type(description="A gesture from the partner arrived.")
class GestureReceived:
    gesture: Gesture


@strawberry.type(description="The partner acknowledged one of the viewer's gestures.")
class GestureAcknowledged:
    gesture: Gesture
    response_gesture: Gesture | None = strawberry.field(
        description="What the partner sent back, if anything (also arrives as GestureReceived)."
    )


GestureStreamEvent = Annotated[
    GestureReceived | GestureAcknowledged, strawberry.union("GestureEvent")
]


def event_from(item: GestureEvent) -> GestureReceived | GestureAcknowledged:
    if item.kind == ACKNOWLEDGED:
        response = None if item.response is None else Gesture.from_view(item.response)
        return GestureAcknowledged(
            gesture=Gesture.from_view(item.gesture), response_gesture=response
        )
    return GestureReceived(gesture=Gesture.from_view(item.gesture))
