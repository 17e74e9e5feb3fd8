"""The analysis worker reads sealed messages as the partners wrote them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.models import ContextMessage, MessageAnalysis
from luna_graphql.crypto import generate_encryption_key
from luna_graphql.db.engine import build_sessionmaker
from luna_graphql.db.models import PartnerMessage
from luna_graphql.realtime.events import NotifyEmitter
from luna_graphql.services.analysis_worker import drain_pending
from luna_graphql.settings import Settings
from tests.api.conftest import serve
from tests.api.helpers import CoupleClients, GraphQLClient
from tests.encryption.conftest import encrypted_settings

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


async def test_a_message_no_key_opens_fails_its_own_job_only(
    database_url: str, pair: CoupleClients, engine: AsyncEngine, settings: Settings
) -> None:
    async with serve(
        encrypted_settings(database_url, keys=generate_encryption_key("lost"))
    ) as http:
        lost = await pair.send(GraphQLClient(http, pair.a.token), "words under a lost key")
    readable = await pair.send(pair.b, "Thank you so much, I love you 💕")
    assistant = RecordingAssistant()
    handled = await drain_pending(
        sessionmaker=build_sessionmaker(engine),
        assistant=assistant,
        emitter=NotifyEmitter(),
        settings=settings,
    )
    assert handled == 2
    # The readable message is analysed, without the context message it cannot read.
    assert assistant.seen == [("Thank you so much, I love you 💕", [])]
    async with build_sessionmaker(engine)() as session:
        rows = {
            str(row.id): row
            for row in await session.execute(
                select(
                    PartnerMessage.id,
                    PartnerMessage.analysis_status,
                    PartnerMessage.analysis_error,
                    PartnerMessage.analysis_attempts,
                ).where(PartnerMessage.id.in_([uuid.UUID(lost["id"]), uuid.UUID(readable["id"])]))
            )
        }
    assert rows[readable["id"]].analysis_status == "done"
    failed = rows[lost["id"]]
    assert (failed.analysis_status, failed.analysis_attempts) == ("pending", 1)  # retried later
    assert failed.analysis_error.startswith("unreadable: ") and "'lost'" in failed.analysis_error
    assert "words" not in failed.analysis_error
