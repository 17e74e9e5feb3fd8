"""`luna-graphql serve` as a newcomer runs it: no configuration, embedded PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from luna_graphql.app import create_app
from luna_graphql.settings import Settings
from tests import pg
from tests.pgtools import ThrowawayPostgres
from tests.procs import LUNA, free_port, start_server, wait_healthy


def _postgres_processes(data_dir: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if "postgres" in (process.info["name"] or "") and str(data_dir) in cmdline:
            found.append(process)
    return found


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_without_configuration_starts_and_stops_embedded_postgres(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    # The embedded server may run as another user: its data dir must be traversable.
    data_dir = Path(tempfile.mkdtemp(prefix="luna-serve-"))
    data_dir.chmod(0o755)
    server = start_server({"LUNA_DATA_DIR": str(data_dir)}, tmp_path)
    try:
        response = wait_healthy(server, timeout=90)
        assert response.json()["status"] == "ok"
        assert _postgres_processes(data_dir), "embedded PostgreSQL should be running"
    finally:
        code = server.stop(stop_signal)
    assert code == 0, server.log()  # a clean shutdown, however it was asked for
    psutil.wait_procs(_postgres_processes(data_dir), timeout=10)
    assert _postgres_processes(data_dir) == [], f"embedded PostgreSQL left running ({stop_signal})"


async def test_healthz_reports_503_while_the_database_is_down_and_recovers() -> None:
    # A throwaway server of the test's own: stopping the shared one would disturb others.
    with ThrowawayPostgres() as postgres:
        app = create_app(Settings(database_url=postgres.dsn, analysis_worker_enabled=False))
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        ):
            response = await client.get("/healthz")
            assert response.status_code == 200
            assert response.json() == {
                "status": "ok",
                "checks": {"database": "ok", "listener": "ok"},
            }
            await asyncio.to_thread(postgres.stop_server)
            response = await client.get("/healthz")
            assert response.status_code == 503
            assert response.json()["reason"] == "database unreachable"
            assert response.json()["checks"]["database"] == "unreachable"
            await asyncio.to_thread(postgres.start_server)
            await _eventually_ready(client)


async def test_healthz_reports_a_lost_event_listener(database_url: str) -> None:
    # The events come from a server of their own here, so that the listener alone is lost.
    with ThrowawayPostgres() as events:
        settings = Settings(
            database_url=database_url, bus_url=events.dsn, analysis_worker_enabled=False
        )
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        ):
            assert (await client.get("/healthz")).status_code == 200
            await asyncio.to_thread(events.stop_server)
            deadline = time.monotonic() + 10
            while (response := await client.get("/healthz")).status_code == 200:
                assert time.monotonic() < deadline, "the lost listener went unnoticed"
                await asyncio.sleep(0.1)
            assert response.json() == {
                "status": "unavailable",
                "reason": "event listener reconnecting",
                "checks": {"database": "ok", "listener": "reconnecting"},
            }
            await asyncio.to_thread(events.start_server)
            await _eventually_ready(client)


async def _eventually_ready(client: httpx.AsyncClient, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while (response := await client.get("/healthz")).status_code != 200:
        assert time.monotonic() < deadline, response.json()
        await asyncio.sleep(0.1)
    assert response.json()["checks"] == {"database": "ok", "listener": "ok"}


def test_serve_without_a_database_gives_up_with_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    env["LUNA_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    env["LUNA_DATABASE_WAIT_S"] = "1"
    done = subprocess.run(
        [LUNA, "serve", "--port", str(free_port())], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 1
    output = done.stdout.decode() + done.stderr.decode()
    assert "Traceback" not in output
    (last,) = done.stderr.decode().strip().splitlines()[-1:]
    assert last.startswith("luna-graphql: database unreachable at postgresql://postgres@127.0.0.1:")
    attempts = [line for line in output.splitlines() if "database unreachable at" in line]
    assert len(attempts) >= 2  # one line per attempt, then the verdict


def test_serve_waits_for_a_database_that_starts_late(tmp_path: Path) -> None:
    with ThrowawayPostgres() as postgres:
        postgres.stop_server()
        server = start_server(
            {"LUNA_DATABASE_URL": postgres.dsn, "LUNA_DATABASE_WAIT_S": "120"}, tmp_path
        )
        try:
            deadline = time.monotonic() + 60
            while "database unreachable" not in server.log():
                assert server.process.poll() is None, server.log()
                assert time.monotonic() < deadline, server.log()
                time.sleep(0.2)
            postgres.start_server()
            wait_healthy(server)
        finally:
            code = server.stop()
        assert code == 0, server.log()
        assert "Traceback" not in server.log()


async def test_migrate_command_upgrades_and_downgrades(pg_server_url: str, tmp_path: Path) -> None:
    name = f"luna_cli_migrate_{os.getpid()}"
    await pg._admin_execute(
        pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    )
    url = pg.with_database(pg_server_url, name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    env["LUNA_DATABASE_URL"] = url

    async def tables() -> set[str]:
        connection = await asyncpg.connect(url)
        try:
            rows = await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        finally:
            await connection.close()
        return {row["tablename"] for row in rows} - {"alembic_version"}

    try:
        for args, expect_tables in ((["migrate"], True), (["migrate", "--downgrade"], False)):
            done = await asyncio.to_thread(
                subprocess.run, [LUNA, *args], env=env, capture_output=True, timeout=120
            )
            assert done.returncode == 0, done.stderr.decode()
            assert ("partner_messages" in await tables()) is expect_tables
        assert await tables() == set()
    finally:
        await pg.drop_database(pg_server_url, url)
