"""The model path end to end: the real `openai` client over real HTTP to a local server.

Each failure the model can have in production (bad JSON, 429, 5xx, a hang, a server
without strict JSON-schema support, nothing listening) must end in a usable answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from luna_graphql.ai import (
    Assistant,
    ContextMessage,
    DraftReview,
    LocalAssistant,
    ResilientAssistant,
    build_assistant,
    close_assistant,
)
from luna_graphql.ai.openai_assistant import OpenAIAssistant
from tests.ai.openai_server import FakeOpenAI, answer, json_mode_only, raw, slow, status

MODEL = "luna-test-model"
DRAFT = "You never help with the dishes!"
CONTEXT = [
    ContextMessage(author="partner", text="Long day, just got home"),
    ContextMessage(author="viewer", text="The sink is full again"),
]
REVIEW = {
    "risk_assessment": "risky",
    "detected_issues": ["gottman_criticism", "absolute_language", "not_in_our_vocabulary"],
    "primary_suggestion": "I feel swamped when the dishes stack up. Could we take turns?",
    "suggestion_rationale": "An I-statement with a concrete ask is easier to say yes to.",
    "alternatives": [
        {"text": "Could we split the dishes tonight?", "tone": "gentle", "rationale": "Soft."},
        {"text": "I need help with the dishes.", "tone": "direct", "rationale": "Clear."},
    ],
    "underlying_need": "support",
    "escalation_score": 1.7,
}
ANALYSIS = {
    "sentiment_score": -0.6,
    "sentiment_label": "negative",
    "emotions": ["Frustrated", "frustrated", "tired"],
    "detected_triggers": ["you never"],
    "escalation_risk": "high",
    "escalation_score": 0.7,
    "gottman_markers": {
        "criticism": True,
        "contempt": False,
        "defensiveness": False,
        "stonewalling": False,
    },
    "severe_trigger": False,
}


@pytest.fixture
async def assistant(openai_server: FakeOpenAI) -> AsyncIterator[Assistant]:
    built = build_assistant(
        provider="openai",
        base_url=openai_server.base_url,
        api_key="test-key",
        model=MODEL,
        timeout_s=10,
    )
    yield built
    await close_assistant(built)


def _user_prompt(body: dict[str, Any]) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


async def test_structured_answer_comes_from_the_model(
    openai_server: FakeOpenAI, assistant: Assistant
) -> None:
    openai_server.reset(answer(REVIEW))
    review = await assistant.review_draft(DRAFT, context=CONTEXT)

    assert review.source == "model"
    assert review.primary_suggestion == REVIEW["primary_suggestion"]
    assert review.detected_issues == ["gottman_criticism", "absolute_language"]
    assert review.escalation_score == 1.0  # clamped, not rejected
    assert [a.tone for a in review.alternatives] == ["gentle", "direct"]

    [body] = openai_server.received
    assert body["model"] == MODEL
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    prompt = _user_prompt(body)
    assert DRAFT in prompt
    assert "Partner: Long day, just got home" in prompt
    assert "Writer: The sink is full again" in prompt
    assert openai_server.headers[0]["authorization"] == "Bearer test-key"


async def test_analysis_and_gesture_note_from_the_model(
    openai_server: FakeOpenAI, assistant: Assistant
) -> None:
    openai_server.reset(answer(ANALYSIS))
    analysis = await assistant.analyze_message(DRAFT, context=CONTEXT)
    assert analysis.source == "model"
    assert analysis.emotions == ["frustrated", "tired"]
    assert analysis.gottman_markers["criticism"] is True
    assert analysis.escalation_risk == "high"

    openai_server.reset(answer({"message": "Sending you a hug, Sam. 🤗 " + "So proud. " * 40}))
    note = await assistant.write_gesture_note(
        gesture_type="hug", partner_name="Sam", positive_context=["our picnic"]
    )
    assert note.source == "model"
    assert len(note.message) <= 280
    assert note.context_used["model"] == MODEL
    assert "our picnic" in _user_prompt(openai_server.received[0])


async def test_safe_verdict_drops_unasked_suggestions(
    openai_server: FakeOpenAI, assistant: Assistant
) -> None:
    openai_server.reset(answer({**REVIEW, "risk_assessment": "safe", "escalation_score": 0.1}))
    review = await assistant.review_draft("Can you grab milk?", context=[])
    assert review.source == "model"
    assert review.primary_suggestion is None
    assert review.alternatives == []


@pytest.mark.parametrize(
    "behaviour",
    [
        pytest.param(raw("{not json at all"), id="malformed-json"),
        pytest.param(raw(json.dumps({"risk_assessment": "risky"})), id="wrong-shape"),
        pytest.param(answer({**REVIEW, "primary_suggestion": None}), id="risky-without-rewrite"),
        pytest.param(status(429), id="http-429"),
        pytest.param(status(500), id="http-500"),
        pytest.param(status(503), id="http-503"),
    ],
)
async def test_model_failures_fall_back_to_local(
    openai_server: FakeOpenAI, assistant: Assistant, behaviour: Any
) -> None:
    openai_server.reset(behaviour)
    review = await assistant.review_draft(DRAFT, context=CONTEXT)

    assert review.source == "local_fallback"
    assert review.risk_assessment != "safe"
    assert review.primary_suggestion
    # No retries: a second try would spend the deadline the local answer doesn't need.
    assert len(openai_server.received) == 1


@pytest.mark.timeout(30)
async def test_a_hanging_model_falls_back_at_the_deadline(openai_server: FakeOpenAI) -> None:
    openai_server.reset(slow(8, answer(REVIEW)))
    assistant = build_assistant(
        provider="openai",
        base_url=openai_server.base_url,
        api_key="test-key",
        model=MODEL,
        timeout_s=0.5,
    )
    try:
        review = await assistant.review_draft(DRAFT, context=CONTEXT)
    finally:
        await close_assistant(assistant)
    assert review.source == "local_fallback"
    assert len(openai_server.received) == 1


async def test_server_without_strict_schema_gets_json_mode(openai_server: FakeOpenAI) -> None:
    openai_server.reset(json_mode_only(answer(REVIEW)))
    assistant = OpenAIAssistant(openai_server.base_url, "test-key", MODEL, 10)
    try:
        review = await assistant.review_draft(DRAFT, context=CONTEXT)
        assert review.source == "model"
        first, second = openai_server.received
        assert first["response_format"]["type"] == "json_schema"
        assert second["response_format"] == {"type": "json_object"}
        system = next(m["content"] for m in second["messages"] if m["role"] == "system")
        assert "JSON schema" in system
        assert "primary_suggestion" in system

        # Having learnt the server's limits, the next call goes straight to JSON mode.
        openai_server.reset(json_mode_only(answer(ANALYSIS)))
        analysis = await assistant.analyze_message(DRAFT, context=CONTEXT)
        assert analysis.source == "model"
        assert [b["response_format"]["type"] for b in openai_server.received] == ["json_object"]
    finally:
        await assistant.aclose()


async def test_nothing_listening_falls_back() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assistant = build_assistant(
        provider="openai",
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key="test-key",
        model=MODEL,
        timeout_s=5,
    )
    try:
        analysis = await assistant.analyze_message(DRAFT, context=[])
    finally:
        await close_assistant(assistant)
    assert analysis.source == "local_fallback"


async def test_fallback_is_logged_without_message_content(
    openai_server: FakeOpenAI, assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "my very private draft about the dishes"
    openai_server.reset(raw(f'{{"echo": "{secret}"'))
    with caplog.at_level(logging.WARNING, logger="luna_graphql.ai"):
        review = await assistant.review_draft(secret, context=CONTEXT)
    assert review.source == "local_fallback"
    [record] = [r for r in caplog.records if r.name == "luna_graphql.ai.resilient"]
    assert record.fallback_reason == "bad_response"  # type: ignore[attr-defined]
    logged = caplog.text + repr(record.__dict__)
    assert secret not in logged
    assert CONTEXT[0].text not in logged


class _Broken:
    """A primary with a bug in it, to show a crash in the primary never reaches callers."""

    async def review_draft(self, draft: str, *, context: Any) -> DraftReview:
        raise RuntimeError(f"bug while handling {draft}")

    async def analyze_message(self, text: str, *, context: Any) -> Any:
        await asyncio.sleep(3600)

    async def write_gesture_note(self, **kwargs: Any) -> Any:
        return {"not": "a note"}


async def test_resilient_wrapper_contains_bugs_but_not_cancellation() -> None:
    resilient = ResilientAssistant(_Broken(), LocalAssistant(), deadline_s=5)  # type: ignore[arg-type]
    review = await resilient.review_draft(DRAFT, context=[])
    assert review.source == "local_fallback"

    task = asyncio.create_task(resilient.analyze_message(DRAFT, context=[]))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_factory() -> None:
    assert isinstance(
        build_assistant(provider="local", base_url=None, api_key=None, model="", timeout_s=1),
        LocalAssistant,
    )
    with pytest.raises(ValueError, match="api_key"):
        build_assistant(provider="openai", base_url=None, api_key=None, model="m", timeout_s=1)
    with pytest.raises(ValueError, match="provider"):
        build_assistant(
            provider="other",  # type: ignore[arg-type]
            base_url=None,
            api_key=None,
            model="m",
            timeout_s=1,
        )


class _Counting:
    """A primary that fails (or not) on demand and counts how often it was asked."""

    def __init__(self) -> None:
        self.calls = 0
        self.failing = True
        self.local = LocalAssistant()

    async def review_draft(self, draft: str, *, context: Any) -> DraftReview:
        self.calls += 1
        if self.failing:
            raise ConnectionError("model down")
        review = await self.local.review_draft(draft, context=context)
        return review.model_copy(update={"source": "model"})

    async def analyze_message(self, text: str, *, context: Any) -> Any:
        raise NotImplementedError

    async def write_gesture_note(self, **kwargs: Any) -> Any:
        raise NotImplementedError


async def test_circuit_breaker_skips_a_down_model_then_retries() -> None:
    now = [0.0]
    primary = _Counting()
    resilient = ResilientAssistant(
        primary,  # type: ignore[arg-type]
        LocalAssistant(),
        deadline_s=5,
        open_after=2,
        cooldown_s=30,
        clock=lambda: now[0],
    )
    for _ in range(5):
        assert (await resilient.review_draft(DRAFT, context=[])).source == "local_fallback"
    assert primary.calls == 2  # opened after two failures; the rest skipped the model

    now[0] = 31.0
    primary.failing = False
    assert (await resilient.review_draft(DRAFT, context=[])).source == "model"
    assert primary.calls == 3


def test_local_deployments_never_import_the_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys, luna_graphql.ai as ai\n"
        "ai.build_assistant(provider='local', base_url=None, api_key=None, model='', timeout_s=1)\n"
        "assert 'openai' not in sys.modules, 'openai imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
