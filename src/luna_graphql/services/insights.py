"""`messagingInsights`: the couple's communication over the last N days, aggregated in SQL.

One membership query plus at most five aggregate statements, whatever the number of
messages (see `insights_sql`). Days are calendar days in UTC, today included. Analysis
fields are readable by both partners; Luna usage is the viewer's own only, because
suggestions and their counts are private to their author (a couple-wide total minus the
viewer's own would reveal the partner's).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.errors import BadUserInput
from luna_graphql.services import insights_sql as sql
from luna_graphql.services.access import PARTNER_A, PARTNER_B, Viewer, find_membership
from luna_graphql.services.insights_score import HealthScore, ScoreInputs, health_score

MIN_DAYS, MAX_DAYS = 1, 365
TOP_TAGS = 10
TIMELINE_LIMIT = 100
ROLES = (PARTNER_A, PARTNER_B)


@dataclass(frozen=True)
class PartnerDayCount:
    role: str
    user_id: uuid.UUID
    messages: int


@dataclass(frozen=True)
class DayInsights:
    day: date
    messages: int
    analysed: int
    average_sentiment: float | None
    escalations: int  # analysed messages of the day at HIGH or CRITICAL risk
    by_partner: tuple[PartnerDayCount, ...]


@dataclass(frozen=True)
class GottmanCounts:
    criticism: int = 0
    contempt: int = 0
    defensiveness: int = 0
    stonewalling: int = 0


@dataclass(frozen=True)
class PartnerInsights:
    role: str
    user_id: uuid.UUID
    is_viewer: bool
    analysis_enabled: bool
    messages: int
    analysed: int
    average_sentiment: float | None
    gottman: GottmanCounts
    replies: int
    median_reply_s: float | None


@dataclass(frozen=True)
class TagCount:
    tag: str
    count: int


@dataclass(frozen=True)
class EscalationPoint:
    id: uuid.UUID
    severity: str
    created_at: datetime
    message_id: uuid.UUID | None
    sender_role: str | None


@dataclass(frozen=True)
class EscalationTimeline:
    total: int
    high: int
    critical: int
    events: tuple[EscalationPoint, ...]  # newest first, at most TIMELINE_LIMIT


@dataclass(frozen=True)
class LunaUsage:
    reviews_requested: int = 0
    suggestions_shown: int = 0
    accepted: int = 0
    modified: int = 0
    rejected: int = 0
    ignored: int = 0

    @property
    def answered(self) -> int:
        return self.accepted + self.modified + self.rejected + self.ignored

    @property
    def acceptance_rate(self) -> float | None:
        """(accepted + modified) / answered; None before any suggestion was answered."""
        return (self.accepted + self.modified) / self.answered if self.answered else None


@dataclass(frozen=True)
class MessagingInsights:
    relationship_id: uuid.UUID
    days: int
    since: datetime
    until: datetime
    total_messages: int
    analysed_messages: int
    average_sentiment: float | None
    daily: tuple[DayInsights, ...]  # every day of the window, oldest first
    partners: tuple[PartnerInsights, ...]  # partner A, then partner B
    top_emotions: tuple[TagCount, ...]
    top_triggers: tuple[TagCount, ...]
    escalations: EscalationTimeline
    luna_usage: LunaUsage  # the viewer's own
    health: HealthScore


def window(days: int, now: datetime) -> tuple[datetime, datetime]:
    """[since, until): `days` whole UTC days ending with today."""
    today = now.astimezone(UTC).date()
    since = datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=UTC)
    return since, datetime.combine(today + timedelta(days=1), time.min, tzinfo=UTC)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _messages(row: Any) -> int:
    return int(row.messages) if row is not None else 0


def _gottman(row: Any) -> GottmanCounts:
    return GottmanCounts(row.criticism, row.contempt, row.defensiveness, row.stonewalling)


async def messaging_insights(
    session: AsyncSession,
    *,
    viewer: Viewer,
    relationship_id: uuid.UUID | None = None,
    days: int = 30,
    analysis_enabled_default: bool = True,
    now: datetime | None = None,
) -> MessagingInsights:
    """The viewer's couple (NotFound for any other id) over the last `days` days (1..365)."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise BadUserInput(f"days must be between {MIN_DAYS} and {MAX_DAYS}", field="days")
    membership = await find_membership(session, viewer=viewer, relationship_id=relationship_id)
    rel = membership.relationship
    user_ids = {PARTNER_A: rel.partner_a_id, PARTNER_B: rel.partner_b_id}
    prefs = {membership.role: membership.own_preferences}
    prefs[membership.partner_role] = membership.partner_preferences
    since, until = window(days, now or datetime.now(UTC))
    span = {"since": since, "until": until}

    message_rows: list[Any] = []
    tag_rows: list[Any] = []
    reply_rows: list[Any] = []
    luna = LunaUsage()
    if membership.conversation_id is not None:
        conv = {"conversation_id": membership.conversation_id, **span}
        message_rows = list((await session.execute(sql.MESSAGES, conv)).all())
        tag_rows = list((await session.execute(sql.TAGS, {**conv, "top": TOP_TAGS})).all())
        reply_rows = list((await session.execute(sql.REPLY_TIMES, conv)).all())
        usage = (
            await session.execute(sql.LUNA_USAGE, {**conv, "viewer_role": membership.role})
        ).one()
        luna = LunaUsage(**usage._asdict())
    escalation_rows = (
        await session.execute(
            sql.ESCALATIONS,
            {"relationship_id": rel.id, **span, "limit": TIMELINE_LIMIT},
        )
    ).all()

    per_day_partner = {(r.day, r.sender_id): r for r in message_rows if r.grp == 0}
    per_day = {r.day: r for r in message_rows if r.grp == 1}
    per_partner = {r.sender_id: r for r in message_rows if r.grp == 2}
    replies = {r.sender_id: r for r in reply_rows}

    daily: list[DayInsights] = []
    for offset in range(days):
        day = since.date() + timedelta(days=offset)
        row = per_day.get(day)
        daily.append(
            DayInsights(
                day=day,
                messages=row.messages if row else 0,
                analysed=row.analysed if row else 0,
                average_sentiment=_float(row.average_sentiment) if row else None,
                escalations=row.escalated if row else 0,
                by_partner=tuple(
                    PartnerDayCount(
                        role,
                        user_ids[role],
                        getattr(per_day_partner.get((day, role)), "messages", 0),
                    )
                    for role in ROLES
                ),
            )
        )

    partners: list[PartnerInsights] = []
    for role in ROLES:
        row = per_partner.get(role)
        reply = replies.get(role)
        pref = prefs[role]
        partners.append(
            PartnerInsights(
                role=role,
                user_id=user_ids[role],
                is_viewer=role == membership.role,
                analysis_enabled=analysis_enabled_default
                if pref is None
                else pref.analysis_enabled,
                messages=row.messages if row else 0,
                analysed=row.analysed if row else 0,
                average_sentiment=_float(row.average_sentiment) if row else None,
                gottman=_gottman(row) if row else GottmanCounts(),
                replies=reply.replies if reply else 0,
                median_reply_s=_float(reply.median_s) if reply else None,
            )
        )

    overall = next((r for r in message_rows if r.grp == 3), None)
    analysed = overall.analysed if overall else 0
    average = _float(overall.average_sentiment) if overall else None
    health = health_score(
        ScoreInputs(
            analysed=analysed,
            average_sentiment=average,
            criticism=overall.criticism if overall else 0,
            contempt=overall.contempt if overall else 0,
            defensiveness=overall.defensiveness if overall else 0,
            stonewalling=overall.stonewalling if overall else 0,
            escalated=overall.escalated if overall else 0,
            messages_a=partners[0].messages,
            messages_b=partners[1].messages,
        )
    )
    first = escalation_rows[0] if escalation_rows else None
    return MessagingInsights(
        relationship_id=rel.id,
        days=days,
        since=since,
        until=until,
        total_messages=overall.messages if overall else 0,
        analysed_messages=analysed,
        average_sentiment=average,
        daily=tuple(daily),
        partners=tuple(partners),
        top_emotions=tuple(TagCount(r.tag, r.n) for r in tag_rows if r.kind == "emotion"),
        top_triggers=tuple(TagCount(r.tag, r.n) for r in tag_rows if r.kind == "trigger"),
        escalations=EscalationTimeline(
            total=first.total if first else 0,
            high=first.high if first else 0,
            critical=first.critical if first else 0,
            events=tuple(
                EscalationPoint(r.id, r.severity, r.created_at, r.message_id, r.sender_id)
                for r in escalation_rows
            ),
        ),
        luna_usage=luna,
        health=health,
    )
