"""Luna's involvement is the author's business: the partner sees an ordinary message."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.helpers import CONVERSATION, MESSAGE_FIELDS, CoupleClients

LUNA_FIELDS = ("lunaIntervened", "interventionType", "interventionAccepted", "originalContent")
UNTOUCHED = {
    "lunaIntervened": False,
    "interventionType": None,
    "interventionAccepted": None,
    "originalContent": None,
}
ORIGINAL = "You NEVER listen to me, this is so typical of you"


async def test_partner_never_sees_luna_fields(pair: CoupleClients, session: AsyncSession) -> None:
    touched = await pair.send(
        pair.a, "I feel unheard when we talk about plans", clientMessageId="c-1"
    )
    plain = await pair.send(pair.a, "See you at 7")
    await session.execute(
        text(
            "UPDATE partner_messages SET luna_intervened = true, intervention_type = 'reframe', "
            "intervention_accepted = true, original_content = :original WHERE id = :id"
        ),
        {"original": ORIGINAL, "id": touched["id"]},
    )
    await session.commit()
    single = f"query($id: ID!) {{ message(id: $id) {{ {MESSAGE_FIELDS} }} }}"

    # The author sees what Luna did.
    mine = (await pair.a.data(single, {"id": touched["id"]}))["message"]
    assert {k: mine[k] for k in LUNA_FIELDS} == {
        "lunaIntervened": True,
        "interventionType": "REFRAME",
        "interventionAccepted": True,
        "originalContent": ORIGINAL,
    }
    assert mine["clientMessageId"] == "c-1"

    # The partner sees exactly what an untouched message looks like, in every read path.
    response = await pair.b.http.post(
        "/graphql",
        json={"query": single, "variables": {"id": touched["id"]}},
        headers=pair.b.headers(),
    )
    assert ORIGINAL not in response.text and "REFRAME" not in response.text
    theirs = response.json()["data"]["message"]
    untouched = (await pair.b.data(single, {"id": plain["id"]}))["message"]
    assert (
        {k: theirs[k] for k in LUNA_FIELDS} == UNTOUCHED == {k: untouched[k] for k in LUNA_FIELDS}
    )
    assert theirs["clientMessageId"] is None  # the sender's device key is not the partner's
    assert set(theirs) == set(untouched)

    history = await pair.history(pair.b)
    for edge in history["edges"]:
        assert {k: edge["node"][k] for k in LUNA_FIELDS} == UNTOUCHED
    raw = await pair.b.http.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { messages(conversationId: $id) { edges { node { "
            + MESSAGE_FIELDS
            + " } } } }",
            "variables": {"id": pair.conversation_id},
        },
        headers=pair.b.headers(),
    )
    assert ORIGINAL not in raw.text
    conversation = await pair.b.http.post(
        "/graphql", json={"query": CONVERSATION}, headers=pair.b.headers()
    )
    assert ORIGINAL not in conversation.text

    author_history = await pair.history(pair.a)
    assert author_history["edges"][0]["node"]["originalContent"] == ORIGINAL
