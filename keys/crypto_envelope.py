"""Envelope encryption of private keys at rest (AES-256-GCM, NIST SP 800-38D).

Each private key is encrypted under its own fresh random 256-bit *data key*; the data key is
wrapped (AES-256-GCM again) under the deployment's 32-byte *master key* (the key-encryption key,
KEK). Rotating the master key therefore re-wraps 32-byte data keys and never touches the
ciphertexts (``rewrap``).

The stored form is one compact ASCII string of six dot-separated fields::

    pe1.<kek id>.<wrap nonce>.<wrapped data key>.<nonce>.<ciphertext>

(base64url without padding, RFC 4648 section 5). Every nonce is 96 random bits, the GCM default.
The ciphertext's additional authenticated data binds it to the envelope version, the key id and
the owner, so a row copied to another key id or owner does not decrypt. The wrapped data key's AAD
binds it to the version and KEK id only, which is what lets ``rewrap`` work without knowing rows.

The master key comes from ``PASSPORT_MASTER_KEY`` or a key file (the caller reads either); make
one with ``python -c "import secrets; print(secrets.token_urlsafe(32))"``.

>>> master = load_master_key("hKm1mWSQrTrMZn3_LsA1PrTjJwl2FuZ6KpDt1mV9Xe8")
>>> blob = seal_envelope(b"secret", master, key_id="did:web:x#key-1", owner_id="issuer:x")
>>> open_envelope(blob, master, key_id="did:web:x#key-1", owner_id="issuer:x")
b'secret'
"""

from __future__ import annotations

import hashlib
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from credentials import InvalidInput, InvalidKey, PassportError, decode_base64url, encode_base64url

ENVELOPE_VERSION = "pe1"
MASTER_KEY_BYTES = 32
DATA_KEY_BYTES = 32
NONCE_BYTES = 12
# A random 32-byte key has ~30 distinct byte values; fewer than this means a placeholder such as
# "AAAA...", never bad luck (the chance for a random key is below 2**-100).
MIN_DISTINCT_BYTES = 16
_FIELD_COUNT = 6


class EnvelopeError(PassportError):
    """A stored envelope is malformed, was made under another master key, or was tampered with.

    A server-side fault (500): the stored data or the configured master key is wrong.
    """

    code = "key_envelope_invalid"
    status = 500


class MasterKey:
    """The key-encryption key. Its bytes never appear in ``repr``/``str``; ``kek_id`` names it.

    The KEK id is a truncated SHA-256 of a domain-separated key, safe to store and to log: it lets
    an envelope say which master key wrapped it, so rotation can be resumed and a wrong key is
    reported as such instead of as tampering.
    """

    __slots__ = ("_aead", "kek_id")

    def __init__(self, key: bytes) -> None:
        if len(key) != MASTER_KEY_BYTES:
            raise InvalidKey(f"the master key must be {MASTER_KEY_BYTES} bytes")
        self._aead = AESGCM(key)
        digest = hashlib.sha256(b"learner-passport kek-id v1\0" + key).digest()
        self.kek_id = encode_base64url(digest[:12])

    def __repr__(self) -> str:
        return f"MasterKey(kek_id={self.kek_id!r})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a MasterKey cannot be pickled")

    def _wrap(self, data_key: bytes) -> tuple[bytes, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        return nonce, self._aead.encrypt(nonce, data_key, _wrap_aad(self.kek_id))

    def _unwrap(self, nonce: bytes, wrapped: bytes) -> bytes:
        try:
            return self._aead.decrypt(nonce, wrapped, _wrap_aad(self.kek_id))
        except InvalidTag:
            raise EnvelopeError("the wrapped data key fails authentication") from None


def load_master_key(value: str | bytes) -> MasterKey:
    """Read a master key: 43 characters of unpadded base64url text, or exactly 32 raw bytes.

    Surrounding whitespace (a key file's final newline) is ignored. Anything else, including a
    non-canonical base64url spelling or a low-entropy placeholder, is ``InvalidKey``; the message
    never repeats the value.
    """
    if isinstance(value, bytes) and len(value) == MASTER_KEY_BYTES:
        raw = value
    else:
        raw = _decode_master_key_text(value)
    if len(set(raw)) < MIN_DISTINCT_BYTES:
        raise InvalidKey("the master key looks like a placeholder, not 32 random bytes")
    return MasterKey(raw)


def _decode_master_key_text(value: str | bytes) -> bytes:
    try:
        text = value.decode("ascii") if isinstance(value, bytes) else value
    except UnicodeDecodeError:
        raise InvalidKey("the master key is neither 32 raw bytes nor base64url text") from None
    text = text.strip()
    try:
        raw = decode_base64url(text)
    except InvalidInput:
        raise InvalidKey("the master key is not unpadded base64url text") from None
    if len(raw) != MASTER_KEY_BYTES:
        raise InvalidKey(f"the master key decodes to {len(raw)} bytes; 32 expected")
    if encode_base64url(raw) != text:
        raise InvalidKey("the master key is not in canonical base64url form")
    return raw


def _wrap_aad(kek_id: str) -> bytes:
    return json.dumps([ENVELOPE_VERSION, "data-key", kek_id]).encode()


def _content_aad(key_id: str, owner_id: str) -> bytes:
    # JSON keeps the binding unambiguous whatever characters the ids contain.
    return json.dumps([ENVELOPE_VERSION, "private-key", key_id, owner_id]).encode()


def seal_envelope(plaintext: bytes, master: MasterKey, *, key_id: str, owner_id: str) -> str:
    """Encrypt ``plaintext`` under a fresh data key wrapped by ``master``; bound to the ids."""
    data_key = AESGCM.generate_key(bit_length=DATA_KEY_BYTES * 8)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, _content_aad(key_id, owner_id))
    wrap_nonce, wrapped = master._wrap(data_key)
    return _serialize(master.kek_id, wrap_nonce, wrapped, nonce, ciphertext)


def open_envelope(blob: str, master: MasterKey, *, key_id: str, owner_id: str) -> bytes:
    """Decrypt an envelope made by ``seal_envelope`` for exactly this key id and owner."""
    kek_id, wrap_nonce, wrapped, nonce, ciphertext = _parse(blob)
    _require_kek(kek_id, master)
    data_key = master._unwrap(wrap_nonce, wrapped)
    try:
        return AESGCM(data_key).decrypt(nonce, ciphertext, _content_aad(key_id, owner_id))
    except InvalidTag:
        raise EnvelopeError(
            f"the private key of {key_id!r} fails authentication (tampered, or stored for another "
            "key id or owner)"
        ) from None


def rewrap(blob: str, old: MasterKey, new: MasterKey) -> str:
    """Re-wrap the envelope's data key from ``old`` to ``new``; the ciphertext is unchanged."""
    kek_id, wrap_nonce, wrapped, nonce, ciphertext = _parse(blob)
    _require_kek(kek_id, old)
    new_wrap_nonce, new_wrapped = new._wrap(old._unwrap(wrap_nonce, wrapped))
    return _serialize(new.kek_id, new_wrap_nonce, new_wrapped, nonce, ciphertext)


def kek_id_of(blob: str) -> str:
    """The id of the master key that wrapped this envelope (to find rows still to re-wrap)."""
    return _parse(blob)[0]


def _require_kek(kek_id: str, master: MasterKey) -> None:
    if kek_id != master.kek_id:
        raise EnvelopeError(
            f"the envelope was wrapped by master key {kek_id!r}, not {master.kek_id!r}"
        )


def _serialize(kek_id: str, *parts: bytes) -> str:
    return ".".join([ENVELOPE_VERSION, kek_id, *(encode_base64url(part) for part in parts)])


def _parse(blob: str) -> tuple[str, bytes, bytes, bytes, bytes]:
    fields = blob.split(".") if isinstance(blob, str) else []
    if len(fields) != _FIELD_COUNT or fields[0] != ENVELOPE_VERSION:
        raise EnvelopeError(f"not a {ENVELOPE_VERSION} key envelope")
    try:
        wrap_nonce, wrapped, nonce, ciphertext = (decode_base64url(f) for f in fields[2:])
    except InvalidInput:
        raise EnvelopeError("a key envelope field is not base64url") from None
    if len(wrap_nonce) != NONCE_BYTES or len(nonce) != NONCE_BYTES:
        raise EnvelopeError(f"a key envelope nonce is not {NONCE_BYTES} bytes")
    return fields[1], wrap_nonce, wrapped, nonce, ciphertext
