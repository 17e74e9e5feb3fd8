"""`messagingInsights` end to end: messages sent over GraphQL, analysed by a running worker
beside the app, then read back as the dashboard; and the query's error codes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.ai.local import LocalAssistant
from luna_graphql.realtime.events import NotifyEmitter
from luna_graphql.services.analysis_worker import start_analysis_worker
from tests.analysis.helpers import wait_for
from tests.api.conftest import make_settings, serve
from tests.api.helpers import GraphQLClient, make_couple_clients

INSIGHTS = """
query($rel: ID, $days: Int) {
  messagingInsights(relationshipId: $rel, days: $days) {
    relationshipId days totalMessages analyzedMessages averageSentiment
    daily { date messages analyzedMessages escalations byPartner { partner userId messages } }
    partners {
      partner userId isViewer analysisEnabled messages analyzedMessages averageSentiment
      gottmanMarkers { criticism contempt defensiveness stonewalling }
      replies medianReplySeconds
    }
    topEmotions { tag count }
    topTriggers { tag count }
    escalations { total high critical events { severity partner messageId createdAt } }
    lunaUsage { reviewsRequested suggestionsShown accepted modified rejected ignored acceptanceRate }
    health { score sentiment horsemen escalation balance }
  }
}
"""


async def test_the_dashboard_shows_what_the_worker_analysed(
    database_url: str, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    settings = make_settings(database_url, analysis_poll_interval_s=0.05)
    async with serve(settings) as http:
        pair = await make_couple_clients(session, http, settings)
        # Blair sends a critical message as written: Luna stays out of it.
        await pair.b.data(
            "mutation { updateMessagingPreferences(input: "
            "{suggestionMode: OFF, interventionEnabled: false}) { suggestionMode } }"
        )
        worker = start_analysis_worker(
            sessionmaker=sessionmaker,
            assistant=LocalAssistant(),
            emitter=NotifyEmitter(),
            settings=settings,
        )
        try:
            await pair.send(pair.a, "I love you so much")
            await pair.send(pair.b, "You never help with the dishes!")
            await pair.send(pair.a, "Sorry, I'll do them tonight")

            async def all_analysed() -> dict[str, object] | None:
                data = await pair.a.data(INSIGHTS)
                got: dict[str, object] = data["messagingInsights"]
                return got if got["analyzedMessages"] == 3 else None

            got = await wait_for(all_analysed)
        finally:
            await worker.stop()

        assert got["relationshipId"] == pair.relationship_id
        assert (got["days"], got["totalMessages"]) == (30, 3)
        today = got["daily"][-1]
        assert today["messages"] == 3
        assert today["byPartner"] == [
            {"partner": "PARTNER_A", "userId": pair.a_id, "messages": 2},
            {"partner": "PARTNER_B", "userId": pair.b_id, "messages": 1},
        ]
        a, b = got["partners"]
        assert (a["isViewer"], a["analysisEnabled"], a["messages"]) == (True, True, 2)
        assert (b["isViewer"], b["replies"]) == (False, 1)
        assert b["gottmanMarkers"]["criticism"] == 1
        assert got["topTriggers"] == [{"tag": "you never", "count": 1}]
        assert got["escalations"]["total"] == 1
        assert got["escalations"]["events"][0]["partner"] == "PARTNER_B"
        assert got["lunaUsage"]["acceptanceRate"] is None
        assert 0 <= got["health"]["score"] <= 100

        # Partner B sees the same couple figures.
        seen_by_b = (await pair.b.data(INSIGHTS, {"rel": pair.relationship_id}))[
            "messagingInsights"
        ]
        assert seen_by_b["health"] == got["health"]
        assert [p["isViewer"] for p in seen_by_b["partners"]] == [False, True]


async def test_error_codes(database_url: str, session: AsyncSession) -> None:
    settings = make_settings(database_url)
    async with serve(settings) as http:
        pair = await make_couple_clients(session, http, settings)
        others = await make_couple_clients(session, http, settings, a_name="Casey", b_name="Drew")
        assert await pair.a.error_code(INSIGHTS, {"rel": others.relationship_id}) == "NOT_FOUND"
        assert await pair.a.error_code(INSIGHTS, {"rel": "not-an-id"}) == "BAD_USER_INPUT"
        for days in (0, 366):
            assert await pair.a.error_code(INSIGHTS, {"days": days}) == "BAD_USER_INPUT"
        anonymous = GraphQLClient(http)
        assert await anonymous.error_code(INSIGHTS) == "UNAUTHENTICATED"
        data = await pair.b.data(INSIGHTS, {"days": 365})
        assert len(data["messagingInsights"]["daily"]) == 365


async def test_a_partner_with_analysis_off_shows_it(
    database_url: str, session: AsyncSession
) -> None:
    settings = make_settings(database_url)
    async with serve(settings) as http:
        pair = await make_couple_clients(session, http, settings)
        await pair.b.data(
            "mutation { updateMessagingPreferences(input: {analysisEnabled: false}) "
            "{ analysisEnabled } }"
        )
        data = await pair.a.data(INSIGHTS)
        flags = [p["analysisEnabled"] for p in data["messagingInsights"]["partners"]]
        assert flags == [True, False]
