"""`luna-graphql analyze`: drain the background-analysis queue from the command line.

    luna-graphql analyze --pending      analyse every job that is due, then exit
    luna-graphql analyze --backfill     first queue messages never queued (older rows), then drain

Any number of these may run beside the servers' own workers: jobs are claimed with
`FOR UPDATE SKIP LOCKED`, so each is analysed by one of them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from luna_graphql.ai.assistant import Assistant
from luna_graphql.ai.factory import build_assistant_from_settings
from luna_graphql.realtime.events import EventEmitter, NotifyEmitter
from luna_graphql.settings import Settings

log = logging.getLogger("luna_graphql.analyze")


def build_analysis_assistant(settings: Settings) -> Assistant:
    """The assistant background analysis uses: the configured one, *without* local fallback,
    so a failing model is a failed attempt (retried, then dead-lettered)."""
    return build_assistant_from_settings(settings, fallback=False)


def add_analyze_parser(subparsers: Any) -> None:
    """Register `analyze` on the `luna-graphql` sub-command parser."""
    analyze = subparsers.add_parser(
        "analyze", help="run background message analysis now (see --pending, --backfill)"
    )
    mode = analyze.add_mutually_exclusive_group(required=True)
    mode.add_argument("--pending", action="store_true", help="analyse every due job, then exit")
    mode.add_argument(
        "--backfill", action="store_true", help="queue never-queued messages, then drain"
    )
    analyze.set_defaults(handler=run_analyze)


def run_analyze(args: argparse.Namespace, settings: Settings) -> int:
    from luna_graphql.cli import resolve_database_url

    url, stop_database = resolve_database_url(settings)
    try:
        configured = settings.model_copy(update={"database_url": url})
        return asyncio.run(_analyze(configured, backfill=args.backfill))
    finally:
        stop_database()


async def _analyze(settings: Settings, *, backfill: bool) -> int:
    from luna_graphql.ai.factory import close_assistant
    from luna_graphql.crypto import TextCipher, install_cipher
    from luna_graphql.db.engine import build_engine, build_sessionmaker
    from luna_graphql.realtime.bus import build_bus, is_transactional_bus
    from luna_graphql.services.analysis_worker import drain_pending, queue_unqueued

    assert settings.database_url is not None
    install_cipher(TextCipher.from_spec(settings.encryption_keys.get_secret_value()))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Finish the batch in hand, then exit; jobs not started are left for the next run.
        loop.add_signal_handler(signum, stop.set)
    bus = None
    emitter: EventEmitter = NotifyEmitter()  # the bus is the database: NOTIFY in the write
    if settings.bus_url and not is_transactional_bus(settings.bus_url):
        # redis:// (or memory://, which only this process would hear): publish after COMMIT.
        bus = build_bus(settings.bus_url)
        await bus.connect()
        emitter = bus.emitter
    engine = build_engine(
        settings.database_url, pool_size=5, max_overflow=settings.analysis_batch_size
    )
    assistant = build_analysis_assistant(settings)
    common: dict[str, Any] = {
        "sessionmaker": build_sessionmaker(engine),
        "assistant": assistant,
        "emitter": emitter,
        "settings": settings,
        "stop": stop,
    }
    try:
        queued = await queue_unqueued(common["sessionmaker"]) if backfill else 0
        handled = await drain_pending(**common)
    finally:
        await close_assistant(assistant)
        await engine.dispose()
        if bus is not None:
            await bus.disconnect()
    log.info(
        "analysis: %d queued, %d jobs handled%s",
        queued,
        handled,
        " (interrupted)" if stop.is_set() else "",
    )
    return 0
