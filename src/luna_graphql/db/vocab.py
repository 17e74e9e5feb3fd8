"""Allowed values of the text columns that CHECK constraints guard."""

MESSAGE_STATUSES = ("sent", "delivered", "read")
SENTIMENT_LABELS = ("positive", "neutral", "negative", "mixed")
RISK_LEVELS = ("low", "medium", "high", "critical")
INTERVENTION_TYPES = ("suggestion", "warning", "reframe")
SUGGESTION_MODES = ("always", "on_request", "high_risk_only", "off")
SENSITIVITIES = ("low", "medium", "high")
RISK_ASSESSMENTS = ("safe", "risky", "high_risk")
USER_ACTIONS = ("accepted", "rejected", "modified", "ignored")
GESTURE_TYPES = ("hug", "kiss", "thinking_of_you")
RELATIONSHIP_STATUSES = ("active", "ended")
ANALYSIS_STATUSES = ("pending", "done", "skipped", "dead")
GESTURE_NOTE_MAX = 280
PRESENCE_STATUSES = ("online", "away", "offline")
