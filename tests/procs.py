"""Real server processes for tests: free ports, readiness on /healthz, stopped by pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

LUNA = str(Path(sys.executable).with_name("luna-graphql"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return self.process.returncode


def start_server(
    env: Mapping[str, str], tmp_path: Path, *args: str, name: str = "server"
) -> ServerProcess:
    port = free_port()
    log_path = tmp_path / f"{name}-{port}.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    full_env.update(env)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [LUNA, "serve", "--port", str(port), *args],
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return ServerProcess(process=process, port=port, log_path=log_path)


def wait_healthy(server: ServerProcess, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited early:\n{server.log()}")
        try:
            response = httpx.get(f"{server.base_url}/healthz", timeout=2)
            if response.status_code == 200:
                return response
            last_error = response.text
        except httpx.HTTPError as exc:
            last_error = repr(exc)
        time.sleep(0.1)
    raise AssertionError(f"server not healthy in {timeout}s ({last_error}):\n{server.log()}")
