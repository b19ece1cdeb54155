"""Multibase, Multikey and did:key against published vectors, round trips and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from credentials.errors import InvalidInput, InvalidKey, KeyNotFound
from credentials.multibase import (
    BASE58_ALPHABET,
    decode_base58btc,
    decode_base64url,
    decode_multibase,
    encode_base58btc,
    encode_multibase,
)
from credentials.multikey import (
    decode_public_multikey,
    decode_secret_multikey,
    did_key_document,
    did_key_for,
    encode_public_multikey,
    encode_secret_multikey,
    public_key_bytes,
    resolve_did_key,
)


def test_w3c_vc_di_eddsa_key_pair_decodes_and_matches(vectors: Path) -> None:
    pair = json.loads((vectors / "vc-di-eddsa" / "keyPair.json").read_text())
    secret = decode_secret_multikey(pair["privateKeyMultibase"])
    assert encode_public_multikey(secret.public_key()) == pair["publicKeyMultibase"]
    assert encode_secret_multikey(secret) == pair["privateKeyMultibase"]


def test_did_key_vectors_from_the_did_key_method(vectors: Path) -> None:
    cases = json.loads((vectors / "did-key" / "ed25519-x25519.json").read_text())
    for did, case in cases.items():
        seed = bytes.fromhex(case["seed"])
        key = Ed25519PrivateKey.from_private_bytes(seed)
        assert did_key_for(key.public_key()) == did
        published = case["verificationKeyPair"]
        if "publicKeyBase58" in published:
            expected = decode_base58btc(published["publicKeyBase58"])
        else:
            expected = decode_base64url(published["publicKeyJwk"]["x"])
        method = resolve_did_key(did).public_key
        assert isinstance(method, Ed25519PublicKey)
        assert public_key_bytes(method) == expected
        document = did_key_document(did)
        assert document["id"] == did
        assert document["assertionMethod"] == [case["didDocument"]["assertionMethod"][0]]


def test_bare_did_key_resolves_to_its_only_key() -> None:
    did = did_key_for(Ed25519PrivateKey.generate().public_key())
    method = resolve_did_key(did)
    assert method.id == f"{did}#{did.removeprefix('did:key:')}"
    assert method.controller == did
    with pytest.raises(KeyNotFound):
        resolve_did_key(did + "#other")


@pytest.mark.parametrize(
    "value",
    [
        "z6Mk0OIl",  # characters outside the base58 alphabet
        "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",  # secp256k1, not Ed25519
        "z" + encode_base58btc(b"\xed\x01" + b"\x01" * 31),  # 31 key bytes
        "f00",  # unsupported multibase prefix
        "",
    ],
)
def test_bad_multikeys_are_refused(value: str) -> None:
    with pytest.raises(InvalidKey):
        decode_public_multikey(value)


def test_invalid_base64url_is_refused() -> None:
    with pytest.raises(InvalidInput):
        decode_multibase("u====")
    with pytest.raises(InvalidInput):
        decode_multibase("uA")


@given(st.binary(max_size=200), st.sampled_from(["z", "u"]))
def test_multibase_round_trip(data: bytes, base: str) -> None:
    assert decode_multibase(encode_multibase(data, base)) == data


@given(st.text(alphabet=BASE58_ALPHABET, max_size=120))
def test_base58btc_decodes_any_text_of_its_alphabet_by_definition(text: str) -> None:
    number = 0
    for char in text:  # the definition, one digit at a time (the decoder takes two)
        number = number * 58 + BASE58_ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    assert decode_base58btc(text) == b"\0" * zeros + body


@pytest.mark.parametrize(
    ("text", "named"),
    [("0abc", "'0' at position 0"), ("abcI", "'I' at position 3"), ("zé9", "'é' at position 1")],
)
def test_base58btc_names_the_first_character_outside_its_alphabet(text: str, named: str) -> None:
    with pytest.raises(InvalidInput, match=named):
        decode_base58btc(text)
