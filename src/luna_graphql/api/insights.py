"""Query `messagingInsights`: the couple's relationship dashboard.

A thin resolver over `services.insights.messaging_insights`; every figure is aggregated
in PostgreSQL. Analysis figures are the couple's (readable by both partners); Luna usage
is the viewer's own, since suggestions are private to their author.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from luna_graphql.api.context import LunaContext
from luna_graphql.api.ids import parse_id
from luna_graphql.api.types.enums import PartnerRole
from luna_graphql.services import insights as svc


def _id(value: object) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.enum(description="How severe an escalation was.")
class EscalationSeverity(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


@strawberry.type(description="One partner's messages on one day.")
class InsightsPartnerCount:
    partner: PartnerRole
    user_id: strawberry.ID
    messages: int


@strawberry.type(description="One calendar day (UTC) of the window.")
class InsightsDay:
    date: date
    messages: int
    analyzed_messages: int
    average_sentiment: float | None = strawberry.field(
        description="Mean sentiment (-1..1) of the day's analysed messages; null if none."
    )
    escalations: int = strawberry.field(
        description="Analysed messages of the day at HIGH or CRITICAL escalation risk."
    )
    by_partner: list[InsightsPartnerCount]

    @classmethod
    def from_service(cls, day: svc.DayInsights) -> InsightsDay:
        return cls(
            date=day.day,
            messages=day.messages,
            analyzed_messages=day.analysed,
            average_sentiment=day.average_sentiment,
            escalations=day.escalations,
            by_partner=[
                InsightsPartnerCount(
                    partner=PartnerRole(p.role), user_id=_id(p.user_id), messages=p.messages
                )
                for p in day.by_partner
            ],
        )


@strawberry.type(description="How many analysed messages showed each of Gottman's four horsemen.")
class GottmanMarkerCounts:
    criticism: int
    contempt: int
    defensiveness: int
    stonewalling: int


@strawberry.type(description="One partner's side of the window.")
class InsightsPartner:
    partner: PartnerRole
    user_id: strawberry.ID
    is_viewer: bool
    analysis_enabled: bool = strawberry.field(
        description="False when this partner turned background analysis off: their new "
        "messages are not analysed."
    )
    messages: int
    analyzed_messages: int
    average_sentiment: float | None
    gottman_markers: GottmanMarkerCounts
    replies: int = strawberry.field(
        description="Messages that answered one of the other partner's messages."
    )
    median_reply_seconds: float | None = strawberry.field(
        description="Median time from the other partner's message to this partner's next "
        "message; null without replies."
    )

    @classmethod
    def from_service(cls, p: svc.PartnerInsights) -> InsightsPartner:
        g = p.gottman
        return cls(
            partner=PartnerRole(p.role),
            user_id=_id(p.user_id),
            is_viewer=p.is_viewer,
            analysis_enabled=p.analysis_enabled,
            messages=p.messages,
            analyzed_messages=p.analysed,
            average_sentiment=p.average_sentiment,
            gottman_markers=GottmanMarkerCounts(
                criticism=g.criticism,
                contempt=g.contempt,
                defensiveness=g.defensiveness,
                stonewalling=g.stonewalling,
            ),
            replies=p.replies,
            median_reply_seconds=p.median_reply_s,
        )


@strawberry.type
class InsightsTagCount:
    tag: str
    count: int


@strawberry.type(description="An escalation Luna recorded for a message.")
class InsightsEscalation:
    id: strawberry.ID
    severity: EscalationSeverity
    created_at: datetime
    message_id: strawberry.ID | None
    partner: PartnerRole | None = strawberry.field(description="Who sent the message.")


@strawberry.type
class EscalationTimeline:
    total: int
    high: int
    critical: int
    events: list[InsightsEscalation] = strawberry.field(
        description="Newest first, at most 100 (the counts cover the whole window)."
    )


@strawberry.type(description="The viewer's own use of Luna's pre-send reviews.")
class LunaUsageSummary:
    reviews_requested: int
    suggestions_shown: int = strawberry.field(description="Reviews that were not SAFE.")
    accepted: int
    modified: int
    rejected: int
    ignored: int
    acceptance_rate: float | None = strawberry.field(
        description="(accepted + modified) / answered suggestions; null before any answer."
    )


@strawberry.type(description="Relationship health, 0..100; the formula is in the README.")
class RelationshipHealth:
    score: int | None = strawberry.field(description="Null when no message was analysed.")
    sentiment: float | None
    horsemen: float | None
    escalation: float | None
    balance: float | None


@strawberry.type(description="The couple's communication over the last `days` days.")
class MessagingInsights:
    relationship_id: strawberry.ID
    days: int
    since: datetime
    until: datetime
    total_messages: int
    analyzed_messages: int
    average_sentiment: float | None
    daily: list[InsightsDay]
    partners: list[InsightsPartner]
    top_emotions: list[InsightsTagCount]
    top_triggers: list[InsightsTagCount]
    escalations: EscalationTimeline
    luna_usage: LunaUsageSummary = strawberry.field(description="The viewer's own.")
    health: RelationshipHealth

    @classmethod
    def from_service(cls, got: svc.MessagingInsights) -> MessagingInsights:
        luna, esc, h = got.luna_usage, got.escalations, got.health
        return cls(
            relationship_id=_id(got.relationship_id),
            days=got.days,
            since=got.since,
            until=got.until,
            total_messages=got.total_messages,
            analyzed_messages=got.analysed_messages,
            average_sentiment=got.average_sentiment,
            daily=[InsightsDay.from_service(d) for d in got.daily],
            partners=[InsightsPartner.from_service(p) for p in got.partners],
            top_emotions=[InsightsTagCount(tag=t.tag, count=t.count) for t in got.top_emotions],
            top_triggers=[InsightsTagCount(tag=t.tag, count=t.count) for t in got.top_triggers],
            escalations=EscalationTimeline(
                total=esc.total,
                high=esc.high,
                critical=esc.critical,
                events=[
                    InsightsEscalation(
                        id=_id(e.id),
                        severity=EscalationSeverity(e.severity),
                        created_at=e.created_at,
                        message_id=None if e.message_id is None else _id(e.message_id),
                        partner=None if e.sender_role is None else PartnerRole(e.sender_role),
                    )
                    for e in esc.events
                ],
            ),
            luna_usage=LunaUsageSummary(
                reviews_requested=luna.reviews_requested,
                suggestions_shown=luna.suggestions_shown,
                accepted=luna.accepted,
                modified=luna.modified,
                rejected=luna.rejected,
                ignored=luna.ignored,
                acceptance_rate=luna.acceptance_rate,
            ),
            health=RelationshipHealth(
                score=h.score,
                sentiment=h.sentiment,
                horsemen=h.horsemen,
                escalation=h.escalation,
                balance=h.balance,
            ),
        )


async def resolve_messaging_insights(
    info: Info[LunaContext, None],
    relationship_id: strawberry.ID | None = None,
    days: int = 30,
) -> MessagingInsights:
    ctx = info.context
    viewer = ctx.require_viewer()
    rel_id = None if relationship_id is None else parse_id(relationship_id, field="relationshipId")
    async with ctx.read() as session:
        got = await svc.messaging_insights(
            session,
            viewer=viewer,
            relationship_id=rel_id,
            days=days,
            analysis_enabled_default=ctx.settings.analysis_enabled_default,
        )
    return MessagingInsights.from_service(got)


@strawberry.type
class InsightsQuery:
    messaging_insights: MessagingInsights = strawberry.field(
        resolver=resolve_messaging_insights,
        description="The viewer's couple over the last `days` days (1..365, whole UTC days "
        "ending today). `relationshipId` defaults to the viewer's active relationship; "
        "any other couple's id is NOT_FOUND.",
    )
