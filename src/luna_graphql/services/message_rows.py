"""The realtime hot path's SQL, straight on an asyncpg pool.

Every event makes each process read its rows and the recipient's process mark them delivered.
Through SQLAlchemy's async ORM one such statement costs ~650 µs of CPU on our machine;
prepared on asyncpg it costs ~40 µs, which decides fan-out and throughput. The statements
are few and fixed, so they are written out here; rows become transient `PartnerMessage`
objects that `view_message` reads like any other.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from luna_graphql.crypto import current_cipher
from luna_graphql.db.engine import to_asyncpg_dsn
from luna_graphql.db.models import PartnerMessage
from luna_graphql.services.messages import VIEW_COLUMNS

_VIEW_KEYS = tuple(attr.key for attr in VIEW_COLUMNS)
_VIEW_SQL = ", ".join(attr.property.columns[0].name for attr in VIEW_COLUMNS)
_ANALYSIS_KEYS = (
    "analysis_status",
    "sentiment_score",
    "sentiment_label",
    "emotions",
    "escalation_risk",
    "analyzed_at",
)

# The column lists come from our model, never from input (hence the noqa S608).
RANGE_SQL = (
    f"SELECT {_VIEW_SQL} FROM partner_messages "  # noqa: S608
    "WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
)
BOUNDED_RANGE_SQL = (
    f"SELECT {_VIEW_SQL} FROM partner_messages "  # noqa: S608
    "WHERE conversation_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4"
)
ONE_SQL = (
    f"SELECT {_VIEW_SQL}, {', '.join(_ANALYSIS_KEYS)} FROM partner_messages "  # noqa: S608
    "WHERE id = $1 AND conversation_id = $2"
)
LAST_SEQ_SQL = "SELECT last_seq FROM partner_conversations WHERE id = $1"
# Forward only: rows already delivered or read are left alone.
# One statement, so one round trip and its own implicit transaction. Its commit waits for
# the WAL flush like any other: a mark acknowledged and then lost in a crash would leave
# the message `sent` for good, since nothing pushes it again.
# The receipt's NOTIFY is built from the changed ids and rides the same transaction. Its
# payload is, byte for byte, `BusEvent.encode()` of the Python receipt (a test holds them
# equal): listeners cannot tell this path from `receipts.mark_delivered`.
# $1 conversation, $2 seqs, $3 sender role; $4 channel, $5 relationship hex, $6 recipient.
_MARKED = (
    "WITH changed AS ("
    "  UPDATE partner_messages SET status = 'delivered', delivered_at = now() "
    "  WHERE conversation_id = $1 AND seq = ANY($2::bigint[]) AND sender_id = $3 "
    "  AND status = 'sent' RETURNING id)"
)
_RECEIPT_FORMAT = (
    '{"k": "receipt", "r": "%s", "d": {"conversation_id": "%s", "status": "delivered", '
    '"ids": [%s], "by": "%s"}}'
)
# Built from constants only, never from input (hence the noqa S608).
MARK_DELIVERED_SQL = f"{_MARKED} SELECT id FROM changed"  # noqa: S608
MARK_DELIVERED_NOTIFY_SQL = (
    f"{_MARKED}, announced AS ("  # noqa: S608
    f"  SELECT pg_notify($4::text, format('{_RECEIPT_FORMAT}', $5::text, $1::text, "
    "    string_agg(format('\"%s\"', id), ', '), $6::text)) AS sent "
    "  FROM changed HAVING count(*) > 0) "
    "SELECT id, (SELECT count(*) FROM announced) FROM changed"
)


async def _init_connection(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """Nothing to reset: this pool only runs the statements of this module and
    `message_send_rows`, which change no session state (no SET, LISTEN, cursors or advisory
    locks; `SET LOCAL` ends with its transaction). asyncpg's default reset would cost a round
    trip on every release; an open transaction is still rolled back before this runs."""


async def create_row_pool(database_url: str, *, max_size: int) -> asyncpg.Pool:
    pool: asyncpg.Pool = await asyncpg.create_pool(
        to_asyncpg_dsn(database_url),
        # No floor: asyncpg restores one in the background, logging a traceback per failed
        # attempt while the database is down; connections open on demand instead.
        min_size=0,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings={"application_name": "luna-graphql-stream"},
    )
    try:
        async with pool.acquire():  # one connection now: a wrong DSN fails at start-up
            pass
    except BaseException:
        pool.terminate()
        raise
    return pool


def message_from_row(row: Any, keys: tuple[str, ...] = _VIEW_KEYS) -> PartnerMessage:
    """A detached PartnerMessage from a row of VIEW_COLUMNS (plus `keys` beyond them).

    The ORM's column types never see these rows, so the text is opened here: once per row
    per process, since the loader shares its rows between subscribers.
    """
    values = dict(zip(keys, row, strict=True))
    cipher = current_cipher()
    values["content"] = cipher.open(values["content"])
    values["original_content"] = cipher.open_optional(values["original_content"])
    return PartnerMessage(**values)


async def fetch_range(
    pool: asyncpg.Pool,
    conversation_id: uuid.UUID,
    after_seq: int,
    up_to: int | None,
    limit: int,
) -> list[PartnerMessage]:
    if up_to is None:
        rows = await pool.fetch(RANGE_SQL, conversation_id, after_seq, limit)
    else:
        rows = await pool.fetch(BOUNDED_RANGE_SQL, conversation_id, after_seq, up_to, limit)
    return [message_from_row(row) for row in rows]


async def fetch_message(
    pool: asyncpg.Pool, conversation_id: uuid.UUID, message_id: uuid.UUID
) -> PartnerMessage | None:
    """A message with its analysis fields."""
    row = await pool.fetchrow(ONE_SQL, message_id, conversation_id)
    return None if row is None else message_from_row(row, _VIEW_KEYS + _ANALYSIS_KEYS)


async def fetch_last_seq(pool: asyncpg.Pool, conversation_id: uuid.UUID) -> int:
    seq = await pool.fetchval(LAST_SEQ_SQL, conversation_id)
    return int(seq or 0)


@dataclass(frozen=True, slots=True)
class ReceiptChannel:
    """Where and as whom a delivery receipt is announced."""

    channel: str
    relationship_hex: str
    recipient_role: str


async def mark_delivered(
    pool: asyncpg.Pool,
    *,
    conversation_id: uuid.UUID,
    sender_role: str,
    seqs: list[int],
    announce: ReceiptChannel | None = None,
) -> list[uuid.UUID]:
    """Mark `sent` messages delivered; with `announce`, NOTIFY their receipt in the same
    transaction when rows changed."""
    async with pool.acquire() as conn:
        if announce is None:
            rows = await conn.fetch(MARK_DELIVERED_SQL, conversation_id, seqs, sender_role)
        else:
            rows = await conn.fetch(
                MARK_DELIVERED_NOTIFY_SQL,
                conversation_id,
                seqs,
                sender_role,
                announce.channel,
                announce.relationship_hex,
                announce.recipient_role,
            )
    return [row[0] for row in rows]
