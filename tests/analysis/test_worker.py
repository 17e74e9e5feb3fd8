"""The analysis job on real PostgreSQL: queued by the INSERT, claimed, analysed, written once."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from datetime import timedelta

import asyncpg
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.models import ContextMessage, MessageAnalysis
from luna_graphql.ai.openai_assistant import OpenAIAssistant
from luna_graphql.db.engine import to_asyncpg_dsn
from luna_graphql.db.models import EscalationEvent, PartnerMessage, PartnerMessagingPreferences
from luna_graphql.realtime.events import NotifyEmitter, channel_for
from luna_graphql.services.analysis import (
    ABANDONED_ERROR,
    RetryPolicy,
    claim_jobs,
    count_consecutive_negative,
    recent_escalations,
    record_result,
)
from luna_graphql.services.analysis_worker import (
    drain_pending,
    queue_unqueued,
    start_analysis_worker,
)
from tests.ai.openai_server import FakeOpenAI, status
from tests.analysis.conftest import World
from tests.analysis.helpers import (
    analyses_by_text,
    gated,
    job,
    local_analysis,
    send,
    settings_for,
    wait_for,
)

CALM = "Can you grab milk on the way home?"
CRITICAL = "You always do this. You're disgusting and I'm sick of you. Whatever."


async def test_a_sent_message_is_analysed_by_the_running_worker(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    world: World,
    model_server: FakeOpenAI,
) -> None:
    # The model answers only when the test opens the gate: the message is committed and
    # visible while its analysis is still in flight, so the sender cannot have waited for it.
    gate = threading.Event()
    model_server.reset(gated(gate, local_analysis()))
    notified: list[dict[str, object]] = []
    listen = await asyncpg.connect(to_asyncpg_dsn(database_url))
    await listen.add_listener(
        channel_for(world.relationship_id), lambda *args: notified.append(json.loads(args[3]))
    )
    assistant = OpenAIAssistant(model_server.base_url, "test-key", "test-model", timeout_s=30)
    worker = start_analysis_worker(
        sessionmaker=sessionmaker,
        assistant=assistant,
        emitter=NotifyEmitter(),
        settings=settings_for(database_url),
    )
    try:
        message_id = await send(sessionmaker, world.conversation_id, "I love you so much")
        await wait_for(lambda: asyncio.sleep(0, result=bool(model_server.received)))
        in_flight = await job(sessionmaker, message_id)
        assert (in_flight.analysis_status, in_flight.analysis_attempts) == ("pending", 1)
        assert in_flight.sentiment_score is None and not notified

        gate.set()

        async def analysed() -> bool:
            return (await job(sessionmaker, message_id)).analysis_status == "done"

        await wait_for(analysed)
        await wait_for(lambda: asyncio.sleep(0, result=bool(notified)))
    finally:
        gate.set()
        await worker.stop()
        await assistant.aclose()
        await listen.close()
    row = await job(sessionmaker, message_id)
    assert row.sentiment_label == "positive"
    assert row.sentiment_score > 0
    assert row.emotions == ["love"]
    assert row.escalation_risk == "low"
    assert set(row.gottman_markers) == {"criticism", "contempt", "defensiveness", "stonewalling"}
    assert row.analysis_attempts == 1
    assert row.analyzed_at is not None
    assert row.metadata_["analysis"]["runs"] == 1
    assert row.metadata_["analysis"]["source"] == "model"
    assert notified == [
        {
            "k": "message_analyzed",
            "r": world.relationship_id.hex,
            "d": {"conversation_id": str(world.conversation_id), "id": str(message_id), "seq": 1},
        }
    ]
    assert worker.task.done()


async def test_a_partner_who_turned_analysis_off_is_not_analysed(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with sessionmaker() as session, session.begin():
        session.add(
            PartnerMessagingPreferences(
                relationship_id=world.relationship_id,
                partner_id="partner_a",
                analysis_enabled=False,
            )
        )
    off = await send(sessionmaker, world.conversation_id, CRITICAL, "partner_a")
    on = await send(sessionmaker, world.conversation_id, CRITICAL, "partner_b")
    handled = await drain_pending(
        sessionmaker=sessionmaker,
        assistant=LocalAssistant(),
        emitter=NotifyEmitter(),
        settings=settings_for(database_url),
    )
    assert handled == 2
    skipped = await job(sessionmaker, off)
    assert skipped.analysis_status == "skipped"
    assert skipped.sentiment_score is None
    assert skipped.sentiment_label is None
    assert skipped.escalation_risk is None
    assert skipped.emotions == [] and skipped.detected_triggers == []
    assert skipped.gottman_markers == {}
    assert "analysis" not in skipped.metadata_
    assert (await job(sessionmaker, on)).analysis_status == "done"
    async with sessionmaker() as session:
        escalated = await session.scalars(select(EscalationEvent.message_id))
        assert list(escalated) == [on]


async def test_without_preferences_the_configured_default_decides(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    message_id = await send(sessionmaker, world.conversation_id, CALM)
    await drain_pending(
        sessionmaker=sessionmaker,
        assistant=LocalAssistant(),
        emitter=NotifyEmitter(),
        settings=settings_for(database_url, analysis_enabled_default=False),
    )
    assert (await job(sessionmaker, message_id)).analysis_status == "skipped"


async def test_a_deleted_message_is_skipped(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    message_id = await send(sessionmaker, world.conversation_id, CRITICAL)
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(PartnerMessage)
            .where(PartnerMessage.id == message_id)
            .values(deleted_at=func.now())
        )
    await drain_pending(
        sessionmaker=sessionmaker,
        assistant=LocalAssistant(),
        emitter=NotifyEmitter(),
        settings=settings_for(database_url),
    )
    assert (await job(sessionmaker, message_id)).analysis_status == "skipped"


async def test_high_risk_records_an_escalation_without_message_text(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    calm = await send(sessionmaker, world.conversation_id, CALM)
    critical = await send(sessionmaker, world.conversation_id, CRITICAL)
    await drain_pending(
        sessionmaker=sessionmaker,
        assistant=LocalAssistant(),
        emitter=NotifyEmitter(),
        settings=settings_for(database_url),
    )
    async with sessionmaker() as session:
        events = (await session.scalars(select(EscalationEvent))).all()
        recent = await recent_escalations(
            session, relationship_id=world.relationship_id, within=timedelta(hours=1)
        )
    assert [(e.message_id, e.source, e.severity) for e in events] == [
        (critical, "partner_messaging", "critical")
    ]
    context = events[0].context or ""
    assert "partner_a" in context and "critical" in context
    for word in ("disgusting", "sick", "always", "Whatever"):
        assert word not in context
    assert [(r.message_id, r.severity) for r in recent] == [(critical, "critical")]
    assert (await job(sessionmaker, calm)).escalation_risk == "low"


class Recording:
    """An assistant double that records what it was shown (our DB is never mocked)."""

    def __init__(self, answer: MessageAnalysis) -> None:
        self.calls: list[tuple[str, Sequence[ContextMessage]]] = []
        self.answer = answer

    async def analyze_message(
        self, text: str, *, context: Sequence[ContextMessage]
    ) -> MessageAnalysis:
        self.calls.append((text, context))
        return self.answer


def analysis(label: str = "negative", score: float = -0.5) -> MessageAnalysis:
    return MessageAnalysis(
        sentiment_score=score,
        sentiment_label=label,  # type: ignore[arg-type]
        emotions=[],
        detected_triggers=[],
        escalation_risk="low",
        escalation_score=0.1,
        gottman_markers=dict.fromkeys(
            ("criticism", "contempt", "defensiveness", "stonewalling"), False
        ),
        severe_trigger=False,
        source="local",
    )


async def test_the_assistant_sees_the_previous_messages_from_the_senders_side(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    texts = [
        ("partner_a", "one"),
        ("partner_b", "two"),
        ("partner_a", "three"),
        ("partner_b", "four"),
    ]
    for sender, content in texts:
        await send(sessionmaker, world.conversation_id, content, sender)
    async with sessionmaker() as session, session.begin():
        # Only the newest message is pending; the context query must still see the others.
        await session.execute(
            update(PartnerMessage)
            .where(PartnerMessage.content != "four")
            .values(analysis_status="done")
        )
    assistant = Recording(analysis())
    await drain_pending(
        sessionmaker=sessionmaker,
        assistant=assistant,  # type: ignore[arg-type]
        emitter=NotifyEmitter(),
        settings=settings_for(database_url, luna_context_messages=2),
    )
    assert assistant.calls == [
        (
            "four",
            (
                ContextMessage(author="viewer", text="two"),  # "four" is partner_b's too
                ContextMessage(author="partner", text="three"),
            ),
        )
    ]


async def test_a_result_from_a_superseded_claim_is_not_written(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    message_id = await send(sessionmaker, world.conversation_id, CALM)
    claim = {
        "limit": 10,
        "lease_s": 0.0,
        "max_attempts": 5,
        "context_messages": 0,
        "consent_default": True,
    }
    async with sessionmaker() as session, session.begin():
        first = (await claim_jobs(session, **claim)).jobs  # type: ignore[arg-type]
    # A zero lease has expired at once: another worker takes the job over.
    async with sessionmaker() as session, session.begin():
        second = (await claim_jobs(session, **claim)).jobs  # type: ignore[arg-type]
    assert [j.attempts for j in first + second] == [1, 2]
    emitter = NotifyEmitter()
    async with sessionmaker() as session, session.begin():
        assert (
            await record_result(session, job=first[0], analysis=analysis(), emitter=emitter)
            is False
        )
    async with sessionmaker() as session, session.begin():
        assert await record_result(session, job=second[0], analysis=analysis(), emitter=emitter)
    async with sessionmaker() as session, session.begin():
        # Late duplicate of the winning claim: the job is no longer pending.
        assert (
            await record_result(session, job=second[0], analysis=analysis(), emitter=emitter)
            is False
        )
    row = await job(sessionmaker, message_id)
    assert (row.analysis_status, row.analysis_attempts) == ("done", 2)
    assert row.metadata_["analysis"]["runs"] == 1


async def test_a_job_whose_last_attempt_never_reported_is_dead_lettered(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    message_id = await send(sessionmaker, world.conversation_id, CALM)
    async with sessionmaker() as session, session.begin():
        # Two workers died holding it; the second lease has run out.
        await session.execute(
            update(PartnerMessage)
            .where(PartnerMessage.id == message_id)
            .values(analysis_attempts=2)
        )
    handled = await drain_pending(
        sessionmaker=sessionmaker,
        assistant=LocalAssistant(),
        emitter=NotifyEmitter(),
        settings=settings_for(database_url, analysis_max_attempts=2),
    )
    assert handled == 1
    row = await job(sessionmaker, message_id)
    assert (row.analysis_status, row.analysis_error) == ("dead", ABANDONED_ERROR)
    assert row.sentiment_score is None


async def test_dead_letter_after_max_attempts_of_a_failing_model(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    world: World,
    model_server: FakeOpenAI,
) -> None:
    model_server.reset(status(500))
    secret = "You never listen to me and it hurts"
    message_id = await send(sessionmaker, world.conversation_id, secret)
    assistant = OpenAIAssistant(model_server.base_url, "test-key", "test-model", timeout_s=5)
    try:
        handled = await drain_pending(
            sessionmaker=sessionmaker,
            assistant=assistant,
            emitter=NotifyEmitter(),
            settings=settings_for(database_url, analysis_max_attempts=2),
            retry_base_s=0.0,
        )
    finally:
        await assistant.aclose()
    assert handled == 2  # the same job, claimed twice
    assert analyses_by_text(model_server) == {secret: 2}
    row = await job(sessionmaker, message_id)
    assert (row.analysis_status, row.analysis_attempts) == ("dead", 2)
    assert row.analysis_error == "assistant_unavailable: server_error (HTTP 500)"
    assert row.sentiment_score is None and row.escalation_risk is None
    assert "never" not in row.analysis_error


async def test_a_failed_attempt_is_retried_after_an_exponential_backoff(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    world: World,
    model_server: FakeOpenAI,
) -> None:
    model_server.reset(status(503))
    message_id = await send(sessionmaker, world.conversation_id, CALM)
    settings = settings_for(database_url, analysis_max_attempts=5)
    assistant = OpenAIAssistant(model_server.base_url, "test-key", "test-model", timeout_s=5)
    drain = {
        "sessionmaker": sessionmaker,
        "assistant": assistant,
        "emitter": NotifyEmitter(),
        "settings": settings,
        "retry_base_s": 30.0,
    }
    try:
        assert await drain_pending(**drain) == 1  # type: ignore[arg-type]
        first = await job(sessionmaker, message_id)
        assert (first.analysis_status, first.analysis_attempts) == ("pending", 1)
        assert first.analysis_error == "assistant_unavailable: server_error (HTTP 503)"
        wait = (first.analysis_available_at - first.db_now).total_seconds()
        assert 29 <= wait <= 31
        # Not due yet: nothing to do.
        assert await drain_pending(**drain) == 0  # type: ignore[arg-type]

        async def fail_again_at_once() -> None:
            async with sessionmaker() as session, session.begin():
                await session.execute(
                    update(PartnerMessage)
                    .where(PartnerMessage.id == message_id)
                    .values(analysis_available_at=func.now())
                )

        await fail_again_at_once()
        assert await drain_pending(**drain) == 1  # type: ignore[arg-type]
        second = await job(sessionmaker, message_id)
        wait = (second.analysis_available_at - second.db_now).total_seconds()
        assert (second.analysis_status, second.analysis_attempts) == ("pending", 2)
        assert 59 <= wait <= 61  # doubled

        model_server.reset(local_analysis())
        await fail_again_at_once()
        assert await drain_pending(**drain) == 1  # type: ignore[arg-type]
    finally:
        await assistant.aclose()
    done = await job(sessionmaker, message_id)
    assert (done.analysis_status, done.analysis_attempts, done.analysis_error) == ("done", 3, None)
    assert done.metadata_["analysis"] == {
        "source": "model",
        "escalation_score": 0.0,
        "severe_trigger": False,
        "runs": 1,
    }


def test_backoff_doubles_up_to_a_cap() -> None:
    policy = RetryPolicy(max_attempts=10, base_s=5, max_s=60)
    assert [policy.delay_s(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    assert RetryPolicy(max_attempts=2, base_s=0).delay_s(3) == 0


async def test_backfill_queues_messages_written_before_the_queue_existed(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    old = [await send(sessionmaker, world.conversation_id, f"old {n}") for n in range(3)]
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(PartnerMessage).values(analysis_status=None, analysis_available_at=None)
        )
    settings = settings_for(database_url)
    common = {
        "sessionmaker": sessionmaker,
        "assistant": LocalAssistant(),
        "emitter": NotifyEmitter(),
    }
    assert await drain_pending(settings=settings, **common) == 0  # type: ignore[arg-type]
    assert await queue_unqueued(sessionmaker) == 3
    assert await drain_pending(settings=settings, **common) == 3  # type: ignore[arg-type]
    for message_id in old:
        assert (await job(sessionmaker, message_id)).analysis_status == "done"


async def test_consecutive_negative_counts_the_senders_latest_analysed_run(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    rows = [
        ("partner_a", "negative", "done"),
        ("partner_a", "positive", "done"),
        ("partner_a", "negative", "done"),
        ("partner_b", "positive", "done"),  # the partner's messages don't break the run
        ("partner_a", "negative", "done"),
        ("partner_a", None, "pending"),  # not analysed yet: neither counts nor breaks
        ("partner_a", "negative", "done"),
    ]
    for sender, label, state in rows:
        message_id = await send(sessionmaker, world.conversation_id, "x", sender)
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(PartnerMessage)
                .where(PartnerMessage.id == message_id)
                .values(sentiment_label=label, analysis_status=state)
            )
    async with sessionmaker() as session:
        count_a = await count_consecutive_negative(
            session, conversation_id=world.conversation_id, sender_id="partner_a"
        )
        count_b = await count_consecutive_negative(
            session, conversation_id=world.conversation_id, sender_id="partner_b"
        )
        assert (count_a, count_b) == (3, 0)
        assert await session.scalar(text("SELECT 1"))
