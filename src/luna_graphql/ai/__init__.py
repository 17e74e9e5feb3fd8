"""Luna, the assistant: draft reviews, message analysis and gesture notes.

Services depend on the `Assistant` protocol and the result models; the composition root
builds a concrete assistant with `build_assistant`. Only `openai_assistant` imports the
OpenAI SDK, and it is imported lazily by the factory.
"""

from luna_graphql.ai.assistant import Assistant, AssistantUnavailable
from luna_graphql.ai.factory import build_assistant, close_assistant
from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.models import (
    Alternative,
    ContextMessage,
    DraftReview,
    GestureNote,
    MessageAnalysis,
)
from luna_graphql.ai.resilient import ResilientAssistant

__all__ = [
    "Alternative",
    "Assistant",
    "AssistantUnavailable",
    "ContextMessage",
    "DraftReview",
    "GestureNote",
    "LocalAssistant",
    "MessageAnalysis",
    "ResilientAssistant",
    "build_assistant",
    "close_assistant",
]
