"""Factories that build just the rows a test needs, with overridable fields."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import PartnerConversation, PartnerMessage, Relationship, User

_names = itertools.count(1)


@dataclass
class Couple:
    partner_a: User
    partner_b: User
    relationship: Relationship

    def user_for(self, role: str) -> User:
        return self.partner_a if role == "partner_a" else self.partner_b


async def make_user(session: AsyncSession, **overrides: Any) -> User:
    n = next(_names)
    fields: dict[str, Any] = {
        "display_name": f"User {n}",
        "email": f"user{n}-{uuid.uuid4().hex[:8]}@example.test",
    }
    fields.update(overrides)
    user = User(**fields)
    session.add(user)
    await session.flush()
    return user


async def make_couple(session: AsyncSession, *, commit: bool = True, **overrides: Any) -> Couple:
    a = await make_user(session, display_name=overrides.pop("a_name", "Alex"))
    b = await make_user(session, display_name=overrides.pop("b_name", "Blair"))
    relationship = Relationship(partner_a_id=a.id, partner_b_id=b.id, **overrides)
    session.add(relationship)
    await session.flush()
    if commit:
        await session.commit()
    return Couple(partner_a=a, partner_b=b, relationship=relationship)


async def make_conversation(session: AsyncSession, couple: Couple) -> PartnerConversation:
    conversation = PartnerConversation(relationship_id=couple.relationship.id)
    session.add(conversation)
    await session.flush()
    return conversation


async def make_message(
    session: AsyncSession, conversation: PartnerConversation, **overrides: Any
) -> PartnerMessage:
    fields: dict[str, Any] = {
        "conversation_id": conversation.id,
        "sender_id": "partner_a",
        "content": "hello",
    }
    fields.update(overrides)
    message = PartnerMessage(**fields)
    session.add(message)
    await session.flush()
    await session.refresh(message, ["seq"])
    return message
