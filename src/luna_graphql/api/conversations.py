"""Query `conversation`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from luna_graphql.api.context import LunaContext
from luna_graphql.api.ids import parse_id
from luna_graphql.api.types.conversations import Conversation
from luna_graphql.services.conversations import open_conversation


async def resolve_conversation(
    info: Info[LunaContext, None], relationship_id: strawberry.ID | None = None
) -> Conversation:
    ctx = info.context
    viewer = ctx.require_viewer()
    wanted = None if relationship_id is None else parse_id(relationship_id, field="relationshipId")
    # A write session: the first access creates the row.
    async with ctx.write() as session:
        view = await open_conversation(session, viewer=viewer, relationship_id=wanted)
    return Conversation.from_view(view)


@strawberry.type
class ConversationQuery:
    conversation: Conversation = strawberry.field(
        resolver=resolve_conversation,
        description="The couple's conversation, created on first access. relationshipId may "
        "be omitted: a user has one active relationship.",
    )
