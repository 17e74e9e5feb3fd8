"""Emoji reactions: `addReaction`, `removeReaction`, `Message.reactions`, `reactionChanged`.

Error codes: another couple's message or conversation id is NOT_FOUND (like a missing one),
so is a deleted message; an emoji that is not one is BAD_USER_INPUT; more changes than
`LUNA_RATE_LIMIT_REACTION` allows is RATE_LIMITED.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from luna_graphql.api.context import LunaContext
from luna_graphql.api.ids import parse_id
from luna_graphql.api.realtime_runtime import realtime_of
from luna_graphql.api.streams import MappedStream
from luna_graphql.api.types.enums import PartnerRole
from luna_graphql.services import reactions as service
from luna_graphql.services.reactions_stream import stream_reactions

Ctx = Info[LunaContext, None]
_LOADER_KEY = "message_reactions"


@strawberry.type(description="One emoji on a message and who of the couple used it.")
class ReactionGroup:
    emoji: str
    count: int = strawberry.field(description="Partners who reacted with it (1 or 2).")
    reacted_by_me: bool
    partner_roles: list[PartnerRole] = strawberry.field(description="In the order they reacted.")

    @classmethod
    def from_group(cls, group: service.ReactionGroup) -> ReactionGroup:
        return cls(
            emoji=group.emoji,
            count=group.count,
            reacted_by_me=group.reacted_by_me,
            partner_roles=[PartnerRole(role) for role in group.partner_roles],
        )


@strawberry.type(description="A message's reactions as they are now, grouped by emoji.")
class MessageReactions:
    message_id: strawberry.ID
    conversation_id: strawberry.ID
    reactions: list[ReactionGroup] = strawberry.field(
        description="One group per emoji, in the order each emoji was first used."
    )

    @classmethod
    def from_reactions(cls, current: service.MessageReactions) -> MessageReactions:
        return cls(
            message_id=strawberry.ID(str(current.message_id)),
            conversation_id=strawberry.ID(str(current.conversation_id)),
            reactions=[ReactionGroup.from_group(group) for group in current.groups],
        )


def _reactions_loader(
    context: LunaContext,
) -> DataLoader[uuid.UUID, list[service.ReactionGroup]]:
    # Cache off for the reason given in api/message_analysis.py: a WebSocket context outlives
    # the reactions it would cache. Batching within one execution still applies.
    loader = context.loaders.get(_LOADER_KEY)
    if loader is None:
        viewer = context.require_viewer()

        async def load(ids: Sequence[uuid.UUID]) -> list[list[service.ReactionGroup]]:
            async with context.read() as session:
                found = await service.load_reaction_groups(session, viewer=viewer, message_ids=ids)
            return [found.get(message_id, []) for message_id in ids]

        loader = DataLoader(load_fn=load, cache=False)
        context.loaders[_LOADER_KEY] = loader
    typed: DataLoader[uuid.UUID, list[service.ReactionGroup]] = loader
    return typed


async def resolve_message_reactions(root: Any, info: Ctx) -> list[ReactionGroup]:
    """`root` is the `Message` being resolved (typed loosely: that type imports this)."""
    groups = await _reactions_loader(info.context).load(uuid.UUID(str(root.id)))
    return [ReactionGroup.from_group(group) for group in groups]


async def resolve_add_reaction(
    info: Ctx, message_id: strawberry.ID, emoji: str
) -> MessageReactions:
    return await _change(info, message_id, emoji, service.add_reaction)


async def resolve_remove_reaction(
    info: Ctx, message_id: strawberry.ID, emoji: str
) -> MessageReactions:
    return await _change(info, message_id, emoji, service.remove_reaction)


async def _change(
    info: Ctx,
    message_id: strawberry.ID,
    emoji: str,
    change: Callable[..., Awaitable[service.MessageReactions]],
) -> MessageReactions:
    ctx = info.context
    viewer = ctx.require_viewer()
    parsed = parse_id(message_id, field="messageId")
    await ctx.runtime.limiter.hit("reaction", str(viewer.user_id))
    async with ctx.write() as session:
        current = await change(
            session, viewer=viewer, emitter=ctx.emitter, message_id=parsed, emoji=emoji
        )
    return MessageReactions.from_reactions(current)


async def resolve_reaction_changed(
    info: Ctx, conversation_id: strawberry.ID
) -> AsyncIterator[MessageReactions]:
    ctx = info.context
    viewer = ctx.require_viewer()
    stream = await stream_reactions(
        sessionmaker=ctx.runtime.sessionmaker,
        bus=realtime_of(ctx).bus,
        viewer=viewer,
        conversation_id=parse_id(conversation_id, field="conversationId"),
    )
    return MappedStream(stream, MessageReactions.from_reactions)


@strawberry.type
class ReactionMutation:
    add_reaction: MessageReactions = strawberry.mutation(
        resolver=resolve_add_reaction,
        description="React to a message of the couple's conversation with an emoji. "
        "Adding a reaction the viewer already has changes nothing. Rate-limited.",
    )
    remove_reaction: MessageReactions = strawberry.mutation(
        resolver=resolve_remove_reaction,
        description="Take back the viewer's reaction; removing one that is not there "
        "changes nothing. Rate-limited.",
    )


@strawberry.type
class ReactionSubscription:
    reaction_changed: AsyncIterator[MessageReactions] = strawberry.subscription(
        resolver=resolve_reaction_changed,
        description="A message's reactions, as they are now, each time either partner "
        "changes them.",
    )
