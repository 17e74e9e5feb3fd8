"""The viewer's own messaging preferences and their partial update."""

from __future__ import annotations

from datetime import datetime

import strawberry

from luna_graphql.api.types.enums import InterventionSensitivity, PartnerRole, SuggestionMode
from luna_graphql.db.models import PartnerMessagingPreferences
from luna_graphql.services.preferences import PreferenceChanges


@strawberry.type
class MessagingPreferences:
    relationship_id: strawberry.ID
    partner_id: PartnerRole
    luna_assistance_enabled: bool
    suggestion_mode: SuggestionMode
    intervention_enabled: bool
    intervention_sensitivity: InterventionSensitivity
    push_notifications_enabled: bool
    notification_sound: bool
    show_sentiment_indicators: bool
    show_read_receipts: bool = strawberry.field(
        description="When off, the partner never learns that the viewer read their messages."
    )
    show_typing_indicators: bool
    analysis_enabled: bool = strawberry.field(
        description="Consent to background analysis of the viewer's messages."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, row: PartnerMessagingPreferences) -> MessagingPreferences:
        return cls(
            relationship_id=strawberry.ID(str(row.relationship_id)),
            partner_id=PartnerRole(row.partner_id),
            luna_assistance_enabled=row.luna_assistance_enabled,
            suggestion_mode=SuggestionMode(row.suggestion_mode),
            intervention_enabled=row.intervention_enabled,
            intervention_sensitivity=InterventionSensitivity(row.intervention_sensitivity),
            push_notifications_enabled=row.push_notifications_enabled,
            notification_sound=row.notification_sound,
            show_sentiment_indicators=row.show_sentiment_indicators,
            show_read_receipts=row.show_read_receipts,
            show_typing_indicators=row.show_typing_indicators,
            analysis_enabled=row.analysis_enabled,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.input(description="Omitted or null fields are left unchanged.")
class UpdateMessagingPreferencesInput:
    luna_assistance_enabled: bool | None = None
    suggestion_mode: SuggestionMode | None = None
    intervention_enabled: bool | None = None
    intervention_sensitivity: InterventionSensitivity | None = None
    push_notifications_enabled: bool | None = None
    notification_sound: bool | None = None
    show_sentiment_indicators: bool | None = None
    show_read_receipts: bool | None = None
    show_typing_indicators: bool | None = None
    analysis_enabled: bool | None = None

    def to_changes(self) -> PreferenceChanges:
        return PreferenceChanges(
            luna_assistance_enabled=self.luna_assistance_enabled,
            suggestion_mode=None if self.suggestion_mode is None else self.suggestion_mode.value,
            intervention_enabled=self.intervention_enabled,
            intervention_sensitivity=(
                None
                if self.intervention_sensitivity is None
                else self.intervention_sensitivity.value
            ),
            push_notifications_enabled=self.push_notifications_enabled,
            notification_sound=self.notification_sound,
            show_sentiment_indicators=self.show_sentiment_indicators,
            show_read_receipts=self.show_read_receipts,
            show_typing_indicators=self.show_typing_indicators,
            analysis_enabled=self.analysis_enabled,
        )
