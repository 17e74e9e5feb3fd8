"""Who the viewer is to the couple: membership, partner role and the couple's conversation.

Identity comes only from the verified token (`Viewer.user_id`); the partner role comes from
the `relationships` row, never from client input. Every lookup that fails for any reason
(no such id, another couple's id, an ended relationship) raises the same NotFound, so an
outsider cannot tell "exists but not yours" from "does not exist".
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, and_, bindparam, case, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from luna_graphql.db.models import (
    PartnerConversation,
    PartnerMessagingPreferences,
    Relationship,
    User,
)
from luna_graphql.errors import NotFound

PARTNER_A = "partner_a"
PARTNER_B = "partner_b"


@dataclass(frozen=True)
class Viewer:
    """The authenticated user, as proven by a verified token. Nothing else."""

    user_id: uuid.UUID


@dataclass(frozen=True)
class Membership:
    """The viewer's place in their active relationship, read in one query.

    Both partners' preference rows ride along (None until first written) because
    privacy rules need them on most paths and a LEFT JOIN on a unique key is free.
    """

    user_id: uuid.UUID
    relationship: Relationship
    role: str
    conversation_id: uuid.UUID | None
    own_preferences: PartnerMessagingPreferences | None
    partner_preferences: PartnerMessagingPreferences | None

    @property
    def relationship_id(self) -> uuid.UUID:
        return self.relationship.id

    @property
    def partner_role(self) -> str:
        return other_role(self.role)

    @property
    def partner_user_id(self) -> uuid.UUID:
        rel = self.relationship
        return rel.partner_b_id if self.role == PARTNER_A else rel.partner_a_id

    @property
    def viewer_shares_read_receipts(self) -> bool:
        # The design's default is on; a missing row means the defaults apply.
        prefs = self.own_preferences
        return True if prefs is None else prefs.show_read_receipts

    @property
    def partner_shares_read_receipts(self) -> bool:
        prefs = self.partner_preferences
        return True if prefs is None else prefs.show_read_receipts

    def require_conversation(self, conversation_id: uuid.UUID) -> uuid.UUID:
        """The conversation id if it is this couple's, else NotFound (same as nonexistent)."""
        if self.conversation_id is None or self.conversation_id != conversation_id:
            raise NotFound("Conversation not found", field="conversationId")
        return self.conversation_id


def other_role(role: str) -> str:
    return PARTNER_B if role == PARTNER_A else PARTNER_A


def role_of(user_id: uuid.UUID) -> ColumnElement[str]:
    """SQL for the viewer's role in the relationship row being read."""
    return case(
        (Relationship.partner_a_id == user_id, literal(PARTNER_A)), else_=literal(PARTNER_B)
    )


def partner_role_of(user_id: uuid.UUID) -> ColumnElement[str]:
    return case(
        (Relationship.partner_a_id == user_id, literal(PARTNER_B)), else_=literal(PARTNER_A)
    )


_Membership = Select[
    Relationship, uuid.UUID, PartnerMessagingPreferences, PartnerMessagingPreferences
]
_VIEWER_ID = "membership_viewer_id"


@functools.cache
def _membership_template() -> _Membership:
    # Built once: constructing it (two aliased joins) costs ~1.7 ms of CPU, more than the
    # rest of a send. Each call only binds the viewer's id into the shared template.
    viewer: Any = bindparam(_VIEWER_ID, type_=Uuid(as_uuid=True))
    own = aliased(PartnerMessagingPreferences, name="own_prefs")
    partner = aliased(PartnerMessagingPreferences, name="partner_prefs")
    return (
        select(Relationship, PartnerConversation.id, own, partner)
        .outerjoin(PartnerConversation, PartnerConversation.relationship_id == Relationship.id)
        .outerjoin(
            own, and_(own.relationship_id == Relationship.id, own.partner_id == role_of(viewer))
        )
        .outerjoin(
            partner,
            and_(
                partner.relationship_id == Relationship.id,
                partner.partner_id == partner_role_of(viewer),
            ),
        )
        .where(
            Relationship.status == "active",
            or_(Relationship.partner_a_id == viewer, Relationship.partner_b_id == viewer),
        )
    )


def membership_statement(user_id: uuid.UUID) -> _Membership:
    """The viewer's active relationship with its conversation id and both preference rows.

    A user has at most one active relationship (partial unique indexes plus a trigger),
    so this returns zero or one row. Callers may add columns (see messages.send_message).
    """
    return _membership_template().params({_VIEWER_ID: user_id})


def membership_from_row(
    user_id: uuid.UUID,
    relationship: Relationship,
    conversation_id: uuid.UUID | None,
    own: PartnerMessagingPreferences | None,
    partner: PartnerMessagingPreferences | None,
) -> Membership:
    role = PARTNER_A if relationship.partner_a_id == user_id else PARTNER_B
    return Membership(
        user_id=user_id,
        relationship=relationship,
        role=role,
        conversation_id=conversation_id,
        own_preferences=own,
        partner_preferences=partner,
    )


async def find_membership(
    session: AsyncSession, *, viewer: Viewer, relationship_id: uuid.UUID | None = None
) -> Membership:
    """The viewer's active relationship (optionally: only if it has this id), else NotFound."""
    membership = await find_optional_membership(session, viewer=viewer)
    if membership is None:
        raise NotFound("No active relationship found", field="relationshipId")
    if relationship_id is not None and relationship_id != membership.relationship_id:
        raise NotFound("Relationship not found", field="relationshipId")
    return membership


async def find_optional_membership(session: AsyncSession, *, viewer: Viewer) -> Membership | None:
    """Like find_membership, for callers where "no relationship yet" is a normal answer."""
    row = (await session.execute(membership_statement(viewer.user_id))).one_or_none()
    if row is None:
        return None
    # Outer-joined columns are None when absent, whatever the statement's static type says.
    relationship, conversation_id, own, partner = row
    return membership_from_row(viewer.user_id, relationship, conversation_id, own, partner)


async def find_conversation_membership(
    session: AsyncSession, *, viewer: Viewer, conversation_id: uuid.UUID
) -> Membership:
    """Membership of the couple that owns this conversation; NotFound for anyone else."""
    membership = await find_optional_membership(session, viewer=viewer)
    if membership is None:
        raise NotFound("Conversation not found", field="conversationId")
    membership.require_conversation(conversation_id)
    return membership


@dataclass(frozen=True)
class ViewerProfile:
    """Who the viewer is: their user row (None if the token's user is not provisioned yet),
    and, when in an active relationship, the membership and the partner's user row."""

    user: User | None
    membership: Membership | None
    partner: User | None


async def describe_viewer(session: AsyncSession, *, viewer: Viewer) -> ViewerProfile:
    membership = await find_optional_membership(session, viewer=viewer)
    ids = [viewer.user_id] if membership is None else [viewer.user_id, membership.partner_user_id]
    users = {user.id: user for user in await session.scalars(select(User).where(User.id.in_(ids)))}
    return ViewerProfile(
        user=users.get(viewer.user_id),
        membership=membership,
        partner=None if membership is None else users.get(membership.partner_user_id),
    )
