"""A real `luna-graphql serve` process keeps answering while it screens and analyses 5,000
emoji: the offline assistant's work on large input runs in its worker pool, off the event
loop, and the pool ends with the server.

No timing thresholds: with the pool's workers stopped, a send must wait on them while
another client's `{ __typename }` is answered; then both, and the analyses, complete.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.conftest import TEST_SECRET, make_settings
from tests.api.helpers import CoupleClients, GraphQLClient, make_couple_clients
from tests.procs import ServerProcess, start_server, wait_healthy

HUGE = [
    "😂" * 5000,
    "".join(["😂", "❤️", "👍🏽", "🇫🇷", "👨‍👩‍👧‍👦", "🥰", "😭"][i % 7] for i in range(5000))[:5000],
]

ANALYSES = """
query($id: ID!) { messages(conversationId: $id) { edges { node { id analysis { status } } } } }
"""


def _server(database_url: str, tmp_path: Path) -> ServerProcess:
    return start_server(
        {
            "LUNA_DATABASE_URL": database_url,
            "LUNA_JWT_SECRET": TEST_SECRET,
            "LUNA_ASSISTANT_PROVIDER": "local",
            "LUNA_ANALYSIS_WORKER_ENABLED": "true",
            "LUNA_ANALYSIS_POLL_INTERVAL_S": "0.1",
            "LUNA_RATE_LIMIT_SEND": "10000/minute",
        },
        tmp_path,
    )


async def _analysed(pair: CoupleClients, ids: set[str]) -> dict[str, Any]:
    """The messages' analysis statuses once none is pending (or after 60 s)."""
    statuses: dict[str, Any] = {}
    for _ in range(600):
        data = await pair.a.data(ANALYSES, {"id": pair.conversation_id})
        statuses = {
            edge["node"]["id"]: (edge["node"]["analysis"] or {}).get("status")
            for edge in data["messages"]["edges"]
            if edge["node"]["id"] in ids
        }
        if len(statuses) == len(ids) and not {None, "PENDING"} & set(statuses.values()):
            return statuses
        await asyncio.sleep(0.1)
    return statuses


def _pool_workers(server: ServerProcess) -> list[psutil.Process]:
    children = psutil.Process(server.process.pid).children(recursive=True)
    return [child for child in children if "spawn_main" in " ".join(child.cmdline())]


async def test_a_5000_emoji_send_leaves_other_clients_answered(
    session: AsyncSession, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url)
    server = _server(database_url, tmp_path)
    processes: list[psutil.Process] = []
    try:
        await asyncio.to_thread(wait_healthy, server)
        async with (
            httpx.AsyncClient(base_url=server.base_url, timeout=60) as http,
            httpx.AsyncClient(base_url=server.base_url, timeout=60) as other,
        ):
            pair = await make_couple_clients(session, http, settings)
            probe = GraphQLClient(other)
            first = await pair.send(pair.a, HUGE[0])  # screened in the pool, which it starts
            assert await _analysed(pair, {first["id"]}) == {first["id"]: "DONE"}
            workers = _pool_workers(server)
            processes = psutil.Process(server.process.pid).children(recursive=True)
            assert workers, "the screen of 5,000 emoji should have started the worker pool"
            # With its workers stopped, the pool cannot answer: a send that waits on it while
            # other clients are answered shows the screen runs there, off the event loop.
            for worker in workers:
                worker.suspend()
            try:
                send = asyncio.create_task(pair.send(pair.a, HUGE[1]))
                await asyncio.sleep(0.5)  # sequencing only: the send reaches the server first
                for _ in range(3):
                    assert await probe.data("{ __typename }") == {"__typename": "Query"}
                assert not send.done()
            finally:
                for worker in workers:
                    worker.resume()
            second = await send
            statuses = await _analysed(pair, {first["id"], second["id"]})
            assert [first["content"], second["content"]] == HUGE
            assert set(statuses.values()) == {"DONE"}, statuses
    finally:
        code = server.stop()
    assert code in (0, 128 + signal.SIGTERM), server.log()
    # The pool's processes end with the server.
    _, alive = psutil.wait_procs(processes, timeout=10)
    assert alive == [], server.log()
