"""Realtime benchmark: `.venv/bin/python -m bench.realtime_bench [--quick]`.

Starts its own PostgreSQL (or uses $LUNA_BENCH_DATABASE_URL's server, in a fresh database),
two `luna-graphql serve` processes on loopback, runs every phase once with bounded loops, and
writes the table to docs/benchmarks.md. Each figure sits next to the raw limit of the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import psutil
import uvloop

from bench.bench_env import (
    asyncpg_dsn,
    drop_database,
    fresh_database,
    make_couples,
    postgres_server,
    start_bare_server,
    start_server,
)
from bench.bench_phases import (
    measure_fanout,
    measure_fanout_floor,
    measure_latency,
    measure_memory,
    measure_throughput,
)
from bench.bench_raw import measure_raw_limit
from bench.bench_report import write_report

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


async def run(quick: bool) -> None:
    scale = 0.2 if quick else 1.0
    load_before = os.getloadavg()[0]
    logs = Path(tempfile.mkdtemp(prefix="luna-bench-logs-"))
    with postgres_server() as server_url:
        url = await fresh_database(server_url)
        servers = []
        try:
            servers.append(start_server(url, logs, "server1"))  # migrates the fresh database
            servers.append(start_server(url, logs, "server2"))
            one, two = servers
            couples = await make_couples(url, 103)
            print("raw limit ...", flush=True)
            raw = await measure_raw_limit(
                asyncpg_dsn(url), couples[102].conversation_id, int(5000 * scale)
            )
            print(raw, flush=True)
            print("latency ...", flush=True)
            latency = await measure_latency(one, two, couples[100], int(1000 * scale))
            print(latency, flush=True)
            print("throughput ...", flush=True)
            throughput = await measure_throughput(one, two, couples[:100], 8, int(4000 * scale))
            print(throughput, flush=True)
            print("fan-out ...", flush=True)
            fanout = await measure_fanout(one, two, couples[101], 1000, 10 if not quick else 3)
            print(fanout, flush=True)
            two.stop()
            print("fan-out floor ...", flush=True)
            servers.append(bare := start_bare_server(logs))
            floor = await measure_fanout_floor(bare, 1000, 10 if not quick else 3)
            bare.stop()
            print(floor, flush=True)
            print("memory ...", flush=True)
            servers.append(fresh := start_server(url, logs, "server3"))
            memory = await measure_memory(
                fresh, couples[101], [1000, 5000] if not quick else [500, 1000]
            )
            print(memory, flush=True)
        finally:
            for server in servers:
                server.stop()
            await drop_database(url)
    machine = (
        f"{platform.machine()}, {psutil.cpu_count()} cores, Python {platform.python_version()}; "
        f"1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    write_report(
        REPORT,
        machine,
        time.strftime("%Y-%m-%d"),
        raw,
        latency,
        throughput,
        fanout,
        floor,
        memory,
        quick,
    )
    print(f"wrote {REPORT} (server logs in {logs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    args = parser.parse_args()
    # uvloop (installed with uvicorn[standard]) keeps the clients' own overhead small: the
    # fan-out figure includes the time this process takes to read 1,000 frames.
    uvloop.run(run(args.quick))


if __name__ == "__main__":
    main()
