"""GraphQL types of the realtime feature: typing, receipts, presence and analysis events."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from luna_graphql.api.types.enums import MessageStatus, PartnerRole
from luna_graphql.services.analyzed_stream import AnalysisView
from luna_graphql.services.presence import PresenceState
from luna_graphql.services.receipt_stream import ReceiptUpdate
from luna_graphql.services.typing import TypingState


@strawberry.enum(description="A partner's presence: OFFLINE means no socket on any server.")
class PresenceStatus(Enum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


@strawberry.type(description="The partner started or stopped typing (or their typing expired).")
class TypingEvent:
    conversation_id: strawberry.ID
    partner: PartnerRole
    is_typing: bool

    @classmethod
    def from_state(cls, state: TypingState) -> TypingEvent:
        return cls(
            conversation_id=strawberry.ID(str(state.conversation_id)),
            partner=PartnerRole(state.partner_role),
            is_typing=state.is_typing,
        )


@strawberry.type(
    description="The partner received or read the viewer's messages. DELIVERED lists the "
    "messages; READ covers every message of the viewer up to upToSeq."
)
class ReceiptEvent:
    conversation_id: strawberry.ID
    status: MessageStatus
    message_ids: list[strawberry.ID]
    up_to_seq: int | None

    @classmethod
    def from_update(cls, update: ReceiptUpdate) -> ReceiptEvent:
        return cls(
            conversation_id=strawberry.ID(str(update.conversation_id)),
            status=MessageStatus(update.status),
            message_ids=[strawberry.ID(str(message_id)) for message_id in update.message_ids],
            up_to_seq=update.up_to_seq,
        )


@strawberry.type(description="A user's presence across every server process.")
class Presence:
    user_id: strawberry.ID
    status: PresenceStatus
    last_seen_at: datetime | None = strawberry.field(
        description="When they were last connected (now-ish while online)."
    )

    @classmethod
    def from_state(cls, state: PresenceState) -> Presence:
        return cls(
            user_id=strawberry.ID(str(state.user_id)),
            status=PresenceStatus(state.status),
            last_seen_at=state.last_seen_at,
        )


@strawberry.type(description="Background analysis of a message, readable by both partners.")
class MessageAnalysis:
    message_id: strawberry.ID
    conversation_id: strawberry.ID
    seq: int
    sender_id: PartnerRole
    sentiment_score: float | None
    sentiment_label: str | None
    emotions: list[str]
    escalation_risk: str | None
    analyzed_at: datetime | None

    @classmethod
    def from_view(cls, view: AnalysisView) -> MessageAnalysis:
        return cls(
            message_id=strawberry.ID(str(view.message_id)),
            conversation_id=strawberry.ID(str(view.conversation_id)),
            seq=view.seq,
            sender_id=PartnerRole(view.sender),
            sentiment_score=view.sentiment_score,
            sentiment_label=view.sentiment_label,
            emotions=[str(emotion) for emotion in view.emotions],
            escalation_risk=view.escalation_risk,
            analyzed_at=view.analyzed_at,
        )
