"""The model-backed assistant: any OpenAI-compatible chat-completions server.

This is the only module that imports `openai`. Every failure of the SDK leaves here as
`AssistantUnavailable` with a short reason code, so callers (the resilient wrapper) can
fall back without knowing the SDK, and logs never carry the SDK's error text (which can
echo the model's output, i.e. message content).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

import openai
import pydantic
from openai.types.chat import (
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)

from luna_graphql.ai import prompts
from luna_graphql.ai.assistant import AssistantUnavailable
from luna_graphql.ai.models import (
    ContextMessage,
    DraftReview,
    GestureNote,
    GestureType,
    MessageAnalysis,
)
from luna_graphql.ai.wire import (
    UnusableAnswer,
    WireDraftReview,
    WireGestureNote,
    WireMessageAnalysis,
)

logger = logging.getLogger(__name__)

_Wire = TypeVar("_Wire", bound=pydantic.BaseModel)


class OpenAIAssistant:
    """Luna backed by a chat model with structured outputs.

    `max_retries` defaults to 0: a retry would spend the caller's deadline waiting on a
    server that just failed, when the local assistant can answer at once.
    """

    def __init__(
        self,
        base_url: str | None,
        api_key: str,
        model: str,
        timeout_s: float,
        max_retries: int = 0,
    ) -> None:
        self._client = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=max_retries
        )
        self._model = model
        # Some OpenAI-compatible servers reject `json_schema` response formats. Once one has
        # and JSON mode worked instead, stop paying for the rejected request every call.
        self._strict_schema = True

    async def review_draft(self, draft: str, *, context: Sequence[ContextMessage]) -> DraftReview:
        answer = await self._complete(
            prompts.REVIEW_SYSTEM, prompts.review_user(draft, context), WireDraftReview
        )
        return _convert(answer.to_review)

    async def analyze_message(
        self, text: str, *, context: Sequence[ContextMessage]
    ) -> MessageAnalysis:
        answer = await self._complete(
            prompts.ANALYSIS_SYSTEM, prompts.analysis_user(text, context), WireMessageAnalysis
        )
        return _convert(answer.to_analysis)

    async def write_gesture_note(
        self,
        *,
        gesture_type: GestureType,
        partner_name: str | None,
        positive_context: Sequence[str],
    ) -> GestureNote:
        answer = await self._complete(
            prompts.GESTURE_SYSTEM,
            prompts.gesture_user(gesture_type, partner_name, positive_context),
            WireGestureNote,
        )
        context_used: dict[str, object] = {
            "gesture_type": gesture_type,
            "partner_name_used": bool(partner_name and partner_name.strip()),
            "positive_context_available": len(positive_context),
            "model": self._model,
        }
        return _convert(lambda: answer.to_note(context_used))

    async def aclose(self) -> None:
        await self._client.close()

    async def _complete(self, system: str, user: str, schema: type[_Wire]) -> _Wire:
        try:
            if self._strict_schema:
                try:
                    return await self._structured(system, user, schema)
                except openai.BadRequestError:
                    answer = await self._json_mode(system, user, schema)
                    logger.info("model server rejected json_schema; using JSON mode from now on")
                    self._strict_schema = False
                    return answer
            return await self._json_mode(system, user, schema)
        except openai.APITimeoutError as exc:
            raise AssistantUnavailable("timeout") from exc
        except openai.APIConnectionError as exc:
            raise AssistantUnavailable("connection") from exc
        except openai.RateLimitError as exc:
            raise AssistantUnavailable("rate_limited", status_code=exc.status_code) from exc
        except openai.APIStatusError as exc:
            reason = "server_error" if exc.status_code >= 500 else "rejected"
            raise AssistantUnavailable(reason, status_code=exc.status_code) from exc
        except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
            raise AssistantUnavailable("incomplete") from exc
        except (pydantic.ValidationError, ValueError) as exc:
            # Malformed JSON or the wrong shape: parse() raises pydantic's ValidationError.
            raise AssistantUnavailable("bad_response") from exc
        except openai.OpenAIError as exc:
            raise AssistantUnavailable("error") from exc

    def _messages(self, system: str, user: str) -> list[ChatCompletionMessageParam]:
        return [
            ChatCompletionSystemMessageParam(role="system", content=system),
            ChatCompletionUserMessageParam(role="user", content=user),
        ]

    async def _structured(self, system: str, user: str, schema: type[_Wire]) -> _Wire:
        completion = await self._client.chat.completions.parse(
            model=self._model, messages=self._messages(system, user), response_format=schema
        )
        if not completion.choices:
            raise AssistantUnavailable("bad_response")
        message = completion.choices[0].message
        if message.parsed is None:
            raise AssistantUnavailable("refused" if message.refusal else "bad_response")
        return message.parsed

    async def _json_mode(self, system: str, user: str, schema: type[_Wire]) -> _Wire:
        instructions = prompts.json_mode_instructions(schema.model_json_schema())
        completion = await self._client.chat.completions.create(
            model=self._model,
            messages=self._messages(system + instructions, user),
            response_format={"type": "json_object"},
        )
        if not completion.choices or not completion.choices[0].message.content:
            raise AssistantUnavailable("bad_response")
        return schema.model_validate_json(completion.choices[0].message.content)


_Result = TypeVar("_Result")


def _convert(build: Callable[[], _Result]) -> _Result:
    # Conversion rejects answers that parse but can't be shown (a risky verdict without a
    # suggestion, an empty note); those are the model's failure too, not a bug of ours.
    try:
        return build()
    except (UnusableAnswer, pydantic.ValidationError) as exc:
        raise AssistantUnavailable("bad_response") from exc
