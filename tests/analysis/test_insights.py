"""`messaging_insights` over a seeded week whose every figure is worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from luna_graphql.errors import BadUserInput, NotFound
from luna_graphql.services.access import Viewer
from luna_graphql.services.insights import messaging_insights
from luna_graphql.services.insights_score import ScoreInputs, health_score
from tests.analysis.conftest import World
from tests.analysis.insights_data import NOW, seed_many, seed_week
from tests.factories import make_conversation, make_couple


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_the_seeded_week_gives_exactly_the_expected_figures(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with sessionmaker() as session:
        ids = await seed_week(session, world.conversation_id, world.relationship_id)
    viewer_a = Viewer(world.couple.partner_a.id)
    async with sessionmaker() as session:
        got = await messaging_insights(session, viewer=viewer_a, days=7, now=NOW)

    assert got.relationship_id == world.relationship_id
    assert (got.since.isoformat(), got.until.isoformat()) == (
        "2026-03-04T00:00:00+00:00",
        "2026-03-11T00:00:00+00:00",
    )
    # m0 is before the window and mx is deleted: ten messages, eight analysed.
    assert (got.total_messages, got.analysed_messages) == (10, 8)
    assert got.average_sentiment == pytest.approx(1.25 / 8)

    days = {d.day: d for d in got.daily}
    assert [d.day for d in got.daily] == [date(2026, 3, 4) + timedelta(days=n) for n in range(7)]
    per_day = {
        d.day.day: (
            d.messages,
            d.analysed,
            [(p.role, p.messages) for p in d.by_partner],
            d.escalations,
        )
        for d in got.daily
    }
    assert per_day == {
        4: (0, 0, [("partner_a", 0), ("partner_b", 0)], 0),
        5: (0, 0, [("partner_a", 0), ("partner_b", 0)], 0),
        6: (0, 0, [("partner_a", 0), ("partner_b", 0)], 0),
        7: (0, 0, [("partner_a", 0), ("partner_b", 0)], 0),
        8: (4, 4, [("partner_a", 2), ("partner_b", 2)], 2),
        9: (4, 2, [("partner_a", 2), ("partner_b", 2)], 0),
        10: (2, 2, [("partner_a", 1), ("partner_b", 1)], 0),
    }
    assert days[date(2026, 3, 7)].average_sentiment is None
    assert days[date(2026, 3, 8)].average_sentiment == pytest.approx(-0.125)
    assert days[date(2026, 3, 9)].average_sentiment == pytest.approx(0.5)
    assert days[date(2026, 3, 10)].average_sentiment == pytest.approx(0.375)
    assert days[date(2026, 3, 8)].by_partner[0].user_id == world.couple.partner_a.id

    a, b = got.partners
    assert (a.role, a.user_id, a.is_viewer) == ("partner_a", world.couple.partner_a.id, True)
    assert (b.role, b.user_id, b.is_viewer) == ("partner_b", world.couple.partner_b.id, False)
    # A has no preferences row (default on); B turned analysis off.
    assert (a.analysis_enabled, b.analysis_enabled) == (True, False)
    assert (a.messages, a.analysed, b.messages, b.analysed) == (5, 3, 5, 5)
    assert a.average_sentiment == pytest.approx(0.25 / 3)
    assert b.average_sentiment == pytest.approx(0.2)
    assert (
        a.gottman.criticism,
        a.gottman.contempt,
        a.gottman.defensiveness,
        a.gottman.stonewalling,
    ) == (1, 0, 1, 0)
    assert (
        b.gottman.criticism,
        b.gottman.contempt,
        b.gottman.defensiveness,
        b.gottman.stonewalling,
    ) == (0, 1, 0, 1)
    # A replied after 30 min (m3), 30 min (m6) and 25 h 15 min (m9): median 30 min.
    # B after 10 min, 20 min, 60 min and 30 min: percentile_cont interpolates 20 and 30.
    assert (a.replies, a.median_reply_s) == (3, 1800.0)
    assert (b.replies, b.median_reply_s) == (4, 1500.0)

    assert [(t.tag, t.count) for t in got.top_emotions] == [
        ("joy", 3),
        ("frustrated", 2),
        ("love", 2),
        ("contempt", 1),
    ]
    assert [(t.tag, t.count) for t in got.top_triggers] == [
        ("whatever", 1),
        ("you always", 1),
        ("you never", 1),
    ]

    timeline = got.escalations
    assert (timeline.total, timeline.high, timeline.critical) == (2, 1, 1)
    assert [(e.message_id, e.severity, e.sender_role) for e in timeline.events] == [
        (ids["m4"], "critical", "partner_b"),
        (ids["m3"], "high", "partner_a"),
    ]

    luna = got.luna_usage  # the viewer's own
    assert (luna.reviews_requested, luna.suggestions_shown) == (6, 5)
    assert (luna.accepted, luna.modified, luna.rejected, luna.ignored) == (1, 1, 1, 1)
    assert (luna.answered, luna.acceptance_rate) == (4, 0.5)

    # README formula: S = (0.15625 + 1) / 2, H = 1 - (1 + 2*1 + 1 + 1) / 8,
    # E = 1 - 2 / (0.5 * 8), B = 5 / 5; 100 * (.4*.578125 + .25*.375 + .2*.5 + .15*1) = 57.5
    health = got.health
    assert health.sentiment == pytest.approx(0.578125)
    assert health.horsemen == pytest.approx(0.375)
    assert health.escalation == pytest.approx(0.5)
    assert health.balance == 1.0
    assert health.score == 58

    # The partner sees the same couple figures, and only their own Luna usage.
    async with sessionmaker() as session:
        seen_by_b = await messaging_insights(
            session,
            viewer=Viewer(world.couple.partner_b.id),
            relationship_id=world.relationship_id,
            days=7,
            now=NOW,
        )
    assert seen_by_b.health == health
    assert seen_by_b.daily == got.daily
    assert [p.is_viewer for p in seen_by_b.partners] == [False, True]
    assert (seen_by_b.luna_usage.reviews_requested, seen_by_b.luna_usage.acceptance_rate) == (
        1,
        1.0,
    )


async def test_another_couples_id_is_not_found_and_days_are_bounded(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    other = await make_couple(session)
    viewer = Viewer(world.couple.partner_a.id)
    async with sessionmaker() as s:
        with pytest.raises(NotFound):
            await messaging_insights(s, viewer=viewer, relationship_id=other.relationship.id)
        for days in (0, 366, -1):
            with pytest.raises(BadUserInput) as caught:
                await messaging_insights(s, viewer=viewer, days=days)
            assert caught.value.field == "days"
        assert (await messaging_insights(s, viewer=viewer, days=1)).days == 1
        assert (await messaging_insights(s, viewer=viewer, days=365)).days == 365


async def test_a_couple_without_messages_has_no_score(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    couple = await make_couple(session)  # no conversation yet
    async with sessionmaker() as s:
        got = await messaging_insights(s, viewer=Viewer(couple.partner_b.id), now=NOW)
    assert got.total_messages == 0
    assert len(got.daily) == 30
    assert got.health.score is None
    assert got.luna_usage.acceptance_rate is None
    assert [p.median_reply_s for p in got.partners] == [None, None]


async def test_the_number_of_queries_does_not_grow_with_the_messages(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    small = await make_couple(session, commit=False)
    small_conversation = await make_conversation(session, small)
    large = await make_couple(session, commit=False)
    large_conversation = await make_conversation(session, large)
    await session.commit()
    await seed_many(session, small_conversation.id, 10)
    await seed_many(session, large_conversation.id, 100_000)

    counts = []
    for couple, expected_total in ((small, 10), (large, 100_000)):
        async with sessionmaker() as s:
            with count_statements(engine) as statements:
                got = await messaging_insights(s, viewer=Viewer(couple.partner_a.id), now=NOW)
        assert got.total_messages == expected_total
        counts.append(len(statements))
    assert counts == [6, 6]  # membership + messages, tags, replies, Luna usage, escalations


def test_the_score_weighs_its_parts_as_the_readme_says() -> None:
    perfect = health_score(ScoreInputs(10, 1.0, 0, 0, 0, 0, 0, 5, 5))
    assert perfect.score == 100
    worst = health_score(ScoreInputs(10, -1.0, 10, 10, 10, 10, 10, 10, 0))
    assert (worst.score, worst.sentiment, worst.horsemen, worst.escalation, worst.balance) == (
        0,
        0,
        0,
        0,
        0,
    )
    neutral = health_score(ScoreInputs(4, 0.0, 0, 0, 0, 0, 0, 2, 2))
    assert neutral.score == 80  # 100 * (.4 * .5 + .25 + .2 + .15)
    assert health_score(ScoreInputs(0, None, 0, 0, 0, 0, 0, 3, 1)).score is None
