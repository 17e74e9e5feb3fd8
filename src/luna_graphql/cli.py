"""The `luna-graphql` command: serve, migrate, and development helpers."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from types import FrameType

from pydantic import ValidationError

from luna_graphql import __version__
from luna_graphql.cli_analyze import add_analyze_parser
from luna_graphql.cli_crypto import add_crypto_parsers
from luna_graphql.cli_dev import CommandError, add_dev_parsers
from luna_graphql.cli_eval import add_eval_parser
from luna_graphql.settings import Settings, describe_settings_error

log = logging.getLogger("luna_graphql")

Command = Callable[[argparse.Namespace, Settings], int]


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_STOPPED = frozenset(128 + signum for signum in _STOP_SIGNALS)


def _exit_on_stop_signals() -> None:
    # Outside uvicorn, SIGTERM and SIGINT must unwind through `finally` so that an embedded
    # PostgreSQL we started is stopped, not orphaned. uvicorn handles them itself while it
    # serves (a graceful shutdown) and raises the signal again once it has given the
    # handlers back, which lands here too: `run_serve` treats that exit as the clean one.
    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    for signum in _STOP_SIGNALS:
        signal.signal(signum, handler)


def resolve_database_url(settings: Settings) -> tuple[str, Callable[[], None]]:
    """The configured URL, or an embedded server's URL plus the function that stops it."""
    if settings.database_url:
        return settings.database_url, lambda: None
    if settings.is_production:
        # A production server with a database of its own in a container's data dir would
        # look healthy and lose everything with the container.
        raise CommandError(
            "LUNA_DATABASE_URL must be set in production (postgresql://user:password@host/db);"
            " the embedded PostgreSQL is for development only",
            code=2,
        )
    from luna_graphql.embedded_pg import start_embedded_postgres

    embedded = start_embedded_postgres(settings.data_dir)
    return embedded.url, embedded.stop


def check_bus_url(settings: Settings) -> None:
    # Checked here, not in Settings: the realtime layer knows the schemes, and settings sit
    # below every layer.
    if settings.bus_url:
        from luna_graphql.realtime.broadcast import check_broadcast_url

        try:
            check_broadcast_url(settings.bus_url)
        except ValueError as exc:
            raise CommandError(f"invalid configuration: LUNA_BUS_URL: {exc}", code=2) from None


# Between attempts to reach the database at start-up.
DATABASE_WAIT_STEP_S = 2.0


def wait_for_database(url: str, wait_s: float) -> None:
    """Return once the database answers; meanwhile one log line per failed attempt. After
    `wait_s`, a CommandError: one clear line, exit code 1, no traceback."""
    from sqlalchemy.engine import make_url

    from luna_graphql.db.outage import database_unavailable, ping

    where = make_url(url).render_as_string(hide_password=True)
    deadline = time.monotonic() + wait_s
    attempt = 0
    while True:
        attempt += 1
        try:
            asyncio.run(ping(url))
            return
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            reason = f"{type(exc).__name__}: {exc}"
        left = deadline - time.monotonic()
        if left <= 0:
            raise CommandError(
                f"database unreachable at {where} after {attempt} attempts ({reason}); "
                "is PostgreSQL running? (LUNA_DATABASE_WAIT_S sets how long to wait)"
            )
        delay = min(DATABASE_WAIT_STEP_S, left)
        log.warning(
            "database unreachable at %s (attempt %d: %s); next attempt in %.0f s",
            where,
            attempt,
            reason,
            delay,
        )
        time.sleep(delay)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from luna_graphql.api.ws_protocol import WS_PROTOCOL
    from luna_graphql.db.migrate import upgrade_database
    from luna_graphql.log_config import uvicorn_log_config

    _exit_on_stop_signals()
    url, stop_database = resolve_database_url(settings)
    try:
        wait_for_database(url, settings.database_wait_s)
        upgrade_database(url)
        # Workers are separate processes that rebuild Settings from the environment.
        os.environ["LUNA_DATABASE_URL"] = url
        try:
            uvicorn.run(
                "luna_graphql.app:create_app_from_env",
                factory=True,
                host=args.host or settings.host,
                port=args.port or settings.port,
                workers=args.workers or settings.workers,
                log_level="info",
                log_config=uvicorn_log_config(),
                ws_max_size=1024 * 1024,
                # Messages are small JSON frames; a zlib context per socket would cost far more
                # memory (hundreds of KiB each at thousands of idle sockets) than it saves.
                ws_per_message_deflate=False,
                # uvicorn's sans-I/O protocol minus ~5 KiB per idle socket (api/ws_protocol.py).
                ws=WS_PROTOCOL,
                timeout_graceful_shutdown=10,
            )
        except SystemExit as exc:
            if exc.code not in _STOPPED:
                raise  # uvicorn's own exits (a failed start-up) keep their code
    finally:
        stop_database()
    return 0


def run_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from luna_graphql.db.migrate import downgrade_database, upgrade_database

    url, stop_database = resolve_database_url(settings)
    try:
        wait_for_database(url, settings.database_wait_s)
        if args.downgrade:
            downgrade_database(url, args.revision or "base")
        else:
            upgrade_database(url, args.revision or "head")
    finally:
        stop_database()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="luna-graphql", description=__doc__)
    parser.add_argument("--version", action="version", version=f"luna-graphql {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate the database and serve the API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(handler=run_serve)

    migrate = sub.add_parser("migrate", help="upgrade the database schema to head")
    migrate.add_argument("--revision")
    migrate.add_argument("--downgrade", action="store_true", help="downgrade (default: base)")
    migrate.set_defaults(handler=run_migrate)

    add_analyze_parser(sub)
    add_crypto_parsers(sub)
    add_dev_parsers(sub)
    add_eval_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Alembic announces each of its plugins at import: seven lines before every command.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        # A configuration mistake deserves one clear line, not a traceback.
        print(
            f"luna-graphql: invalid configuration: {describe_settings_error(exc)}", file=sys.stderr
        )
        return 2
    handler: Command = args.handler
    try:
        check_bus_url(settings)
        return handler(args, settings)
    except CommandError as exc:
        print(f"luna-graphql: {exc}", file=sys.stderr)
        return exc.code


if __name__ == "__main__":
    sys.exit(main())
