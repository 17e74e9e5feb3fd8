"""Query `viewer`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from luna_graphql.api.context import LunaContext
from luna_graphql.api.types.viewer import ViewerInfo
from luna_graphql.services.access import describe_viewer


async def resolve_viewer(info: Info[LunaContext, None]) -> ViewerInfo:
    ctx = info.context
    viewer = ctx.require_viewer()
    async with ctx.read() as session:
        profile = await describe_viewer(session, viewer=viewer)
    return ViewerInfo.from_profile(str(viewer.user_id), profile)


@strawberry.type
class ViewerQuery:
    viewer: ViewerInfo = strawberry.field(
        resolver=resolve_viewer,
        description="The signed-in user, their relationship and partner role.",
    )
