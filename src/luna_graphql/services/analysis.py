"""Background analysis of sent messages: the job is state on the message row.

A message is inserted with ``analysis_status = 'pending'`` (a column default), so its job
exists exactly when the message commits. A job then moves like this::

    NULL (older rows) --queue_backfill--> pending
    pending --claim_jobs: lease + attempts+1--> pending (leased)
        --record_result--> done       (fields written, escalation row, message_analyzed)
        --record_failure--> pending   (retry after an exponential backoff)
                          | dead      (after max_attempts; analysis_error says why)
    pending --claim_jobs--> skipped   (sender withheld consent, or the message was deleted)

Results are written only under the claim that produced them (same ``analysis_attempts``,
still pending), so a job whose lease expired and was claimed again is never written twice.
Errors and logs name messages by id only, never by content.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, cast, func, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.ai.models import ContextMessage, MessageAnalysis
from luna_graphql.db.models import EscalationEvent, PartnerMessage
from luna_graphql.realtime.events import BusEvent, EventEmitter
from luna_graphql.services import analysis_sql as sql

log = logging.getLogger(__name__)

ESCALATION_SOURCE = "partner_messaging"
ESCALATING_RISKS = frozenset({"high", "critical"})
MESSAGE_ANALYZED = "message_analyzed"
ABANDONED_ERROR = "abandoned: no result after the last attempt's lease expired"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff between attempts; the job is dead after `max_attempts`."""

    max_attempts: int
    base_s: float = 5.0
    max_s: float = 900.0

    def delay_s(self, attempts: int) -> float:
        """Wait before the next attempt once `attempts` attempts have failed (1, 2, ...)."""
        return min(self.max_s, self.base_s * 2.0 ** max(0, attempts - 1))


@dataclass(frozen=True)
class ClaimedJob:
    """A leased job. `text` and `context` are as stored (sealed when encryption is on: the
    worker opens them per job) and stay out of repr so they never reach a log."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    relationship_id: uuid.UUID
    sender_id: str
    seq: int
    attempts: int
    text: str = field(repr=False)
    context: tuple[ContextMessage, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class ClaimedBatch:
    jobs: list[ClaimedJob]  # to analyse now
    skipped: int  # consent withheld or message deleted
    abandoned: int  # dead: their last attempt never reported back

    @property
    def claimed(self) -> int:
        return len(self.jobs) + self.skipped + self.abandoned


@dataclass(frozen=True)
class EscalationRecord:
    id: uuid.UUID
    severity: str
    message_id: uuid.UUID | None
    created_at: datetime


def _claimed(m: Any) -> Any:
    """The claim guard: still pending and still under the attempt we were given."""
    return and_(
        PartnerMessage.id == m.id,
        PartnerMessage.analysis_status == "pending",
        PartnerMessage.analysis_attempts == m.attempts,
    )


async def claim_jobs(
    session: AsyncSession,
    *,
    limit: int,
    lease_s: float,
    max_attempts: int,
    context_messages: int,
    consent_default: bool,
) -> ClaimedBatch:
    """Lease up to `limit` due jobs; the caller commits before analysing them.

    In the same transaction, jobs whose sender does not consent (or whose message was
    deleted) become `skipped`, and jobs whose last allowed attempt never reported back
    (the worker died holding them) become `dead`.
    """
    rows = (
        await session.execute(
            sql.CLAIM,
            {"limit": limit, "lease_s": float(lease_s), "consent_default": consent_default},
        )
    ).all()
    skip = [r.id for r in rows if r.deleted or not r.consent]
    abandon = [r.id for r in rows if r.id not in skip and r.attempts > max_attempts]
    live = [r for r in rows if r.id not in skip and r.id not in abandon]
    if skip:
        await session.execute(
            update(PartnerMessage)
            .where(PartnerMessage.id.in_(skip))
            .values(analysis_status="skipped", analysis_error=None)
        )
    if abandon:
        await session.execute(
            update(PartnerMessage)
            .where(PartnerMessage.id.in_(abandon))
            .values(analysis_status="dead", analysis_error=ABANDONED_ERROR)
        )
        log.warning("analysis abandoned after %d attempts: messages %s", max_attempts, abandon)
    contexts: dict[uuid.UUID, list[ContextMessage]] = {r.id: [] for r in live}
    if live and context_messages > 0:
        senders = {r.id: r.sender_id for r in live}
        result = await session.execute(sql.CONTEXT, {"ids": list(contexts), "n": context_messages})
        for job_id, sender_id, content in result.all():
            author = "viewer" if sender_id == senders[job_id] else "partner"
            contexts[job_id].append(ContextMessage(author=author, text=content))
    jobs = [
        ClaimedJob(
            id=r.id,
            conversation_id=r.conversation_id,
            relationship_id=r.relationship_id,
            sender_id=r.sender_id,
            seq=r.seq,
            attempts=r.attempts,
            text=r.content,
            context=tuple(contexts[r.id]),
        )
        for r in live
    ]
    return ClaimedBatch(jobs=jobs, skipped=len(skip), abandoned=len(abandon))


def _escalation_context(job: ClaimedJob, analysis: MessageAnalysis) -> str:
    # Names the message and the figures only: message text never leaves partner_messages.
    markers = sorted(k for k, v in analysis.gottman_markers.items() if v) or ["none"]
    return (
        f"{job.sender_id} message seq {job.seq}: {analysis.escalation_risk} risk, "
        f"score {analysis.escalation_score:.2f}, markers {', '.join(markers)}"
    )


async def record_result(
    session: AsyncSession,
    *,
    job: ClaimedJob,
    analysis: MessageAnalysis,
    emitter: EventEmitter,
) -> bool:
    """Write the analysis under the claim; False if the claim was lost (nothing written).

    In the same transaction: an escalation row for HIGH/CRITICAL risk and the
    `message_analyzed` event (delivered on commit).
    """
    runs = func.coalesce(PartnerMessage.metadata_[("analysis", "runs")].astext.cast(Integer), 0)
    record = cast(
        {
            "source": analysis.source,
            "escalation_score": analysis.escalation_score,
            "severe_trigger": analysis.severe_trigger,
        },
        JSONB,
    ).op("||", return_type=JSONB)(func.jsonb_build_object("runs", runs + 1))
    result = await session.execute(
        update(PartnerMessage)
        .where(_claimed(job))
        .values(
            sentiment_score=analysis.sentiment_score,
            sentiment_label=analysis.sentiment_label,
            emotions=list(analysis.emotions),
            detected_triggers=list(analysis.detected_triggers),
            escalation_risk=analysis.escalation_risk,
            gottman_markers=dict(analysis.gottman_markers),
            analysis_status="done",
            analysis_error=None,
            analyzed_at=func.now(),
            metadata_=PartnerMessage.metadata_.op("||", return_type=JSONB)(
                func.jsonb_build_object("analysis", record)
            ),
        )
        .returning(PartnerMessage.id)
    )
    if result.scalar_one_or_none() is None:
        log.info("analysis result for message %s dropped: its claim was superseded", job.id)
        return False
    if analysis.escalation_risk in ESCALATING_RISKS:
        session.add(
            EscalationEvent(
                relationship_id=job.relationship_id,
                source=ESCALATION_SOURCE,
                severity=analysis.escalation_risk,
                context=_escalation_context(job, analysis),
                message_id=job.id,
            )
        )
        await session.flush()
    await emitter.emit(
        session,
        BusEvent(
            kind=MESSAGE_ANALYZED,
            relationship_id=job.relationship_id,
            data={"conversation_id": str(job.conversation_id), "id": str(job.id), "seq": job.seq},
        ),
    )
    return True


async def record_failure(
    session: AsyncSession, *, job: ClaimedJob, error: str, policy: RetryPolicy
) -> str | None:
    """Schedule a retry after a backoff, or dead-letter the job; the new status, or None
    if the claim was lost. `error` must not contain message text."""
    dead = job.attempts >= policy.max_attempts
    delay = timedelta(seconds=0 if dead else policy.delay_s(job.attempts))
    status = "dead" if dead else "pending"
    result = await session.execute(
        update(PartnerMessage)
        .where(_claimed(job))
        .values(
            analysis_status=status,
            analysis_available_at=func.now() + delay,
            analysis_error=error[:500],
        )
        .returning(PartnerMessage.id)
    )
    return status if result.scalar_one_or_none() is not None else None


async def count_consecutive_negative(
    session: AsyncSession, *, conversation_id: uuid.UUID, sender_id: str, limit: int = 50
) -> int:
    """How many of the sender's latest analysed messages in a row were negative (up to `limit`).

    Only analysed (`done`) live messages count; pending or skipped ones neither extend
    nor break the run.
    """
    labels: Sequence[str | None] = (
        await session.scalars(
            select(PartnerMessage.sentiment_label)
            .where(
                PartnerMessage.conversation_id == conversation_id,
                PartnerMessage.sender_id == sender_id,
                PartnerMessage.analysis_status == "done",
                PartnerMessage.deleted_at.is_(None),
            )
            .order_by(PartnerMessage.seq.desc())
            .limit(limit)
        )
    ).all()
    run = 0
    for label in labels:
        if label != "negative":
            break
        run += 1
    return run


async def recent_escalations(
    session: AsyncSession,
    *,
    relationship_id: uuid.UUID,
    within: timedelta,
    limit: int = 10,
) -> list[EscalationRecord]:
    """Messaging escalations of the couple in the last `within`, newest first."""
    rows = await session.execute(
        select(
            EscalationEvent.id,
            EscalationEvent.severity,
            EscalationEvent.message_id,
            EscalationEvent.created_at,
        )
        .where(
            EscalationEvent.relationship_id == relationship_id,
            EscalationEvent.source == ESCALATION_SOURCE,
            EscalationEvent.created_at >= func.now() - within,
        )
        .order_by(EscalationEvent.created_at.desc())
        .limit(limit)
    )
    return [EscalationRecord(*row) for row in rows.all()]
