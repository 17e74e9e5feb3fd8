"""Bus events: small wake-ups (ids and seq only) published on a couple's channel.

Payloads never carry message text: NOTIFY caps payloads at 8000 bytes, and a long
message in UTF-8 would break and roll back the write that emits it. Receivers re-read rows.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL_PREFIX = "luna_"


def channel_for(relationship_id: uuid.UUID) -> str:
    """One channel per couple (37 bytes, under PostgreSQL's 63-byte identifier limit)."""
    return f"{CHANNEL_PREFIX}{relationship_id.hex}"


@dataclass(frozen=True)
class BusEvent:
    """`kind` names the event (message_added, receipt, typing, presence, gesture_*, ...)."""

    kind: str
    relationship_id: uuid.UUID
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def channel(self) -> str:
        return channel_for(self.relationship_id)

    def encode(self) -> str:
        return json.dumps({"k": self.kind, "r": self.relationship_id.hex, "d": self.data})

    @classmethod
    def decode(cls, payload: str) -> BusEvent:
        raw = json.loads(payload)
        return cls(kind=raw["k"], relationship_id=uuid.UUID(raw["r"]), data=raw.get("d", {}))


class EventEmitter(Protocol):
    """How services emit: inside the caller's transaction, delivered only if it commits."""

    async def emit(self, session: AsyncSession, event: BusEvent) -> None: ...


class NotifyEmitter:
    """PostgreSQL bus: `pg_notify` inside the write's transaction (sent on COMMIT only)."""

    async def emit(self, session: AsyncSession, event: BusEvent) -> None:
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": event.channel, "payload": event.encode()},
        )


# memory:// and redis:// buses have no transactional NOTIFY: their emitter (beside the
# broadcast adapter) holds events on the session and publishes them after COMMIT.
