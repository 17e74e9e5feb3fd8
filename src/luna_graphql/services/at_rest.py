"""Bring stored text under the current key: after encryption is turned on (rows written
before stay plain until then) or before an old key is retired.

Each column is walked in id order, a batch per transaction. A value is rewritten only if it
is still the one read (compare and set), so a concurrent write wins and is left alone; these
columns are written once, except the conversation preview, which every send replaces. A value
no configured key opens is counted and left as it is.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import ARRAY, Text, bindparam, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.crypto import PREFIX, TextCipher, UnreadableText

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SealedColumn:
    table: str
    column: str
    json: bool = False  # a JSONB value sealed whole into one JSON string


# Every column `db/` declares with an Encrypted* type.
SEALED_COLUMNS = (
    SealedColumn("partner_messages", "content"),
    SealedColumn("partner_messages", "original_content"),
    SealedColumn("partner_conversations", "last_message_preview"),
    SealedColumn("message_suggestions", "original_message"),
    SealedColumn("message_suggestions", "primary_suggestion"),
    SealedColumn("message_suggestions", "suggestion_rationale"),
    SealedColumn("message_suggestions", "underlying_need"),
    SealedColumn("message_suggestions", "alternatives", json=True),
    SealedColumn("connection_gestures", "message"),
)


@dataclass
class ResealReport:
    rewritten: int = 0
    unreadable: int = 0
    changed_meanwhile: int = 0


def _statements(target: SealedColumn) -> tuple[str, str]:
    # Names come from SEALED_COLUMNS above, never from input (hence the noqa S608). A JSON
    # value is compared as its text; its prefix is checked on the string inside it.
    stored = f"{target.column}::text" if target.json else target.column
    inner = f"({target.column} #>> '{{}}')" if target.json else target.column
    select_sql = (
        f"SELECT id, {stored} AS value FROM {target.table} "  # noqa: S608
        f"WHERE id > :after AND {target.column} IS NOT NULL "
        f"AND left({inner}, :prefix_len) IS DISTINCT FROM :prefix "
        "ORDER BY id LIMIT :limit"
    )
    new_value = "v.new::jsonb" if target.json else "v.new"
    update_sql = (
        f"UPDATE {target.table} AS t SET {target.column} = {new_value} "  # noqa: S608
        "FROM unnest(:ids, :olds, :news) AS v(id, old, new) "
        f"WHERE t.id = v.id AND t.{stored} = v.old"
    )
    return select_sql, update_sql


def _resealed(cipher: TextCipher, target: SealedColumn, stored: str) -> str:
    if not target.json:
        return cipher.seal(cipher.open(stored))
    value = json.loads(stored)
    plain = cipher.open(value) if isinstance(value, str) and value.startswith(PREFIX) else stored
    return json.dumps(cipher.seal(plain))


async def reseal_column(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cipher: TextCipher,
    target: SealedColumn,
    batch_size: int = 500,
) -> ResealReport:
    """Seal every value of one column that is plain or under a key other than the first."""
    if not cipher.enabled:
        raise ValueError("no encryption key is configured")
    prefix = cipher.seal_prefix
    select_sql, update_sql = _statements(target)
    select_statement = text(select_sql)
    update_statement = text(update_sql).bindparams(
        bindparam("ids", type_=ARRAY(UUID(as_uuid=True))),
        bindparam("olds", type_=ARRAY(Text)),
        bindparam("news", type_=ARRAY(Text)),
    )
    report = ResealReport()
    after = uuid.UUID(int=0)
    while True:
        async with sessionmaker() as session, session.begin():
            rows = (
                await session.execute(
                    select_statement,
                    {
                        "after": after,
                        "prefix": prefix,
                        "prefix_len": len(prefix),
                        "limit": batch_size,
                    },
                )
            ).all()
            if not rows:
                return report
            after = rows[-1].id
            ids, olds, news = [], [], []
            for row in rows:
                try:
                    news.append(_resealed(cipher, target, row.value))
                except UnreadableText as exc:
                    report.unreadable += 1
                    log.error(
                        "%s.%s of %s left as is: %s", target.table, target.column, row.id, exc
                    )
                    continue
                ids.append(row.id)
                olds.append(row.value)
            if ids:
                result = await session.execute(
                    update_statement, {"ids": ids, "olds": olds, "news": news}
                )
                changed = getattr(result, "rowcount", 0)
                report.rewritten += changed
                report.changed_meanwhile += len(ids) - changed


async def reseal_all(
    sessionmaker: async_sessionmaker[AsyncSession], *, cipher: TextCipher, batch_size: int = 500
) -> dict[SealedColumn, ResealReport]:
    return {
        target: await reseal_column(
            sessionmaker, cipher=cipher, target=target, batch_size=batch_size
        )
        for target in SEALED_COLUMNS
    }
