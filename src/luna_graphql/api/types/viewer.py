"""The signed-in user, their relationship and their side of it."""

from __future__ import annotations

from datetime import datetime

import strawberry

from luna_graphql.api.types.enums import PartnerRole, RelationshipStatus
from luna_graphql.db.models import User as UserRow
from luna_graphql.services.access import ViewerProfile


@strawberry.type
class User:
    id: strawberry.ID
    display_name: str

    @classmethod
    def from_model(cls, row: UserRow) -> User:
        return cls(id=strawberry.ID(str(row.id)), display_name=row.display_name)


@strawberry.type
class Relationship:
    id: strawberry.ID
    status: RelationshipStatus
    created_at: datetime


@strawberry.type(name="Viewer", description="Who the token says you are, and your couple.")
class ViewerInfo:
    id: strawberry.ID = strawberry.field(description="The user id from the token (`sub`).")
    user: User | None = strawberry.field(description="Null until the user is provisioned.")
    relationship: Relationship | None = strawberry.field(
        description="The active relationship, if any."
    )
    partner_role: PartnerRole | None = strawberry.field(
        description="The viewer's side, from the relationship (never from client input)."
    )
    partner: User | None

    @classmethod
    def from_profile(cls, user_id: str, profile: ViewerProfile) -> ViewerInfo:
        membership = profile.membership
        relationship = None
        if membership is not None:
            row = membership.relationship
            relationship = Relationship(
                id=strawberry.ID(str(row.id)),
                status=RelationshipStatus(row.status),
                created_at=row.created_at,
            )
        return cls(
            id=strawberry.ID(user_id),
            user=None if profile.user is None else User.from_model(profile.user),
            relationship=relationship,
            partner_role=None if membership is None else PartnerRole(membership.role),
            partner=None if profile.partner is None else User.from_model(profile.partner),
        )
