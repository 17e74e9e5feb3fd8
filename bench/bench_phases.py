"""End-to-end phases: latency, sustained throughput, fan-out, memory per idle subscription."""

from __future__ import annotations

import asyncio
import gc
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import psutil

from bench.bench_clients import RawHttp, Subscriber, percentile
from bench.bench_env import BenchCouple, Server


@dataclass
class LatencyResult:
    messages: int
    p50_ms: float
    p99_ms: float


@dataclass
class ThroughputResult:
    messages: int
    couples: int
    senders: int
    msgs_per_s: float
    all_delivered: bool


@dataclass
class FanoutResult:
    subscribers: int
    rounds: int
    p50_ms: float
    max_ms: float


@dataclass
class MemoryResult:
    sockets: int
    kib_per_subscription: float


def _host_port(server: Server) -> tuple[str, int]:
    return "127.0.0.1", server.port


async def measure_latency(
    sender: Server, receiver: Server, couple: BenchCouple, messages: int, warmup: int = 100
) -> LatencyResult:
    received: dict[int, float] = {}
    arrived = asyncio.Event()

    def on_message(seq: int, at: float) -> None:
        received[seq] = at
        arrived.set()

    sub = await Subscriber.open(
        receiver.base_url, couple.b_token, couple.conversation_id, on_message
    )
    http = await RawHttp(*_host_port(sender)).connect()
    latencies = []
    try:
        await asyncio.sleep(0.5)
        for i in range(warmup + messages):
            started = time.perf_counter()
            payload = await http.send_message(couple.a_token, couple.conversation_id, f"lat {i}")
            seq = payload["data"]["sendMessage"]["message"]["seq"]
            while seq not in received:
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), 10)
            if i >= warmup:
                latencies.append(received[seq] - started)
    finally:
        await http.close()
        await sub.close()
    return LatencyResult(
        messages, percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    )


async def measure_throughput(
    sender: Server, receiver: Server, couples: list[BenchCouple], senders: int, messages: int
) -> ThroughputResult:
    seqs: dict[str, list[int]] = defaultdict(list)
    total = 0
    all_in = asyncio.Event()

    def collector(conversation_id: str):  # type: ignore[no-untyped-def]
        def on_message(seq: int, _at: float) -> None:
            nonlocal total
            seqs[conversation_id].append(seq)
            total += 1
            if total >= messages:
                all_in.set()

        return on_message

    subs = [
        await Subscriber.open(
            receiver.base_url, c.b_token, c.conversation_id, collector(c.conversation_id)
        )
        for c in couples
    ]
    await asyncio.sleep(1.0)
    sent: dict[str, int] = defaultdict(int)

    async def send_loop(worker: int) -> None:
        http = await RawHttp(*_host_port(sender)).connect()
        try:
            for k in range(worker, messages, senders):
                couple = couples[k % len(couples)]
                await http.send_message(couple.a_token, couple.conversation_id, f"tp {k}")
                sent[couple.conversation_id] += 1
        finally:
            await http.close()

    started = time.perf_counter()
    await asyncio.gather(*(send_loop(w) for w in range(senders)))
    await asyncio.wait_for(all_in.wait(), 120)
    elapsed = time.perf_counter() - started
    for sub in subs:
        await sub.close()
    exact = all(
        seqs[c.conversation_id] == list(range(1, sent[c.conversation_id] + 1)) for c in couples
    )
    return ThroughputResult(
        messages, len(couples), senders, messages / elapsed, exact and total == messages
    )


async def open_many(
    server: Server,
    couple: BenchCouple,
    count: int,
    on_message,
    concurrency: int = 50,  # type: ignore[no-untyped-def]
) -> list[Subscriber]:
    """`count` sockets with one subscription each, alternating the two partners."""
    subs: list[Subscriber] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            token = couple.b_token if i % 2 == 0 else couple.a_token
            subs.append(
                await Subscriber.open(server.base_url, token, couple.conversation_id, on_message)
            )

    await asyncio.gather(*(one(i) for i in range(count)))
    return subs


async def measure_fanout(
    sender: Server, receiver: Server, couple: BenchCouple, subscribers: int, rounds: int
) -> FanoutResult:
    async def send(http: RawHttp, i: int) -> int:
        payload = await http.send_message(couple.a_token, couple.conversation_id, f"fan {i}")
        seq: int = payload["data"]["sendMessage"]["message"]["seq"]
        return seq

    return await _time_fanout(sender, receiver, couple, subscribers, rounds, send)


async def measure_fanout_floor(bare: Server, subscribers: int, rounds: int) -> FanoutResult:
    """The same measure against `bench.bare_ws`: the server stack's own cost of writing one
    frame to every socket, with nothing of ours (no GraphQL, bus or database) in the way."""

    async def fire(http: RawHttp, i: int) -> int:
        await http.post(f"/fire?seq={i + 1}")
        return i + 1

    couple = BenchCouple("-", "-", "-", "-")  # the bare server checks nothing
    return await _time_fanout(bare, bare, couple, subscribers, rounds, fire)


async def _time_fanout(
    sender: Server,
    receiver: Server,
    couple: BenchCouple,
    subscribers: int,
    rounds: int,
    trigger: Callable[[RawHttp, int], Awaitable[int]],
) -> FanoutResult:
    """`subscribers` sockets on `receiver`; per round, `trigger` (returning the seq it
    caused) then the time until the last socket has that seq."""
    arrivals: dict[int, list[float]] = defaultdict(list)
    complete: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def on_message(seq: int, at: float) -> None:
        arrivals[seq].append(at)
        if len(arrivals[seq]) == subscribers:
            complete[seq].set()

    subs = await open_many(receiver, couple, subscribers, on_message)
    http = await RawHttp(*_host_port(sender)).connect()
    times = []
    try:
        await asyncio.sleep(2.0)
        for i in range(rounds + 2):
            started = time.perf_counter()
            seq = await trigger(http, i)
            await asyncio.wait_for(complete[seq].wait(), 30)
            if i >= 2:  # the first rounds warm caches
                times.append(max(arrivals[seq]) - started)
            await asyncio.sleep(0.3)
    finally:
        await http.close()
        await asyncio.gather(*(s.close() for s in subs))
    return FanoutResult(subscribers, rounds, percentile(times, 50) * 1000, max(times) * 1000)


async def measure_memory(
    server: Server, couple: BenchCouple, counts: list[int]
) -> list[MemoryResult]:
    """RSS growth of a fresh server process per idle socket+subscription."""
    process = psutil.Process(server.process.pid)
    warm = await open_many(server, couple, 20, lambda _s, _t: None)
    await asyncio.sleep(2.0)
    baseline = process.memory_info().rss
    results: list[MemoryResult] = []
    subs: list[Subscriber] = []
    for count in counts:
        subs += await open_many(server, couple, count - len(subs), lambda _s, _t: None)
        await asyncio.sleep(3.0)
        gc.collect()
        grown = process.memory_info().rss - baseline
        results.append(MemoryResult(count, grown / count / 1024))
    await asyncio.gather(*(s.close() for s in subs + warm))
    return results
