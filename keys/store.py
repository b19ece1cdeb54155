"""The KeyStore: Ed25519 signing keys of issuers and learners, encrypted at rest, never handed out.

A private key leaves the store only inside a ``Signer`` (``credentials.keys``), whose ``repr``
shows the verification method id and nothing else. Rotation retires the old key but keeps it
published, so credentials signed earlier keep verifying against their exact key id; revocation
records when the key was compromised (see ``keys.documents`` for what each state publishes).

The store takes the caller's ``Session`` and ``now`` and never reads the clock. It flushes but
never commits: the caller owns the transaction, and must roll it back after a ``Conflict`` (the
one-active-key index or a duplicate key id refused the write).

>>> from datetime import UTC, datetime
>>> from sqlmodel import Session, SQLModel, create_engine
>>> from keys.crypto_envelope import load_master_key
>>> engine = create_engine("sqlite://")
>>> table = SQLModel.metadata.tables[SigningKey.__tablename__]
>>> SQLModel.metadata.create_all(engine, tables=[table])
>>> master = load_master_key("hKm1mWSQrTrMZn3_LsA1PrTjJwl2FuZ6KpDt1mV9Xe8")
>>> with Session(engine) as session:
...     store = KeyStore(session, master, now=datetime(2025, 9, 1, tzinfo=UTC))
...     key = store.create_key("issuer:college-x", "did:web:passport.example.ca:issuers:college-x")
...     store.signer_for("issuer:college-x")
Ed25519Signer(verification_method='did:web:passport.example.ca:issuers:college-x#key-1')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials import (
    DID_KEY_PREFIX,
    Conflict,
    Ed25519Signer,
    InvalidInput,
    KeyNotFound,
    Signer,
    UnsupportedMechanism,
    VerificationMethod,
    decode_public_multikey,
    did_key_for,
    did_key_verification_method,
    encode_public_multikey,
)
from keys.crypto_envelope import (
    EnvelopeError,
    MasterKey,
    kek_id_of,
    open_envelope,
    rewrap,
    seal_envelope,
)
from keys.did_web import DID_WEB_PREFIX
from keys.documents import ID_CHARS, KeyRecord, did_web_for, relationships_of
from keys.tables import KeyStatus, SigningKey

# Pass as ``did`` to ``create_key`` for a did:key owner: the DID is derived from the new key.
DID_KEY_METHOD = "did:key"
_OWNER_ID = re.compile(r"[a-z][a-z0-9_-]*:[A-Za-z0-9._:-]{1,190}")
REWRAP_BATCH = 500


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be a timezone-aware datetime")


@dataclass
class KeyStore:
    """Key custody for one unit of work: the caller's session, the master key and ``now``."""

    session: Session
    master: MasterKey
    now: datetime

    def __post_init__(self) -> None:
        _require_aware(self.now, "now")

    def create_key(self, owner_id: str, did: str, key_fragment: str | None = None) -> SigningKey:
        """Generate the owner's active Ed25519 key.

        ``did`` is a did:web (the key id is ``<did>#<key_fragment>``, by default ``#key-<n>``) or
        ``DID_KEY_METHOD``, for which the did:key and its key id come from the new public key.
        An owner with an active key gets ``Conflict``: use ``rotate``.
        """
        if not _OWNER_ID.fullmatch(owner_id):
            raise InvalidInput(f"owner id {owner_id!r} is not of the form '<kind>:<id>'")
        if self.active_key(owner_id) is not None:
            raise Conflict(f"{owner_id!r} already has an active signing key; rotate it instead")
        private_key = Ed25519PrivateKey.generate()
        did, key_id = self._identify(did, key_fragment, private_key.public_key())
        seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        key = SigningKey(
            id=key_id,
            owner_id=owner_id,
            did=did,
            public_key_multibase=encode_public_multikey(private_key.public_key()),
            encrypted_private_key=seal_envelope(
                seed, self.master, key_id=key_id, owner_id=owner_id
            ),
            created_at=self.now,
        )
        self.session.add(key)
        self._flush(f"cannot store key {key_id!r} for {owner_id!r}")
        return key

    def _identify(
        self, did: str, key_fragment: str | None, public_key: Ed25519PublicKey
    ) -> tuple[str, str]:
        if did == DID_KEY_METHOD:
            if key_fragment is not None:
                raise InvalidInput("a did:key has exactly one key id; no fragment can be chosen")
            derived = did_key_for(public_key)
            return derived, did_key_verification_method(derived)
        if not did.startswith(DID_WEB_PREFIX):
            raise UnsupportedMechanism(f"keys can be made for did:web or did:key, not {did!r}")
        authority, *segments = did.removeprefix(DID_WEB_PREFIX).split(":")
        if did_web_for(authority.replace("%3A", ":"), segments) != did:
            raise InvalidInput(f"{did!r} is not a did:web in canonical form")
        if key_fragment is not None:
            if not ID_CHARS.fullmatch(key_fragment):
                raise InvalidInput(f"key fragment {key_fragment!r} is not allowed")
            if self.session.get(SigningKey, f"{did}#{key_fragment}") is not None:
                raise Conflict(f"key id {did}#{key_fragment} is already taken")
            return did, f"{did}#{key_fragment}"
        number = len(self.session.exec(select(SigningKey.id).where(SigningKey.did == did)).all())
        while self.session.get(SigningKey, f"{did}#key-{number + 1}") is not None:
            number += 1
        return did, f"{did}#key-{number + 1}"

    def get_key(self, key_id: str) -> SigningKey:
        key = self.session.get(SigningKey, key_id)
        if key is None:
            raise KeyNotFound(f"no stored signing key {key_id!r}")
        return key

    def active_key(self, owner_id: str) -> SigningKey | None:
        statement = select(SigningKey).where(
            SigningKey.owner_id == owner_id, SigningKey.status == KeyStatus.ACTIVE
        )
        return self.session.exec(statement).one_or_none()

    def keys_for(self, owner_id: str) -> list[SigningKey]:
        """Every key of the owner, oldest first, whatever its status."""
        statement = (
            select(SigningKey)
            .where(SigningKey.owner_id == owner_id)
            .order_by(col(SigningKey.created_at), col(SigningKey.id))
        )
        return list(self.session.exec(statement).all())

    def signer_for(self, owner_id: str) -> Signer:
        """A ``Signer`` over the owner's active key, decrypted here and checked against its row."""
        key = self.active_key(owner_id)
        if key is None:
            raise KeyNotFound(f"{owner_id!r} has no active signing key")
        return self._signer(key)

    def transition_signer_for(self, owner_id: str, overlap: timedelta) -> Signer:
        """The signer for documents that verifiers re-fetch on their own (status lists): the key
        retired by a rotation less than ``overlap`` ago, else the active key.

        A verifier that cached the DID document up to ``overlap`` before the rotation does not
        know the new key yet; a document it re-fetches signed by the retired key (still
        published) verifies against its copy, so a routine rotation breaks nobody. Revoked keys
        never sign: after a compromise the switch is immediate.
        """
        retired = self.session.exec(
            select(SigningKey)
            .where(
                SigningKey.owner_id == owner_id,
                SigningKey.status == KeyStatus.RETIRED,
                col(SigningKey.published),
                col(SigningKey.retired_at) > self.now - overlap,
            )
            .order_by(col(SigningKey.retired_at).desc())
            .limit(1)
        ).first()
        return self.signer_for(owner_id) if retired is None else self._signer(retired)

    def _signer(self, key: SigningKey) -> Signer:
        seed = open_envelope(
            key.encrypted_private_key, self.master, key_id=key.id, owner_id=key.owner_id
        )
        private_key = Ed25519PrivateKey.from_private_bytes(seed)
        if encode_public_multikey(private_key.public_key()) != key.public_key_multibase:
            raise EnvelopeError(f"the private key of {key.id!r} does not match its public key")
        return Ed25519Signer(private_key, key.id)

    def rotate(self, owner_id: str) -> SigningKey:
        """Retire the active key (it stays published) and make a new active key for the owner.

        A did:key owner gets a new did:key: the DID of a did:key is its key.
        """
        current = self.active_key(owner_id)
        if current is None:
            raise KeyNotFound(f"{owner_id!r} has no active signing key to rotate")
        current.status = KeyStatus.RETIRED
        current.retired_at = self.now
        self.session.add(current)
        self._flush(f"cannot retire key {current.id!r}")
        did = DID_KEY_METHOD if current.did.startswith(DID_KEY_PREFIX) else current.did
        return self.create_key(owner_id, did)

    def revoke_key(
        self, key_id: str, compromised_since: datetime, unpublish: bool = False
    ) -> SigningKey:
        """Mark a key compromised since ``compromised_since``; it stays published unless asked.

        Revoking the active key leaves the owner without one until ``create_key``.
        """
        _require_aware(compromised_since, "compromised_since")
        if compromised_since > self.now:
            raise InvalidInput("compromised_since cannot be in the future")
        key = self.get_key(key_id)
        if key.status == KeyStatus.REVOKED:
            raise Conflict(f"{key_id!r} is already revoked")
        key.status = KeyStatus.REVOKED
        key.revoked_at = self.now
        key.compromised_since = compromised_since
        key.published = not unpublish
        self.session.add(key)
        self._flush(f"cannot revoke key {key_id!r}")
        return key

    def unpublish_key(self, key_id: str) -> SigningKey:
        """Remove a revoked key from the DID document: everything it signed stops verifying.

        Retired keys cannot be unpublished: they exist to keep old credentials verifiable.
        """
        key = self.get_key(key_id)
        if key.status != KeyStatus.REVOKED:
            raise Conflict(f"only a revoked key can be unpublished; {key_id!r} is {key.status}")
        key.published = False
        self.session.add(key)
        self._flush(f"cannot unpublish key {key_id!r}")
        return key

    def _flush(self, failure: str) -> None:
        try:
            self.session.flush()
        except IntegrityError:
            raise Conflict(f"{failure}: it conflicts with a stored key") from None


def rewrap_all(session: Session, old: MasterKey, new: MasterKey) -> int:
    """Re-wrap every key envelope from ``old`` to ``new``; returns how many rows changed.

    Rows already under ``new`` are skipped, so an interrupted rotation can simply be run again.
    """
    changed, last_id = 0, ""
    while True:
        batch = session.exec(
            select(SigningKey)
            .where(SigningKey.id > last_id)
            .order_by(col(SigningKey.id))
            .limit(REWRAP_BATCH)
        ).all()
        if not batch:
            return changed
        for key in batch:
            if kek_id_of(key.encrypted_private_key) != new.kek_id:
                key.encrypted_private_key = rewrap(key.encrypted_private_key, old, new)
                session.add(key)
                changed += 1
        session.flush()
        last_id = batch[-1].id


class LocalKeyStoreResolver:
    """``KeyResolver`` for our own DIDs: a stored, published key, by its exact id.

    Takes a ``Session`` or a factory of sessions (one is opened per lookup). The relationships
    are the ones the key's DID document lists (``keys.documents.relationships_of``).
    """

    def __init__(self, sessions: Session | Callable[[], Session]) -> None:
        self._sessions = sessions

    def resolve(self, verification_method: str) -> VerificationMethod:
        if isinstance(self._sessions, Session):
            return self._lookup(self._sessions, verification_method)
        with self._sessions() as session:
            return self._lookup(session, verification_method)

    @staticmethod
    def _lookup(session: Session, verification_method: str) -> VerificationMethod:
        key = session.get(SigningKey, verification_method)
        if key is None or not key.published:
            raise KeyNotFound(f"{verification_method!r} is not a published key of ours")
        return stored_verification_method(key)


def stored_verification_method(key: KeyRecord) -> VerificationMethod:
    """A stored key as a verifier sees it: our records carry the compromise date, also for a
    did:key, whose document cannot say it (``keys.documents``)."""
    revoked = key.compromised_since if key.status == KeyStatus.REVOKED else None
    return VerificationMethod(
        id=key.id,
        controller=key.did,
        public_key=decode_public_multikey(key.public_key_multibase),
        relationships=relationships_of(key),
        revoked=revoked,
    )
