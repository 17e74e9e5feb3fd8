"""`luna-graphql eval`: score the configured assistant (or the offline one) on labelled drafts.

    luna-graphql eval                          eval/dev.jsonl and eval/heldout.jsonl
    luna-graphql eval --provider local FILE    the offline assistant on FILE
    luna-graphql eval --write docs/luna.md     also rewrite the generated part of the doc
    luna-graphql eval --check                  exit 1 when the last file misses the bar
    luna-graphql eval --failures eval/dev.jsonl  list the drafts it got wrong (dev only!)

Needs no database: only the assistant runs.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from luna_graphql.ai.assistant import Assistant
from luna_graphql.ai.eval_report import render, splice
from luna_graphql.ai.evaluation import CorpusError, Scorecard, load_corpus, review_corpus, score
from luna_graphql.settings import Settings

DEFAULT_FILES = (Path("eval/dev.jsonl"), Path("eval/heldout.jsonl"))


def add_eval_parser(subparsers: Any) -> None:
    """Register `eval` on the `luna-graphql` sub-command parser."""
    command = subparsers.add_parser(
        "eval", help="score Luna on labelled drafts (SAFE / RISKY / HIGH_RISK)"
    )
    command.add_argument("files", nargs="*", type=Path, help="JSONL corpora (default: eval/)")
    command.add_argument(
        "--provider",
        choices=("configured", "local", "openai"),
        default="configured",
        help="which assistant to score (default: the one LUNA_ASSISTANT_PROVIDER selects)",
    )
    command.add_argument("--write", type=Path, help="splice the report into this Markdown file")
    command.add_argument(
        "--check", action="store_true", help="exit 1 unless the last file meets the bar"
    )
    command.add_argument(
        "--failures",
        action="store_true",
        help="list the drafts on the wrong side of SAFE (never for the held-out part)",
    )
    command.set_defaults(handler=run_eval)


def _assistant(settings: Settings, provider: str) -> tuple[Assistant, str]:
    from luna_graphql.ai.factory import build_assistant_from_settings

    if provider != "configured":
        settings = settings.model_copy(update={"assistant_provider": provider})
    # A model comes with its local fallback, as users get it; the report counts how often
    # the fallback answered.
    if settings.resolved_assistant_provider == "local":
        describe = "the offline assistant (local rules)"
    else:
        describe = f"the model `{settings.openai_model}`"
    return build_assistant_from_settings(settings), describe


async def _score_files(assistant: Assistant, files: list[Path]) -> list[tuple[str, Scorecard]]:
    from luna_graphql.ai.factory import close_assistant

    try:
        return [
            (path.stem, score(await review_corpus(assistant, load_corpus([path]))))
            for path in files
        ]
    finally:
        await close_assistant(assistant)


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from luna_graphql.cli_dev import CommandError

    files: list[Path] = args.files or list(DEFAULT_FILES)
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise CommandError(f"no such corpus file: {', '.join(missing)}", code=2)
    try:
        assistant, describe = _assistant(settings, args.provider)
    except ValueError as exc:
        raise CommandError(str(exc), code=2) from exc
    try:
        parts = asyncio.run(_score_files(assistant, files))
    except CorpusError as exc:
        raise CommandError(str(exc), code=2) from exc
    report = render(parts, describe=describe, failures=args.failures)
    print(report, end="")
    if args.write is not None:
        existing = args.write.read_text(encoding="utf-8") if args.write.is_file() else ""
        args.write.write_text(splice(existing, report), encoding="utf-8")
    if args.check and not parts[-1][1].meets_bar():
        return 1
    return 0
