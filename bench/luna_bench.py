"""Luna's cost on hostile input: `.venv/bin/python -m bench.luna_bench [--quick]`.

1. CPU, in this process, median of cold runs (the score cache cleared before each): the
   offline screen (`review_draft_sync`, no context), review and analysis (ten context
   messages: the same input again) of each adversarial input; the same for their first
   `INLINE_CHARS` characters and for short drafts that need a rewrite (what may run on the
   event loop); and a round trip to the worker pool.
2. A real `luna-graphql serve` process, analysis worker on: one client sends each input
   through `sendMessage` (default preferences: the screen runs) while another posts
   `{ __typename }` every 5 ms on a keep-alive connection, from the first send until every
   message is analysed. Its slowest answer is the longest the event loop stalled.

Writes docs/luna_cost.md. Uses $LUNA_BENCH_DATABASE_URL's server (in a fresh database) or
an embedded PostgreSQL of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg
import psutil

from bench.bench_clients import RawHttp
from bench.bench_env import (
    LUNA,
    Server,
    asyncpg_dsn,
    drop_database,
    free_port,
    fresh_database,
    make_couples,
    postgres_server,
    start_process,
)
from bench.luna_report import REPORT, CpuRow, ServerRun, write_report
from luna_graphql.ai import offload, sentiment
from luna_graphql.ai.local import INLINE_CHARS, analyze_message_sync, review_draft_sync
from luna_graphql.ai.models import ContextMessage

EMOJI = ["😂", "❤️", "👍🏽", "🇫🇷", "👨‍👩‍👧‍👦", "🥰", "😭"]
SENDABLE: dict[str, str] = {
    "5,000 × 😂": "😂" * 5000,
    "7 emoji kinds (ZWJ, skin tone, flag, VS16)": "".join(EMOJI[i % 7] for i in range(5000))[:5000],
    "2,500 one-letter words": " ".join("abcdefghij"[i % 10] for i in range(2500)),
    "one 5,000-char word": "a" * 5000,
    "mixed scripts, RTL, combining marks": (
        "Hello мир שלום עולם مرحبا 你好 e\u0301\u0302 नमस्ते \u202eevil\u202c 🙂 " * 100
    )[:5000],
    "hostile phrases": ("you never listen, you idiot! poor baby 😘 " * 120)[:5000],
    "normal short message": "Running late, see you at 7? ❤️",
}
CPU_ONLY: dict[str, str] = {
    "5,000 one-letter words": " ".join("abcdefghij"[i % 10] for i in range(5000)),
    "lone surrogates": "\ud83d\ude02\udc00" * 1666 + "\ud83d\ude02",
}
NEEDS_REWRITE = ["whatever", "You are such an idiot", "You never listen and you always interrupt!"]
SERVER_ENV = {
    "LUNA_RATE_LIMIT_SEND": "100000000/minute",
    "LUNA_ANALYSIS_WORKER_ENABLED": "true",
    "LUNA_ANALYSIS_POLL_INTERVAL_S": "0.2",
}
TYPENAME = json.dumps({"query": "{ __typename }"}).encode()


def _cold_ms(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        sentiment.clear_cache()
        started = time.thread_time()
        call()
        times.append((time.thread_time() - started) * 1000)
    return statistics.median(times)


def measure_cpu(texts: dict[str, str], runs: int, *, context: int) -> list[CpuRow]:
    rows = []
    for name, text in texts.items():
        ctx = [ContextMessage(author="partner", text=text)] * context
        row = CpuRow(
            name,
            len(text),
            _cold_ms(lambda t=text: review_draft_sync(t, ()), runs),
            _cold_ms(lambda t=text, c=ctx: analyze_message_sync(t, c), runs),
        )
        if context:
            row.review_ms = _cold_ms(lambda t=text, c=ctx: review_draft_sync(t, c), runs)
        rows.append(row)
        print(row, flush=True)
    return rows


async def measure_round_trip(runs: int) -> tuple[float, float]:
    """A short draft's screen through the pool: (latency p50, event-loop thread CPU p50)."""
    await offload.run(review_draft_sync, "warm up", ())
    latency, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        await offload.run(review_draft_sync, "See you at 7 for dinner?", ())
        latency.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    await offload.ashutdown()
    return statistics.median(latency), statistics.median(cpu)


async def _probe(port: int, out: list[float], stop: asyncio.Event) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(TYPENAME)}\r\n\r\n"
    ).encode()
    try:
        while not stop.is_set():
            started = time.perf_counter()
            writer.write(head + TYPENAME)
            headers = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line[15:])
                for line in headers.split(b"\r\n")
                if line[:15].lower() == b"content-length:"
            )
            body = await reader.readexactly(length)
            out.append((time.perf_counter() - started) * 1000)
            assert b'"Query"' in body, body
            await asyncio.sleep(0.005)
    finally:
        writer.close()


def _start(url: str, logs: Path) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    env.update(SERVER_ENV, LUNA_DATABASE_URL=url)
    port = free_port()
    return start_process([LUNA, "serve", "--port", str(port)], env, port, logs, "server")


async def _pending(url: str) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        query = "SELECT count(*) FROM partner_messages WHERE analysis_status = 'pending'"
        count: int = await connection.fetchval(query)
        return count
    finally:
        await connection.close()


async def measure_server(url: str, logs: Path, repeats: int) -> ServerRun:
    run = ServerRun()
    server = _start(url, logs)  # migrates the fresh database
    try:
        couple = (await make_couples(url, 1))[0]
        for out, sending in ((run.idle, False), (run.probes, True)):
            stop = asyncio.Event()
            probe = asyncio.create_task(_probe(server.port, out, stop))
            if not sending:
                await asyncio.sleep(1.0)
            else:
                sender = await RawHttp("127.0.0.1", server.port).connect()
                for _ in range(repeats):
                    for name, text in SENDABLE.items():
                        started = time.perf_counter()
                        await sender.send_message(couple.a_token, couple.conversation_id, text)
                        elapsed = (time.perf_counter() - started) * 1000
                        run.sends.setdefault(name, []).append(elapsed)
                while await _pending(url):
                    await asyncio.sleep(0.2)
                run.analysed = repeats * len(SENDABLE)
            stop.set()
            await probe
        process = psutil.Process(server.process.pid)
        workers = [c for c in process.children(True) if "spawn_main" in " ".join(c.cmdline())]
        run.cpu_s = (sum(process.cpu_times()[:2]), sum(sum(w.cpu_times()[:2]) for w in workers))
    finally:
        server.stop()
    return run


async def run(quick: bool) -> None:
    load_before = os.getloadavg()[0]
    runs = 3 if quick else 7
    review_draft_sync("warm up: you never listen 😂", ())  # lexicons and patterns loaded
    cpu = measure_cpu({**SENDABLE, **CPU_ONLY}, runs, context=10)
    short = {
        f"{name}, first {INLINE_CHARS}": text[:INLINE_CHARS] for name, text in SENDABLE.items()
    }
    inline = measure_cpu(short | {f"“{d}”": d for d in NEEDS_REWRITE}, runs * 3, context=0)
    trip = await measure_round_trip(runs * 10)
    logs = Path(tempfile.mkdtemp(prefix="luna-cost-logs-"))
    with postgres_server() as server_url:
        url = await fresh_database(server_url)
        try:
            server_run = await measure_server(url, logs, 1 if quick else 3)
        finally:
            await drop_database(url)
    machine = (
        f"{platform.machine()}, {psutil.cpu_count()} cores, Python {platform.python_version()}; "
        f"1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; other "
        "work shares the cores"
    )
    write_report(cpu, inline, trip, server_run, machine, quick, senders=len(SENDABLE))
    print(REPORT.read_text())
    print(f"wrote {REPORT} (server log in {logs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke run")
    asyncio.run(run(parser.parse_args().quick))


if __name__ == "__main__":
    main()
