"""Users and the relationships that pair them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from luna_graphql.db.base import (
    Base,
    created_at_column,
    one_of,
    uuid_pk,
)
from luna_graphql.db.vocab import (
    RELATIONSHIP_STATUSES,
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = uuid_pk()
    display_name: Mapped[str] = mapped_column(Text, nullable=False)
    email: Mapped[str | None] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = created_at_column()


class Relationship(Base):
    __tablename__ = "relationships"
    __table_args__ = (
        CheckConstraint("partner_a_id <> partner_b_id", name="distinct_partners"),
        CheckConstraint(one_of("status", RELATIONSHIP_STATUSES), name="status"),
        # A user is in at most one active relationship; the cross-column half of this
        # rule (A in one, B in another) is a trigger in the migration.
        Index(
            "uq_relationships_active_partner_a",
            "partner_a_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "uq_relationships_active_partner_b",
            "partner_b_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    partner_a_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    partner_b_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(Text, server_default="active", nullable=False)
    created_at: Mapped[datetime] = created_at_column()
