"""Key custody: envelope-encrypted Ed25519 signing keys, rotation, DID documents and JWKS, and the
did:web resolver.

Other packages import only the names of ``__all__``, from here (``from keys import KeyStore``).
"""

from keys import tables
from keys.crypto_envelope import (
    MASTER_KEY_BYTES,
    MasterKey,
    load_master_key,
    open_envelope,
    seal_envelope,
)
from keys.did_web import DID_WEB_PREFIX, DidWebResolver
from keys.documents import KEY_STATE_COLUMNS, KeyState, did_document, did_web_for, jwks
from keys.store import DID_KEY_METHOD, KeyStore, LocalKeyStoreResolver, stored_verification_method
from keys.tables import KeyStatus, SigningKey

__all__ = [
    "DID_KEY_METHOD",
    "DID_WEB_PREFIX",
    "KEY_STATE_COLUMNS",
    "MASTER_KEY_BYTES",
    "DidWebResolver",
    "KeyState",
    "KeyStatus",
    "KeyStore",
    "LocalKeyStoreResolver",
    "MasterKey",
    "SigningKey",
    "did_document",
    "did_web_for",
    "jwks",
    "load_master_key",
    "open_envelope",
    "seal_envelope",
    "stored_verification_method",
    "tables",
]
