"""Every configuration knob, read from the environment (prefix ``LUNA_``) at start-up only."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from luna_graphql.crypto import parse_encryption_keys

DEFAULT_JWT_SECRET = "luna-dev-secret-change-me-0123456789abcdef"
ENV_PREFIX = "LUNA_"

# A list setting: a JSON list, or comma-separated (`http://a.example,http://b.example`),
# which is how a list is usually written in an environment. NoDecode keeps pydantic-settings
# from insisting on JSON (and failing with a traceback) before `_list_setting` sees it.
ListSetting = Annotated[list[str], NoDecode]
_LIST_EXAMPLES = {
    "allowed_origins": "http://localhost:3000,https://app.example",
    "jwt_algorithms": "HS256,RS256",
}


def default_data_dir() -> Path:
    # The embedded server runs as an unprivileged `pgserver` user when we are root, and
    # that user cannot enter root's home directory, so root gets a system location.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/luna-graphql")
    from platformdirs import user_data_path

    return user_data_path("luna-graphql")


class Settings(BaseSettings):
    # Errors never echo the input: it may be a secret (keys, the JWT secret).
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    env: Literal["development", "production"] = "development"

    # Storage
    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL; empty starts an embedded PostgreSQL in data_dir.",
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    db_pool_size: int = Field(default=10, ge=1)
    # How long `serve` and `migrate` wait for the database to answer at start.
    database_wait_s: float = Field(default=30.0, ge=0)
    db_max_overflow: int = Field(default=10, ge=0)
    # Message text at rest: `id:base64-32-byte-key,…`, the first encrypts; empty = plain.
    encryption_keys: SecretStr = SecretStr("")

    # Events
    bus_url: str | None = Field(
        default=None,
        description="postgresql://… (LISTEN/NOTIFY), memory:// or redis://; empty = database.",
    )
    subscriber_queue_size: int = Field(default=1000, ge=1)

    # HTTP
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1)
    allowed_origins: ListSetting = Field(default_factory=list)
    max_body_bytes: int = Field(default=256 * 1024, ge=1)

    # Auth
    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_algorithms: ListSetting = Field(default_factory=lambda: ["HS256"])
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    jwt_jwks_url: str | None = None

    # GraphQL hardening
    max_query_depth: int = Field(default=12, ge=1)
    max_aliases: int = Field(default=30, ge=1)
    max_tokens: int = Field(default=2000, ge=1)
    graphql_ws_legacy: bool = False
    ws_max_subscriptions_per_connection: int = Field(default=20, ge=1)
    ws_max_connections_per_user: int = Field(default=10, ge=1)
    ws_connection_init_timeout_s: float = Field(default=5.0, gt=0)

    # Messaging
    message_max_chars: int = Field(default=5000, ge=1)
    page_size_default: int = Field(default=50, ge=1)
    page_size_max: int = Field(default=100, ge=1)
    typing_ttl_s: float = Field(default=6.0, gt=0)
    presence_offline_after_s: float = Field(default=90.0, gt=0)
    presence_heartbeat_s: float = Field(default=30.0, gt=0)

    # Rate limits (limits' notation, per user)
    rate_limit_storage_url: str = "memory://"
    rate_limit_send: str = "60/minute"
    rate_limit_typing: str = "30/10 seconds"
    rate_limit_review: str = "20/minute"
    rate_limit_gesture: str = "10/minute"
    rate_limit_reaction: str = "60/minute"

    # Assistant
    assistant_provider: Literal["auto", "local", "openai"] = "auto"
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    openai_model: str = "google/gemini-2.5-flash"
    assistant_timeout_s: float = Field(default=8.0, gt=0)
    luna_context_messages: int = Field(default=10, ge=0)

    # Background analysis
    analysis_enabled_default: bool = True
    analysis_worker_enabled: bool = True
    analysis_batch_size: int = Field(default=20, ge=1)
    analysis_max_attempts: int = Field(default=5, ge=1)
    analysis_poll_interval_s: float = Field(default=1.0, gt=0)
    analysis_lease_s: float = Field(default=60.0, gt=0)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def resolved_assistant_provider(self) -> Literal["local", "openai"]:
        if self.assistant_provider == "auto":
            return "openai" if self.openai_api_key is not None else "local"
        return self.assistant_provider

    @field_validator("allowed_origins", "jwt_algorithms", mode="before")
    @classmethod
    def _list_setting(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                example = _LIST_EXAMPLES.get(info.field_name or "", "a,b")
                raise ValueError(
                    f"expected a JSON list or comma-separated values, e.g. {example}"
                ) from None
        return [item.strip() for item in text.split(",") if item.strip()]

    @field_validator(
        "rate_limit_send",
        "rate_limit_typing",
        "rate_limit_review",
        "rate_limit_gesture",
        "rate_limit_reaction",
    )
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        from luna_graphql.rate_limit import parse_rate_limit

        parse_rate_limit(value)
        return value

    @field_validator("rate_limit_storage_url")
    @classmethod
    def _check_rate_limit_storage(cls, value: str) -> str:
        from luna_graphql.rate_limit import check_storage_url

        check_storage_url(value)
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _check_encryption_keys(cls, value: SecretStr) -> SecretStr:
        try:
            parse_encryption_keys(value.get_secret_value())
        except ValueError as exc:
            raise ValueError(f"LUNA_ENCRYPTION_KEYS: {exc}") from None
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.is_production and self.jwt_secret.get_secret_value() == DEFAULT_JWT_SECRET:
            raise ValueError("LUNA_JWT_SECRET must be set to a real secret in production")
        return self


def describe_settings_error(error: ValidationError) -> str:
    """One line naming each variable at fault and what it should hold, never its value
    (settings hide their input: it may be a secret)."""
    reasons = []
    for problem in error.errors():
        message = str(problem["msg"]).removeprefix("Value error, ")
        field = problem["loc"][0] if problem["loc"] else None
        if isinstance(field, str) and field in Settings.model_fields:
            variable = ENV_PREFIX + field.upper()
            message = message.removeprefix(f"{variable}: ")
            reasons.append(f"{variable}: {message}")
        else:  # a rule across settings, whose message names its variables
            reasons.append(message)
    return "; ".join(reasons)
