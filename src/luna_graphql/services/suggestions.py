"""Luna's suggestions: what the assistant sees, how a review is stored, the author's history.

A row of `message_suggestions` is private to its author (`sender_id`). Every read here is
scoped to the viewer's own conversation *and* role, so the partner's and other couples'
suggestions answer exactly like ids that do not exist.

Only reviews that are not SAFE are stored: the design's `primary_suggestion` and
`suggestion_rationale` are NOT NULL, and a SAFE draft has nothing to suggest. The row's
`metadata` keeps what the columns don't: the review's `source`, its `escalation_score`, the
`intervention_type` a message sent from it will carry, where it came from (`origin`:
`review_message` or `send_message`), and for a stopped `sendMessage` the draft's `reply_to_id`
and `client_message_id` (a retry of that send finds this suggestion instead of a new review,
and the answer's message carries the key unless the answer brings its own).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.ai.models import DRAFT_ISSUES, Alternative, ContextMessage, DraftReview
from luna_graphql.db.models import LunaReviewTally, MessageSuggestion, PartnerMessage
from luna_graphql.errors import BadUserInput
from luna_graphql.services.access import Membership, Viewer, find_conversation_membership

Origin = str  # "review_message" | "send_message"


@dataclass(frozen=True)
class SuggestionView:
    """A stored suggestion as its author sees it (nobody else ever does)."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    original_message: str
    risk_assessment: str
    detected_issues: list[str]
    primary_suggestion: str
    suggestion_rationale: str
    alternatives: list[Alternative]
    underlying_need: str | None
    source: str
    intervention_type: str
    user_action: str | None
    selected_alternative_index: int | None
    final_message_id: uuid.UUID | None
    created_at: datetime
    responded_at: datetime | None
    reply_to_id: uuid.UUID | None
    client_message_id: str | None
    escalation_score: float

    def text_of(self, index: int) -> str:
        """0 = the primary suggestion, i = alternatives[i - 1]."""
        if not 0 <= index <= len(self.alternatives):
            raise BadUserInput(
                f"selectedAlternativeIndex must be between 0 and {len(self.alternatives)}",
                field="selectedAlternativeIndex",
            )
        return self.primary_suggestion if index == 0 else self.alternatives[index - 1].text


def view_suggestion(row: MessageSuggestion) -> SuggestionView:
    meta: dict[str, Any] = row.metadata_ or {}
    reply_to = meta.get("reply_to_id")
    return SuggestionView(
        id=row.id,
        conversation_id=row.conversation_id,
        original_message=row.original_message,
        risk_assessment=row.risk_assessment,
        detected_issues=[str(issue) for issue in row.detected_issues or []],
        primary_suggestion=row.primary_suggestion,
        suggestion_rationale=row.suggestion_rationale,
        alternatives=[Alternative.model_validate(a) for a in row.alternatives or []],
        underlying_need=row.underlying_need,
        source=str(meta.get("source", "local")),
        intervention_type=str(meta.get("intervention_type", "suggestion")),
        user_action=row.user_action,
        selected_alternative_index=row.selected_alternative_index,
        final_message_id=row.final_message_id,
        created_at=row.created_at,
        responded_at=row.responded_at,
        reply_to_id=None if reply_to is None else uuid.UUID(str(reply_to)),
        client_message_id=meta.get("client_message_id"),
        escalation_score=float(meta.get("escalation_score", 0.0)),
    )


def review_of(view: SuggestionView) -> DraftReview:
    """The stored review again (for a retried `sendMessage` that was stopped)."""
    return DraftReview.model_validate(
        {
            "risk_assessment": view.risk_assessment,
            "detected_issues": [i for i in view.detected_issues if i in DRAFT_ISSUES],
            "primary_suggestion": view.primary_suggestion,
            "suggestion_rationale": view.suggestion_rationale,
            "alternatives": view.alternatives,
            "underlying_need": view.underlying_need,
            "escalation_score": min(1.0, max(0.0, view.escalation_score)),
            "source": view.source,
        }
    )


async def load_context(
    session: AsyncSession, *, conversation_id: uuid.UUID, viewer_role: str, limit: int
) -> list[ContextMessage]:
    """The last `limit` live messages, oldest first, told from the viewer's side."""
    if limit <= 0:
        return []
    rows = (
        await session.execute(
            select(PartnerMessage.sender_id, PartnerMessage.content)
            .where(
                PartnerMessage.conversation_id == conversation_id,
                PartnerMessage.deleted_at.is_(None),
            )
            .order_by(PartnerMessage.seq.desc())
            .limit(limit)
        )
    ).all()
    return [
        ContextMessage(author="viewer" if sender == viewer_role else "partner", text=content)
        for sender, content in reversed(rows)
    ]


async def store_suggestion(
    session: AsyncSession,
    *,
    membership: Membership,
    conversation_id: uuid.UUID,
    draft: str,
    review: DraftReview,
    intervention_type: str,
    context_message_count: int,
    origin: Origin,
    reply_to_id: uuid.UUID | None = None,
    client_message_id: str | None = None,
) -> SuggestionView:
    """Insert the review of a draft that is not SAFE (the caller checks)."""
    if review.risk_assessment == "safe" or review.primary_suggestion is None:
        raise ValueError("only a review that is not SAFE has a suggestion to store")
    metadata: dict[str, Any] = {
        "source": review.source,
        "escalation_score": review.escalation_score,
        "intervention_type": intervention_type,
        "origin": origin,
    }
    if reply_to_id is not None:
        metadata["reply_to_id"] = str(reply_to_id)
    if client_message_id is not None:
        metadata["client_message_id"] = client_message_id
    row = (
        await session.scalars(
            insert(MessageSuggestion)
            .values(
                conversation_id=conversation_id,
                sender_id=membership.role,
                original_message=draft,
                risk_assessment=review.risk_assessment,
                detected_issues=list(review.detected_issues),
                primary_suggestion=review.primary_suggestion,
                suggestion_rationale=review.suggestion_rationale,
                alternatives=[a.model_dump() for a in review.alternatives],
                underlying_need=review.underlying_need,
                context_message_count=context_message_count,
                metadata_=metadata,
            )
            .returning(MessageSuggestion)
        )
    ).one()
    return view_suggestion(row)


async def find_pending_suggestion(
    session: AsyncSession,
    *,
    membership: Membership,
    conversation_id: uuid.UUID,
    client_message_id: str,
    draft: str,
) -> SuggestionView | None:
    """The unanswered suggestion a stopped `sendMessage` of this draft and key left, if any."""
    # The draft is compared after reading: encrypted at rest, it never equals a bound value.
    # The other conditions leave the few stopped sends of this one client key.
    rows = await session.scalars(
        select(MessageSuggestion)
        .where(
            MessageSuggestion.conversation_id == conversation_id,
            MessageSuggestion.sender_id == membership.role,
            MessageSuggestion.user_action.is_(None),
            MessageSuggestion.metadata_["client_message_id"].astext == client_message_id,
        )
        .order_by(MessageSuggestion.created_at.desc())
    )
    row = next((r for r in rows if r.original_message == draft), None)
    return None if row is None else view_suggestion(row)


@dataclass(frozen=True)
class SuggestionCursor:
    """Position in the history: newest first, ties broken by id."""

    created_at: datetime
    id: uuid.UUID


@dataclass(frozen=True)
class SuggestionPage:
    suggestions: list[SuggestionView]
    has_next_page: bool


async def list_suggestions(
    session: AsyncSession,
    *,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    first: int | None,
    after: SuggestionCursor | None,
    default_size: int,
    max_size: int,
) -> SuggestionPage:
    """The viewer's own suggestions in their conversation, newest first. The partner gets
    an empty page, never an error: whether suggestions exist is not theirs to learn."""
    size = default_size if first is None else first
    if not 0 <= size <= max_size:
        raise BadUserInput(f"first must be between 0 and {max_size}", field="first")
    membership = await find_conversation_membership(
        session, viewer=viewer, conversation_id=conversation_id
    )
    statement = (
        select(MessageSuggestion)
        .where(
            MessageSuggestion.conversation_id == conversation_id,
            MessageSuggestion.sender_id == membership.role,
        )
        .order_by(MessageSuggestion.created_at.desc(), MessageSuggestion.id.desc())
        .limit(size + 1)
    )
    if after is not None:
        statement = statement.where(
            tuple_(MessageSuggestion.created_at, MessageSuggestion.id)
            < tuple_(after.created_at, after.id)
        )
    rows = (await session.scalars(statement)).all() if size else []
    return SuggestionPage(
        suggestions=[view_suggestion(row) for row in rows[:size]],
        has_next_page=len(rows) > size,
    )


async def tally_review(
    session: AsyncSession, *, membership: Membership, conversation_id: uuid.UUID
) -> None:
    """Count a review the writer asked for (SAFE ones included) for the dashboard."""
    statement = pg_insert(LunaReviewTally).values(
        conversation_id=conversation_id,
        sender_id=membership.role,
        # UTC days, like the dashboard's windows.
        day=func.date(func.timezone("UTC", func.now())),
        reviews=1,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["conversation_id", "sender_id", "day"],
            set_={"reviews": LunaReviewTally.reviews + 1},
        )
    )
