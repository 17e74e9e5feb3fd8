"""Configuration mistakes stop start-up with one line that names the variable and what it
should hold; production never falls back to the embedded PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from luna_graphql.cli import main
from luna_graphql.settings import Settings

CLI = [sys.executable, "-m", "luna_graphql.cli"]


@pytest.fixture
def env(bare_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return bare_env


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_production_refuses_to_start_without_a_database_url(command: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    environment |= {"LUNA_ENV": "production", "LUNA_JWT_SECRET": "a-real-secret-" + "x" * 32}
    done = subprocess.run(
        [*CLI, command], env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "LUNA_DATABASE_URL must be set in production" in done.stderr


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LUNA_ALLOWED_ORIGINS", "[http://localhost:3000", "a JSON list or comma-separated"),
        ("LUNA_JWT_ALGORITHMS", '["HS256", 5]', "a valid string"),
        ("LUNA_PORT", "eighty", "a valid integer"),
        ("LUNA_ENV", "staging", "'development' or 'production'"),
        ("LUNA_ASSISTANT_TIMEOUT_S", "soon", "a valid number"),
        ("LUNA_ENCRYPTION_KEYS", "not-a-key", "<id>:<base64 key>"),
        ("LUNA_RATE_LIMIT_SEND", "lots", "a rate limit such as 60/minute"),
        ("LUNA_RATE_LIMIT_STORAGE_URL", "nope://", "memory://"),
        ("LUNA_BUS_URL", "kafka://localhost:9092", "postgresql://"),
        ("LUNA_WORKERS", "0", "greater than or equal to 1"),
        ("LUNA_PORT", "70000", "less than or equal to 65535"),
        ("LUNA_TYPING_TTL_S", "0", "greater than 0"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    expected: str,
) -> None:
    env.setenv(variable, value)
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"luna-graphql: invalid configuration: {variable}: "), err
    assert expected in err


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("http://localhost:3000", ["http://localhost:3000"]),
        (
            " http://localhost:3000 , https://app.example,",
            ["http://localhost:3000", "https://app.example"],
        ),
        (
            '["http://localhost:3000", "https://app.example"]',
            ["http://localhost:3000", "https://app.example"],
        ),
        ("", []),
    ],
)
def test_list_settings_take_commas_or_json(
    env: pytest.MonkeyPatch, value: str, origins: list[str]
) -> None:
    env.setenv("LUNA_ALLOWED_ORIGINS", value)
    env.setenv("LUNA_JWT_ALGORITHMS", "HS256,RS256")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.allowed_origins == origins
    assert settings.jwt_algorithms == ["HS256", "RS256"]
