"""A verified token is remembered for speed, never past its `exp`, and failures never are."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from luna_graphql.api.auth import TokenVerifier, mint_token
from luna_graphql.errors import Unauthenticated
from luna_graphql.settings import Settings


async def test_a_remembered_token_still_expires() -> None:
    settings = Settings()
    verifier = TokenVerifier(settings)
    user_id = uuid.uuid4()
    token = mint_token(settings, user_id, ttl_s=1)
    assert (await verifier.verify(token)).user_id == user_id
    assert (await verifier.verify(token)).user_id == user_id  # remembered
    await asyncio.sleep(max(0.0, int(time.time()) + 1.1 - time.time()) + 1.0)
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier.verify(token)


async def test_a_refused_token_is_refused_again() -> None:
    settings = Settings()
    verifier = TokenVerifier(settings)
    forged = mint_token(Settings(jwt_secret="another-secret-of-enough-length-1234"), uuid.uuid4())
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await verifier.verify(forged)
