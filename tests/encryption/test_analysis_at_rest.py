"""The analysis worker reads sealed messages as the partners wrote them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.models import ContextMessage, MessageAnalysis
from luna_graphql.db.engine import build_sessionmaker
from luna_graphql.realtime.events import NotifyEmitter
from luna_graphql.services.analysis_worker import drain_pending
from luna_graphql.settings import Settings
from tests.api.helpers import CoupleClients

ANALYSED = """
query($id: ID!) { messages(conversationId: $id) { edges { node { content analysis {
  status sentimentLabel } } } } }
"""


class RecordingAssistant(LocalAssistant):
    """The offline assistant, remembering what it was given to analyse."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[str]]] = []

    async def analyze_message(
        self, text: str, *, context: Sequence[ContextMessage]
    ) -> MessageAnalysis:
        self.seen.append((text, [c.text for c in context]))
        return await super().analyze_message(text, context=context)


async def test_the_worker_analyses_plain_text_with_plain_context(
    pair: CoupleClients, engine: AsyncEngine, settings: Settings
) -> None:
    texts = ["Dinner at 7? 🍝", "Yes! I love you so much, thank you for today 💕"]
    for client, text in zip((pair.a, pair.b), texts, strict=True):
        await pair.send(client, text)
    assistant = RecordingAssistant()
    handled = await drain_pending(
        sessionmaker=build_sessionmaker(engine),
        assistant=assistant,
        emitter=NotifyEmitter(),
        settings=settings,
    )
    assert handled == 2
    assert sorted(assistant.seen) == sorted([(texts[0], []), (texts[1], [texts[0]])])
    edges = (await pair.a.data(ANALYSED, {"id": pair.conversation_id}))["messages"]["edges"]
    nodes = [e["node"] for e in edges]
    assert [n["content"] for n in nodes] == texts
    assert [n["analysis"]["status"] for n in nodes] == ["DONE", "DONE"]
    assert nodes[1]["analysis"]["sentimentLabel"] == "positive"
