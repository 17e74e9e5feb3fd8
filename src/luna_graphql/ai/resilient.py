"""The assistant can fail; messaging cannot (ARCHITECTURE decision 9).

`ResilientAssistant` gives every call to the primary (model) assistant a deadline and
answers from the local assistant when the primary is slow, down, rate limited, or returns
something unusable. Callers always get a valid result; `source="local_fallback"` tells
them (and the dashboard) which one it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import pydantic

from luna_graphql.ai.assistant import Assistant, AssistantUnavailable
from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.models import (
    ContextMessage,
    DraftReview,
    GestureNote,
    GestureType,
    MessageAnalysis,
)

logger = logging.getLogger(__name__)

_Result = TypeVar("_Result", DraftReview, MessageAnalysis, GestureNote)


class ResilientAssistant:
    """Deadline + fallback around a primary assistant, with a small circuit breaker.

    After `open_after` failures in a row the primary is skipped for `cooldown_s`: during an
    outage of the model, each draft review would otherwise wait out the whole deadline
    before falling back. After the cooldown the primary is tried again, and one more
    failure opens the circuit again.
    """

    def __init__(
        self,
        primary: Assistant,
        fallback: LocalAssistant,
        deadline_s: float,
        *,
        open_after: int = 3,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if deadline_s <= 0:
            raise ValueError("deadline_s must be positive")
        self._primary = primary
        self._fallback = fallback
        self._deadline_s = deadline_s
        self._open_after = open_after
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._open_until = 0.0

    async def review_draft(self, draft: str, *, context: Sequence[ContextMessage]) -> DraftReview:
        return await self._call(
            "review_draft",
            lambda: self._primary.review_draft(draft, context=context),
            lambda: self._fallback.review_draft(draft, context=context),
        )

    async def analyze_message(
        self, text: str, *, context: Sequence[ContextMessage]
    ) -> MessageAnalysis:
        return await self._call(
            "analyze_message",
            lambda: self._primary.analyze_message(text, context=context),
            lambda: self._fallback.analyze_message(text, context=context),
        )

    async def write_gesture_note(
        self,
        *,
        gesture_type: GestureType,
        partner_name: str | None,
        positive_context: Sequence[str],
    ) -> GestureNote:
        return await self._call(
            "write_gesture_note",
            lambda: self._primary.write_gesture_note(
                gesture_type=gesture_type,
                partner_name=partner_name,
                positive_context=positive_context,
            ),
            lambda: self._fallback.write_gesture_note(
                gesture_type=gesture_type,
                partner_name=partner_name,
                positive_context=positive_context,
            ),
        )

    async def aclose(self) -> None:
        aclose = getattr(self._primary, "aclose", None)
        if aclose is not None:
            await aclose()

    async def _call(
        self,
        operation: str,
        primary: Callable[[], Awaitable[_Result]],
        fallback: Callable[[], Awaitable[_Result]],
    ) -> _Result:
        started = self._clock()
        if started < self._open_until:
            result = await fallback()
            return result.model_copy(update={"source": "local_fallback"})
        try:
            async with asyncio.timeout(self._deadline_s):
                answer = await primary()
            self._failures = 0
            return answer
        except TimeoutError:
            reason = "deadline"
        except AssistantUnavailable as exc:
            reason = exc.reason if exc.status_code is None else f"{exc.reason}:{exc.status_code}"
        except pydantic.ValidationError:
            reason = "invalid_result"
        except Exception as exc:
            # A bug in the primary must not take messaging down with it. Only the exception
            # type is logged: its text may quote the message or the model's answer.
            reason = f"unexpected:{type(exc).__name__}"
        # asyncio.CancelledError is not an Exception: a cancelled caller stays cancelled.
        self._failures += 1
        opened = self._failures >= self._open_after
        if opened:
            self._open_until = self._clock() + self._cooldown_s
        logger.warning(
            "assistant %s fell back to local: %s after %.0f ms%s",
            operation,
            reason,
            (self._clock() - started) * 1000,
            f"; skipping the model for {self._cooldown_s:.0f} s" if opened else "",
            extra={"assistant_operation": operation, "fallback_reason": reason},
        )
        result = await fallback()
        return result.model_copy(update={"source": "local_fallback"})
