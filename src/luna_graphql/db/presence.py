"""Who is connected where, and each user's aggregate presence."""

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
)
from luna_graphql.db.vocab import (
    PRESENCE_STATUSES,
)


class PresenceConnection(Base):
    """One live socket of a user on one server process (`node_id`), kept fresh by heartbeats.

    A user is online while any row of theirs has a recent heartbeat; rows of a process that
    died without saying goodbye go stale and are reaped by the other processes.
    """

    __tablename__ = "presence_connections"
    __table_args__ = (
        Index("ix_presence_connections_user_id", "user_id"),
        Index("ix_presence_connections_node_id", "node_id"),
        Index("ix_presence_connections_heartbeat_at", "heartbeat_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    node_id: Mapped[str] = mapped_column(Text, nullable=False)
    connected_at: Mapped[datetime] = created_at_column()
    heartbeat_at: Mapped[datetime] = created_at_column()


class UserPresence(Base):
    """A user's aggregate presence as last announced, and their manual `away` choice.

    The row doubles as the per-user lock that serialises connects, disconnects and reaping,
    so exactly one process announces each change.
    """

    __tablename__ = "user_presence"
    __table_args__ = (CheckConstraint(one_of("status", PRESENCE_STATUSES), name="status"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(Text, server_default="offline", nullable=False)
    away: Mapped[bool] = mapped_column(server_default=text("false"), nullable=False)
    last_seen_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = created_at_column()
