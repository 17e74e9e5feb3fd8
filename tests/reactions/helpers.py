"""Reaction operations as a client sends them, and the rows they leave."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import MessageReaction
from tests.api.helpers import GraphQLClient

GROUP = "emoji count reactedByMe partnerRoles"
ADD = f"""
mutation($m: ID!, $e: String!) {{
  addReaction(messageId: $m, emoji: $e) {{ messageId conversationId reactions {{ {GROUP} }} }}
}}"""
REMOVE = f"""
mutation($m: ID!, $e: String!) {{
  removeReaction(messageId: $m, emoji: $e) {{ messageId conversationId reactions {{ {GROUP} }} }}
}}"""
ONE = f"query($id: ID!) {{ message(id: $id) {{ id reactions {{ {GROUP} }} }} }}"
PAGE = f"""
query($c: ID!) {{
  messages(conversationId: $c) {{ edges {{ node {{ id reactions {{ {GROUP} }} }} }} }}
}}"""


async def add(client: GraphQLClient, message_id: str, emoji: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.data(ADD, {"m": message_id, "e": emoji}))["addReaction"]
    return payload


async def remove(client: GraphQLClient, message_id: str, emoji: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.data(REMOVE, {"m": message_id, "e": emoji}))[
        "removeReaction"
    ]
    return payload


async def reactions_of(client: GraphQLClient, message_id: str) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = (await client.data(ONE, {"id": message_id}))["message"][
        "reactions"
    ]
    return groups


async def reaction_rows(session: AsyncSession) -> list[tuple[Any, ...]]:
    """Every stored reaction (a fresh read: the test's session sees other commits)."""
    await session.rollback()
    rows = await session.execute(
        select(MessageReaction.message_id, MessageReaction.user_id, MessageReaction.emoji).order_by(
            MessageReaction.created_at, MessageReaction.emoji
        )
    )
    return [tuple(row) for row in rows]
