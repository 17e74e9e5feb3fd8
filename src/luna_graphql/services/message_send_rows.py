"""The plain `sendMessage` (no Luna review to run) straight on the asyncpg row pool.

Same rules as `message_send.check_send` + `insert_message`, as one prepared statement and
no explicit transaction (`SEND_SQL`): the membership, preferences, retry lookup and reply
check, the INSERT, and its `pg_notify`, so the row and its event commit together and the
event goes out on COMMIT only. Each round trip to PostgreSQL costs more than the CPU it
carries here, and BEGIN/COMMIT would add two. Only for the PostgreSQL bus, whose emitter is
a `pg_notify` in the write's transaction; other buses keep the ORM path.
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

import asyncpg
from sqlalchemy import inspect

from luna_graphql.ai.local import LocalAssistant
from luna_graphql.crypto import current_cipher
from luna_graphql.db.models import (
    PartnerMessagingPreferences,
    Relationship,
)
from luna_graphql.db.vocab import SUGGESTION_MODES
from luna_graphql.errors import NotFound
from luna_graphql.realtime.events import CHANNEL_PREFIX
from luna_graphql.services.access import PARTNER_A, PARTNER_B, Membership, Viewer
from luna_graphql.services.luna_policy import LunaPreferences, plan_send_review
from luna_graphql.services.message_rows import message_from_row
from luna_graphql.services.message_send import (
    CLIENT_MESSAGE_ID_CONSTRAINT,
    SentMessage,
    retried_message,
)
from luna_graphql.services.message_view import VIEW_COLUMNS, view_message


def _columns(model: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    attrs = inspect(model).column_attrs
    return (
        tuple(attr.key for attr in attrs),
        tuple(attr.columns[0].name for attr in attrs),
    )


_REL_KEYS, _REL_COLS = _columns(Relationship)
_PREF_KEYS, _PREF_COLS = _columns(PartnerMessagingPreferences)
_VIEW_SQL = ", ".join(attr.property.columns[0].name for attr in VIEW_COLUMNS)


def _select_list(alias: str, columns: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{name}" for name in columns)


# The role cases mirror access.role_of / partner_role_of. $1 viewer, $2 conversation,
# $3 clientMessageId (may be NULL), $4 reply_to_id (may be NULL). Column lists come from
# our models, never from input (hence the noqa S608).
_CHECK_COLUMNS = (
    f"{_select_list('r', _REL_COLS)}, c.id, "  # noqa: S608
    f"{_select_list('own', _PREF_COLS)}, {_select_list('partner', _PREF_COLS)}, "
    "(SELECT m.id FROM partner_messages m WHERE m.conversation_id = $2 "
    f"  AND m.sender_id = CASE WHEN r.partner_a_id = $1 THEN '{PARTNER_A}' "
    f"ELSE '{PARTNER_B}' END AND m.client_message_id = $3::varchar) AS existing_id, "
    "($4::uuid IS NULL OR EXISTS (SELECT 1 FROM partner_messages m WHERE m.id = $4 "
    "  AND m.conversation_id = $2 AND m.deleted_at IS NULL)) AS reply_ok"
)
_CHECK_FROM = (
    " FROM relationships r "
    "LEFT OUTER JOIN partner_conversations c ON c.relationship_id = r.id "
    "LEFT OUTER JOIN partner_messaging_preferences own ON own.relationship_id = r.id "
    f"  AND own.partner_id = CASE WHEN r.partner_a_id = $1 THEN '{PARTNER_A}' "
    f"ELSE '{PARTNER_B}' END "
    "LEFT OUTER JOIN partner_messaging_preferences partner ON partner.relationship_id = r.id "
    f"  AND partner.partner_id = CASE WHEN r.partner_a_id = $1 THEN '{PARTNER_B}' "
    f"ELSE '{PARTNER_A}' END "
    "WHERE r.status = 'active' AND (r.partner_a_id = $1 OR r.partner_b_id = $1)"
)
CHECK_SQL = f"SELECT {_CHECK_COLUMNS}{_CHECK_FROM}"
LOAD_SQL = f"SELECT {_VIEW_SQL} FROM partner_messages WHERE id = $1"  # noqa: S608
LOAD_BY_CLIENT_ID_SQL = (
    f"SELECT {_VIEW_SQL} FROM partner_messages "  # noqa: S608
    "WHERE conversation_id = $1 AND sender_id = $2 AND client_message_id = $3"
)
# The seq trigger assigns seq (and the conversation's counters) as with the ORM INSERT; the
# final SELECT sees the row after it, so the NOTIFY carries the final seq, and it runs in the
# INSERT's statement, so its transaction. The payload is, byte for byte,
# `message_added_event(...).encode()` (a test holds them equal): a partner must not tell a
# plain send from a Luna-reviewed one by its event.
_EVENT_FORMAT = (
    '{"k": "message_added", "r": "%s", "d": {"conversation_id": "%s", "id": "%s", '
    '"seq": %s, "sender": "%s"}}'
)
# The check and the INSERT in one statement, so one round trip and one implicit transaction:
# the row is written only when the check passes and the viewer's Luna preferences let this
# draft go out unreviewed. That decision is Python's (`_unreviewed_table`): $6 for a viewer
# without a preferences row, else whether "assistance:mode:intervention" is one of $7 (text,
# not three arrays: asyncpg would look bool[] up once per connection). $5 is the sealed
# content. The result starts with CHECK_SQL's columns.
SEND_SQL = (
    f"WITH chk AS (SELECT {_CHECK_COLUMNS}, "  # noqa: S608
    f"  CASE WHEN r.partner_a_id = $1 THEN '{PARTNER_A}' ELSE '{PARTNER_B}' END AS send_role, "
    "  r.id AS rel_id, c.id = $2 AND CASE "
    f"    WHEN own.{_PREF_COLS[0]} IS NULL THEN $6::bool "
    "    ELSE concat_ws(':', own.luna_assistance_enabled::text, own.suggestion_mode, "
    "      own.intervention_enabled::text) = ANY($7::text[]) "
    f"  END AS may_send{_CHECK_FROM}), "
    "ins AS (INSERT INTO partner_messages "
    "(conversation_id, sender_id, content, client_message_id, reply_to_id) "
    "SELECT $2::uuid, send_role, $5::text, $3::varchar, $4::uuid FROM chk "
    "WHERE may_send AND existing_id IS NULL AND reply_ok "
    f"RETURNING {_VIEW_SQL}) "
    "SELECT chk.*, ins.*, CASE WHEN ins.id IS NOT NULL THEN pg_notify("
    f"'{CHANNEL_PREFIX}' || replace(chk.rel_id::text, '-', ''), "
    f"format('{_EVENT_FORMAT}', replace(chk.rel_id::text, '-', ''), ins.conversation_id, "
    "ins.id, ins.seq, ins.sender_id)) END FROM chk LEFT JOIN ins ON true"
)
# Where the inserted row's columns start in SEND_SQL's result (after chk's three extras).
_CHECKED = len(_REL_COLS) + 1 + 2 * len(_PREF_COLS) + 2
_INSERTED = _CHECKED + 3


def _row_object(model: Any, keys: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    if values[0] is None:  # outer-joined and absent: its primary key is NULL
        return None
    return model(**dict(zip(keys, values, strict=True)))


def _membership(viewer: Viewer, row: asyncpg.Record | None) -> Membership:
    """The viewer's membership from a CHECK_SQL (or SEND_SQL) row; NotFound without one."""
    if row is None:
        raise NotFound("Conversation not found", field="conversationId")
    values = tuple(row.values())
    n_rel, n_pref = len(_REL_KEYS), len(_PREF_KEYS)
    relationship = Relationship(**dict(zip(_REL_KEYS, values[:n_rel], strict=True)))
    conversation_id = values[n_rel]
    own_start = n_rel + 1
    own = _row_object(
        PartnerMessagingPreferences, _PREF_KEYS, values[own_start : own_start + n_pref]
    )
    partner = _row_object(
        PartnerMessagingPreferences,
        _PREF_KEYS,
        values[own_start + n_pref : own_start + 2 * n_pref],
    )
    role = PARTNER_A if relationship.partner_a_id == viewer.user_id else PARTNER_B
    return Membership(
        user_id=viewer.user_id,
        relationship=relationship,
        role=role,
        conversation_id=conversation_id,
        own_preferences=own,
        partner_preferences=partner,
    )


@cache
def _unreviewed_table(flagged: bool) -> tuple[bool, list[str]]:
    """Over every value Luna preferences can take: may a draft the writer did not ask to have
    reviewed, flagged or not by the offline screen, go out unreviewed? `plan_send_review`
    answers; SEND_SQL only looks the viewer's preferences up in the answer, so the policy
    lives here alone. (The answer without a preferences row, then the allowed values as
    PostgreSQL prints them: "true:on_request:false".)"""

    def unreviewed(prefs: LunaPreferences) -> bool:
        plan = plan_send_review(prefs, request_review=False)
        return plan is None or (plan.screen_first and not flagged)

    allowed = [
        f"{str(assist).lower()}:{mode}:{str(intervene).lower()}"
        for assist in (True, False)
        for mode in SUGGESTION_MODES
        for intervene in (True, False)
        if unreviewed(LunaPreferences(assist, mode, intervene))
    ]
    return unreviewed(LunaPreferences()), allowed


async def send_plain(
    pool: asyncpg.Pool,
    *,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    text: str,
    client_id: str | None,
    reply_to_id: uuid.UUID | None,
    request_review: bool,
    screen: LocalAssistant,
) -> SentMessage | None:
    """Send when no Luna review is needed; None when the viewer's Luna settings (or the
    offline screen) want the full review path, which then runs from the start.

    `text` and `client_id` are already cleaned (see `message_send.clean_*`). A draft the
    writer did not ask to have reviewed is screened first, since under the default
    preferences the screen decides, so the check and the INSERT can be one statement.
    """
    if request_review:
        return await _check_for_review(pool, viewer, conversation_id, client_id, reply_to_id)
    flagged = await screen.screen_draft(text)
    async with pool.acquire() as conn:
        try:
            row = await conn.fetchrow(
                SEND_SQL,
                viewer.user_id,
                conversation_id,
                client_id,
                reply_to_id,
                current_cipher().seal(text),
                *_unreviewed_table(flagged),
            )
        except asyncpg.UniqueViolationError as exc:
            # Two concurrent retries can both miss the lookup: the unique constraint
            # decides, and the loser answers with the winner's message.
            if exc.constraint_name != CLIENT_MESSAGE_ID_CONSTRAINT:
                raise
            return await _first_with_client_id(conn, viewer, conversation_id, client_id)
        membership = _membership(viewer, row)
        membership.require_conversation(conversation_id)
        values = tuple(row.values())
        if values[_INSERTED] is not None:
            message = message_from_row(values[_INSERTED:-1])  # the last column is pg_notify's
            return SentMessage(view_message(message, membership), created=True)
        # Not written: a retry, a missing reply target, or (None) a draft to review.
        return await _unwritten(conn, row, membership)


async def _check_for_review(
    pool: asyncpg.Pool,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    client_id: str | None,
    reply_to_id: uuid.UUID | None,
) -> SentMessage | None:
    """An explicit review request: the checks (and a retry's answer) without writing."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            CHECK_SQL, viewer.user_id, conversation_id, client_id, reply_to_id
        )
        membership = _membership(viewer, row)
        membership.require_conversation(conversation_id)
        retried = await _unwritten(conn, row, membership)
    if retried is None:
        LunaPreferences.of(membership.own_preferences).require_turned_on()
    return retried


async def _unwritten(
    conn: asyncpg.Connection, row: asyncpg.Record, membership: Membership
) -> SentMessage | None:
    """What a checked, unwritten send answers: a retry gets the first message whatever it
    carries now; a missing reply target is NotFound; otherwise None."""
    if row["existing_id"] is not None:
        first = await conn.fetchrow(LOAD_SQL, row["existing_id"])
        return retried_message(message_from_row(first), membership)
    if not row["reply_ok"]:
        raise NotFound("Message to reply to not found", field="replyToId")
    return None


async def _first_with_client_id(
    conn: asyncpg.Connection, viewer: Viewer, conversation_id: uuid.UUID, client_id: str | None
) -> SentMessage:
    row = await conn.fetchrow(CHECK_SQL, viewer.user_id, conversation_id, client_id, None)
    membership = _membership(viewer, row)
    first = await conn.fetchrow(LOAD_BY_CLIENT_ID_SQL, conversation_id, membership.role, client_id)
    if first is None:  # pragma: no cover - the unique violation says it exists
        raise NotFound("Message not found")
    return retried_message(message_from_row(first), membership)
