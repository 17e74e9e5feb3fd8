"""`generateGestureMessage`: a warm note for a gesture, written by the assistant.

The assistant sees the partner's display name and a few recent messages of the couple that
background analysis found positive, as sent (never a draft Luna rewrote, never Luna's
suggestions or interventions, which are their author's alone). The partner's messages are
used only while the partner consents to analysis. The context is read in a short session
that is closed before the assistant is called: a model may take seconds.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.ai.assistant import Assistant
from luna_graphql.ai.models import GestureType
from luna_graphql.db.models import GESTURE_NOTE_MAX, PartnerMessage, User
from luna_graphql.services.access import Membership, Viewer, find_membership
from luna_graphql.services.gestures import clean_gesture_type

POSITIVE_MOMENTS = 5  # the prompt shows at most five moments
PARTNER_NAME = "partner_name"
POSITIVE_MESSAGES = "recent_positive_messages"


@dataclass(frozen=True)
class GestureNoteDraft:
    """`context_used` names the context the note drew on (PARTNER_NAME, POSITIVE_MESSAGES)."""

    message: str
    context_used: list[str]
    source: str


async def write_gesture_message(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant: Assistant,
    viewer: Viewer,
    relationship_id: uuid.UUID | None,
    gesture_type: str,
    analysis_enabled_default: bool,
) -> GestureNoteDraft:
    kind = cast(GestureType, clean_gesture_type(gesture_type))
    async with sessionmaker() as session:
        member = await find_membership(session, viewer=viewer, relationship_id=relationship_id)
        partner_name = await session.scalar(
            select(User.display_name).where(User.id == member.partner_user_id)
        )
        moments = await _positive_moments(session, member, analysis_enabled_default)
    note = await assistant.write_gesture_note(
        gesture_type=kind, partner_name=partner_name, positive_context=moments
    )
    # The contract says 280 characters whatever an assistant returns.
    message = note.message.strip()[:GESTURE_NOTE_MAX]
    return GestureNoteDraft(message, _context_used(note.context_used, moments), note.source)


async def _positive_moments(
    session: AsyncSession, member: Membership, analysis_enabled_default: bool
) -> list[str]:
    """The couple's most recent positive messages, newest first."""
    if member.conversation_id is None:
        return []
    senders = [member.role]
    partner_prefs = member.partner_preferences
    partner_consents = (
        analysis_enabled_default if partner_prefs is None else partner_prefs.analysis_enabled
    )
    if partner_consents:
        senders.append(member.partner_role)
    rows = await session.scalars(
        select(PartnerMessage.content)
        .where(
            PartnerMessage.conversation_id == member.conversation_id,
            PartnerMessage.sender_id.in_(senders),
            PartnerMessage.sentiment_label == "positive",
            PartnerMessage.deleted_at.is_(None),
        )
        .order_by(PartnerMessage.seq.desc())
        .limit(POSITIVE_MOMENTS)
    )
    return list(rows)


def _context_used(reported: dict[str, object], moments: Sequence[str]) -> list[str]:
    """Assistants report differently (the local one counts moments used, a model only what
    it was given); reduce both to which sources the note could draw on."""
    used = []
    if reported.get("partner_name_used"):
        used.append(PARTNER_NAME)
    moments_used = reported.get("positive_context_used", len(moments))
    if moments and isinstance(moments_used, int) and moments_used > 0:
        used.append(POSITIVE_MESSAGES)
    return used
