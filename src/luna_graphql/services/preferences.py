"""Each partner's own messaging preferences: created on first access, partially updated."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import SENSITIVITIES, SUGGESTION_MODES, PartnerMessagingPreferences
from luna_graphql.errors import BadUserInput
from luna_graphql.realtime.events import BusEvent, EventEmitter
from luna_graphql.services.access import Membership, Viewer, find_membership

PREFERENCES_CONSTRAINT = "uq_messaging_prefs_partner"


@dataclass(frozen=True)
class PreferenceChanges:
    """A partial update: None leaves a setting as it is."""

    luna_assistance_enabled: bool | None = None
    suggestion_mode: str | None = None
    intervention_enabled: bool | None = None
    intervention_sensitivity: str | None = None
    push_notifications_enabled: bool | None = None
    notification_sound: bool | None = None
    show_sentiment_indicators: bool | None = None
    show_read_receipts: bool | None = None
    show_typing_indicators: bool | None = None
    analysis_enabled: bool | None = None

    def values(self) -> dict[str, Any]:
        changes = {name: value for name, value in asdict(self).items() if value is not None}
        if changes.get("suggestion_mode", SUGGESTION_MODES[0]) not in SUGGESTION_MODES:
            raise BadUserInput("Unknown suggestion mode", field="suggestionMode")
        if changes.get("intervention_sensitivity", SENSITIVITIES[0]) not in SENSITIVITIES:
            raise BadUserInput("Unknown intervention sensitivity", field="interventionSensitivity")
        return changes


def _defaults(membership: Membership, analysis_enabled_default: bool) -> dict[str, Any]:
    # Every other default is the column's; consent to analysis is a deployment decision.
    return {
        "relationship_id": membership.relationship_id,
        "partner_id": membership.role,
        "analysis_enabled": analysis_enabled_default,
    }


async def get_preferences(
    session: AsyncSession, *, viewer: Viewer, analysis_enabled_default: bool
) -> PartnerMessagingPreferences:
    """The viewer's preferences; the row is created with the defaults on first access."""
    membership = await find_membership(session, viewer=viewer)
    own: PartnerMessagingPreferences | None = membership.own_preferences
    if own is not None:
        return own
    created: PartnerMessagingPreferences | None = await session.scalar(
        insert(PartnerMessagingPreferences)
        .values(**_defaults(membership, analysis_enabled_default))
        .on_conflict_do_nothing(constraint=PREFERENCES_CONSTRAINT)
        .returning(PartnerMessagingPreferences)
    )
    if created is not None:
        return created
    # Another device of the same partner created it between our read and insert.
    existing = await session.scalar(
        select(PartnerMessagingPreferences).where(
            PartnerMessagingPreferences.relationship_id == membership.relationship_id,
            PartnerMessagingPreferences.partner_id == membership.role,
        )
    )
    assert existing is not None
    return existing


async def update_preferences(
    session: AsyncSession,
    *,
    viewer: Viewer,
    emitter: EventEmitter,
    analysis_enabled_default: bool,
    changes: PreferenceChanges,
) -> PartnerMessagingPreferences:
    """Apply a partial update in one upsert; emits `preferences_changed` so live
    subscriptions (typing, receipts) can drop any cached copy."""
    values = changes.values()
    if not values:
        return await get_preferences(
            session, viewer=viewer, analysis_enabled_default=analysis_enabled_default
        )
    membership = await find_membership(session, viewer=viewer)
    statement = (
        insert(PartnerMessagingPreferences)
        .values(**{**_defaults(membership, analysis_enabled_default), **values})
        .on_conflict_do_update(constraint=PREFERENCES_CONSTRAINT, set_=values)
        .returning(PartnerMessagingPreferences)
        .execution_options(populate_existing=True)
    )
    preferences = (await session.scalars(statement)).one()
    await emitter.emit(
        session,
        BusEvent(
            kind="preferences_changed",
            relationship_id=membership.relationship_id,
            data={"by": membership.role},
        ),
    )
    return preferences
