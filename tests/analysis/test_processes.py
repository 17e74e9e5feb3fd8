"""Worker processes: `luna-graphql analyze --pending` against a real model server over HTTP.

Two processes share 200 jobs and analyse each exactly once; a worker killed in the middle
of its jobs loses none of them. The model is a local OpenAI-compatible server (uvicorn in
a thread), which the processes reach through the real `openai` client.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.engine import build_engine, build_sessionmaker
from luna_graphql.db.migrate import upgrade_database
from luna_graphql.db.models import EscalationEvent, PartnerMessage
from tests.ai.openai_server import FakeOpenAI
from tests.analysis.conftest import World
from tests.analysis.helpers import analyses_by_text, local_analysis, send
from tests.factories import make_conversation, make_couple
from tests.pgtools import ThrowawayPostgres

LUNA = str(Path(sys.executable).with_name("luna-graphql"))
CRITICAL = "You always do this. You're disgusting and I'm sick of you. Whatever."


def worker_env(database_url: str, model: FakeOpenAI, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    env.update(
        {
            "LUNA_DATABASE_URL": database_url,
            "LUNA_ASSISTANT_PROVIDER": "openai",
            "LUNA_OPENAI_BASE_URL": model.base_url,
            "LUNA_OPENAI_API_KEY": "test-key",
            "LUNA_OPENAI_MODEL": "test-model",
            "LUNA_ASSISTANT_TIMEOUT_S": "60",
        }
    )
    env.update(extra)
    return env


@contextmanager
def analyze_processes(
    env: Mapping[str, str], tmp_path: Path, count: int, name: str = "worker"
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` `luna-graphql analyze --pending` processes, killed by pid if still running."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for n in range(count):
            with (tmp_path / f"{name}-{n}.log").open("wb") as log:
                processes.append(
                    subprocess.Popen(
                        [LUNA, "analyze", "--pending"],
                        env=dict(env),
                        cwd=tmp_path,  # no stray .env
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(10)


def handled(tmp_path: Path, n: int) -> int:
    log = (tmp_path / f"worker-{n}.log").read_text()
    marker = " queued, "
    line = next(line for line in log.splitlines() if marker in line)
    return int(line.split(marker)[1].split(" jobs handled")[0])


async def test_two_worker_processes_analyse_each_of_200_messages_exactly_once(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    world: World,
    model_server: FakeOpenAI,
    tmp_path: Path,
) -> None:
    # A little latency per call keeps both processes busy at the same time.
    model_server.reset(local_analysis(lambda: 0.05))
    texts = [
        f"{CRITICAL} #{n}" if n % 10 == 0 else f"Can you grab milk on the way home? #{n}"
        for n in range(200)
    ]
    ids = [
        await send(sessionmaker, world.conversation_id, t, ("partner_a", "partner_b")[n % 2])
        for n, t in enumerate(texts)
    ]
    env = worker_env(database_url, model_server, LUNA_ANALYSIS_BATCH_SIZE="10")
    with analyze_processes(env, tmp_path, 2) as processes:
        for process in processes:
            assert await asyncio.to_thread(process.wait, 120) == 0

    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(
                    PartnerMessage.id,
                    PartnerMessage.analysis_status,
                    PartnerMessage.analysis_attempts,
                    PartnerMessage.metadata_["analysis"]["runs"].as_integer(),
                ).where(PartnerMessage.id.in_(ids))
            )
        ).all()
        escalated = Counter((await session.scalars(select(EscalationEvent.message_id))).all())
    assert len(rows) == 200
    assert {(status, attempts, runs) for _, status, attempts, runs in rows} == {("done", 1, 1)}
    # Each message reached the model once, and each critical one escalated once.
    assert analyses_by_text(model_server) == dict.fromkeys(texts, 1)
    critical = {ids[n] for n in range(0, 200, 10)}
    assert escalated == dict.fromkeys(critical, 1)
    # Both processes did part of the work.
    shares = [handled(tmp_path, n) for n in range(2)]
    assert sum(shares) == 200
    assert min(shares) > 0, shares


@pytest.fixture
def throwaway_database() -> Iterator[str]:
    """A PostgreSQL of this test's own: fault tests never touch the shared server."""
    with ThrowawayPostgres() as pg:
        upgrade_database(pg.dsn)
        yield pg.dsn


async def test_a_killed_worker_loses_no_job(
    throwaway_database: str, model_server: FakeOpenAI, tmp_path: Path
) -> None:
    delay = {"s": 60.0}  # the model is slow until the test says otherwise
    model_server.reset(local_analysis(lambda: delay["s"]))
    engine = build_engine(throwaway_database)
    sessionmaker = build_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            couple = await make_couple(session, commit=False)
            conversation = await make_conversation(session, couple)
            await session.commit()
        texts = [f"Running late, sorry! #{n} {uuid.uuid4().hex[:6]}" for n in range(3)]
        ids = [await send(sessionmaker, conversation.id, t) for t in texts]
        env = worker_env(throwaway_database, model_server, LUNA_ANALYSIS_LEASE_S="4")

        with analyze_processes(env, tmp_path, 1) as (victim,):
            deadline = time.monotonic() + 30
            while len(model_server.received) < 3:  # the worker holds all three jobs
                assert victim.poll() is None, (tmp_path / "worker-0.log").read_text()
                assert time.monotonic() < deadline
                await asyncio.sleep(0.02)
            victim.send_signal(signal.SIGKILL)
            assert await asyncio.to_thread(victim.wait, 10) == -signal.SIGKILL

        async def states() -> set[tuple[str | None, int]]:
            async with sessionmaker() as session:
                rows = await session.execute(
                    select(PartnerMessage.analysis_status, PartnerMessage.analysis_attempts)
                )
                return {(status, attempts) for status, attempts in rows.all()}

        assert await states() == {("pending", 1)}  # leased by the dead worker, not lost
        delay["s"] = 0.0

        async with sessionmaker() as session:
            lease_left = await session.scalar(
                select(func.max(PartnerMessage.analysis_available_at) - func.now())
            )
        assert lease_left is not None
        # Once the lease runs out, the next worker picks the jobs up and finishes them.
        await asyncio.sleep(lease_left.total_seconds() + 0.2)
        with analyze_processes(env, tmp_path, 1, name="successor") as (successor,):
            assert await asyncio.to_thread(successor.wait, 60) == 0
        assert await states() == {("done", 2)}
        async with sessionmaker() as session:
            runs = await session.scalars(
                select(PartnerMessage.metadata_["analysis"]["runs"].as_integer()).where(
                    PartnerMessage.id.in_(ids)
                )
            )
            assert list(runs) == [1, 1, 1]
        assert analyses_by_text(model_server) == dict.fromkeys(texts, 2)
    finally:
        await engine.dispose()
