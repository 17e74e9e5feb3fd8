"""Encryption-at-rest commands.

    luna-graphql encryption-key --id 2026-11   print a new LUNA_ENCRYPTION_KEYS entry
    luna-graphql reencrypt                      seal stored text that is plain or under an
                                                older key with the first configured key

`reencrypt` is safe beside running servers (each value is rewritten only if unchanged since
it was read) and can be run again; afterwards no row needs a key other than the first.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from luna_graphql.settings import Settings

log = logging.getLogger("luna_graphql.reencrypt")


def run_encryption_key(args: argparse.Namespace, settings: Settings) -> int:
    from luna_graphql.cli_dev import CommandError
    from luna_graphql.crypto import generate_encryption_key

    try:
        print(generate_encryption_key(args.id))
    except ValueError as exc:
        raise CommandError(str(exc), code=2) from None
    return 0


def run_reencrypt(args: argparse.Namespace, settings: Settings) -> int:
    from luna_graphql.cli import resolve_database_url
    from luna_graphql.cli_dev import CommandError

    if not settings.encryption_keys.get_secret_value():
        raise CommandError("LUNA_ENCRYPTION_KEYS is not set: nothing to encrypt with", code=2)
    url, stop_database = resolve_database_url(settings)
    try:
        unreadable = asyncio.run(_reencrypt(settings, url, batch_size=args.batch_size))
    finally:
        stop_database()
    return 1 if unreadable else 0


async def _reencrypt(settings: Settings, url: str, *, batch_size: int) -> int:
    from luna_graphql.crypto import TextCipher
    from luna_graphql.db.engine import build_engine, build_sessionmaker
    from luna_graphql.services.at_rest import reseal_all

    cipher = TextCipher.from_spec(settings.encryption_keys.get_secret_value())
    engine = build_engine(url, pool_size=1, max_overflow=0)
    try:
        reports = await reseal_all(build_sessionmaker(engine), cipher=cipher, batch_size=batch_size)
    finally:
        await engine.dispose()
    for target, report in reports.items():
        log.info(
            "%s.%s: %d rewritten, %d unreadable, %d changed meanwhile (left for a next run)",
            target.table,
            target.column,
            report.rewritten,
            report.unreadable,
            report.changed_meanwhile,
        )
    return sum(report.unreadable for report in reports.values())


def _batch_size(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 10_000:
        raise argparse.ArgumentTypeError("must be between 1 and 10000")
    return number


def add_crypto_parsers(sub: Any) -> None:
    key = sub.add_parser(
        "encryption-key", help="print a new `id:key` entry for LUNA_ENCRYPTION_KEYS"
    )
    key.add_argument(
        "--id", required=True, help="the key's id, e.g. 2026-11 (1-32 of A-Z a-z 0-9 - _)"
    )
    key.set_defaults(handler=run_encryption_key)

    reencrypt = sub.add_parser(
        "reencrypt",
        help="encrypt stored text that is plain or under an older key with the first key",
    )
    reencrypt.add_argument("--batch-size", type=_batch_size, default=500)
    reencrypt.set_defaults(handler=run_reencrypt)
