"""Helpers for the analysis tests: messages inserted the way the API inserts them, a model
server that analyses like the local assistant, and reads of the job columns."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import JSONResponse, Response

from luna_graphql.ai.local import LocalAssistant
from luna_graphql.db.models import PartnerMessage
from luna_graphql.settings import Settings
from tests.ai.openai_server import Behaviour, FakeOpenAI, completion

_MESSAGE = re.compile(r"<message>\n(.*)\n</message>", re.S)


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "assistant_provider": "local",
        "analysis_poll_interval_s": 0.05,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def send(
    sessionmaker: async_sessionmaker[AsyncSession],
    conversation_id: uuid.UUID,
    content: str,
    sender_id: str = "partner_a",
) -> uuid.UUID:
    """Commit a message as `services.messages.send_message` does: no analysis columns set."""
    async with sessionmaker() as session, session.begin():
        return (
            await session.scalars(
                insert(PartnerMessage)
                .values(conversation_id=conversation_id, sender_id=sender_id, content=content)
                .returning(PartnerMessage.id)
            )
        ).one()


async def job(sessionmaker: async_sessionmaker[AsyncSession], message_id: uuid.UUID) -> Any:
    async with sessionmaker() as session:
        return (
            await session.execute(
                select(
                    PartnerMessage.analysis_status,
                    PartnerMessage.analysis_attempts,
                    PartnerMessage.analysis_error,
                    PartnerMessage.analysis_available_at,
                    PartnerMessage.analyzed_at,
                    PartnerMessage.sentiment_score,
                    PartnerMessage.sentiment_label,
                    PartnerMessage.emotions,
                    PartnerMessage.detected_triggers,
                    PartnerMessage.escalation_risk,
                    PartnerMessage.gottman_markers,
                    PartnerMessage.metadata_,
                    func.now().label("db_now"),
                ).where(PartnerMessage.id == message_id)
            )
        ).one()


async def wait_for(
    predicate: Callable[[], Any], *, timeout: float = 20.0, interval: float = 0.05
) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


def analysed_text(body: dict[str, Any]) -> str:
    """The message a chat-completions request asks to analyse."""
    match = _MESSAGE.search(body["messages"][-1]["content"])
    assert match, "not an analysis request"
    return match.group(1)


def analyses_by_text(fake: FakeOpenAI) -> Counter[str]:
    return Counter(analysed_text(body) for body in fake.received)


def gated(gate: threading.Event, then: Behaviour) -> Behaviour:
    """Hold every answer until `gate` is set (or 30 s pass)."""

    async def behave(body: dict[str, Any]) -> Response:
        await asyncio.to_thread(gate.wait, 30)
        return await then(body)

    return behave


def local_analysis(delay_s: Callable[[], float] = lambda: 0.0) -> Behaviour:
    """Answer like a model would, with the local assistant's judgement of the message."""
    local = LocalAssistant()

    async def behave(body: dict[str, Any]) -> Response:
        if delay := delay_s():
            await asyncio.sleep(delay)
        analysis = await local.analyze_message(analysed_text(body), context=[])
        wire = analysis.model_dump(exclude={"source"})
        return JSONResponse(completion(json.dumps(wire), body.get("model", "")))

    return behave
