"""Envelope encryption of private keys: round trip, binding to key id and owner, tampering,
wrong master keys, master key rotation, and strict master key loading."""

from __future__ import annotations

import base64
import pickle
import secrets
from collections.abc import Callable

import pytest

from credentials.errors import InvalidKey
from credentials.multibase import decode_base64url, encode_base64url
from keys.crypto_envelope import (
    EnvelopeError,
    MasterKey,
    kek_id_of,
    load_master_key,
    open_envelope,
    rewrap,
    seal_envelope,
)
from tests.secrets_guard import register_secret

KEY_ID = "did:web:passport.example.ca:issuers:college-x#key-1"
OWNER = "issuer:college-x"
SECRET = bytes(range(32))


def new_master() -> MasterKey:
    return load_master_key(register_secret(encode_base64url(secrets.token_bytes(32)), "master key"))


def seal(master: MasterKey, key_id: str = KEY_ID, owner_id: str = OWNER) -> str:
    return seal_envelope(SECRET, master, key_id=key_id, owner_id=owner_id)


def unseal(blob: str, master: MasterKey, key_id: str = KEY_ID, owner_id: str = OWNER) -> bytes:
    return open_envelope(blob, master, key_id=key_id, owner_id=owner_id)


def replace_field(blob: str, index: int, value: str) -> str:
    fields = blob.split(".")
    fields[index] = value
    return ".".join(fields)


def flip_first_byte(field: str) -> str:
    raw = bytearray(decode_base64url(field))
    raw[0] ^= 0x01
    return encode_base64url(bytes(raw))


def test_round_trip_and_format() -> None:
    master = new_master()
    blob = seal(master)
    assert unseal(blob, master) == SECRET
    version, kek_id, wrap_nonce, wrapped, nonce, ciphertext = blob.split(".")
    assert version == "pe1"
    assert kek_id == master.kek_id == kek_id_of(blob)
    assert len(decode_base64url(wrap_nonce)) == len(decode_base64url(nonce)) == 12
    # 32-byte data key and 32-byte secret, each followed by a 16-byte GCM tag.
    assert len(decode_base64url(wrapped)) == len(decode_base64url(ciphertext)) == 48
    assert blob.isascii()


def test_every_seal_uses_fresh_nonces_and_data_keys() -> None:
    master = new_master()
    first, second = seal(master).split("."), seal(master).split(".")
    assert all(a != b for a, b in zip(first[2:], second[2:], strict=True))


def test_wrong_master_key_is_named_not_reported_as_tampering() -> None:
    blob = seal(new_master())
    other = new_master()
    with pytest.raises(EnvelopeError, match="wrapped by master key") as raised:
        unseal(blob, other)
    assert other.kek_id in str(raised.value)
    assert raised.value.status == 500


def test_wrong_master_key_with_forged_kek_id_fails_authentication() -> None:
    other = new_master()
    forged = replace_field(seal(new_master()), 1, other.kek_id)
    with pytest.raises(EnvelopeError, match="data key fails authentication"):
        unseal(forged, other)


@pytest.mark.parametrize(
    "index", [2, 3, 4, 5], ids=["wrap-nonce", "wrapped-data-key", "nonce", "ciphertext"]
)
def test_tampering_with_any_field_fails(index: int) -> None:
    master = new_master()
    blob = seal(master)
    tampered = replace_field(blob, index, flip_first_byte(blob.split(".")[index]))
    with pytest.raises(EnvelopeError, match="fails authentication"):
        unseal(tampered, master)


@pytest.mark.parametrize(
    ("key_id", "owner_id"),
    [
        ("did:web:passport.example.ca:issuers:college-x#key-2", OWNER),
        (KEY_ID, "issuer:college-y"),
        # The AAD is unambiguous: moving text between the two ids does not collide.
        ("did:web:passport.example.ca:issuers:college-x#key-", "1issuer:college-x"),
    ],
)
def test_envelope_moved_to_another_key_id_or_owner_fails(key_id: str, owner_id: str) -> None:
    master = new_master()
    with pytest.raises(EnvelopeError, match="stored for another key id or owner"):
        unseal(seal(master), master, key_id=key_id, owner_id=owner_id)


def test_rewrap_moves_the_data_key_to_the_new_master_key_only() -> None:
    old, new = new_master(), new_master()
    blob = seal(old)
    rewrapped = rewrap(blob, old, new)
    assert kek_id_of(rewrapped) == new.kek_id
    assert unseal(rewrapped, new) == SECRET
    assert rewrapped.split(".")[4:] == blob.split(".")[4:]  # ciphertext untouched
    with pytest.raises(EnvelopeError):
        unseal(rewrapped, old)
    with pytest.raises(EnvelopeError, match="wrapped by master key"):
        rewrap(blob, new_master(), new)


@pytest.mark.parametrize(
    "blob",
    [
        "",
        "pe1",
        "pe2.a.b.c.d.e",
        "pe1.kek.AAAA.AAAA.AAAA.AAAA.extra",
        "pe1.kek.not+base64.AAAA.AAAAAAAAAAAAAAAA.AAAA",
        "pe1.kek.AAAA.AAAA.AAAAAAAAAAAAAAAA.AAAA",  # 3-byte wrap nonce
    ],
)
def test_malformed_envelopes_are_refused(blob: str) -> None:
    with pytest.raises(EnvelopeError):
        unseal(blob, new_master())


def test_load_master_key_accepts_text_key_file_bytes_and_raw_bytes() -> None:
    raw = secrets.token_bytes(32)
    text = encode_base64url(raw)
    kek_id = MasterKey(raw).kek_id
    assert load_master_key(text).kek_id == kek_id
    assert load_master_key(f"  {text}\n").kek_id == kek_id
    assert load_master_key(text.encode() + b"\n").kek_id == kek_id
    assert load_master_key(raw).kek_id == kek_id
    assert new_master().kek_id != kek_id


BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def non_canonical(text: str) -> str:
    """32 bytes leave 2 unused low bits in the last character; setting one keeps the bytes."""
    return text[:-1] + BASE64URL_ALPHABET[BASE64URL_ALPHABET.index(text[-1]) | 1]


@pytest.mark.parametrize(
    "make_value",
    [
        lambda raw: encode_base64url(raw[:31]),
        lambda raw: encode_base64url(raw + b"x"),
        lambda raw: encode_base64url(raw) + "=",
        lambda raw: base64.b64encode(raw).decode(),
        lambda raw: raw.hex(),
        lambda raw: non_canonical(encode_base64url(raw)),
        lambda raw: raw[:31],
        lambda raw: b"\xff" * 43,
        lambda raw: "",
        lambda raw: encode_base64url(bytes(32)),
        lambda raw: "A" * 43,
    ],
)
def test_load_master_key_is_strict_and_never_echoes_the_value(
    make_value: Callable[[bytes], str | bytes],
) -> None:
    raw = secrets.token_bytes(32)
    value = make_value(raw)
    with pytest.raises(InvalidKey) as raised:
        load_master_key(value)
    message = str(raised.value)
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    assert not text.strip() or text.strip() not in message
    assert encode_base64url(raw) not in message


def test_non_canonical_helper_keeps_the_same_bytes() -> None:
    text = encode_base64url(secrets.token_bytes(32))
    changed = non_canonical(text)
    assert changed != text
    assert decode_base64url(changed) == decode_base64url(text)


def test_master_key_never_shows_its_bytes() -> None:
    raw = secrets.token_bytes(32)
    master = MasterKey(raw)
    forms = [raw.hex(), encode_base64url(raw), base64.b64encode(raw).decode(), repr(raw)]
    for shown in (repr(master), str(master), f"{master}"):
        assert shown == f"MasterKey(kek_id={master.kek_id!r})"
        assert not any(form in shown for form in forms)
    with pytest.raises(TypeError):
        pickle.dumps(master)
    with pytest.raises(InvalidKey):
        MasterKey(raw[:16])
