"""Bearer tokens: verify (HS256 shared secret, or RS256/ES256 via JWKS) and mint (development).

Claims follow Supabase: `sub` is the user id (a UUID string), `exp` is required, `exp`, `nbf`
and `iat` are JSON numbers, `aud` and `iss` are checked when configured. The key is chosen
from the token's algorithm family and the algorithm must be one the settings allow, so a
token can never pick its own verification scheme (no `none`, no RS256 public key used as an
HS256 secret).
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from typing import Any

import jwt
from jwt import PyJWKClient

from luna_graphql.errors import Unauthenticated
from luna_graphql.services.access import Viewer
from luna_graphql.settings import Settings

SYMMETRIC = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "EdDSA"})

# Verified shared-secret tokens, remembered until their `exp` (a client sends the same
# token with every request; decoding and checking it again costs ~0.15 ms of CPU). Bounded:
# emptied when full.
VERIFIED_CACHE_MAX = 4096


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, else None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._secret = settings.jwt_secret.get_secret_value()
        self._algorithms = frozenset(settings.jwt_algorithms)
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer
        self._jwks = (
            PyJWKClient(settings.jwt_jwks_url, cache_keys=True, timeout=5)
            if settings.jwt_jwks_url
            else None
        )
        self._verified: dict[str, tuple[Viewer, float]] = {}

    async def verify(self, token: str) -> Viewer:
        """The viewer a token proves, or Unauthenticated (never anything more specific
        than "invalid" or "expired", so probing learns nothing)."""
        viewer, _expires_at = await self.verify_until(token)
        return viewer

    async def verify_until(self, token: str) -> tuple[Viewer, float]:
        """The viewer a token proves and its `exp` (when a socket must close).

        A shared-secret token that verified once is taken again without decoding until its
        `exp` (PyJWT's own rule: expired once `exp <= now`; `nbf`/`iat` only ever become
        valid). Only successes are remembered, and never JWKS tokens, whose keys rotate.
        """
        cached = self._verified.get(token)
        if cached is not None and time.time() < cached[1]:
            return cached
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            if algorithm not in self._algorithms:
                raise Unauthenticated("Invalid token")
            key: Any
            if algorithm in SYMMETRIC:
                key = self._secret
            elif algorithm in ASYMMETRIC and self._jwks is not None:
                # PyJWKClient fetches (and caches) over blocking HTTP: keep it off the loop.
                key = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)).key
            else:
                raise Unauthenticated("Invalid token")
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require": ["exp", "sub"],
                    "verify_aud": self._audience is not None,
                    "verify_iss": self._issuer is not None,
                },
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("Token expired") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthenticated("Invalid token") from exc
        verified = (Viewer(user_id=_subject(claims)), _numeric_dates(claims))
        if algorithm in SYMMETRIC:
            if len(self._verified) >= VERIFIED_CACHE_MAX:
                self._verified.clear()
            self._verified[token] = verified
        return verified


def _numeric_dates(claims: dict[str, Any]) -> float:
    """`exp` as a number, once `exp`, `nbf` and `iat` are checked to be numbers.

    PyJWT reads them with `int()`, so it takes `"exp": "1700000000"` (a string) or `true`;
    RFC 7519 says a NumericDate is a JSON number. A token whose expiry is not a number
    would also leave its socket without a time to close.
    """
    # `exp` is present (PyJWT requires it); the others are optional.
    if not all(_is_number(claims.get(name, 0)) for name in ("exp", "nbf", "iat")):
        raise Unauthenticated("Invalid token")
    return float(claims["exp"])


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int past any float: no instant to close a socket at
        return False


def _subject(claims: dict[str, Any]) -> uuid.UUID:
    subject = claims.get("sub")
    try:
        if not isinstance(subject, str):
            raise ValueError(subject)
        return uuid.UUID(subject)
    except ValueError:
        raise Unauthenticated("Invalid token") from None


def mint_token(settings: Settings, user_id: uuid.UUID, *, ttl_s: int = 3600) -> str:
    """An HS256 token for development and tests, shaped like Supabase's."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + ttl_s,
        "role": "authenticated",
    }
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
