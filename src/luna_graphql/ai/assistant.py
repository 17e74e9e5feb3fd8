"""The `Assistant` protocol that services depend on, and the error a primary may raise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from luna_graphql.ai.models import (
    ContextMessage,
    DraftReview,
    GestureNote,
    GestureType,
    MessageAnalysis,
)


class Assistant(Protocol):
    """What services may ask of Luna. Implementations must be safe to share across tasks."""

    async def review_draft(
        self, draft: str, *, context: Sequence[ContextMessage]
    ) -> DraftReview: ...

    async def analyze_message(
        self, text: str, *, context: Sequence[ContextMessage]
    ) -> MessageAnalysis: ...

    async def write_gesture_note(
        self,
        *,
        gesture_type: GestureType,
        partner_name: str | None,
        positive_context: Sequence[str],
    ) -> GestureNote: ...


class AssistantUnavailable(Exception):
    """A remote assistant could not give a usable answer.

    `reason` is a short machine-readable code (e.g. ``rate_limited``, ``server_error``,
    ``connection``, ``bad_response``) that is safe to log: it never contains message text.
    """

    def __init__(self, reason: str, *, status_code: int | None = None) -> None:
        super().__init__(reason if status_code is None else f"{reason} (HTTP {status_code})")
        self.reason = reason
        self.status_code = status_code
