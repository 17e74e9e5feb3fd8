"""Run Alembic from code: the CLI, the server's start-up and the tests share this."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config

# The advisory lock every run holds while it migrates (alembic/env.py): any fixed bigint,
# and PostgreSQL scopes advisory locks to their database.
MIGRATION_LOCK = 0x4C554E41_4D494752  # "LUNAMIGR"


def find_alembic_dir() -> Path:
    explicit = os.environ.get("LUNA_ALEMBIC_DIR")
    candidates = [Path(explicit)] if explicit else []
    # A source checkout (editable install) keeps alembic/ at the repo root; an image keeps
    # it beside the working directory.
    candidates += [Path(__file__).resolve().parents[3] / "alembic", Path.cwd() / "alembic"]
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("alembic/ migrations directory not found; set LUNA_ALEMBIC_DIR")


def build_alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(find_alembic_dir()))
    config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    command.upgrade(build_alembic_config(database_url), revision)


def downgrade_database(database_url: str, revision: str = "base") -> None:
    command.downgrade(build_alembic_config(database_url), revision)
