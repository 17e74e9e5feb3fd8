"""Two real `luna-graphql serve` processes on one PostgreSQL (the realtime tests' harness)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.procs import ServerProcess
from tests.realtime_ws.conftest import (  # noqa: F401 - fixtures, re-exported for this package
    couple,
    http,
    shared_database_url,
    shared_sessionmaker,
    start_servers,
)


@pytest.fixture(scope="module")
def servers(
    shared_database_url: str,  # noqa: F811 - the fixture imported above
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[list[ServerProcess]]:
    running = start_servers(
        shared_database_url,
        tmp_path_factory.mktemp("reaction-servers"),
        LUNA_RATE_LIMIT_REACTION="10000/minute",
    )
    yield running
    for server in running:
        server.stop()
