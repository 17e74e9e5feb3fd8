"""The limit: asyncpg INSERT + pg_notify in one transaction on one connection → LISTEN."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import asyncpg

from bench.bench_clients import percentile

INSERT = (
    "INSERT INTO partner_messages (conversation_id, sender_id, content) "
    "VALUES ($1, 'partner_a', $2) RETURNING id, seq"
)


@dataclass
class RawResult:
    rows: int
    rows_per_s: float
    p50_ms: float
    p99_ms: float


async def measure_raw_limit(dsn: str, conversation_id: str, rows: int) -> RawResult:
    channel = "luna_bench_raw"  # no server process listens here
    writer = await asyncpg.connect(dsn)
    listener = await asyncpg.connect(dsn)
    started: dict[int, float] = {}
    latencies: list[float] = []
    done = asyncio.Event()
    conv = uuid.UUID(conversation_id)

    def on_notify(_conn: object, _pid: int, _channel: str, payload: str) -> None:
        now = time.perf_counter()
        latencies.append(now - started[int(payload)])
        if len(latencies) == rows:
            done.set()

    await listener.add_listener(channel, on_notify)
    try:
        for i in range(200):  # warm-up: plan caches, buffers
            async with writer.transaction():
                await writer.fetchrow(INSERT, conv, f"warm {i}")
        first = time.perf_counter()
        for i in range(rows):
            started[i] = time.perf_counter()
            async with writer.transaction():
                await writer.fetchrow(INSERT, conv, f"raw {i}")
                await writer.execute("SELECT pg_notify($1, $2)", channel, str(i))
        await asyncio.wait_for(done.wait(), 30)
        elapsed = time.perf_counter() - first
    finally:
        await listener.close()
        await writer.close()
    return RawResult(
        rows=rows,
        rows_per_s=rows / elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
    )
