"""Luna's pre-send review and suggestions, part of `sendMessage`'s result union from the start.

Everything here is private to the writer: these types are only ever built for the viewer's
own drafts and suggestions.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from luna_graphql.ai.models import DraftReview
from luna_graphql.api.types.enums import InterventionType
from luna_graphql.services.suggestions import SuggestionView


@strawberry.enum(description="Luna's reading of a draft.")
class RiskAssessment(Enum):
    SAFE = "safe"
    RISKY = "risky"
    HIGH_RISK = "high_risk"


@strawberry.enum(
    description="Who produced a review: the offline assistant, a model, or the "
    "offline assistant standing in for a model that failed."
)
class ReviewSource(Enum):
    LOCAL = "local"
    MODEL = "model"
    LOCAL_FALLBACK = "local_fallback"


@strawberry.enum(description="How the writer answered a suggestion.")
class SuggestionAction(Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MODIFIED = "modified"
    IGNORED = "ignored"


@strawberry.type
class SuggestionAlternative:
    text: str
    tone: str
    rationale: str


@strawberry.type(description="Luna's suggestion for a draft; only its writer ever sees it.")
class LunaSuggestion:
    id: strawberry.ID
    primary_suggestion: str
    suggestion_rationale: str
    alternatives: list[SuggestionAlternative]
    underlying_need: str | None
    conversation_id: strawberry.ID
    original_message: str = strawberry.field(description="The draft Luna reviewed.")
    risk_assessment: RiskAssessment
    detected_issues: list[str]
    source: ReviewSource
    intervention_type: InterventionType = strawberry.field(
        description="SUGGESTION when the writer or their suggestion mode asked for the review; "
        "WARNING or REFRAME when Luna stepped in on its own (active intervention)."
    )
    user_action: SuggestionAction | None = strawberry.field(
        description="The writer's answer; null until respondToSuggestion."
    )
    selected_alternative_index: int | None = strawberry.field(
        description="The text the answer started from: 0 = primarySuggestion, "
        "i = alternatives[i - 1]. Set for ACCEPTED and MODIFIED."
    )
    final_message_id: strawberry.ID | None = strawberry.field(
        description="The message the answer sent (ACCEPTED, MODIFIED, REJECTED)."
    )
    created_at: datetime
    responded_at: datetime | None

    @classmethod
    def from_view(cls, view: SuggestionView) -> LunaSuggestion:
        return cls(
            id=strawberry.ID(str(view.id)),
            primary_suggestion=view.primary_suggestion,
            suggestion_rationale=view.suggestion_rationale,
            alternatives=[
                SuggestionAlternative(text=a.text, tone=a.tone, rationale=a.rationale)
                for a in view.alternatives
            ],
            underlying_need=view.underlying_need,
            conversation_id=strawberry.ID(str(view.conversation_id)),
            original_message=view.original_message,
            risk_assessment=RiskAssessment(view.risk_assessment),
            detected_issues=list(view.detected_issues),
            source=ReviewSource(view.source),
            intervention_type=InterventionType(view.intervention_type),
            user_action=None if view.user_action is None else SuggestionAction(view.user_action),
            selected_alternative_index=view.selected_alternative_index,
            final_message_id=(
                None if view.final_message_id is None else strawberry.ID(str(view.final_message_id))
            ),
            created_at=view.created_at,
            responded_at=view.responded_at,
        )


@strawberry.type
class MessageReview:
    risk_assessment: RiskAssessment
    detected_issues: list[str]
    source: ReviewSource
    suggestion: LunaSuggestion | None = strawberry.field(
        description="Null exactly when the draft is SAFE (a SAFE review is not stored)."
    )

    @classmethod
    def from_review(cls, review: DraftReview, suggestion: SuggestionView | None) -> MessageReview:
        return cls(
            risk_assessment=RiskAssessment(review.risk_assessment),
            detected_issues=list(review.detected_issues),
            source=ReviewSource(review.source),
            suggestion=None if suggestion is None else LunaSuggestion.from_view(suggestion),
        )


@strawberry.type(description="The draft was not sent: Luna asks the sender to look at a review.")
class LunaReviewRequired:
    review: MessageReview


@strawberry.input
class ReviewMessageInput:
    conversation_id: strawberry.ID
    draft: str = strawberry.field(description="Trimmed; 1 to 5000 characters (configurable).")


@strawberry.input
class RespondToSuggestionInput:
    suggestion_id: strawberry.ID
    action: SuggestionAction = strawberry.field(
        description="ACCEPTED sends the chosen suggestion, MODIFIED sends finalContent, "
        "REJECTED sends the original draft, IGNORED sends nothing."
    )
    final_content: str | None = strawberry.field(
        default=None, description="The edited text; required for MODIFIED only."
    )
    selected_alternative_index: int | None = strawberry.field(
        default=None,
        description="ACCEPTED/MODIFIED: 0 (default) = primarySuggestion, i = alternatives[i - 1].",
    )
    client_message_id: str | None = strawberry.field(
        default=None,
        description="Idempotency key of the message sent; retrying the same answer with it "
        "returns the first result.",
    )
