"""`respondToSuggestion`: each action, once only, only by the author; and `mySuggestions`."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import MessageSuggestion, PartnerConversation, PartnerMessage
from tests.api.helpers import CONVERSATION, CoupleClients, listening
from tests.luna.helpers import (
    KNOWN,
    MY_SUGGESTIONS,
    RESPOND,
    SEVERE,
    respond,
    review,
    send,
    set_luna,
    suggestion_rows,
)

UUID_ZERO = "00000000-0000-0000-0000-000000000000"


async def suggested(pair: CoupleClients, draft: str = KNOWN) -> dict[str, Any]:
    suggestion: dict[str, Any] = (await review(pair, pair.a, draft))["suggestion"]
    assert suggestion is not None
    return suggestion


async def row_of(session: AsyncSession, suggestion_id: str) -> MessageSuggestion:
    session.expire_all()
    row = await session.scalar(
        select(MessageSuggestion).where(MessageSuggestion.id == suggestion_id)
    )
    await session.commit()
    assert row is not None
    return row


async def test_accepted_sends_the_chosen_text_with_luna_marks(
    pair: CoupleClients, session: AsyncSession, database_url: str
) -> None:
    await send(pair, pair.b, "hi")
    suggestion = await suggested(pair)
    chosen = suggestion["alternatives"][0]["text"]

    async with listening(database_url, pair.couple.relationship.id) as events:
        answer = await respond(
            pair.a, suggestion["id"], "ACCEPTED", selectedAlternativeIndex=1, clientMessageId="r1"
        )
        [added] = await events.drain()

    message = answer["message"]
    assert message["content"] == chosen and message["seq"] == 2
    assert message["clientMessageId"] == "r1"
    assert (message["lunaIntervened"], message["interventionType"]) == (True, "SUGGESTION")
    assert (message["interventionAccepted"], message["originalContent"]) == (True, KNOWN)
    answered = answer["suggestion"]
    assert answered["userAction"] == "ACCEPTED" and answered["selectedAlternativeIndex"] == 1
    assert answered["finalMessageId"] == message["id"] and answered["respondedAt"]

    # The same send path: seq, counters, preview and the ids-only event.
    assert added.kind == "message_added"
    assert added.data == {
        "conversation_id": pair.conversation_id,
        "id": message["id"],
        "seq": 2,
        "sender": "partner_a",
    }
    conversation = (await pair.b.data(CONVERSATION))["conversation"]
    assert conversation["messageCount"] == 2 and conversation["lastSeq"] == 2
    assert conversation["lastMessagePreview"] == chosen[:100]
    row = await row_of(session, suggestion["id"])
    assert (row.user_action, row.selected_alternative_index) == ("accepted", 1)
    assert str(row.final_message_id) == message["id"] and row.responded_at is not None


async def test_accepted_defaults_to_the_primary_suggestion(pair: CoupleClients) -> None:
    suggestion = await suggested(pair)
    answer = await respond(pair.a, suggestion["id"], "ACCEPTED")
    assert answer["message"]["content"] == suggestion["primarySuggestion"]
    assert answer["suggestion"]["selectedAlternativeIndex"] == 0


async def test_modified_sends_the_edit(pair: CoupleClients) -> None:
    suggestion = await suggested(pair)
    edit = "I'd love some help with the dishes tonight, could you dry?"
    answer = await respond(
        pair.a, suggestion["id"], "MODIFIED", finalContent=f" {edit} ", selectedAlternativeIndex=2
    )
    message = answer["message"]
    assert message["content"] == edit
    assert (message["interventionAccepted"], message["originalContent"]) == (True, KNOWN)
    assert answer["suggestion"]["userAction"] == "MODIFIED"
    assert answer["suggestion"]["selectedAlternativeIndex"] == 2


async def test_rejected_sends_the_original_draft(pair: CoupleClients) -> None:
    # ON_REQUEST: Luna steps in on its own, so the intervention is a WARNING, not SUGGESTION.
    await set_luna(pair.a, suggestionMode="ON_REQUEST", interventionSensitivity="HIGH")
    stopped = await send(pair, pair.a, SEVERE)
    suggestion = stopped["review"]["suggestion"]
    assert suggestion["interventionType"] == "WARNING"

    answer = await respond(pair.a, suggestion["id"], "REJECTED")
    message = answer["message"]
    assert message["content"] == SEVERE
    assert (message["lunaIntervened"], message["interventionType"]) == (True, "WARNING")
    assert (message["interventionAccepted"], message["originalContent"]) == (False, SEVERE)
    assert answer["suggestion"]["selectedAlternativeIndex"] is None


async def test_ignored_sends_nothing(pair: CoupleClients, session: AsyncSession) -> None:
    suggestion = await suggested(pair)
    answer = await respond(pair.a, suggestion["id"], "IGNORED")
    assert answer["message"] is None
    assert answer["suggestion"]["userAction"] == "IGNORED"
    assert answer["suggestion"]["finalMessageId"] is None
    assert (await pair.history(pair.a))["edges"] == []
    row = await row_of(session, suggestion["id"])
    assert row.user_action == "ignored" and row.responded_at is not None


async def test_a_suggestion_is_answered_once(pair: CoupleClients, session: AsyncSession) -> None:
    suggestion = await suggested(pair)
    first = await respond(pair.a, suggestion["id"], "ACCEPTED", clientMessageId="once")
    before = await row_of(session, suggestion["id"])

    for action, extra in (
        ("REJECTED", {}),
        ("IGNORED", {}),
        ("ACCEPTED", {"clientMessageId": "other"}),
        ("MODIFIED", {"finalContent": "again", "clientMessageId": "once"}),
    ):
        variables = {"input": {"suggestionId": suggestion["id"], "action": action, **extra}}
        assert await pair.a.error_code(RESPOND, variables) == "CONFLICT", action

    after = await row_of(session, suggestion["id"])
    assert (after.user_action, after.responded_at, after.final_message_id) == (
        before.user_action,
        before.responded_at,
        before.final_message_id,
    )
    assert len((await pair.history(pair.a))["edges"]) == 1

    # Retrying the very same answer with its key is not a second answer: same result.
    replay = await respond(pair.a, suggestion["id"], "ACCEPTED", clientMessageId="once")
    assert replay["message"]["id"] == first["message"]["id"]
    assert replay["suggestion"] == first["suggestion"]


async def test_only_the_author_can_answer(
    pair: CoupleClients, outsiders: CoupleClients, session: AsyncSession
) -> None:
    suggestion = await suggested(pair)
    for client in (pair.b, outsiders.a, outsiders.b):
        for action in ("ACCEPTED", "IGNORED"):
            variables = {"input": {"suggestionId": suggestion["id"], "action": action}}
            result = await client.execute(RESPOND, variables)
            missing = await client.execute(
                RESPOND, {"input": {"suggestionId": UUID_ZERO, "action": action}}
            )
            # Exactly the answer for an id that does not exist: nothing to learn from it.
            assert result["errors"][0]["message"] == missing["errors"][0]["message"]
            assert result.codes == missing.codes == ["NOT_FOUND"]
    row = await row_of(session, suggestion["id"])
    assert row.user_action is None
    assert (await session.scalar(select(PartnerMessage.id).limit(1))) is None
    await session.commit()


async def test_input_must_fit_the_action(pair: CoupleClients, session: AsyncSession) -> None:
    suggestion = await suggested(pair)
    count = len(suggestion["alternatives"])
    bad: list[tuple[str, dict[str, Any], str]] = [
        ("MODIFIED", {}, "finalContent"),
        ("MODIFIED", {"finalContent": "   "}, "finalContent"),
        ("ACCEPTED", {"finalContent": "something else"}, "finalContent"),
        ("ACCEPTED", {"selectedAlternativeIndex": count + 1}, "selectedAlternativeIndex"),
        ("ACCEPTED", {"selectedAlternativeIndex": -1}, "selectedAlternativeIndex"),
        ("REJECTED", {"finalContent": "x"}, "finalContent"),
        ("IGNORED", {"selectedAlternativeIndex": 0}, "selectedAlternativeIndex"),
        ("IGNORED", {"clientMessageId": "c"}, "clientMessageId"),
    ]
    for action, extra, field in bad:
        variables = {"input": {"suggestionId": suggestion["id"], "action": action, **extra}}
        result = await pair.a.execute(RESPOND, variables)
        assert result.codes == ["BAD_USER_INPUT"], (action, extra, result)
        assert result["errors"][0]["extensions"]["field"] == field
    bad_id = {"input": {"suggestionId": "nope", "action": "IGNORED"}}
    assert await pair.a.error_code(RESPOND, bad_id) == "BAD_USER_INPUT"
    assert (await row_of(session, suggestion["id"])).user_action is None


async def test_a_used_client_message_id_conflicts_and_rolls_back(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await send(pair, pair.a, "earlier", clientMessageId="taken")
    suggestion = await suggested(pair)
    variables = {
        "input": {
            "suggestionId": suggestion["id"],
            "action": "ACCEPTED",
            "clientMessageId": "taken",
        }
    }
    assert await pair.a.error_code(RESPOND, variables) == "CONFLICT"
    assert (await row_of(session, suggestion["id"])).user_action is None


async def test_a_stopped_reply_stays_a_reply(pair: CoupleClients, session: AsyncSession) -> None:
    await set_luna(pair.a, suggestionMode="ALWAYS")
    original = await send(pair, pair.b, "are you coming?")
    stopped = await send(pair, pair.a, KNOWN, replyToId=original["message"]["id"])
    answer = await respond(pair.a, stopped["review"]["suggestion"]["id"], "ACCEPTED")
    assert answer["message"]["replyToId"] == original["message"]["id"]

    # If the replied-to message is gone by then, the answer is still sent, as a plain message.
    again = await send(pair, pair.a, KNOWN, replyToId=original["message"]["id"])
    await session.execute(
        text("UPDATE partner_messages SET deleted_at = now() WHERE id = :id"),
        {"id": original["message"]["id"]},
    )
    await session.commit()
    late = await respond(pair.a, again["review"]["suggestion"]["id"], "REJECTED")
    assert late["message"]["replyToId"] is None and late["message"]["content"] == KNOWN


async def test_my_suggestions_is_the_authors_history_newest_first(
    pair: CoupleClients, outsiders: CoupleClients, session: AsyncSession
) -> None:
    ids = [(await suggested(pair, f"{KNOWN} ({i})"))["id"] for i in range(5)]
    await respond(pair.a, ids[0], "IGNORED")
    await review(pair, pair.b, KNOWN)  # Blair's own, never in Alex's history

    seen: list[str] = []
    after = None
    while True:
        page = (
            await pair.a.data(
                MY_SUGGESTIONS, {"id": pair.conversation_id, "first": 2, "after": after}
            )
        )["mySuggestions"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(ids))
    everything = (await pair.a.data(MY_SUGGESTIONS, {"id": pair.conversation_id}))["mySuggestions"]
    assert everything["edges"][-1]["node"]["userAction"] == "IGNORED"

    blair = (await pair.b.data(MY_SUGGESTIONS, {"id": pair.conversation_id}))["mySuggestions"]
    assert len(blair["edges"]) == 1 and blair["edges"][0]["node"]["id"] not in ids

    other = {"id": outsiders.conversation_id}
    assert await pair.a.error_code(MY_SUGGESTIONS, other) == "NOT_FOUND"
    assert await outsiders.a.error_code(MY_SUGGESTIONS, {"id": pair.conversation_id}) == (
        "NOT_FOUND"
    )
    for variables in ({"first": 1000}, {"first": -1}, {"after": "garbage"}):
        bad = {"id": pair.conversation_id, **variables}
        assert await pair.a.error_code(MY_SUGGESTIONS, bad) == "BAD_USER_INPUT"


async def test_answers_go_through_the_conversation_counters(
    pair: CoupleClients, session: AsyncSession
) -> None:
    suggestion = await suggested(pair)
    await respond(pair.a, suggestion["id"], "REJECTED")
    session.expire_all()
    conversation = await session.scalar(select(PartnerConversation))
    assert conversation is not None
    assert (conversation.message_count, conversation.last_seq) == (1, 1)
    await session.commit()
    assert len(await suggestion_rows(session)) == 1


def suggestion_cursor(stamp: str) -> str:
    raw = f"sg:{stamp}|00000000-0000-4000-8000-000000000000".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_suggestion_cursors_at_the_ends_of_time(pair: CoupleClients) -> None:
    """A cursor's time is sent in UTC: one that leaves datetime's range there is bad input,
    not a driver error; the latest time datetime holds is a cursor like any other."""
    mine = (await suggested(pair, KNOWN))["id"]
    for stamp in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"):
        bad = {"id": pair.conversation_id, "after": suggestion_cursor(stamp)}
        assert await pair.a.error_code(MY_SUGGESTIONS, bad) == "BAD_USER_INPUT"
    latest = {"id": pair.conversation_id, "after": suggestion_cursor("9999-12-31T23:59:59+00:00")}
    page = (await pair.a.data(MY_SUGGESTIONS, latest))["mySuggestions"]
    assert [edge["node"]["id"] for edge in page["edges"]] == [mine]
