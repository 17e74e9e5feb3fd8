"""The text cipher and its setting, without a database."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from luna_graphql.cli import main
from luna_graphql.crypto import (
    TextCipher,
    UnreadableText,
    generate_encryption_key,
    parse_encryption_keys,
)
from luna_graphql.settings import Settings

OLD = generate_encryption_key("old")
NEW = generate_encryption_key("new")
LONG = "Ünïcode and 4-byte emoji 🫶🏽👩‍❤️‍👨 " * 130


def secret_of(entry: str) -> str:
    return entry.partition(":")[2]


@pytest.mark.parametrize("text", ["", "hi", "Miss you 🫶🏽💕", LONG[:5000]])
def test_sealed_text_opens_to_itself_and_shows_nothing(text: str) -> None:
    cipher = TextCipher.from_spec(OLD)
    sealed = cipher.seal(text)
    assert sealed.startswith("enc:v1:old:")
    assert cipher.open(sealed) == text
    if text:
        assert text not in sealed
        assert text.encode() not in base64.urlsafe_b64decode(sealed.rsplit(":", 1)[1])


def test_each_seal_uses_a_fresh_nonce() -> None:
    cipher = TextCipher.from_spec(OLD)
    assert cipher.seal("same words") != cipher.seal("same words")


def test_rotation_new_key_seals_old_key_still_opens() -> None:
    before = TextCipher.from_spec(OLD).seal("written last year")
    rotated = TextCipher.from_spec(f"{NEW},{OLD}")
    assert rotated.seal("now").startswith("enc:v1:new:")
    assert rotated.open(before) == "written last year"


def test_plain_text_reads_as_it_is_with_or_without_keys() -> None:
    for cipher in (TextCipher(), TextCipher.from_spec(OLD)):
        assert cipher.open("stored before encryption") == "stored before encryption"
        assert cipher.open("enc: not an envelope") == "enc: not an envelope"


def test_without_keys_text_is_stored_plain_and_the_prefix_is_escaped() -> None:
    plain = TextCipher()
    assert not plain.enabled
    assert plain.seal("hello") == "hello"
    tricky = "enc:v1:old:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    stored = plain.seal(tricky)
    assert stored != tricky
    assert plain.open(stored) == tricky
    assert TextCipher.from_spec(OLD).open(stored) == tricky


def test_a_missing_key_raises_naming_the_key_id_only() -> None:
    sealed = TextCipher.from_spec(OLD).seal("private")
    for cipher in (TextCipher(), TextCipher.from_spec(NEW)):
        with pytest.raises(UnreadableText, match="'old'") as caught:
            cipher.open(sealed)
        assert secret_of(OLD) not in str(caught.value)
        assert secret_of(NEW) not in str(caught.value)


def test_a_different_key_under_the_same_id_raises_instead_of_returning_garbage() -> None:
    sealed = TextCipher.from_spec(OLD).seal("private")
    impostor = generate_encryption_key("old")
    with pytest.raises(UnreadableText, match="does not decrypt") as caught:
        TextCipher.from_spec(impostor).open(sealed)
    assert secret_of(impostor) not in str(caught.value)
    assert "private" not in str(caught.value)


def test_a_tampered_value_raises() -> None:
    cipher = TextCipher.from_spec(OLD)
    sealed = cipher.seal("private")
    head, body = sealed.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(UnreadableText):
        cipher.open(f"{head}:{base64.urlsafe_b64encode(bytes(raw)).decode()}")
    with pytest.raises(UnreadableText):
        cipher.open("enc:v1:old:AAAA")
    with pytest.raises(UnreadableText):
        cipher.open("enc:v1:no-key-id-separator")


def test_settings_accept_keys_and_keep_them_secret() -> None:
    settings = Settings(_env_file=None, encryption_keys=f"{NEW}, {OLD}")  # type: ignore[call-arg]
    assert secret_of(NEW) not in repr(settings) and secret_of(NEW) not in str(settings)
    assert [k.id for k in parse_encryption_keys(settings.encryption_keys.get_secret_value())] == [
        "new",
        "old",
    ]
    assert Settings(_env_file=None).encryption_keys.get_secret_value() == ""  # type: ignore[call-arg]
    # Either base64 alphabet: `openssl rand -base64 32` output works as is.
    urlsafe = base64.urlsafe_b64encode(b"\xfb" * 32).decode()
    assert parse_encryption_keys(f"u:{urlsafe}")[0].secret == b"\xfb" * 32


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("k1", "entry 1 must be <id>:<base64 key>"),
        (f"bad id:{secret_of(OLD)}", "entry 1 must be <id>:<base64 key>"),
        ("k1:not base64!", "key 'k1' is not valid base64"),
        (f"k1:{base64.b64encode(b'x' * 16).decode()}", "must decode to 32 bytes, not 16"),
        (f"k1:{secret_of(OLD)},k1:{secret_of(NEW)}", "key id 'k1' appears twice"),
        (f"{OLD},,{NEW}", "entry 2 is empty"),
    ],
)
def test_settings_refuse_malformed_keys_without_echoing_them(spec: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, encryption_keys=spec)  # type: ignore[call-arg]
    message = str(caught.value)
    assert "LUNA_ENCRYPTION_KEYS" in message and reason in message
    for part in spec.replace(",", ":").split(":"):
        if len(part) > 8:
            assert part not in message


def test_cli_refuses_a_malformed_key_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LUNA_ENCRYPTION_KEYS", "k1:c2hvcnQ=")
    assert main(["encryption-key", "--id", "k2"]) == 2
    err = capsys.readouterr().err
    assert "invalid configuration: LUNA_ENCRYPTION_KEYS: key 'k1' must decode to 32 bytes" in err
    assert "c2hvcnQ" not in err


def test_cli_prints_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["encryption-key", "--id", "2026-11"]) == 0
    entry = capsys.readouterr().out.strip()
    assert entry.startswith("2026-11:")
    cipher = TextCipher.from_spec(entry)
    assert cipher.open(cipher.seal("ok")) == "ok"
