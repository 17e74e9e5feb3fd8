"""Luna's pre-send review: `reviewMessage`, and `sendMessage` with the viewer's Luna settings.

Both run in phases, each in a short session of its own, because the model call must hold
no transaction and no pooled connection while it runs (it may take the whole deadline):

1. read what the review needs (membership, preferences, context, the negative streak);
2. ask the assistant, with no session open;
3. write: store the suggestion, or send the message through the ordinary send path, which
   checks membership, retries and the reply again (anything may have changed meanwhile).

`sendMessage` stays one transaction (one SELECT, INSERT, NOTIFY) when Luna has nothing to
do: the decision is made from the preferences the send path's SELECT already reads, and
the offline screen is pure CPU. See `luna_policy` for the rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.ai.assistant import Assistant
from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.models import ContextMessage, DraftReview
from luna_graphql.realtime.events import EventEmitter
from luna_graphql.services.access import Membership, Viewer, find_conversation_membership
from luna_graphql.services.analysis import count_consecutive_negative, recent_escalations
from luna_graphql.services.luna_policy import (
    LunaPreferences,
    ReviewPlan,
    choose_intervention,
    plan_send_review,
)
from luna_graphql.services.message_send import (
    SentMessage,
    check_send,
    clean_client_message_id,
    clean_content,
    insert_message,
    send_message,
)
from luna_graphql.services.message_send_rows import send_plain
from luna_graphql.services.send_budget import spend_or_first
from luna_graphql.services.suggestions import (
    SuggestionView,
    find_pending_suggestion,
    load_context,
    review_of,
    store_suggestion,
    tally_review,
)

# An escalation this recent means the exchange is still hot (see luna_policy).
RECENT_ESCALATION = timedelta(minutes=30)

# The screen is always the offline assistant: it looks at every draft of a partner with
# intervention on, so it must never wait on a network. It is stateless and shareable.
OFFLINE_SCREEN = LocalAssistant()


class SessionScopes(Protocol):
    """Short sessions on demand (the GraphQL context is one): `read` rolls back, `write`
    commits when its block ends without error."""

    def read(self) -> AbstractAsyncContextManager[AsyncSession]: ...

    def write(self) -> AbstractAsyncContextManager[AsyncSession]: ...


@dataclass(frozen=True)
class ReviewResult:
    """`suggestion` is None exactly when the draft is SAFE (nothing is stored then)."""

    review: DraftReview
    suggestion: SuggestionView | None


@dataclass(frozen=True)
class ReviewRequired:
    """`sendMessage` did not send: the writer answers the suggestion first."""

    review: DraftReview
    suggestion: SuggestionView


SendOutcome = SentMessage | ReviewRequired


@dataclass(frozen=True)
class _Inputs:
    context: list[ContextMessage]
    consecutive_negative: int = 0
    recent_escalation: bool = False


def clean_draft(draft: str, *, max_chars: int) -> str:
    return clean_content(draft, max_chars=max_chars, field="draft")


async def review_message(
    scopes: SessionScopes,
    *,
    viewer: Viewer,
    assistant: Assistant,
    conversation_id: uuid.UUID,
    draft: str,
    max_content_chars: int,
    context_messages: int,
) -> ReviewResult:
    """Review a draft on request; a draft that is not SAFE gets a stored suggestion."""
    text = clean_draft(draft, max_chars=max_content_chars)
    async with scopes.read() as session:
        membership = await find_conversation_membership(
            session, viewer=viewer, conversation_id=conversation_id
        )
        LunaPreferences.of(membership.own_preferences).require_turned_on()
        context = await load_context(
            session,
            conversation_id=conversation_id,
            viewer_role=membership.role,
            limit=context_messages,
        )
    review = await assistant.review_draft(text, context=context)
    async with scopes.write() as session:
        membership = await find_conversation_membership(
            session, viewer=viewer, conversation_id=conversation_id
        )
        await tally_review(session, membership=membership, conversation_id=conversation_id)
        if review.risk_assessment == "safe":
            return ReviewResult(review, None)
        suggestion = await store_suggestion(
            session,
            membership=membership,
            conversation_id=conversation_id,
            draft=text,
            review=review,
            intervention_type="suggestion",
            context_message_count=len(context),
            origin="review_message",
        )
    return ReviewResult(review, suggestion)


async def send_with_review(
    scopes: SessionScopes,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    assistant: Assistant,
    conversation_id: uuid.UUID,
    content: str,
    client_message_id: str | None,
    reply_to_id: uuid.UUID | None,
    request_review: bool,
    max_content_chars: int,
    context_messages: int,
    screen: LocalAssistant = OFFLINE_SCREEN,
    row_pool: Any = None,
    spend: Callable[[], Awaitable[None]] | None = None,
) -> SendOutcome:
    """`sendMessage`: send, or stop the draft with a stored suggestion to answer.

    A retried clientMessageId returns the message it already sent, before any review; a
    retry of a stopped send returns its still unanswered suggestion.

    `spend` takes one send from the viewer's budget once the input passed the checks that
    need no database (see `send_budget.spend_or_first`).

    `row_pool` (an asyncpg pool, only when the emitter is the transactional `pg_notify`
    one): a send with no review to run goes through `message_send_rows.send_plain`, the
    same rules as prepared statements; anything else takes the path below from the start.
    """
    text = clean_content(content, max_chars=max_content_chars)
    client_id = clean_client_message_id(client_message_id)
    if spend is not None:
        first = await spend_or_first(
            spend, scopes.read, viewer=viewer, conversation_id=conversation_id, client_id=client_id
        )
        if first is not None:
            return first
    if row_pool is not None:
        sent = await send_plain(
            row_pool,
            viewer=viewer,
            conversation_id=conversation_id,
            text=text,
            client_id=client_id,
            reply_to_id=reply_to_id,
            request_review=request_review,
            screen=screen,
        )
        if sent is not None:
            return sent
    async with scopes.write() as session:
        check = await check_send(
            session,
            viewer=viewer,
            conversation_id=conversation_id,
            client_id=client_id,
            reply_to_id=reply_to_id,
        )
        if check.retried is not None:
            return check.retried
        prefs = LunaPreferences.of(check.membership.own_preferences)
        plan = plan_send_review(prefs, request_review=request_review)
        if plan is not None and plan.screen_first:
            plan = plan if await screen.screen_draft(text) else None
        if plan is None:
            return await insert_message(
                session,
                membership=check.membership,
                emitter=emitter,
                conversation_id=conversation_id,
                text=text,
                client_id=client_id,
                reply_to_id=reply_to_id,
            )
        if client_id is not None:
            # A retry of a send Luna stopped: the same suggestion, not a second review.
            pending = await find_pending_suggestion(
                session,
                membership=check.membership,
                conversation_id=conversation_id,
                client_message_id=client_id,
                draft=text,
            )
            if pending is not None:
                return ReviewRequired(review_of(pending), pending)
        inputs = await _read_inputs(
            session, check.membership, conversation_id, plan, context_messages
        )

    review = await assistant.review_draft(text, context=inputs.context)
    intervention = choose_intervention(
        plan,
        review,
        consecutive_negative=inputs.consecutive_negative,
        recent_escalation=inputs.recent_escalation,
    )
    async with scopes.write() as session:
        if request_review:
            membership = await find_conversation_membership(
                session, viewer=viewer, conversation_id=conversation_id
            )
            await tally_review(session, membership=membership, conversation_id=conversation_id)
        if intervention is None:
            return await send_message(
                session,
                viewer=viewer,
                emitter=emitter,
                conversation_id=conversation_id,
                content=text,
                client_message_id=client_id,
                reply_to_id=reply_to_id,
                max_content_chars=max_content_chars,
            )
        membership = await find_conversation_membership(
            session, viewer=viewer, conversation_id=conversation_id
        )
        suggestion = await store_suggestion(
            session,
            membership=membership,
            conversation_id=conversation_id,
            draft=text,
            review=review,
            intervention_type=intervention,
            context_message_count=len(inputs.context),
            origin="send_message",
            reply_to_id=reply_to_id,
            client_message_id=client_id,
        )
    return ReviewRequired(review, suggestion)


async def _read_inputs(
    session: AsyncSession,
    membership: Membership,
    conversation_id: uuid.UUID,
    plan: ReviewPlan,
    context_messages: int,
) -> _Inputs:
    """What the review and the intervention rule need, read before the model call."""
    context = await load_context(
        session,
        conversation_id=conversation_id,
        viewer_role=membership.role,
        limit=context_messages,
    )
    if not plan.intervene:
        return _Inputs(context)
    streak = await count_consecutive_negative(
        session, conversation_id=conversation_id, sender_id=membership.role
    )
    escalations = await recent_escalations(
        session, relationship_id=membership.relationship_id, within=RECENT_ESCALATION, limit=1
    )
    return _Inputs(context, streak, bool(escalations))
