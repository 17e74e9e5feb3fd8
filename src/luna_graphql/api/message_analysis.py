"""`Message.analysis`: read on demand, one batched query per page, never on the send path."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from luna_graphql.api.context import LunaContext
from luna_graphql.services.message_analysis import AnalysisFields, load_message_analyses

_LOADER_KEY = "message_analysis"


@strawberry.enum(description="Where a message is in the background analysis queue.")
class AnalysisStatus(Enum):
    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "dead"


@strawberry.type(description="The four horsemen Gottman's research names, as detected.")
class GottmanMarkers:
    criticism: bool
    contempt: bool
    defensiveness: bool
    stonewalling: bool


@strawberry.type(
    description="Background analysis of a message, readable by both partners. Fields are "
    "null (lists empty) until status is DONE; SKIPPED means the author turned analysis off."
)
class MessageAnalysisResult:
    status: AnalysisStatus
    sentiment_score: float | None
    sentiment_label: str | None
    emotions: list[str]
    detected_triggers: list[str]
    escalation_risk: str | None
    gottman_markers: GottmanMarkers
    analyzed_at: datetime | None

    @classmethod
    def from_fields(cls, fields: AnalysisFields) -> MessageAnalysisResult:
        return cls(
            status=AnalysisStatus(fields.status),
            sentiment_score=fields.sentiment_score,
            sentiment_label=fields.sentiment_label,
            emotions=fields.emotions,
            detected_triggers=fields.detected_triggers,
            escalation_risk=fields.escalation_risk,
            gottman_markers=GottmanMarkers(**fields.gottman_markers),
            analyzed_at=fields.analyzed_at,
        )


def _analysis_loader(context: LunaContext) -> DataLoader[uuid.UUID, AnalysisFields | None]:
    # One loader per context; cache off because a WebSocket context lives as long as its
    # socket and analyses change under it. Batching within one execution still applies.
    loader = context.loaders.get(_LOADER_KEY)
    if loader is None:
        viewer = context.require_viewer()

        async def load(ids: Sequence[uuid.UUID]) -> list[AnalysisFields | None]:
            async with context.read() as session:
                found = await load_message_analyses(session, viewer=viewer, message_ids=ids)
            return [found.get(message_id) for message_id in ids]

        loader = DataLoader(load_fn=load, cache=False)
        context.loaders[_LOADER_KEY] = loader
    typed: DataLoader[uuid.UUID, AnalysisFields | None] = loader
    return typed


async def resolve_message_analysis(
    root: Any, info: strawberry.Info[LunaContext, None]
) -> MessageAnalysisResult | None:
    """`root` is the `Message` being resolved (typed loosely: that type imports this)."""
    fields = await _analysis_loader(info.context).load(uuid.UUID(str(root.id)))
    return None if fields is None else MessageAnalysisResult.from_fields(fields)
