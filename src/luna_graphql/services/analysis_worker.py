"""The analysis worker: claims due jobs, analyses them outside any transaction, writes results.

`run_analysis_worker` drains continuously (the server runs one per process, started by
`start_analysis_worker`); `drain_pending` handles what is due now and returns (the CLI).
Several workers, in one process or many, share the queue through `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.ai.assistant import Assistant, AssistantUnavailable
from luna_graphql.ai.models import ContextMessage
from luna_graphql.crypto import UnreadableText, current_cipher
from luna_graphql.db.models import PartnerMessage
from luna_graphql.realtime.events import EventEmitter
from luna_graphql.services.analysis import (
    ClaimedJob,
    RetryPolicy,
    claim_jobs,
    record_failure,
    record_result,
)
from luna_graphql.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_RETRY_BASE_S = 5.0
BACKFILL_CHUNK = 1000


@dataclass(frozen=True)
class WorkerConfig:
    batch_size: int
    lease_s: float
    context_messages: int
    consent_default: bool
    poll_interval_s: float
    retry: RetryPolicy

    @classmethod
    def from_settings(
        cls, settings: Settings, *, retry_base_s: float = DEFAULT_RETRY_BASE_S
    ) -> WorkerConfig:
        return cls(
            batch_size=max(1, settings.analysis_batch_size),
            lease_s=settings.analysis_lease_s,
            context_messages=max(0, settings.luna_context_messages),
            consent_default=settings.analysis_enabled_default,
            poll_interval_s=max(0.01, settings.analysis_poll_interval_s),
            retry=RetryPolicy(
                max_attempts=max(1, settings.analysis_max_attempts), base_s=retry_base_s
            ),
        )


def describe_failure(exc: BaseException) -> str:
    """A loggable reason: codes and class names only (exception text may quote the message)."""
    if isinstance(exc, AssistantUnavailable):
        return f"assistant_unavailable: {exc.reason}" + (
            f" (HTTP {exc.status_code})" if exc.status_code is not None else ""
        )
    if isinstance(exc, TimeoutError):
        return "timeout: no answer within the lease"
    if isinstance(exc, UnreadableText):
        return f"unreadable: {exc}"  # names a key id, never a key or the text
    return f"error: {type(exc).__name__}"


def _opened(job: ClaimedJob) -> tuple[str, tuple[ContextMessage, ...]]:
    """The job's text and context as written. A context message no key opens is left out
    (the analysis of this one should not wait on an older row's key)."""
    cipher = current_cipher()
    text = cipher.open(job.text)
    context = []
    for message in job.context:
        try:
            context.append(ContextMessage(author=message.author, text=cipher.open(message.text)))
        except UnreadableText as exc:
            log.warning("analysis of message %s: a context message left out: %s", job.id, exc)
    return text, tuple(context)


async def _run_job(
    job: ClaimedJob,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant: Assistant,
    emitter: EventEmitter,
    config: WorkerConfig,
) -> None:
    try:
        # Opened here, per job: a value no configured key opens fails its own job (retried,
        # then dead) rather than the whole batch's claim.
        text, context = _opened(job)
        # The lease bounds the call: past it another worker may already hold the job.
        async with asyncio.timeout(config.lease_s):
            analysis = await assistant.analyze_message(text, context=context)
    except Exception as exc:  # the assistant is a boundary: any failure is a failed attempt
        reason = describe_failure(exc)
        async with sessionmaker() as session, session.begin():
            status = await record_failure(session, job=job, error=reason, policy=config.retry)
        log.warning(
            "analysis of message %s failed (attempt %d, now %s): %s",
            job.id,
            job.attempts,
            status or "claimed elsewhere",
            reason,
        )
        return
    async with sessionmaker() as session, session.begin():
        await record_result(session, job=job, analysis=analysis, emitter=emitter)


async def process_batch(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant: Assistant,
    emitter: EventEmitter,
    config: WorkerConfig,
) -> int:
    """Claim one batch and see it through; the number of jobs claimed (0 = nothing due)."""
    async with sessionmaker() as session, session.begin():
        batch = await claim_jobs(
            session,
            limit=config.batch_size,
            lease_s=config.lease_s,
            max_attempts=config.retry.max_attempts,
            context_messages=config.context_messages,
            consent_default=config.consent_default,
        )
    results = await asyncio.gather(
        *(
            _run_job(
                job, sessionmaker=sessionmaker, assistant=assistant, emitter=emitter, config=config
            )
            for job in batch.jobs
        ),
        return_exceptions=True,
    )
    for job, outcome in zip(batch.jobs, results, strict=True):
        if isinstance(outcome, asyncio.CancelledError):
            raise outcome
        if isinstance(outcome, BaseException):
            # A write failed: the lease stays, so the job is retried once it expires.
            log.error("writing the analysis of message %s failed: %s", job.id, type(outcome))
    return batch.claimed


async def drain_pending(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant: Assistant,
    emitter: EventEmitter,
    settings: Settings,
    retry_base_s: float = DEFAULT_RETRY_BASE_S,
    stop: asyncio.Event | None = None,
) -> int:
    """Handle every job that is due, batch after batch, then return how many were handled.

    Jobs leased by another live worker, or waiting out a retry backoff, are not due.
    Setting `stop` ends the drain after the batch in hand.
    """
    config = WorkerConfig.from_settings(settings, retry_base_s=retry_base_s)
    total = 0
    while stop is None or not stop.is_set():
        claimed = await process_batch(
            sessionmaker=sessionmaker, assistant=assistant, emitter=emitter, config=config
        )
        if not claimed:
            break
        total += claimed
    return total


async def queue_backfill(session: AsyncSession, *, limit: int) -> int:
    """Queue up to `limit` never-queued (NULL status) live messages; how many were queued."""
    picked = (
        select(PartnerMessage.id)
        .where(PartnerMessage.analysis_status.is_(None), PartnerMessage.deleted_at.is_(None))
        .order_by(PartnerMessage.sent_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = await session.execute(
        update(PartnerMessage)
        .where(PartnerMessage.id.in_(picked))
        .values(
            analysis_status="pending",
            analysis_available_at=func.now(),
            analysis_error=None,
        )
        .returning(PartnerMessage.id)
    )
    return len(result.all())


async def queue_unqueued(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Queue every live message that was never queued (rows older than the queue), in
    chunks of their own transactions; how many were queued. Drain them afterwards."""
    queued = 0
    while True:
        async with sessionmaker() as session, session.begin():
            chunk = await queue_backfill(session, limit=BACKFILL_CHUNK)
        queued += chunk
        if chunk < BACKFILL_CHUNK:
            return queued


async def run_analysis_worker(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant: Assistant,
    emitter: EventEmitter,
    settings: Settings,
    stop: asyncio.Event,
    retry_base_s: float = DEFAULT_RETRY_BASE_S,
) -> None:
    """Drain the queue until `stop` is set: back to back while there is work, else poll.

    A failing database (restart, network) is logged and retried at the poll interval; a
    batch in flight when `stop` is set is finished first.
    """
    config = WorkerConfig.from_settings(settings, retry_base_s=retry_base_s)
    log.info("analysis worker started (batch %d, lease %ss)", config.batch_size, config.lease_s)
    while not stop.is_set():
        try:
            claimed = await process_batch(
                sessionmaker=sessionmaker, assistant=assistant, emitter=emitter, config=config
            )
        except Exception as exc:
            log.warning("analysis worker: batch failed (%s); retrying", type(exc).__name__)
            claimed = 0
        if claimed < config.batch_size:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=config.poll_interval_s)
    log.info("analysis worker stopped")


class AnalysisWorkerHandle:
    """A running worker task; `stop()` lets it finish its batch, then cancels if it must."""

    def __init__(self, task: asyncio.Task[None], stop: asyncio.Event) -> None:
        self.task = task
        self._stop = stop

    async def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), timeout=timeout_s)
        except TimeoutError:
            # Jobs still leased are picked up by another worker once their lease expires.
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


def start_analysis_worker(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant: Assistant,
    emitter: EventEmitter,
    settings: Settings,
    retry_base_s: float = DEFAULT_RETRY_BASE_S,
) -> AnalysisWorkerHandle:
    """Start `run_analysis_worker` as a task of the running loop (for the app's lifespan)."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_analysis_worker(
            sessionmaker=sessionmaker,
            assistant=assistant,
            emitter=emitter,
            settings=settings,
            stop=stop,
            retry_base_s=retry_base_s,
        ),
        name="luna-analysis-worker",
    )
    return AnalysisWorkerHandle(task, stop)
