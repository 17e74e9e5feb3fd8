"""Development subcommands: `demo`, `token`, `export-schema`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import Relationship, User
from luna_graphql.settings import DEFAULT_JWT_SECRET, Settings

DEMO_PARTNERS = (
    ("partner_a", "Alex (demo)", "alex@luna-demo.example"),
    ("partner_b", "Blair (demo)", "blair@luna-demo.example"),
)
DAY = 24 * 3600


class CommandError(Exception):
    """A failure to report in one line with exit code `code`, without a traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def require_real_secret(settings: Settings) -> None:
    # Tokens minted with the published default secret would be valid on any other
    # deployment that kept it; only a development setup may use it.
    if settings.env != "development" and (
        settings.jwt_secret.get_secret_value() == DEFAULT_JWT_SECRET
    ):
        raise CommandError("refusing to mint tokens with the default LUNA_JWT_SECRET", code=2)


def headers_json(token: str) -> str:
    return json.dumps({"Authorization": f"Bearer {token}"})


def run_token(args: argparse.Namespace, settings: Settings) -> int:
    from luna_graphql.api.auth import mint_token

    require_real_secret(settings)
    print(mint_token(settings, args.user, ttl_s=args.ttl))
    return 0


async def ensure_demo_couple(session: AsyncSession) -> tuple[Relationship, list[User]]:
    """Two demo users in one active relationship; running it again changes nothing."""
    users: list[User] = []
    for _, name, email in DEMO_PARTNERS:
        user = await session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(display_name=name, email=email)
            session.add(user)
            await session.flush()
        users.append(user)
    a, b = users
    relationship = await session.scalar(
        select(Relationship).where(
            Relationship.status == "active",
            or_(
                Relationship.partner_a_id.in_([a.id, b.id]),
                Relationship.partner_b_id.in_([a.id, b.id]),
            ),
        )
    )
    if relationship is None:
        relationship = Relationship(partner_a_id=a.id, partner_b_id=b.id)
        session.add(relationship)
        await session.flush()
    elif {relationship.partner_a_id, relationship.partner_b_id} != {a.id, b.id}:
        raise CommandError("a demo user is in another active relationship; end it first")
    if relationship.partner_a_id != a.id:
        users.reverse()  # report them in the relationship's order
    await session.commit()
    return relationship, users


async def _seed(url: str) -> tuple[Relationship, list[User]]:
    from luna_graphql.db.engine import build_engine, build_sessionmaker

    engine = build_engine(url, pool_size=1, max_overflow=0)
    try:
        async with build_sessionmaker(engine)() as session:
            return await ensure_demo_couple(session)
    finally:
        await engine.dispose()


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    from luna_graphql.api.auth import mint_token
    from luna_graphql.cli import resolve_database_url
    from luna_graphql.db.migrate import upgrade_database

    require_real_secret(settings)
    url, stop_database = resolve_database_url(settings)
    try:
        upgrade_database(url)
        relationship, users = asyncio.run(_seed(url))
    finally:
        stop_database()
    print(f"Demo couple ready: relationship {relationship.id}\n")
    for (role, _, _), user in zip(DEMO_PARTNERS, users, strict=True):
        token = mint_token(settings, user.id, ttl_s=args.ttl)
        print(f"{role}: {user.display_name} (user {user.id})")
        print(f"  token: {token}")
        print(f"  GraphiQL headers: {headers_json(token)}\n")
    print(
        f"Serve with scripts/serve, open http://{settings.host}:{settings.port}/graphql, paste "
        "one partner's headers JSON into the Headers tab and run:\n"
        "  { viewer { partnerRole partner { displayName } } conversation { id unreadCount } }\n"
        f"Tokens expire in {args.ttl // 3600} h."
    )
    return 0


def run_export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from luna_graphql.api.schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if args.output is None:
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl, encoding="utf-8")
    return 0


def _user_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a UUID: {value!r}") from exc


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return number


def add_dev_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="create a demo couple and print a token per partner")
    demo.add_argument("--ttl", type=_positive, default=7 * DAY, help="token lifetime in seconds")
    demo.set_defaults(handler=run_demo)

    token = sub.add_parser("token", help="mint a development token for a user")
    token.add_argument("--user", type=_user_id, required=True, help="the user's id (JWT sub)")
    token.add_argument("--ttl", type=_positive, default=DAY, help="lifetime in seconds")
    token.set_defaults(handler=run_token)

    export = sub.add_parser("export-schema", help="print the GraphQL SDL (or write it to a file)")
    export.add_argument("--output", help="file to write, e.g. schema.graphql")
    export.set_defaults(handler=run_export_schema)
