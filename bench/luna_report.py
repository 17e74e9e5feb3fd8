"""docs/luna_cost.md, from `bench.luna_bench`'s measurements."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from bench.bench_env import ROOT
from luna_graphql.ai.local import INLINE_CHARS

REPORT = ROOT / "docs" / "luna_cost.md"
TARGET_MS = 50.0

BEFORE = """Before the bounds, on this machine: `review_draft("😂" * 5000)` took 27 s on the
event loop, 5,000 characters of five emoji kinds 4.2 s, and a 3,000-emoji send froze a whole
server process for 18 s. See `ai/sentiment.py` (what reaches VADER), `ai/local.py` (inline
or pool) and `ai/offload.py` (the pool).
"""


@dataclass
class CpuRow:
    name: str
    chars: int
    screen_ms: float
    analysis_ms: float
    review_ms: float | None = None  # with context; None when measured without


@dataclass
class ServerRun:
    probes: list[float] = field(default_factory=list)  # ms, from the first send to the end
    idle: list[float] = field(default_factory=list)  # ms, for a second before it
    sends: dict[str, list[float]] = field(default_factory=dict)  # ms per input
    analysed: int = 0
    cpu_s: tuple[float, float] = (0.0, 0.0)  # the server process, its pool workers


def _repeats(run: ServerRun) -> int:
    return len(next(iter(run.sends.values())))


def _q(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def _cpu_table(rows: list[CpuRow]) -> list[str]:
    if rows[0].review_ms is None:
        return [
            "| Input | Chars | Screen | Analysis |",
            "|---|---|---|---|",
            *(
                f"| {r.name} | {r.chars:,} | {r.screen_ms:.2f} ms | {r.analysis_ms:.2f} ms |"
                for r in rows
            ),
        ]
    return [
        "| Input | Chars | Screen | Review | Analysis |",
        "|---|---|---|---|---|",
        *(
            f"| {r.name} | {r.chars:,} | {r.screen_ms:.1f} ms | {r.review_ms:.1f} ms "
            f"| {r.analysis_ms:.1f} ms |"
            for r in rows
        ),
    ]


def write_report(
    cpu: list[CpuRow],
    inline: list[CpuRow],
    trip: tuple[float, float],
    run: ServerRun,
    machine: str,
    quick: bool,
    *,
    senders: int,
) -> None:
    worst = max(run.probes)
    inline_worst = max(max(r.screen_ms, r.analysis_ms) for r in inline)
    mark = "met" if worst <= TARGET_MS else "**missed**"
    lines = [
        "# Luna's cost on hostile input",
        "",
        f"Written by `.venv/bin/python -m bench.luna_bench{' --quick' if quick else ''}` on "
        f"{time.strftime('%Y-%m-%d')} ({machine}).",
        "",
        "## A real server under that load",
        "",
        f"One `luna-graphql serve` process, analysis worker on. One client sent each of "
        f"{senders} inputs {_repeats(run)} times through `sendMessage` (default "
        "preferences: the offline screen runs); another posted `{ __typename }` every 5 ms on "
        "its own connection, from the first send until every message was analysed.",
        "",
        "| Measure | Result | Target | |",
        "|---|---|---|---|",
        f"| Slowest `{{ __typename }}` under load (longest stall) | {worst:.1f} ms "
        f"({len(run.probes):,} probes, p50 {_q(run.probes, 0.5):.2f} ms, p99 "
        f"{_q(run.probes, 0.99):.2f} ms) | ≤ {TARGET_MS:.0f} ms | {mark} |",
        f"| … the same server idle, for a second before | max {max(run.idle):.1f} ms, p50 "
        f"{_q(run.idle, 0.5):.2f} ms | — | — |",
        f"| Messages sent and analysed | {run.analysed} | all | met |",
        f"| CPU of the server process / its pool workers | {run.cpu_s[0]:.1f} s / "
        f"{run.cpu_s[1]:.1f} s | — | — |",
        "",
        "| Input (5,000 chars unless said) | `sendMessage` p50 | max |",
        "|---|---|---|",
        *(
            f"| {name} | {statistics.median(ms):.1f} ms | {max(ms):.1f} ms |"
            for name, ms in run.sends.items()
        ),
        "",
        "The first large send also starts the worker pool: the send waits for the worker to "
        "boot, the event loop does not.",
        "",
        "## CPU per call (median of cold runs)",
        "",
        "Screen: `review_draft_sync(text, ())`, run on every draft under default preferences. "
        "Review and analysis: with ten context messages, each the same input again. All of "
        "these run in the worker pool.",
        "",
        *_cpu_table(cpu),
        "",
        f"## What may run on the event loop: text up to {INLINE_CHARS} characters, no context",
        "",
        *_cpu_table(inline),
        "",
        f"Slowest inline call: {inline_worst:.1f} ms. A round trip to the pool for a short "
        f"draft: {trip[0]:.2f} ms of latency and {trip[1]:.2f} ms of event-loop CPU (p50). "
        "The slowest inline calls are screens of drafts that need a rewrite, whatever their "
        "length: the rewriter screens each of its candidates again (and `sendMessage`'s "
        "screen uses only the risk and the issues, not the rewrite).",
        "",
        BEFORE,
    ]
    REPORT.write_text("\n".join(lines))
