"""Query `messagingPreferences`; mutation `updateMessagingPreferences`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from luna_graphql.api.context import LunaContext
from luna_graphql.api.types.preferences import (
    MessagingPreferences,
    UpdateMessagingPreferencesInput,
)
from luna_graphql.services.preferences import get_preferences, update_preferences


async def resolve_messaging_preferences(info: Info[LunaContext, None]) -> MessagingPreferences:
    ctx = info.context
    viewer = ctx.require_viewer()
    # A write session: the first access creates the row with the defaults.
    async with ctx.write() as session:
        row = await get_preferences(
            session, viewer=viewer, analysis_enabled_default=ctx.settings.analysis_enabled_default
        )
    return MessagingPreferences.from_model(row)


async def resolve_update_messaging_preferences(
    info: Info[LunaContext, None], input: UpdateMessagingPreferencesInput
) -> MessagingPreferences:
    ctx = info.context
    viewer = ctx.require_viewer()
    async with ctx.write() as session:
        row = await update_preferences(
            session,
            viewer=viewer,
            emitter=ctx.emitter,
            analysis_enabled_default=ctx.settings.analysis_enabled_default,
            changes=input.to_changes(),
        )
    return MessagingPreferences.from_model(row)


@strawberry.type
class PreferencesQuery:
    messaging_preferences: MessagingPreferences = strawberry.field(
        resolver=resolve_messaging_preferences,
        description="The viewer's own preferences (created with the defaults on first access).",
    )


@strawberry.type
class PreferencesMutation:
    update_messaging_preferences: MessagingPreferences = strawberry.mutation(
        resolver=resolve_update_messaging_preferences,
        description="Change some of the viewer's own preferences.",
    )
