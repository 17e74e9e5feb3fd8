"""Encryption at rest for what partners write, so a dump, backup or replica never shows it.

The only module that imports `cryptography` for this. A value is stored as
`enc:v1:<key id>:<urlsafe base64 of nonce + ciphertext>` (AES-256-GCM, a random 96-bit nonce
per value). Keys come from `LUNA_ENCRYPTION_KEYS`: the first encrypts, every one decrypts,
so keys rotate by putting a new one first and keeping the old ones until no row uses them.

Reading never guesses: a value without the `enc:` prefix is plain text (rows written before
encryption was turned on), and an encrypted value no configured key opens raises
`UnreadableText` rather than returning garbage. With encryption off, a plain text that
happens to start with `enc:` is stored behind `enc:plain:` so a partner cannot write
something that later reads as an envelope.

The process has one installed cipher: the composition root installs it from settings (the
ORM's column types and the raw asyncpg paths both read it); until then text is stored plain.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:"
_V1 = "enc:v1:"
_PLAIN = "enc:plain:"
_NONCE_BYTES = 12
_TAG_BYTES = 16
_KEY_BYTES = 32
_KEY_ID_MAX = 32
_KEY_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{_KEY_ID_MAX}}}")


class UnreadableText(RuntimeError):
    """A stored value no configured key opens. The message names the key id, never a key."""


@dataclass(frozen=True)
class EncryptionKey:
    id: str
    secret: bytes = field(repr=False)


def _decode_key(key_id: str, encoded: str) -> bytes:
    # Standard or URL-safe alphabet: `openssl rand -base64 32` and our generator both work.
    normalised = encoded.strip().replace("-", "+").replace("_", "/")
    try:
        secret = base64.b64decode(normalised, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"key {key_id!r} is not valid base64") from None
    if len(secret) != _KEY_BYTES:
        raise ValueError(f"key {key_id!r} must decode to {_KEY_BYTES} bytes, not {len(secret)}")
    return secret


def parse_encryption_keys(spec: str) -> tuple[EncryptionKey, ...]:
    """`id:base64key,id:base64key,…` → keys, first = the one that encrypts; "" = off.

    Error messages name key ids and positions only: they end up in start-up logs.
    """
    keys: list[EncryptionKey] = []
    for position, entry in enumerate(spec.split(","), start=1):
        entry = entry.strip()
        if not entry:
            if spec.strip():
                raise ValueError(f"entry {position} is empty")
            continue
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.fullmatch(key_id):
            raise ValueError(
                f"entry {position} must be <id>:<base64 key> with an id of 1-32 letters, "
                "digits, '-' or '_'"
            )
        if any(key.id == key_id for key in keys):
            raise ValueError(f"key id {key_id!r} appears twice")
        keys.append(EncryptionKey(key_id, _decode_key(key_id, encoded)))
    return tuple(keys)


def sealed_max_chars(chars: int) -> int:
    """The longest stored value for a text of at most `chars` characters (4 UTF-8 bytes each
    at worst), for CHECK constraints that bound a column's length."""
    sealed_bytes = _NONCE_BYTES + 4 * chars + _TAG_BYTES
    return len(_V1) + _KEY_ID_MAX + 1 + 4 * -(-sealed_bytes // 3)


def generate_encryption_key(key_id: str) -> str:
    """A new `id:base64key` entry for LUNA_ENCRYPTION_KEYS."""
    if not _KEY_ID.fullmatch(key_id):
        raise ValueError("a key id is 1-32 letters, digits, '-' or '_'")
    return f"{key_id}:{base64.b64encode(os.urandom(_KEY_BYTES)).decode('ascii')}"


class TextCipher:
    """Seals text for storage and opens what was stored (see the module docstring)."""

    __slots__ = ("_aeads", "_current", "_seal_prefix")

    def __init__(self, keys: Sequence[EncryptionKey] = ()) -> None:
        self._aeads = {key.id: AESGCM(key.secret) for key in keys}
        self._current = self._aeads[keys[0].id] if keys else None
        self._seal_prefix = f"{_V1}{keys[0].id}:" if keys else ""

    @classmethod
    def from_spec(cls, spec: str) -> TextCipher:
        return cls(parse_encryption_keys(spec))

    @property
    def enabled(self) -> bool:
        return self._current is not None

    @property
    def seal_prefix(self) -> str:
        """What every value sealed now starts with (`enc:v1:<first key id>:`); "" when off."""
        return self._seal_prefix

    def seal(self, text: str) -> str:
        if self._current is None:
            return _PLAIN + text if text.startswith(PREFIX) else text
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._current.encrypt(nonce, text.encode("utf-8"), None)
        return self._seal_prefix + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored
        if stored.startswith(_V1):
            return self._open_v1(stored)
        if stored.startswith(_PLAIN):
            return stored[len(_PLAIN) :]
        # Some other `enc:` text can only be a plain row from before envelopes existed.
        return stored

    def seal_optional(self, text: str | None) -> str | None:
        return None if text is None else self.seal(text)

    def open_optional(self, stored: str | None) -> str | None:
        return None if stored is None else self.open(stored)

    def _open_v1(self, stored: str) -> str:
        key_id, sep, body = stored[len(_V1) :].partition(":")
        if not sep:
            raise UnreadableText("stored text has a damaged envelope (no key id)")
        aead = self._aeads.get(key_id)
        if aead is None:
            raise UnreadableText(
                f"stored text was encrypted with key id {key_id!r}, which "
                "LUNA_ENCRYPTION_KEYS does not hold"
            )
        try:
            raw = base64.urlsafe_b64decode(body)
        except (binascii.Error, ValueError):
            raise UnreadableText(f"stored text under key id {key_id!r} is damaged") from None
        if len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise UnreadableText(f"stored text under key id {key_id!r} is damaged")
        try:
            plain = aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None)
        except InvalidTag:
            raise UnreadableText(
                f"stored text does not decrypt with key id {key_id!r} "
                "(a different key under that id, or a damaged value)"
            ) from None
        return plain.decode("utf-8")


PLAIN_TEXT = TextCipher()
_installed: TextCipher = PLAIN_TEXT


def install_cipher(cipher: TextCipher) -> TextCipher:
    """Set the process's cipher and return the one it replaces (the composition root
    installs one for the app's lifetime and puts the previous one back at shutdown)."""
    global _installed
    previous, _installed = _installed, cipher
    return previous


def current_cipher() -> TextCipher:
    return _installed
