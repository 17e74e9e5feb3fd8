"""Each partner's own preferences: defaults on first access, partial updates."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import PartnerMessagingPreferences
from tests.api.conftest import make_settings, serve
from tests.api.helpers import CoupleClients, GraphQLClient, listening, token_for
from tests.factories import make_couple

FIELDS = """
  relationshipId partnerId lunaAssistanceEnabled suggestionMode interventionEnabled
  interventionSensitivity pushNotificationsEnabled notificationSound showSentimentIndicators
  showReadReceipts showTypingIndicators analysisEnabled createdAt updatedAt
"""
GET = f"{{ messagingPreferences {{ {FIELDS} }} }}"
UPDATE = f"mutation($i: UpdateMessagingPreferencesInput!) {{ updateMessagingPreferences(input: $i) {{ {FIELDS} }} }}"

DEFAULTS = {
    "lunaAssistanceEnabled": True,
    "suggestionMode": "ON_REQUEST",
    "interventionEnabled": True,
    "interventionSensitivity": "MEDIUM",
    "pushNotificationsEnabled": True,
    "notificationSound": True,
    "showSentimentIndicators": False,
    "showReadReceipts": True,
    "showTypingIndicators": True,
    "analysisEnabled": True,
}


def settings_only(prefs: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in prefs.items() if k in DEFAULTS}


async def test_defaults_on_first_access_once(pair: CoupleClients, session: AsyncSession) -> None:
    a = (await pair.a.data(GET))["messagingPreferences"]
    assert settings_only(a) == DEFAULTS
    assert a["partnerId"] == "PARTNER_A" and a["relationshipId"] == pair.relationship_id
    again = (await pair.a.data(GET))["messagingPreferences"]
    assert again == a
    b = (await pair.b.data(GET))["messagingPreferences"]
    assert b["partnerId"] == "PARTNER_B"
    count = await session.scalar(select(func.count()).select_from(PartnerMessagingPreferences))
    assert count == 2


async def test_partial_update_changes_only_what_is_given(
    pair: CoupleClients, database_url: str
) -> None:
    before = (await pair.a.data(GET))["messagingPreferences"]
    async with listening(database_url, uuid.UUID(pair.relationship_id)) as log:
        await log.drain()
        after = (
            await pair.a.data(
                UPDATE,
                {
                    "i": {
                        "suggestionMode": "ALWAYS",
                        "interventionSensitivity": "HIGH",
                        "showTypingIndicators": None,
                    }
                },
            )
        )["updateMessagingPreferences"]
        events = await log.drain()
    assert [(e.kind, e.data) for e in events] == [("preferences_changed", {"by": "partner_a"})]
    assert settings_only(after) == {
        **DEFAULTS,
        "suggestionMode": "ALWAYS",
        "interventionSensitivity": "HIGH",
    }
    assert after["updatedAt"] >= before["updatedAt"] and after["createdAt"] == before["createdAt"]
    assert settings_only((await pair.b.data(GET))["messagingPreferences"]) == DEFAULTS
    # An empty update is a read.
    same = (await pair.a.data(UPDATE, {"i": {}}))["updateMessagingPreferences"]
    assert settings_only(same) == settings_only(after)


async def test_update_before_first_read_creates_the_row(pair: CoupleClients) -> None:
    created = (await pair.b.data(UPDATE, {"i": {"showReadReceipts": False}}))[
        "updateMessagingPreferences"
    ]
    assert settings_only(created) == {**DEFAULTS, "showReadReceipts": False}


async def test_unknown_enum_values_are_refused(pair: CoupleClients) -> None:
    result = await pair.a.execute(UPDATE, {"i": {"suggestionMode": "SOMETIMES"}})
    assert result.codes == ["BAD_USER_INPUT"]
    literal = await pair.a.execute(
        "mutation { updateMessagingPreferences(input: {interventionSensitivity: EXTREME}) { partnerId } }"
    )
    assert literal.codes == ["GRAPHQL_VALIDATION_FAILED"]
    assert settings_only((await pair.a.data(GET))["messagingPreferences"]) == DEFAULTS


async def test_analysis_consent_default_comes_from_settings(
    database_url: str, session: AsyncSession
) -> None:
    couple = await make_couple(session)
    settings = make_settings(database_url, analysis_enabled_default=False)
    async with serve(settings) as http:
        client = GraphQLClient(http, token_for(settings, couple.partner_a.id))
        prefs = (await client.data(GET))["messagingPreferences"]
        assert prefs["analysisEnabled"] is False
        assert prefs["suggestionMode"] == "ON_REQUEST"
