"""Build the configured assistant (called once, from the composition root)."""

from __future__ import annotations

from typing import Literal

from luna_graphql.ai import offload
from luna_graphql.ai.assistant import Assistant
from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.resilient import ResilientAssistant
from luna_graphql.settings import Settings


def build_assistant(
    *,
    provider: Literal["local", "openai"],
    base_url: str | None,
    api_key: str | None,
    model: str,
    timeout_s: float,
    fallback: bool = True,
) -> Assistant:
    """`local`: the offline assistant. `openai`: the model, behind a deadline and fallback.

    The API key is required explicitly: the SDK would otherwise read `OPENAI_API_KEY` from
    the environment behind the settings' back.
    """
    if provider == "local":
        return LocalAssistant()
    if provider == "openai":
        if not api_key:
            raise ValueError("the openai assistant provider needs an api_key")
        if not model:
            raise ValueError("the openai assistant provider needs a model name")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        # Imported here so a local-only deployment never pays for importing the SDK.
        from luna_graphql.ai.openai_assistant import OpenAIAssistant

        primary = OpenAIAssistant(base_url, api_key, model, timeout_s, max_retries=0)
        if not fallback:
            return primary
        return ResilientAssistant(primary, LocalAssistant(), deadline_s=timeout_s)
    raise ValueError(f"unknown assistant provider: {provider!r}")


def build_assistant_from_settings(settings: Settings, *, fallback: bool = True) -> Assistant:
    """The configured assistant. Interactive calls want `fallback` (answer now, locally if
    need be); background analysis does not: a failing model there is a failed attempt that
    is retried and dead-lettered, not a quietly poorer analysis."""
    api_key = settings.openai_api_key
    return build_assistant(
        provider=settings.resolved_assistant_provider,
        base_url=settings.openai_base_url,
        api_key=None if api_key is None else api_key.get_secret_value(),
        model=settings.openai_model,
        timeout_s=settings.assistant_timeout_s,
        fallback=fallback,
    )


async def close_assistant(assistant: Assistant) -> None:
    """Release the assistant's HTTP connections, if it holds any, and end the local
    assistant's worker processes (for the app's lifespan and the CLI commands).

    The workers are shared by every local assistant of the process, the module-level ones
    too: jobs in flight finish first, and a later call starts new ones (`ai.offload`).
    """
    aclose = getattr(assistant, "aclose", None)
    if aclose is not None:
        await aclose()
    await offload.ashutdown()
