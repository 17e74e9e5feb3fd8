"""Messages, the history connection, and the message mutations' inputs and results."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

import strawberry

from luna_graphql.api.ids import encode_cursor
from luna_graphql.api.message_analysis import MessageAnalysisResult, resolve_message_analysis
from luna_graphql.api.reactions import ReactionGroup, resolve_message_reactions
from luna_graphql.api.shared_results import shareable
from luna_graphql.api.types.enums import InterventionType, MessageStatus, PartnerRole
from luna_graphql.api.types.luna import LunaReviewRequired
from luna_graphql.services.history import MessagePage
from luna_graphql.services.identity_memo import IdentityMemo
from luna_graphql.services.message_view import MessageView


@strawberry.type(
    description="A message as the viewer may see it. The Luna fields are the author's own: "
    "for the partner they read exactly as on a message Luna never touched."
)
class Message:
    id: strawberry.ID
    conversation_id: strawberry.ID
    seq: int = strawberry.field(description="Position in the conversation, gap-free from 1.")
    sender_id: PartnerRole
    is_mine: bool = strawberry.field(description="True when the viewer sent it.")
    content: str
    client_message_id: str | None = strawberry.field(
        description="The sender's idempotency key (visible to the sender only)."
    )
    status: MessageStatus
    sent_at: datetime
    delivered_at: datetime | None
    read_at: datetime | None
    reply_to_id: strawberry.ID | None
    created_at: datetime
    luna_intervened: bool
    intervention_type: InterventionType | None
    intervention_accepted: bool | None
    original_content: str | None

    analysis: MessageAnalysisResult | None = strawberry.field(
        resolver=resolve_message_analysis,
        description="Background analysis (sentiment, emotions, triggers, escalation risk, "
        "Gottman markers), readable by both partners. Fetched in one query per page.",
    )
    reactions: list[ReactionGroup] = strawberry.field(
        resolver=resolve_message_reactions,
        description="Both partners' emoji reactions, one group per emoji in the order each "
        "was first used. Fetched in one query per page.",
    )

    @classmethod
    def from_view(cls, view: MessageView) -> Message:
        message = cls(
            id=strawberry.ID(str(view.id)),
            conversation_id=strawberry.ID(str(view.conversation_id)),
            seq=view.seq,
            sender_id=PartnerRole(view.sender),
            is_mine=view.is_mine,
            content=view.content,
            client_message_id=view.client_message_id,
            status=MessageStatus(view.status),
            sent_at=view.sent_at,
            delivered_at=view.delivered_at,
            read_at=view.read_at,
            reply_to_id=None if view.reply_to_id is None else strawberry.ID(str(view.reply_to_id)),
            created_at=view.created_at,
            luna_intervened=view.luna_intervened,
            intervention_type=(
                None if view.intervention_type is None else InterventionType(view.intervention_type)
            ),
            intervention_accepted=view.intervention_accepted,
            original_content=view.original_content,
        )
        # The view is all a subscriber's result depends on (with the viewer): subscribers
        # with equal views of one event may share one execution (see shared_results).
        return shareable(message, view)


# Subscribers sharing a view of an event's row share its `Message` too (nothing mutates one).
_SHARED_MESSAGES: IdentityMemo[Message] = IdentityMemo()


def shared_message(view: MessageView) -> Message:
    """`Message.from_view(view)`, one object per shared view (the realtime streams')."""
    return _SHARED_MESSAGES.get(view, None, partial(Message.from_view, view))


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class MessageEdge:
    cursor: str
    node: Message


@strawberry.type(description="A page of history in chronological order (oldest first).")
class MessageConnection:
    edges: list[MessageEdge]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: MessagePage) -> MessageConnection:
        edges = [
            MessageEdge(cursor=encode_cursor(view.seq), node=Message.from_view(view))
            for view in page.messages
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


@strawberry.input
class SendMessageInput:
    conversation_id: strawberry.ID
    content: str = strawberry.field(description="Trimmed; 1 to 5000 characters (configurable).")
    client_message_id: str | None = strawberry.field(
        default=None,
        description="Idempotency key: a retry with the same key returns the first message.",
    )
    reply_to_id: strawberry.ID | None = None
    request_luna_review: bool = strawberry.field(
        default=False, description="Ask Luna to review the draft before it is sent."
    )


@strawberry.type(description="The message was stored and announced to the partner.")
class MessageSent:
    message: Message


SendMessageResult = Annotated[
    MessageSent | LunaReviewRequired,
    strawberry.union(
        "SendMessageResult", description="Switch on __typename: sent, or a review to answer."
    ),
]


@strawberry.type
class DeleteMessagePayload:
    deleted_message_id: strawberry.ID
    conversation_id: strawberry.ID
    seq: int


@strawberry.type
class MarkDeliveredPayload:
    changed_count: int = strawberry.field(description="Messages that moved to DELIVERED now.")
    message_ids: list[strawberry.ID] = strawberry.field(description="The ones that changed.")


@strawberry.type
class MarkReadPayload:
    conversation_id: strawberry.ID
    up_to_seq: int
    changed_count: int = strawberry.field(description="Messages that moved to READ now.")
