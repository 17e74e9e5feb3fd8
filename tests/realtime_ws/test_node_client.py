"""A client written with the `graphql-ws` npm package subscribes and receives."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

from tests.procs import ServerProcess
from tests.realtime_ws.client import send_message
from tests.realtime_ws.conftest import Couple

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "node" / "subscribe.mjs"


# A developer without Node skips this check; CI (CI=true) must run it, so there it fails.
@pytest.mark.skipif(
    shutil.which("node") is None and not os.environ.get("CI"), reason="node is not installed"
)
async def test_graphql_ws_npm_client_subscribes_and_receives(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    if not (ROOT / "node_modules" / "graphql-ws").is_dir():
        pytest.fail("node_modules missing: run `npm ci` (scripts/setup does)")
    one, two = servers
    await send_message(http, one.base_url, couple.a.token, couple.conversation_id, "from history")
    node = await asyncio.create_subprocess_exec(
        "node",
        str(SCRIPT),
        two.base_url.replace("http://", "ws://") + "/graphql",
        couple.b.token,
        couple.conversation_id,
        "2",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert node.stdout is not None
        first = json.loads(await asyncio.wait_for(node.stdout.readline(), 20))
        assert first["content"] == "from history"
        await send_message(http, one.base_url, couple.a.token, couple.conversation_id, "live")
        second = json.loads(await asyncio.wait_for(node.stdout.readline(), 20))
        assert (second["content"], second["seq"]) == ("live", first["seq"] + 1)
        assert await asyncio.wait_for(node.wait(), 20) == 0
    finally:
        if node.returncode is None:
            node.kill()
            await node.wait()
