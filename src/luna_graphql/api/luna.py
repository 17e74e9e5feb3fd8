"""Mutations `reviewMessage`, `respondToSuggestion`; query `mySuggestions`.

Thin resolvers: the phases (read, model call with no session open, write) live in
`services.luna_review`; the rules in `services.luna_policy` and `services.luna_response`.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from luna_graphql.ai.assistant import Assistant
from luna_graphql.ai.local import LocalAssistant
from luna_graphql.api.context import LunaContext
from luna_graphql.api.ids import parse_id
from luna_graphql.api.types.luna import (
    LunaSuggestion,
    MessageReview,
    RespondToSuggestionInput,
    ReviewMessageInput,
    SuggestionAction,
)
from luna_graphql.api.types.messages import Message, PageInfo
from luna_graphql.errors import BadUserInput
from luna_graphql.services.luna_response import Action, respond_to_suggestion
from luna_graphql.services.luna_review import review_message
from luna_graphql.services.suggestions import SuggestionCursor, list_suggestions

_CURSOR_PREFIX = "sg:"
_STANDBY = LocalAssistant()
_ACTIONS: dict[SuggestionAction, Action] = {
    SuggestionAction.ACCEPTED: "accepted",
    SuggestionAction.REJECTED: "rejected",
    SuggestionAction.MODIFIED: "modified",
    SuggestionAction.IGNORED: "ignored",
}


def assistant_of(ctx: LunaContext) -> Assistant:
    """The app's assistant. An app whose lifespan wired none (a test of another feature)
    still reviews, offline: messaging must not depend on the assistant being there."""
    assistant: Assistant | None = ctx.runtime.assistant
    return _STANDBY if assistant is None else assistant


def encode_suggestion_cursor(created_at: datetime, suggestion_id: uuid.UUID) -> str:
    raw = f"{_CURSOR_PREFIX}{created_at.isoformat()}|{suggestion_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_suggestion_cursor(cursor: str, *, field: str) -> SuggestionCursor:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        if not text.startswith(_CURSOR_PREFIX):
            raise ValueError(text)
        stamp, _, ident = text.removeprefix(_CURSOR_PREFIX).partition("|")
        created_at = datetime.fromisoformat(stamp)
        if created_at.tzinfo is None:
            raise ValueError(stamp)
        # The driver sends it in UTC: a time that leaves datetime's range there (year 1 at
        # +05:00, year 9999 at -05:00) would fail in the driver, not as bad input.
        created_at = created_at.astimezone(UTC)
        return SuggestionCursor(created_at=created_at, id=uuid.UUID(ident))
    except (ValueError, OverflowError, UnicodeError, binascii.Error) as exc:
        raise BadUserInput(f"{field} is not a valid cursor", field=field) from exc


@strawberry.type
class LunaSuggestionEdge:
    cursor: str
    node: LunaSuggestion


@strawberry.type(description="The viewer's own suggestions, newest first.")
class LunaSuggestionConnection:
    edges: list[LunaSuggestionEdge]
    page_info: PageInfo


@strawberry.type
class RespondToSuggestionPayload:
    suggestion: LunaSuggestion
    message: Message | None = strawberry.field(
        description="The message the answer sent; null for IGNORED."
    )


async def resolve_review_message(
    info: Info[LunaContext, None], input: ReviewMessageInput
) -> MessageReview:
    ctx = info.context
    viewer = ctx.require_viewer()
    conversation_id = parse_id(input.conversation_id, field="conversationId")
    await ctx.runtime.limiter.hit("review", str(viewer.user_id))
    result = await review_message(
        ctx,
        viewer=viewer,
        assistant=assistant_of(ctx),
        conversation_id=conversation_id,
        draft=input.draft,
        max_content_chars=ctx.settings.message_max_chars,
        context_messages=ctx.settings.luna_context_messages,
    )
    return MessageReview.from_review(result.review, result.suggestion)


async def resolve_respond_to_suggestion(
    info: Info[LunaContext, None], input: RespondToSuggestionInput
) -> RespondToSuggestionPayload:
    ctx = info.context
    viewer = ctx.require_viewer()
    suggestion_id = parse_id(input.suggestion_id, field="suggestionId")
    action = _ACTIONS[input.action]
    if action != "ignored":  # it sends a message like sendMessage does
        await ctx.runtime.limiter.hit("send", str(viewer.user_id))
    async with ctx.write() as session:
        answer = await respond_to_suggestion(
            session,
            viewer=viewer,
            emitter=ctx.emitter,
            suggestion_id=suggestion_id,
            action=action,
            final_content=input.final_content,
            selected_alternative_index=input.selected_alternative_index,
            client_message_id=input.client_message_id,
            max_content_chars=ctx.settings.message_max_chars,
        )
    return RespondToSuggestionPayload(
        suggestion=LunaSuggestion.from_view(answer.suggestion),
        message=None if answer.message is None else Message.from_view(answer.message),
    )


async def resolve_my_suggestions(
    info: Info[LunaContext, None],
    conversation_id: strawberry.ID,
    first: int | None = None,
    after: str | None = None,
) -> LunaSuggestionConnection:
    ctx = info.context
    viewer = ctx.require_viewer()
    cursor = None if after is None else decode_suggestion_cursor(after, field="after")
    async with ctx.read() as session:
        page = await list_suggestions(
            session,
            viewer=viewer,
            conversation_id=parse_id(conversation_id, field="conversationId"),
            first=first,
            after=cursor,
            default_size=ctx.settings.page_size_default,
            max_size=ctx.settings.page_size_max,
        )
    edges = [
        LunaSuggestionEdge(
            cursor=encode_suggestion_cursor(view.created_at, view.id),
            node=LunaSuggestion.from_view(view),
        )
        for view in page.suggestions
    ]
    return LunaSuggestionConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


@strawberry.type
class LunaQuery:
    my_suggestions: LunaSuggestionConnection = strawberry.field(
        resolver=resolve_my_suggestions,
        description="The viewer's own Luna suggestions in their conversation, newest first "
        "(first/after; default 50, at most 100). Never anyone else's.",
    )


@strawberry.type
class LunaMutation:
    review_message: MessageReview = strawberry.mutation(
        resolver=resolve_review_message,
        description="Ask Luna to review a draft privately; nothing is sent. A draft that is "
        "not SAFE comes with a stored suggestion to answer with respondToSuggestion.",
    )
    respond_to_suggestion: RespondToSuggestionPayload = strawberry.mutation(
        resolver=resolve_respond_to_suggestion,
        description="Answer one of the viewer's suggestions, once. ACCEPTED, MODIFIED and "
        "REJECTED send the message in the same transaction; IGNORED sends nothing.",
    )
