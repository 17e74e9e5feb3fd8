"""The model path through the GraphQL API: the real `openai` client, a real local
OpenAI-compatible server, and the app configured with provider openai and a short deadline.

Every way the model can fail ends in a usable review from the offline assistant that says
so (LOCAL_FALLBACK), and sending never waits on a model that is down.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.responses import Response

from luna_graphql.settings import Settings
from tests.ai.openai_server import Behaviour, FakeOpenAI, answer, raw, slow, status
from tests.api.conftest import make_settings, running_app
from tests.api.helpers import CoupleClients, make_couple_clients
from tests.luna.helpers import (
    KNOWN,
    LUNA_SETTINGS,
    SAFE,
    review,
    send,
    set_luna,
    suggestion_rows,
)

DEADLINE_S = 1.0
MODEL_REVIEW: dict[str, Any] = {
    "risk_assessment": "risky",
    "detected_issues": ["gottman_criticism", "known_trigger"],
    "primary_suggestion": "I feel swamped when the dishes stack up. Could we take turns?",
    "suggestion_rationale": "An I-statement with a concrete ask is easier to say yes to.",
    "alternatives": [
        {"text": "Could we split the dishes tonight?", "tone": "gentle", "rationale": "Soft."},
        {"text": "I need help with the dishes.", "tone": "direct", "rationale": "Clear."},
    ],
    "underlying_need": "support",
    "escalation_score": 0.7,
}


@pytest.fixture
def model_settings(database_url: str, model_server: FakeOpenAI) -> Settings:
    return make_settings(
        database_url,
        **{
            **LUNA_SETTINGS,
            "assistant_provider": "openai",
            "openai_base_url": model_server.base_url,
            "openai_api_key": "test-key",
            "openai_model": "luna-test-model",
            "assistant_timeout_s": DEADLINE_S,
        },
    )


@asynccontextmanager
async def couple_on_model(
    settings: Settings, session: AsyncSession
) -> AsyncIterator[tuple[Starlette, CoupleClients]]:
    """A fresh app per test: each has its own circuit breaker."""
    async for app in running_app(settings):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield app, await make_couple_clients(session, http, settings)


async def test_a_structured_answer_comes_from_the_model(
    model_server: FakeOpenAI, model_settings: Settings, session: AsyncSession
) -> None:
    model_server.reset(answer(MODEL_REVIEW))
    async with couple_on_model(model_settings, session) as (_, pair):
        await send(pair, pair.b, "Long day, just got home")
        await send(pair, pair.a, "The sink is full again")
        assert model_server.received == []  # plain messages never reach the model
        result = await review(pair, pair.a, KNOWN)

    assert result["source"] == "MODEL" and result["riskAssessment"] == "RISKY"
    assert result["detectedIssues"] == ["gottman_criticism", "known_trigger"]
    suggestion = result["suggestion"]
    assert suggestion["primarySuggestion"] == MODEL_REVIEW["primary_suggestion"]
    assert [a["tone"] for a in suggestion["alternatives"]] == ["gentle", "direct"]
    assert suggestion["underlyingNeed"] == "support" and suggestion["source"] == "MODEL"

    [body] = model_server.received
    assert body["model"] == "luna-test-model"
    prompt = next(m["content"] for m in body["messages"] if m["role"] == "user")
    # The context, told from the writer's side.
    assert "Partner: Long day, just got home" in prompt
    assert "Writer: The sink is full again" in prompt
    assert KNOWN in prompt
    [row] = await suggestion_rows(session)
    assert row.metadata_["source"] == "model" and row.context_message_count == 2


@pytest.mark.parametrize(
    "behaviour",
    [
        pytest.param(raw("{not json at all"), id="malformed-json"),
        pytest.param(status(429), id="http-429"),
        pytest.param(status(500), id="http-500"),
        pytest.param(slow(DEADLINE_S * 5, answer(MODEL_REVIEW)), id="timeout"),
    ],
)
async def test_a_failing_model_falls_back_to_a_usable_local_review(
    behaviour: Behaviour,
    model_server: FakeOpenAI,
    model_settings: Settings,
    session: AsyncSession,
) -> None:
    model_server.reset(behaviour)
    async with couple_on_model(model_settings, session) as (_, pair):
        started = time.monotonic()
        result = await review(pair, pair.a, KNOWN)
        elapsed = time.monotonic() - started

    assert len(model_server.received) == 1  # the model was asked, and failed
    assert elapsed < DEADLINE_S + 1.5
    assert result["source"] == "LOCAL_FALLBACK"
    assert result["riskAssessment"] == "RISKY"
    suggestion = result["suggestion"]
    assert suggestion["primarySuggestion"] and suggestion["alternatives"]
    assert "you never" not in suggestion["primarySuggestion"].lower()
    [row] = await suggestion_rows(session)
    assert row.metadata_["source"] == "local_fallback"


async def test_sending_never_waits_on_a_model_that_is_down(
    model_server: FakeOpenAI, model_settings: Settings, session: AsyncSession
) -> None:
    model_server.reset(slow(30, answer(MODEL_REVIEW)))
    async with couple_on_model(model_settings, session) as (_, pair):
        # The defaults (ON_REQUEST, intervention on): the offline screen clears a plain
        # message, so the model is never asked.
        started = time.monotonic()
        sent = await send(pair, pair.a, SAFE)
        assert sent["__typename"] == "MessageSent"
        assert time.monotonic() - started < 0.5 and model_server.received == []

        # ALWAYS: a review is required, the model hangs, the fallback review is used.
        await set_luna(pair.a, suggestionMode="ALWAYS")
        started = time.monotonic()
        stopped = await send(pair, pair.a, KNOWN)
        assert time.monotonic() - started < DEADLINE_S + 1.5
        assert stopped["__typename"] == "LunaReviewRequired"
        assert stopped["review"]["source"] == "LOCAL_FALLBACK"

        # A fallback review that finds the draft SAFE sends it.
        sent = await send(pair, pair.a, "Dinner at 7 still good?")
        assert sent["__typename"] == "MessageSent"


async def test_the_model_call_holds_no_database_connection(
    model_server: FakeOpenAI, model_settings: Settings, session: AsyncSession
) -> None:
    held: list[int] = []
    app_ref: list[Starlette] = []

    async def observe(body: dict[str, Any]) -> Response:
        held.append(app_ref[0].state.engine.pool.checkedout())
        return await answer(MODEL_REVIEW)(body)

    model_server.reset(observe)
    async with couple_on_model(model_settings, session) as (app, pair):
        app_ref.append(app)
        await review(pair, pair.a, KNOWN)
        await set_luna(pair.a, suggestionMode="ALWAYS")
        stopped = await send(pair, pair.a, KNOWN)
        assert stopped["review"]["source"] == "MODEL"
    assert held == [0, 0]
