"""Build the configured assistant (called once, from the composition root)."""

from __future__ import annotations

from typing import Literal

from luna_graphql.ai.assistant import Assistant
from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.resilient import ResilientAssistant


def build_assistant(
    *,
    provider: Literal["local", "openai"],
    base_url: str | None,
    api_key: str | None,
    model: str,
    timeout_s: float,
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
        return ResilientAssistant(primary, LocalAssistant(), deadline_s=timeout_s)
    raise ValueError(f"unknown assistant provider: {provider!r}")


async def close_assistant(assistant: Assistant) -> None:
    """Release the assistant's HTTP connections, if it holds any (for the app's lifespan)."""
    aclose = getattr(assistant, "aclose", None)
    if aclose is not None:
        await aclose()
