"""Luna's pre-send review, part of `sendMessage`'s result union from the start.

Only the Luna feature returns these; they are defined now so that clients written against
`SendMessageResult` already handle the second outcome.
"""

from __future__ import annotations

from enum import Enum

import strawberry


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


@strawberry.type
class SuggestionAlternative:
    text: str
    tone: str
    rationale: str


@strawberry.type
class LunaSuggestion:
    id: strawberry.ID
    primary_suggestion: str
    suggestion_rationale: str
    alternatives: list[SuggestionAlternative]
    underlying_need: str | None


@strawberry.type
class MessageReview:
    risk_assessment: RiskAssessment
    detected_issues: list[str]
    source: ReviewSource
    suggestion: LunaSuggestion | None


@strawberry.type(description="The draft was not sent: Luna asks the sender to look at a review.")
class LunaReviewRequired:
    review: MessageReview
