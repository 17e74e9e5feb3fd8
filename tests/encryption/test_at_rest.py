"""With LUNA_ENCRYPTION_KEYS set, what partners write is ciphertext in the database and plain
text through every read path (history, `message`, the preview, Luna's suggestions)."""

from __future__ import annotations

import json
import logging
import uuid

import asyncpg
import pytest

from luna_graphql.crypto import generate_encryption_key
from tests.api.conftest import make_settings, serve
from tests.api.helpers import CONVERSATION, CoupleClients, GraphQLClient
from tests.encryption.conftest import NEW_KEY, OLD_KEY, encrypted_settings
from tests.luna.helpers import (
    KNOWN,
    MY_SUGGESTIONS,
    SEVERE,
    respond,
    send,
    set_luna,
)

MESSAGE = "query($id: ID!) { message(id: $id) { id content originalContent lunaIntervened } }"
DELETE = "mutation($id: ID!) { deleteMessage(id: $id) { deletedMessageId } }"
# Longer than the preview, with 4-byte emoji on both sides of the 100-character cut.
LONG = "🫶🏽 Still thinking about last night, " * 3 + "and I love you 💕."
# Exactly 5,000 characters (code points), most of them 4-byte emoji.
HUGE = ("é🌙🫶🏽ß" * 1000)[:4999] + "!"


async def stored(raw: asyncpg.Connection, message_id: str) -> asyncpg.Record:
    row = await raw.fetchrow(
        "SELECT m.content, m.original_content, c.last_message_preview "
        "FROM partner_messages m JOIN partner_conversations c ON c.id = m.conversation_id "
        "WHERE m.id = $1",
        uuid.UUID(message_id),
    )
    assert row is not None
    return row


def assert_sealed(value: str | None, text: str, key_id: str = "new") -> None:
    assert value is not None and value.startswith(f"enc:v1:{key_id}:"), value
    for word in text.split():
        if len(word) > 3:
            assert word not in value


async def read_back(pair: CoupleClients, client: GraphQLClient, message_id: str) -> str:
    """The message's text through `message` and history (which must agree), to `client`."""
    one = (await client.data(MESSAGE, {"id": message_id}))["message"]
    nodes = [e["node"] for e in (await pair.history(client, last=100))["edges"]]
    in_history = next(n for n in nodes if n["id"] == message_id)
    assert in_history["content"] == one["content"]
    content: str = one["content"]
    return content


async def preview(client: GraphQLClient) -> str | None:
    value: str | None = (await client.data(CONVERSATION))["conversation"]["lastMessagePreview"]
    return value


async def test_a_plain_send_is_stored_sealed_and_reads_back(
    pair: CoupleClients, raw: asyncpg.Connection
) -> None:
    sent = await pair.send(pair.a, LONG)
    assert sent["content"] == LONG

    row = await stored(raw, sent["id"])
    assert_sealed(row["content"], LONG)
    assert row["original_content"] is None
    # The trigger copied the sealed content whole: a cut ciphertext would be garbage.
    assert row["last_message_preview"] == row["content"]

    for client in (pair.a, pair.b):
        assert await read_back(pair, client, sent["id"]) == LONG
        assert await preview(client) == LONG[:100]


@pytest.mark.parametrize("text", [HUGE, "🫶", "x"])
async def test_emoji_and_the_longest_message_round_trip(
    pair: CoupleClients, raw: asyncpg.Connection, text: str
) -> None:
    sent = await pair.send(pair.a, text)
    assert_sealed((await stored(raw, sent["id"]))["content"], text)
    assert await read_back(pair, pair.b, sent["id"]) == text
    assert await preview(pair.b) == text[:100]


async def test_a_luna_reviewed_send_and_its_suggestion_are_sealed(
    pair: CoupleClients, raw: asyncpg.Connection
) -> None:
    await set_luna(pair.a, suggestionMode="ALWAYS", interventionEnabled=False)
    stopped = await send(pair, pair.a, KNOWN, clientMessageId="draft-1")
    assert stopped["__typename"] == "LunaReviewRequired"
    suggestion = stopped["review"]["suggestion"]
    assert suggestion["originalMessage"] == KNOWN

    row = await raw.fetchrow(
        "SELECT original_message, primary_suggestion, suggestion_rationale, underlying_need, "
        "alternatives FROM message_suggestions WHERE id = $1",
        uuid.UUID(suggestion["id"]),
    )
    assert_sealed(row["original_message"], KNOWN)
    assert_sealed(row["primary_suggestion"], suggestion["primarySuggestion"])
    assert_sealed(row["suggestion_rationale"], suggestion["suggestionRationale"])
    if suggestion["underlyingNeed"] is not None:
        assert_sealed(row["underlying_need"], suggestion["underlyingNeed"])
    alternatives = json.loads(row["alternatives"])  # one JSON string: the sealed array
    assert_sealed(alternatives, " ".join(a["text"] for a in suggestion["alternatives"]))

    # A retried stopped send finds its suggestion by the (sealed) draft.
    again = await send(pair, pair.a, KNOWN, clientMessageId="draft-1")
    assert again["review"]["suggestion"]["id"] == suggestion["id"]
    mine = (await pair.a.data(MY_SUGGESTIONS, {"id": pair.conversation_id}))["mySuggestions"]
    assert [e["node"] for e in mine["edges"]] == [suggestion]

    answered = await respond(pair.a, suggestion["id"], "ACCEPTED", selectedAlternativeIndex=0)
    message = answered["message"]
    assert message["content"] == suggestion["primarySuggestion"]
    assert message["originalContent"] == KNOWN
    row = await stored(raw, message["id"])
    assert_sealed(row["content"], suggestion["primarySuggestion"])
    assert_sealed(row["original_content"], KNOWN)

    one = (await pair.a.data(MESSAGE, {"id": message["id"]}))["message"]
    assert (one["content"], one["originalContent"]) == (suggestion["primarySuggestion"], KNOWN)
    theirs = (await pair.b.data(MESSAGE, {"id": message["id"]}))["message"]
    assert (theirs["originalContent"], theirs["lunaIntervened"]) == (None, False)


async def test_a_stopped_severe_draft_is_sealed_too(
    pair: CoupleClients, raw: asyncpg.Connection
) -> None:
    await set_luna(pair.a, suggestionMode="HIGH_RISK_ONLY", interventionEnabled=True)
    stopped = await send(pair, pair.a, SEVERE)
    assert stopped["__typename"] == "LunaReviewRequired"
    drafts = await raw.fetch("SELECT original_message FROM message_suggestions")
    assert len(drafts) == 1
    assert_sealed(drafts[0]["original_message"], SEVERE)


async def test_rows_sealed_with_an_old_key_read_after_a_new_key_is_put_first(
    database_url: str, pair: CoupleClients, raw: asyncpg.Connection
) -> None:
    async with serve(encrypted_settings(database_url, keys=OLD_KEY)) as http:
        old = await pair.send(GraphQLClient(http, pair.a.token), "written under the old key")
    assert_sealed((await stored(raw, old["id"]))["content"], "written", key_id="old")

    async with serve(encrypted_settings(database_url, keys=f"{NEW_KEY},{OLD_KEY}")) as http:
        a, b = GraphQLClient(http, pair.a.token), GraphQLClient(http, pair.b.token)
        assert await preview(b) == "written under the old key"
        new = await pair.send(a, "written under the new key")
        assert_sealed((await stored(raw, new["id"]))["content"], "written", key_id="new")
        assert await read_back(pair, b, old["id"]) == "written under the old key"
        assert await read_back(pair, b, new["id"]) == "written under the new key"


async def test_plain_rows_from_before_encryption_still_read(
    database_url: str, pair: CoupleClients, raw: asyncpg.Connection
) -> None:
    async with serve(make_settings(database_url)) as http:
        before = await pair.send(GraphQLClient(http, pair.a.token), LONG)
        # A partner cannot write something that later reads as an envelope.
        lookalike = "enc:v1:new:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        tricky = await pair.send(GraphQLClient(http, pair.a.token), lookalike)
    row = await stored(raw, before["id"])
    assert row["content"] == LONG
    assert (await stored(raw, tricky["id"]))["content"] != lookalike

    after = await pair.send(pair.b, "sealed now")
    assert_sealed((await stored(raw, after["id"]))["content"], "sealed now")
    assert await read_back(pair, pair.b, before["id"]) == LONG
    assert await read_back(pair, pair.b, tricky["id"]) == lookalike
    assert await read_back(pair, pair.a, after["id"]) == "sealed now"

    # Soft delete recomputes the preview by the trigger's rule, plain or sealed.
    await pair.b.data(DELETE, {"id": after["id"]})
    assert await preview(pair.a) == lookalike
    await pair.a.data(DELETE, {"id": tricky["id"]})
    assert (await stored(raw, before["id"]))["last_message_preview"] == LONG[:100]
    assert await preview(pair.a) == LONG[:100]


async def test_soft_delete_copies_the_previous_sealed_message_whole(
    pair: CoupleClients, raw: asyncpg.Connection
) -> None:
    first = await pair.send(pair.a, LONG)
    second = await pair.send(pair.b, "to be deleted")
    await pair.b.data(DELETE, {"id": second["id"]})
    row = await stored(raw, first["id"])
    assert row["last_message_preview"] == row["content"]
    assert await preview(pair.a) == LONG[:100]


@pytest.mark.parametrize("keys", ["impostor", "missing"])
async def test_a_key_that_does_not_open_a_row_is_a_coded_internal_error(
    database_url: str,
    pair: CoupleClients,
    caplog: pytest.LogCaptureFixture,
    keys: str,
) -> None:
    sent = await pair.send(pair.a, "our secret plans for the weekend")
    wrong = generate_encryption_key("new") if keys == "impostor" else generate_encryption_key("x")
    caplog.set_level(logging.ERROR, logger="luna_graphql.api")
    async with serve(encrypted_settings(database_url, keys=wrong)) as http:
        b = GraphQLClient(http, pair.b.token)
        for query, variables in (
            (MESSAGE, {"id": sent["id"]}),
            (CONVERSATION, None),
        ):
            result = await b.execute(query, variables)
            assert result.codes == ["INTERNAL_SERVER_ERROR"], result
            body = json.dumps(result)
            for leak in ("secret plans", wrong.partition(":")[2], NEW_KEY.partition(":")[2]):
                assert leak not in body
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_info[1] if r.exc_info else ''}" for r in caplog.records
    )
    assert "key id 'new'" in logged
    for leak in ("secret plans", wrong.partition(":")[2], NEW_KEY.partition(":")[2]):
        assert leak not in logged
