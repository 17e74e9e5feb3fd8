"""The couple's conversation as the viewer sees it."""

from __future__ import annotations

from datetime import datetime

import strawberry

from luna_graphql.services.conversations import ConversationView


@strawberry.type
class Conversation:
    id: strawberry.ID
    relationship_id: strawberry.ID
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None
    last_message_preview: str | None
    message_count: int = strawberry.field(description="Messages in the history (not deleted).")
    last_seq: int = strawberry.field(
        description="Highest seq handed out; resume subscriptions with afterSeq from here."
    )
    is_active: bool
    unread_count: int = strawberry.field(
        description="Messages from the partner the viewer has not read."
    )

    @classmethod
    def from_view(cls, view: ConversationView) -> Conversation:
        row = view.conversation
        return cls(
            id=strawberry.ID(str(row.id)),
            relationship_id=strawberry.ID(str(row.relationship_id)),
            created_at=row.created_at,
            updated_at=row.updated_at,
            last_message_at=row.last_message_at,
            last_message_preview=row.last_message_preview,
            message_count=row.message_count,
            last_seq=row.last_seq,
            is_active=row.is_active,
            unread_count=view.unread_count,
        )
