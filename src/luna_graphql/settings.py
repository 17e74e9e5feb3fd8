"""Every configuration knob, read from the environment (prefix ``LUNA_``) at start-up only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from luna_graphql.crypto import parse_encryption_keys

DEFAULT_JWT_SECRET = "luna-dev-secret-change-me-0123456789abcdef"


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
        env_prefix="LUNA_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    env: Literal["development", "production"] = "development"

    # Storage
    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL; empty starts an embedded PostgreSQL in data_dir.",
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    db_pool_size: int = 10
    # How long `serve` and `migrate` wait for the database to answer at start.
    database_wait_s: float = Field(default=30.0, ge=0)
    db_max_overflow: int = 10
    # Message text at rest: `id:base64-32-byte-key,…`, the first encrypts; empty = plain.
    encryption_keys: SecretStr = SecretStr("")

    # Events
    bus_url: str | None = Field(
        default=None,
        description="postgresql://… (LISTEN/NOTIFY), memory:// or redis://; empty = database.",
    )
    subscriber_queue_size: int = 1000

    # HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    allowed_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = 256 * 1024

    # Auth
    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["HS256"])
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    jwt_jwks_url: str | None = None

    # GraphQL hardening
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    graphql_ws_legacy: bool = False
    ws_max_subscriptions_per_connection: int = 20
    ws_max_connections_per_user: int = 10
    ws_connection_init_timeout_s: float = 5.0

    # Messaging
    message_max_chars: int = 5000
    page_size_default: int = 50
    page_size_max: int = 100
    typing_ttl_s: float = 6.0
    presence_offline_after_s: float = 90.0
    presence_heartbeat_s: float = 30.0

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
    assistant_timeout_s: float = 8.0
    luna_context_messages: int = 10

    # Background analysis
    analysis_enabled_default: bool = True
    analysis_worker_enabled: bool = True
    analysis_batch_size: int = 20
    analysis_max_attempts: int = 5
    analysis_poll_interval_s: float = 1.0
    analysis_lease_s: float = 60.0

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def resolved_assistant_provider(self) -> Literal["local", "openai"]:
        if self.assistant_provider == "auto":
            return "openai" if self.openai_api_key is not None else "local"
        return self.assistant_provider

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
