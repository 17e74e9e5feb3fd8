"""`messagingInsights`: the couple's communication over the last N days, aggregated in SQL.

One membership query plus at most five aggregate statements, whatever the number of
messages (see `insights_sql`). Days are calendar days in UTC, today included. Analysis
fields are readable by both partners; Luna usage is the viewer's own only, because
suggestions and their counts are private to their author (a couple-wide total minus the
viewer's own would reveal the partner's).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
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


@dataclass
class _Tally:
    """Sums of `insights_sql.MESSAGES` rows (a day, a partner, or the whole window)."""

    messages: int = 0
    analysed: int = 0
    sentiment_sum: float = 0.0
    criticism: int = 0
    contempt: int = 0
    defensiveness: int = 0
    stonewalling: int = 0
    escalated: int = 0

    def add(self, row: Any) -> None:
        self.messages += row.messages
        self.analysed += row.analysed
        self.sentiment_sum += float(row.sentiment_sum or 0.0)
        self.criticism += row.criticism
        self.contempt += row.contempt
        self.defensiveness += row.defensiveness
        self.stonewalling += row.stonewalling
        self.escalated += row.escalated

    @property
    def average(self) -> float | None:
        """Mean sentiment of the analysed messages (each weighs the same)."""
        return self.sentiment_sum / self.analysed if self.analysed else None

    @property
    def gottman(self) -> GottmanCounts:
        return GottmanCounts(self.criticism, self.contempt, self.defensiveness, self.stonewalling)


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

    # Roll the (day, partner) rows up: at most days x 2 of them, whatever the message count.
    by_day: dict[date, _Tally] = defaultdict(_Tally)
    by_partner = {role: _Tally() for role in ROLES}
    total = _Tally()
    day_partner: dict[tuple[date, str], int] = {}
    for row in message_rows:
        for tally in (by_day[row.day], by_partner[row.sender_id], total):
            tally.add(row)
        day_partner[(row.day, row.sender_id)] = row.messages
    replies = {r.sender_id: r for r in reply_rows}

    daily: list[DayInsights] = []
    for offset in range(days):
        day = since.date() + timedelta(days=offset)
        tally = by_day.get(day, _Tally())
        daily.append(
            DayInsights(
                day=day,
                messages=tally.messages,
                analysed=tally.analysed,
                average_sentiment=tally.average,
                escalations=tally.escalated,
                by_partner=tuple(
                    PartnerDayCount(role, user_ids[role], day_partner.get((day, role), 0))
                    for role in ROLES
                ),
            )
        )

    partners: list[PartnerInsights] = []
    for role in ROLES:
        tally, reply, pref = by_partner[role], replies.get(role), prefs[role]
        partners.append(
            PartnerInsights(
                role=role,
                user_id=user_ids[role],
                is_viewer=role == membership.role,
                analysis_enabled=pref.analysis_enabled if pref else analysis_enabled_default,
                messages=tally.messages,
                analysed=tally.analysed,
                average_sentiment=tally.average,
                gottman=tally.gottman,
                replies=reply.replies if reply else 0,
                median_reply_s=_float(reply.median_s) if reply else None,
            )
        )

    health = health_score(
        ScoreInputs(
            analysed=total.analysed,
            average_sentiment=total.average,
            criticism=total.criticism,
            contempt=total.contempt,
            defensiveness=total.defensiveness,
            stonewalling=total.stonewalling,
            escalated=total.escalated,
            messages_a=by_partner[PARTNER_A].messages,
            messages_b=by_partner[PARTNER_B].messages,
        )
    )
    first = escalation_rows[0] if escalation_rows else None
    return MessagingInsights(
        relationship_id=rel.id,
        days=days,
        since=since,
        until=until,
        total_messages=total.messages,
        analysed_messages=total.analysed,
        average_sentiment=total.average,
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
