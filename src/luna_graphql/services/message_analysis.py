"""A message's background analysis as both partners may read it (issue 7: analysis fields
belong to the couple; Luna's fields stay the author's)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import PartnerConversation, PartnerMessage, Relationship
from luna_graphql.services.access import Viewer

GOTTMAN_MARKERS = ("criticism", "contempt", "defensiveness", "stonewalling")


@dataclass(frozen=True)
class AnalysisFields:
    status: str  # pending, done, skipped or dead; fields are set only when done
    sentiment_score: float | None
    sentiment_label: str | None
    emotions: list[str]
    detected_triggers: list[str]
    escalation_risk: str | None
    gottman_markers: dict[str, bool]
    analyzed_at: datetime | None


def _fields_of(row: Any) -> AnalysisFields:
    markers = row.gottman_markers or {}
    return AnalysisFields(
        status=row.analysis_status or "pending",
        sentiment_score=row.sentiment_score,
        sentiment_label=row.sentiment_label,
        emotions=[str(e) for e in row.emotions or []],
        detected_triggers=[str(t) for t in row.detected_triggers or []],
        escalation_risk=row.escalation_risk,
        gottman_markers={name: bool(markers.get(name, False)) for name in GOTTMAN_MARKERS},
        analyzed_at=row.analyzed_at,
    )


async def load_message_analyses(
    session: AsyncSession, *, viewer: Viewer, message_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, AnalysisFields]:
    """One query for a whole page, limited to the viewer's active relationship, so an id
    of another couple's message simply has no analysis here."""
    rows = await session.execute(
        select(
            PartnerMessage.id,
            PartnerMessage.analysis_status,
            PartnerMessage.sentiment_score,
            PartnerMessage.sentiment_label,
            PartnerMessage.emotions,
            PartnerMessage.detected_triggers,
            PartnerMessage.escalation_risk,
            PartnerMessage.gottman_markers,
            PartnerMessage.analyzed_at,
        )
        .join(PartnerConversation, PartnerConversation.id == PartnerMessage.conversation_id)
        .join(Relationship, Relationship.id == PartnerConversation.relationship_id)
        .where(
            PartnerMessage.id.in_(list(message_ids)),
            Relationship.status == "active",
            or_(
                Relationship.partner_a_id == viewer.user_id,
                Relationship.partner_b_id == viewer.user_id,
            ),
        )
    )
    return {row.id: _fields_of(row) for row in rows}
