"""`reencrypt`: text stored plain (before encryption was on) or under an older key is sealed
with the first key, after which the older key can be retired."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from luna_graphql.crypto import TextCipher, generate_encryption_key
from luna_graphql.db.engine import build_sessionmaker
from luna_graphql.services.at_rest import SEALED_COLUMNS, reseal_all
from tests.api.conftest import make_settings, serve
from tests.api.helpers import CONVERSATION, CoupleClients, GraphQLClient
from tests.encryption.conftest import NEW_KEY, OLD_KEY, encrypted_settings
from tests.gestures.helpers import PENDING, send_gesture
from tests.luna.helpers import KNOWN, MY_SUGGESTIONS, respond, send, set_luna

LUNA = str(Path(sys.executable).with_name("luna-graphql"))


async def stored_values(raw: asyncpg.Connection) -> list[str]:
    values: list[str] = []
    for target in SEALED_COLUMNS:
        inner = f"{target.column} #>> '{{}}'" if target.json else target.column
        rows = await raw.fetch(
            f"SELECT {inner} AS v FROM {target.table} WHERE {target.column} IS NOT NULL"
        )
        values += [row["v"] for row in rows]
    return values


async def write_history(database_url: str, pair: CoupleClients) -> dict[str, str]:
    """Plain rows of every kind, then one message under the old key."""
    async with serve(make_settings(database_url, assistant_provider="local")) as http:
        a = GraphQLClient(http, pair.a.token)
        await pair.send(a, "from before encryption 🫶🏽")
        await set_luna(a, suggestionMode="ALWAYS", interventionEnabled=False)
        stopped = await send(pair, a, KNOWN)
        suggestion = stopped["review"]["suggestion"]
        await respond(a, suggestion["id"], "ACCEPTED")
        await send_gesture(a, relationshipId=pair.relationship_id, message="hug from before")
    async with serve(encrypted_settings(database_url, keys=OLD_KEY)) as http:
        old = await pair.send(GraphQLClient(http, pair.b.token), "under the old key")
    return {"suggestion": suggestion["id"], "old": old["id"]}


async def test_reencrypt_seals_everything_under_the_first_key(
    database_url: str, pair: CoupleClients, engine: AsyncEngine, raw: asyncpg.Connection
) -> None:
    await write_history(database_url, pair)
    before = await stored_values(raw)
    assert any(not v.startswith("enc:") for v in before)
    assert any(v.startswith("enc:v1:old:") for v in before)

    cipher = TextCipher.from_spec(f"{NEW_KEY},{OLD_KEY}")
    reports = await reseal_all(build_sessionmaker(engine), cipher=cipher, batch_size=2)
    assert sum(r.unreadable + r.changed_meanwhile for r in reports.values()) == 0
    after = await stored_values(raw)
    assert len(after) == len(before)
    assert all(v.startswith("enc:v1:new:") for v in after), after
    again = await reseal_all(build_sessionmaker(engine), cipher=cipher)
    assert sum(r.rewritten for r in again.values()) == 0

    # The old key retired: everything still reads, as it was written.
    async with serve(encrypted_settings(database_url, keys=NEW_KEY)) as http:
        a = GraphQLClient(http, pair.a.token)
        b = GraphQLClient(http, pair.b.token)
        contents = [e["node"]["content"] for e in (await pair.history(b))["edges"]]
        assert contents[0] == "from before encryption 🫶🏽"
        assert contents[-1] == "under the old key"
        mine = (await a.data(MY_SUGGESTIONS, {"id": pair.conversation_id}))["mySuggestions"]
        node = mine["edges"][0]["node"]
        assert node["originalMessage"] == KNOWN and node["alternatives"]
        assert contents[1] == node["primarySuggestion"]
        pending = (await b.data(PENDING))["pendingGestures"]
        assert [g["message"] for g in pending] == ["hug from before"]
        preview = (await b.data(CONVERSATION))["conversation"]["lastMessagePreview"]
        assert preview == "under the old key"


async def test_a_value_no_key_opens_is_counted_and_left_alone(
    database_url: str, pair: CoupleClients, engine: AsyncEngine, raw: asyncpg.Connection
) -> None:
    lost = generate_encryption_key("lost")
    async with serve(encrypted_settings(database_url, keys=lost)) as http:
        gone = await pair.send(GraphQLClient(http, pair.a.token), "under a lost key")
    kept = await pair.send(pair.a, "under the new key")
    await raw.execute(
        "UPDATE partner_messages SET content = 'plain again' WHERE id = $1", uuid.UUID(kept["id"])
    )
    before = await raw.fetchval(
        "SELECT content FROM partner_messages WHERE id = $1", uuid.UUID(gone["id"])
    )

    cipher = TextCipher.from_spec(NEW_KEY)
    reports = await reseal_all(build_sessionmaker(engine), cipher=cipher)
    by_column = {(t.table, t.column): r for t, r in reports.items()}
    content = by_column[("partner_messages", "content")]
    assert (content.rewritten, content.unreadable) == (1, 1)
    assert (
        await raw.fetchval(
            "SELECT content FROM partner_messages WHERE id = $1", uuid.UUID(gone["id"])
        )
        == before
    )
    assert (
        await pair.a.data("query($id: ID!) { message(id: $id) { content } }", {"id": kept["id"]})
    )["message"]["content"] == "plain again"


async def test_the_command_refuses_without_keys_and_runs_with_them(
    database_url: str, pair: CoupleClients, raw: asyncpg.Connection
) -> None:
    async with serve(make_settings(database_url)) as http:
        await pair.send(GraphQLClient(http, pair.a.token), "written plain")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    env["LUNA_DATABASE_URL"] = database_url
    refused = subprocess.run([LUNA, "reencrypt"], env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "LUNA_ENCRYPTION_KEYS is not set" in refused.stderr

    env["LUNA_ENCRYPTION_KEYS"] = NEW_KEY
    done = subprocess.run([LUNA, "reencrypt"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "partner_messages.content: 1 rewritten" in done.stderr
    assert NEW_KEY.partition(":")[2] not in done.stderr + done.stdout
    assert all(v.startswith("enc:v1:new:") for v in await stored_values(raw))
