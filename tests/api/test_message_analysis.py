"""`Message.analysis`: the couple's shared view of background analysis, batched per page."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from luna_graphql.ai.local import LocalAssistant
from luna_graphql.realtime.events import NotifyEmitter
from luna_graphql.services.analysis_worker import drain_pending
from luna_graphql.settings import Settings
from tests.api.conftest import make_settings
from tests.api.helpers import CoupleClients, counting_statements

PAGE = """
query($id: ID!) {
  messages(conversationId: $id) {
    edges { node { id content analysis {
      status sentimentLabel sentimentScore emotions detectedTriggers escalationRisk
      gottmanMarkers { criticism contempt defensiveness stonewalling }
    } } }
  }
}
"""


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The test drains the queue itself, so no background worker races it (or the counts).
    return make_settings(database_url, analysis_worker_enabled=False)


async def _page(pair: CoupleClients, client: Any) -> list[dict[str, Any]]:
    data = await client.data(PAGE, {"id": pair.conversation_id})
    return [edge["node"] for edge in data["messages"]["edges"]]


async def test_both_partners_read_the_same_analysis(
    pair: CoupleClients, app: Starlette, settings: Settings
) -> None:
    # Active intervention would stop this draft (a known trigger); here it is meant to go out.
    await pair.a.data(
        "mutation { updateMessagingPreferences(input: {interventionEnabled: false}) { interventionEnabled } }"
    )
    await pair.send(pair.a, "You never listen to me. Whatever.")
    [pending] = await _page(pair, pair.b)
    assert pending["analysis"]["status"] == "PENDING"
    assert pending["analysis"]["sentimentLabel"] is None

    handled = await drain_pending(
        sessionmaker=app.state.sessionmaker,
        assistant=LocalAssistant(),
        emitter=NotifyEmitter(),
        settings=settings,
    )
    assert handled == 1
    [seen_by_a] = await _page(pair, pair.a)
    [seen_by_b] = await _page(pair, pair.b)
    assert seen_by_a["analysis"] == seen_by_b["analysis"]
    analysis = seen_by_b["analysis"]
    assert analysis["status"] == "DONE"
    assert analysis["sentimentLabel"] in {"NEGATIVE", "negative", "MIXED", "mixed"}
    assert analysis["escalationRisk"] is not None
    assert analysis["detectedTriggers"]
    assert analysis["gottmanMarkers"]["criticism"] or analysis["gottmanMarkers"]["stonewalling"]


async def test_a_page_of_analyses_costs_one_query_whatever_its_size(
    pair: CoupleClients, app: Starlette
) -> None:
    async def count_for_page() -> int:
        with counting_statements(app.state.engine) as statements:
            await _page(pair, pair.b)
        return len(statements)

    await pair.send(pair.a, "first")
    small = await count_for_page()
    for n in range(30):
        await pair.send(pair.a, f"message {n}")
    assert await count_for_page() == small


async def test_an_outsider_never_reads_the_couples_analyses(
    pair: CoupleClients, outsiders: CoupleClients, session: AsyncSession
) -> None:
    await pair.send(pair.a, "hello")
    result = await outsiders.a.execute(PAGE, {"id": pair.conversation_id})
    assert result.codes == ["NOT_FOUND"]
