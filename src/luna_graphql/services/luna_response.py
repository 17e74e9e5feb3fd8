"""`respondToSuggestion`: the writer's answer to a suggestion, and the message it sends.

| action   | sends                                                | intervention_accepted |
|----------|------------------------------------------------------|-----------------------|
| ACCEPTED | the chosen text: 0 = primary, i = alternatives[i-1] | true                  |
| MODIFIED | `finalContent` (their edit of the chosen text)       | true                  |
| REJECTED | the original draft                                   | false                 |
| IGNORED  | nothing (the writer cancelled)                       | -                     |

The message goes through the ordinary send path (seq, counters, `message_added`) in the
same transaction as the answer, with `luna_intervened`, `intervention_type` (the
suggestion's), `intervention_accepted` and `original_content` (the draft) set on it; the
suggestion gets `user_action`, `responded_at`, `selected_alternative_index` (ACCEPTED and
MODIFIED only) and `final_message_id`. Without a `clientMessageId` of its own, the message
takes the key of the `sendMessage` that was stopped, so retrying that send returns it.

A suggestion is answered once: the row is locked, and a second answer is CONFLICT with
nothing changed. The one exception is a retry of the same answer with the same
`clientMessageId`, which returns the first result (the point of an idempotency key).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import MessageSuggestion
from luna_graphql.errors import BadUserInput, Conflict, LunaError, NotFound
from luna_graphql.realtime.events import EventEmitter
from luna_graphql.services.access import Viewer, find_optional_membership
from luna_graphql.services.message_send import (
    LunaMarks,
    SentMessage,
    clean_client_message_id,
    clean_content,
    send_message,
)
from luna_graphql.services.message_view import MessageView
from luna_graphql.services.messages import get_message
from luna_graphql.services.suggestions import SuggestionView, view_suggestion

Action = Literal["accepted", "rejected", "modified", "ignored"]


@dataclass(frozen=True)
class SuggestionAnswer:
    suggestion: SuggestionView
    message: MessageView | None  # None for IGNORED


@dataclass(frozen=True)
class _Final:
    text: str | None
    selected_index: int | None
    accepted: bool


def _not_found() -> NotFound:
    # The same error for a missing id, the partner's suggestion and another couple's.
    return NotFound("Suggestion not found", field="suggestionId")


def _final(
    suggestion: SuggestionView,
    action: Action,
    *,
    final_content: str | None,
    selected_index: int | None,
    max_chars: int,
) -> _Final:
    """What the answer sends, after checking that the input fits the action."""
    if action in ("rejected", "ignored"):
        if final_content is not None or selected_index is not None:
            raise BadUserInput(
                f"{action.upper()} takes no finalContent or selectedAlternativeIndex",
                field="finalContent" if final_content is not None else "selectedAlternativeIndex",
            )
        draft = suggestion.original_message if action == "rejected" else None
        return _Final(draft, None, accepted=False)
    index = 0 if selected_index is None else selected_index
    chosen = suggestion.text_of(index)
    if action == "modified":
        if final_content is None:
            raise BadUserInput("MODIFIED needs finalContent", field="finalContent")
        return _Final(
            clean_content(final_content, max_chars=max_chars, field="finalContent"),
            index,
            accepted=True,
        )
    if final_content is not None and final_content.strip() != chosen:
        raise BadUserInput(
            "finalContent differs from the chosen suggestion; answer MODIFIED to send an edit",
            field="finalContent",
        )
    return _Final(chosen, index, accepted=True)


async def respond_to_suggestion(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    suggestion_id: uuid.UUID,
    action: Action,
    final_content: str | None,
    selected_alternative_index: int | None,
    client_message_id: str | None,
    max_content_chars: int,
) -> SuggestionAnswer:
    client_id = clean_client_message_id(client_message_id)
    if action == "ignored" and client_id is not None:
        raise BadUserInput("IGNORED sends nothing: no clientMessageId", field="clientMessageId")
    membership = await find_optional_membership(session, viewer=viewer)
    if membership is None or membership.conversation_id is None:
        raise _not_found()
    row = await session.scalar(
        select(MessageSuggestion)
        .where(
            MessageSuggestion.id == suggestion_id,
            MessageSuggestion.conversation_id == membership.conversation_id,
            MessageSuggestion.sender_id == membership.role,
        )
        # Two devices answering at once: the second waits here, then sees the answer.
        .with_for_update()
    )
    if row is None:
        raise _not_found()
    suggestion = view_suggestion(row)
    if suggestion.user_action is not None:
        return await _replayed(session, viewer, suggestion, action, client_id)

    final = _final(
        suggestion,
        action,
        final_content=final_content,
        selected_index=selected_alternative_index,
        max_chars=max_content_chars,
    )
    sent: SentMessage | None = None
    if final.text is not None:
        # The stopped sendMessage's key, so that a retry of that send finds this message.
        client_id = client_id or suggestion.client_message_id
        sent = await _send(
            session,
            viewer=viewer,
            emitter=emitter,
            suggestion=suggestion,
            text=final.text,
            client_id=client_id,
            marks=LunaMarks(
                intervention_type=suggestion.intervention_type,
                accepted=final.accepted,
                original_content=suggestion.original_message,
            ),
            max_content_chars=max_content_chars,
        )
    answered = (
        await session.scalars(
            update(MessageSuggestion)
            .where(MessageSuggestion.id == suggestion.id)
            .values(
                user_action=action,
                responded_at=func.now(),
                selected_alternative_index=final.selected_index,
                final_message_id=None if sent is None else sent.message.id,
            )
            .returning(MessageSuggestion)
            .execution_options(populate_existing=True)
        )
    ).one()
    return SuggestionAnswer(view_suggestion(answered), None if sent is None else sent.message)


async def _send(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    suggestion: SuggestionView,
    text: str,
    client_id: str | None,
    marks: LunaMarks,
    max_content_chars: int,
) -> SentMessage:

    async def attempt(reply_to_id: uuid.UUID | None) -> SentMessage:
        return await send_message(
            session,
            viewer=viewer,
            emitter=emitter,
            conversation_id=suggestion.conversation_id,
            content=text,
            client_message_id=client_id,
            reply_to_id=reply_to_id,
            max_content_chars=max_content_chars,
            luna=marks,
        )

    try:
        sent = await attempt(suggestion.reply_to_id)
    except NotFound as exc:
        # The draft replied to a message deleted since: send it as a plain message rather
        # than fail an answer over a reply the writer cannot fix. (The send path's SELECT
        # raised it, before anything was written.)
        if exc.field != "replyToId" or suggestion.reply_to_id is None:
            raise
        sent = await attempt(None)
    if not sent.created:
        raise Conflict(
            "This clientMessageId was already used for another message", field="clientMessageId"
        )
    return sent


async def _replayed(
    session: AsyncSession,
    viewer: Viewer,
    suggestion: SuggestionView,
    action: Action,
    client_id: str | None,
) -> SuggestionAnswer:
    """The first result for a retry of the same answer with the same key; else CONFLICT."""
    already = Conflict("This suggestion was already answered", field="suggestionId")
    if client_id is None or action != suggestion.user_action or suggestion.final_message_id is None:
        raise already
    try:
        message = await get_message(session, viewer=viewer, message_id=suggestion.final_message_id)
    except LunaError:
        raise already from None
    if message.client_message_id != client_id:
        raise already
    return SuggestionAnswer(suggestion, message)
