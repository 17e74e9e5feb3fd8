"""Every table, importable from one place (Alembic and the services use this module)."""

from luna_graphql.db.base import Base
from luna_graphql.db.gestures import ConnectionGesture
from luna_graphql.db.luna_records import EscalationEvent, LunaReviewTally, MessageSuggestion
from luna_graphql.db.messaging import (
    PartnerConversation,
    PartnerMessage,
    PartnerMessagingPreferences,
)
from luna_graphql.db.people import Relationship, User
from luna_graphql.db.presence import PresenceConnection, UserPresence
from luna_graphql.db.reactions import EMOJI_MAX_CHARS, MessageReaction
from luna_graphql.db.vocab import (
    ANALYSIS_STATUSES,
    GESTURE_NOTE_MAX,
    GESTURE_TYPES,
    INTERVENTION_TYPES,
    MESSAGE_STATUSES,
    PRESENCE_STATUSES,
    RELATIONSHIP_STATUSES,
    RISK_ASSESSMENTS,
    RISK_LEVELS,
    SENSITIVITIES,
    SENTIMENT_LABELS,
    SUGGESTION_MODES,
    USER_ACTIONS,
)

__all__ = [
    "ANALYSIS_STATUSES",
    "EMOJI_MAX_CHARS",
    "GESTURE_NOTE_MAX",
    "GESTURE_TYPES",
    "INTERVENTION_TYPES",
    "MESSAGE_STATUSES",
    "PRESENCE_STATUSES",
    "RELATIONSHIP_STATUSES",
    "RISK_ASSESSMENTS",
    "RISK_LEVELS",
    "SENSITIVITIES",
    "SENTIMENT_LABELS",
    "SUGGESTION_MODES",
    "USER_ACTIONS",
    "Base",
    "ConnectionGesture",
    "EscalationEvent",
    "LunaReviewTally",
    "MessageReaction",
    "MessageSuggestion",
    "PartnerConversation",
    "PartnerMessage",
    "PartnerMessagingPreferences",
    "PresenceConnection",
    "Relationship",
    "User",
    "UserPresence",
]
