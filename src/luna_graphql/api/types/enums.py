"""GraphQL enums for the design's text columns; values are the stored strings."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="A partner's side of the relationship.")
class PartnerRole(Enum):
    PARTNER_A = "partner_a"
    PARTNER_B = "partner_b"


@strawberry.enum(description="Receipt status; it only moves forward: SENT → DELIVERED → READ.")
class MessageStatus(Enum):
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"


@strawberry.enum(description="How Luna stepped in on a message (visible to its author only).")
class InterventionType(Enum):
    SUGGESTION = "suggestion"
    WARNING = "warning"
    REFRAME = "reframe"


@strawberry.enum(description="When Luna reviews a draft before it is sent.")
class SuggestionMode(Enum):
    ALWAYS = "always"
    ON_REQUEST = "on_request"
    HIGH_RISK_ONLY = "high_risk_only"
    OFF = "off"


@strawberry.enum(description="How readily Luna intervenes on its own.")
class InterventionSensitivity(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@strawberry.enum
class RelationshipStatus(Enum):
    ACTIVE = "active"
    ENDED = "ended"
