"""The development commands: demo, token, export-schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import jwt
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.api.schema import build_schema
from luna_graphql.cli import main
from luna_graphql.db.models import Relationship, User
from luna_graphql.settings import DEFAULT_JWT_SECRET

SECRET = "cli-test-secret-0123456789abcdef0123456789"
CLI = [sys.executable, "-m", "luna_graphql.cli"]


@pytest.fixture
def env(bare_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    bare_env.setenv("LUNA_JWT_SECRET", SECRET)
    return bare_env


def claims_of(token: str) -> dict[str, object]:
    return jwt.decode(token, SECRET, algorithms=["HS256"])


def test_token_mints_a_verifiable_token(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    user = uuid.uuid4()
    assert main(["token", "--user", str(user), "--ttl", "120"]) == 0
    claims = claims_of(capsys.readouterr().out.strip())
    assert claims["sub"] == str(user)
    assert 110 <= int(claims["exp"]) - int(claims["iat"]) <= 120  # type: ignore[call-overload]


def test_token_rejects_a_bad_user_id(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["token", "--user", "alice"])
    assert exited.value.code == 2
    assert "not a UUID" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["token", "--user", str(uuid.UUID(int=1))], ["demo"]])
def test_default_secret_is_refused_outside_development(command: list[str]) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    environment |= {"LUNA_ENV": "production", "LUNA_DATABASE_URL": "postgresql://nowhere/none"}
    done = subprocess.run(
        [*CLI, *command], env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "LUNA_JWT_SECRET" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stdout == ""


def test_refusal_does_not_rely_on_settings_validation() -> None:
    from pydantic import SecretStr

    from luna_graphql.cli_dev import CommandError, require_real_secret
    from luna_graphql.settings import Settings

    # model_construct skips the validator that already refuses this in production.
    staged = Settings.model_construct(env="production", jwt_secret=SecretStr(DEFAULT_JWT_SECRET))
    with pytest.raises(CommandError) as refused:
        require_real_secret(staged)
    assert refused.value.code == 2


def _demo_output(out: str) -> dict[str, tuple[str, str]]:
    """role -> (token, headers JSON) as printed."""
    found: dict[str, tuple[str, str]] = {}
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("partner_"):
            role = line.split(":", 1)[0]
            token = lines[i + 1].split("token: ", 1)[1]
            headers = lines[i + 2].split("GraphiQL headers: ", 1)[1]
            found[role] = (token, headers)
    return found


async def test_demo_is_idempotent_and_prints_working_tokens(
    env: pytest.MonkeyPatch,
    database_url: str,
    session: AsyncSession,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import asyncio

    env.setenv("LUNA_DATABASE_URL", database_url)
    # The command runs its own event loop; keep it off this test's loop.
    assert await asyncio.to_thread(main, ["demo"]) == 0
    first = _demo_output(capsys.readouterr().out)
    assert await asyncio.to_thread(main, ["demo", "--ttl", "600"]) == 0
    second = _demo_output(capsys.readouterr().out)

    assert set(first) == set(second) == {"partner_a", "partner_b"}
    users = {role: claims_of(token)["sub"] for role, (token, _) in first.items()}
    assert users == {role: claims_of(token)["sub"] for role, (token, _) in second.items()}
    for token, headers in first.values():
        assert json.loads(headers) == {"Authorization": f"Bearer {token}"}

    assert await session.scalar(select(func.count()).select_from(User)) == 2
    relationship = (await session.scalars(select(Relationship))).one()
    assert str(relationship.partner_a_id) == users["partner_a"]
    assert str(relationship.partner_b_id) == users["partner_b"]


def test_export_schema(
    env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "schema.graphql"
    assert main(["export-schema", "--output", str(target)]) == 0
    assert target.read_text() == build_schema().as_str() + "\n"
    assert main(["export-schema"]) == 0
    assert capsys.readouterr().out == target.read_text()
