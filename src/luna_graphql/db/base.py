"""Declarative base with a naming convention so migrations name constraints predictably."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import MetaData, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TIMESTAMP

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PARTNER_ROLES = ("partner_a", "partner_b")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        dict[str, Any]: JSONB,
        list[Any]: JSONB,
        datetime: TIMESTAMP(timezone=True),
        uuid.UUID: UUID(as_uuid=True),
    }


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))


def created_at_column() -> Mapped[datetime]:
    return mapped_column(server_default=text("now()"), nullable=False)


def json_object(name: str | None = None) -> Mapped[dict[str, Any]]:
    if name is None:
        return mapped_column(server_default=text("'{}'::jsonb"), nullable=False)
    return mapped_column(name, server_default=text("'{}'::jsonb"), nullable=False)


def json_array() -> Mapped[list[Any]]:
    return mapped_column(server_default=text("'[]'::jsonb"), nullable=False)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that a text column holds one of the allowed values."""
    allowed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({allowed})"
