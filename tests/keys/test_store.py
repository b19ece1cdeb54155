"""KeyStore: creation, one active key per owner, signing, rotation, revocation, the local
resolver, master key rotation, and that private key material never shows anywhere."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session

from credentials.errors import (
    Conflict,
    InvalidInput,
    KeyNotFound,
    PassportError,
    UnsupportedMechanism,
)
from credentials.jwk import private_jwk
from credentials.keys import ASSERTION_METHOD, AUTHENTICATION, Ed25519Signer
from credentials.multibase import encode_base64url
from credentials.multikey import encode_public_multikey, encode_secret_multikey
from keys.crypto_envelope import MasterKey, kek_id_of, load_master_key
from keys.documents import did_document, jwks
from keys.store import DID_KEY_METHOD, KeyStore, LocalKeyStoreResolver, rewrap_all
from keys.tables import KeyStatus
from tests.keys.conftest import NOW

ISSUER = "issuer:college-x"
ISSUER_DID = "did:web:passport.example.ca:issuers:college-x"
LEARNER = "learner:7f3c2a9e-1d4b-4c8e-9a51-2b6f0d3e8c71"
MESSAGE = b"credential bytes signed before anything changed"


def later(store: KeyStore, days: int) -> KeyStore:
    return KeyStore(store.session, store.master, now=NOW + timedelta(days=days))


def verify(resolver: LocalKeyStoreResolver, key_id: str, signature: bytes) -> None:
    public_key = resolver.resolve(key_id).public_key
    assert isinstance(public_key, Ed25519PublicKey)
    public_key.verify(signature, MESSAGE)


def test_create_did_web_key(store: KeyStore, session: Session) -> None:
    key = store.create_key(ISSUER, ISSUER_DID)
    session.commit()
    session.expire_all()
    stored = store.get_key(f"{ISSUER_DID}#key-1")
    assert stored.owner_id == ISSUER and stored.did == ISSUER_DID
    assert stored.algorithm == "Ed25519" and stored.status == KeyStatus.ACTIVE
    assert stored.public_key_multibase.startswith("z6Mk")
    assert stored.published and stored.retired_at is None and stored.revoked_at is None
    assert stored.created_at == NOW and stored.created_at.tzinfo == UTC
    assert store.active_key(ISSUER) == key
    assert store.keys_for(ISSUER) == [key]


def test_create_with_a_chosen_fragment(store: KeyStore) -> None:
    key = store.create_key(ISSUER, ISSUER_DID, key_fragment="ed25519-2025")
    assert key.id == f"{ISSUER_DID}#ed25519-2025"


def test_key_ids_are_never_reused(store: KeyStore) -> None:
    first = store.create_key(ISSUER, ISSUER_DID, key_fragment="key-2")
    store.revoke_key(first.id, NOW)
    assert store.create_key(ISSUER, ISSUER_DID).id == f"{ISSUER_DID}#key-3"
    store.revoke_key(f"{ISSUER_DID}#key-3", NOW)
    with pytest.raises(Conflict, match="already taken"):
        store.create_key(ISSUER, ISSUER_DID, key_fragment="key-2")


def test_create_did_key_derives_the_did_from_the_key(store: KeyStore) -> None:
    key = store.create_key(LEARNER, DID_KEY_METHOD)
    multikey = key.public_key_multibase
    assert key.did == f"did:key:{multikey}"
    assert key.id == f"did:key:{multikey}#{multikey}"


@pytest.mark.parametrize(
    ("owner_id", "did", "fragment", "error"),
    [
        (LEARNER, DID_KEY_METHOD, "key-1", InvalidInput),
        (ISSUER, "did:example:123", None, UnsupportedMechanism),
        (ISSUER, "did:web:Passport.Example.ca:issuers:x", None, InvalidInput),
        (ISSUER, "did:web:127.0.0.1:issuers:x", None, InvalidInput),
        (ISSUER, "did:web:passport.example.ca:issuers:x#key-1", None, InvalidInput),
        (ISSUER, ISSUER_DID, "key 1", InvalidInput),
        (ISSUER, ISSUER_DID, "", InvalidInput),
        ("college-x", ISSUER_DID, None, InvalidInput),
        ("issuer:", ISSUER_DID, None, InvalidInput),
    ],
)
def test_create_refuses_bad_identifiers(
    store: KeyStore, owner_id: str, did: str, fragment: str | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        store.create_key(owner_id, did, key_fragment=fragment)
    assert store.keys_for(owner_id) == []


def test_now_must_be_timezone_aware(session: Session, master: MasterKey) -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        KeyStore(session, master, now=datetime(2025, 9, 1))


def test_timestamps_are_stored_as_utc_from_any_zone(session: Session, master: MasterKey) -> None:
    toronto_summer = timezone(timedelta(hours=-4))
    local_now = datetime(2025, 9, 1, 8, 0, tzinfo=toronto_summer)
    KeyStore(session, master, now=local_now).create_key(ISSUER, ISSUER_DID)
    session.commit()
    session.expire_all()
    stored = KeyStore(session, master, now=NOW).get_key(f"{ISSUER_DID}#key-1")
    assert stored.created_at == NOW and stored.created_at.tzinfo == UTC


def test_naive_timestamps_are_refused_by_the_column(store: KeyStore, session: Session) -> None:
    key = store.create_key(ISSUER, ISSUER_DID)
    key.created_at = datetime(2025, 9, 1)
    session.add(key)
    with pytest.raises(StatementError) as raised:
        session.flush()
    assert isinstance(raised.value.orig, InvalidInput)


def test_one_active_key_per_owner_in_the_service(store: KeyStore) -> None:
    store.create_key(ISSUER, ISSUER_DID)
    with pytest.raises(Conflict, match="already has an active signing key"):
        store.create_key(ISSUER, ISSUER_DID)
    assert len(store.keys_for(ISSUER)) == 1


def test_one_active_key_per_owner_in_the_database(store: KeyStore, engine: Engine) -> None:
    first = store.create_key(ISSUER, ISSUER_DID)
    store.session.commit()
    other = Ed25519PrivateKey.generate().public_key()
    duplicate = {
        "id": f"{ISSUER_DID}#key-9",
        "owner": ISSUER,
        "did": ISSUER_DID,
        "pk": encode_public_multikey(other),
        "blob": first.encrypted_private_key,
        "created": NOW,
    }
    insert = text(
        "INSERT INTO signing_key (id, owner_id, did, algorithm, public_key_multibase, "
        "encrypted_private_key, status, created_at, published) VALUES "
        "(:id, :owner, :did, 'Ed25519', :pk, :blob, :status, :created, true)"
    )
    with engine.connect() as connection:
        with pytest.raises(IntegrityError):
            connection.execute(insert, {**duplicate, "status": "active"})
        connection.rollback()
        connection.execute(insert, {**duplicate, "status": "retired"})
        connection.rollback()


def test_signer_signs_with_the_active_key(store: KeyStore, session: Session) -> None:
    key = store.create_key(ISSUER, ISSUER_DID)
    signer = store.signer_for(ISSUER)
    assert signer.verification_method == key.id
    assert signer.algorithm == "EdDSA"
    verify(LocalKeyStoreResolver(session), key.id, signer.sign(MESSAGE))


def test_signer_for_an_owner_without_keys(store: KeyStore) -> None:
    with pytest.raises(KeyNotFound):
        store.signer_for(ISSUER)


def test_signature_made_before_rotation_verifies_after_it(
    store: KeyStore, session: Session, engine: Engine
) -> None:
    old = store.create_key(ISSUER, ISSUER_DID)
    signature = store.signer_for(ISSUER).sign(MESSAGE)
    session.commit()

    new = later(store, 90).rotate(ISSUER)
    session.commit()

    assert new.id == f"{ISSUER_DID}#key-2" and new.status == KeyStatus.ACTIVE
    assert old.status == KeyStatus.RETIRED and old.published
    assert old.retired_at == NOW + timedelta(days=90)
    assert store.signer_for(ISSUER).verification_method == new.id
    resolver = LocalKeyStoreResolver(lambda: Session(engine))
    verify(resolver, old.id, signature)
    assert resolver.resolve(old.id).relationships == {ASSERTION_METHOD}
    assert resolver.resolve(new.id).relationships == {ASSERTION_METHOD, AUTHENTICATION}
    assert resolver.resolve(old.id).controller == ISSUER_DID
    with pytest.raises(InvalidSignature):
        verify(resolver, new.id, signature)
    assert [key.id for key in store.keys_for(ISSUER)] == [old.id, new.id]


def test_rotating_a_did_key_owner_gives_a_new_did(store: KeyStore) -> None:
    old = store.create_key(LEARNER, DID_KEY_METHOD)
    new = later(store, 1).rotate(LEARNER)
    assert new.did != old.did and new.did.startswith("did:key:z6Mk")
    assert old.status == KeyStatus.RETIRED


def test_rotate_needs_an_active_key(store: KeyStore) -> None:
    with pytest.raises(KeyNotFound):
        store.rotate(ISSUER)


def test_revoked_key_stays_published_until_unpublished(store: KeyStore, session: Session) -> None:
    key = store.create_key(ISSUER, ISSUER_DID)
    signature = store.signer_for(ISSUER).sign(MESSAGE)
    compromised_since = NOW + timedelta(days=10)
    revoked = later(store, 30).revoke_key(key.id, compromised_since)

    assert revoked.status == KeyStatus.REVOKED and revoked.published
    assert revoked.revoked_at == NOW + timedelta(days=30)
    assert revoked.compromised_since == compromised_since
    resolver = LocalKeyStoreResolver(session)
    verify(resolver, key.id, signature)  # signed before the compromise: still checkable
    assert resolver.resolve(key.id).relationships == {ASSERTION_METHOD}
    with pytest.raises(KeyNotFound):
        store.signer_for(ISSUER)  # a revoked key never signs again
    with pytest.raises(Conflict, match="already revoked"):
        later(store, 31).revoke_key(key.id, compromised_since)

    later(store, 31).unpublish_key(key.id)
    with pytest.raises(KeyNotFound):
        resolver.resolve(key.id)
    replacement = later(store, 31).create_key(ISSUER, ISSUER_DID)
    assert replacement.id == f"{ISSUER_DID}#key-2"


def test_revoke_and_unpublish_at_once(store: KeyStore, session: Session) -> None:
    key = store.create_key(ISSUER, ISSUER_DID)
    later(store, 1).revoke_key(key.id, NOW, unpublish=True)
    assert not store.get_key(key.id).published
    with pytest.raises(KeyNotFound):
        LocalKeyStoreResolver(session).resolve(key.id)


def test_revoke_refuses_bad_compromise_times(store: KeyStore) -> None:
    key = store.create_key(ISSUER, ISSUER_DID)
    with pytest.raises(InvalidInput, match="future"):
        store.revoke_key(key.id, NOW + timedelta(seconds=1))
    with pytest.raises(InvalidInput, match="timezone-aware"):
        store.revoke_key(key.id, datetime(2025, 8, 1))
    with pytest.raises(KeyNotFound):
        store.revoke_key(f"{ISSUER_DID}#key-7", NOW)
    assert store.get_key(key.id).status == KeyStatus.ACTIVE


def test_only_revoked_keys_can_be_unpublished(store: KeyStore) -> None:
    old = store.create_key(ISSUER, ISSUER_DID)
    new = later(store, 1).rotate(ISSUER)
    for key in (old, new):
        with pytest.raises(Conflict, match="only a revoked key"):
            store.unpublish_key(key.id)
        assert store.get_key(key.id).published


def test_resolver_refuses_unknown_ids(store: KeyStore, session: Session) -> None:
    key = store.create_key(ISSUER, ISSUER_DID)
    resolver = LocalKeyStoreResolver(session)
    for unknown in (f"{ISSUER_DID}#key-2", ISSUER_DID, key.id.upper(), ""):
        with pytest.raises(KeyNotFound):
            resolver.resolve(unknown)


def test_envelope_copied_to_another_key_row_does_not_decrypt(
    store: KeyStore, session: Session
) -> None:
    issuer_key = store.create_key(ISSUER, ISSUER_DID)
    learner_key = store.create_key(LEARNER, DID_KEY_METHOD)
    learner_key.encrypted_private_key = issuer_key.encrypted_private_key
    session.add(learner_key)
    session.flush()
    with pytest.raises(PassportError, match="fails authentication") as raised:
        store.signer_for(LEARNER)
    assert raised.value.code == "key_envelope_invalid"


def test_public_key_swapped_in_the_row_is_detected(store: KeyStore, session: Session) -> None:
    key = store.create_key(ISSUER, ISSUER_DID)
    key.public_key_multibase = encode_public_multikey(Ed25519PrivateKey.generate().public_key())
    session.add(key)
    session.flush()
    with pytest.raises(PassportError, match="does not match its public key"):
        store.signer_for(ISSUER)


def test_master_key_rotation_rewraps_every_row(store: KeyStore, session: Session) -> None:
    owners = [f"issuer:college-{n}" for n in range(3)]
    for owner in owners:
        store.create_key(owner, f"did:web:passport.example.ca:issuers:{owner[7:]}")
    session.commit()
    new_master = load_master_key(encode_base64url(bytes(range(100, 132))))

    assert rewrap_all(session, store.master, new_master) == 3
    session.commit()
    assert rewrap_all(session, store.master, new_master) == 0  # resumable: nothing left to do

    rotated = KeyStore(session, new_master, now=NOW)
    for owner in owners:
        assert kek_id_of(rotated.get_key(rotated.keys_for(owner)[0].id).encrypted_private_key) == (
            new_master.kek_id
        )
        rotated.signer_for(owner).sign(MESSAGE)
        with pytest.raises(PassportError, match="wrapped by master key"):
            store.signer_for(owner)


def secret_forms(seed: bytes) -> list[str]:
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    return [
        seed.hex(),
        seed.hex().upper(),
        encode_base64url(seed),
        base64.b64encode(seed).decode(),
        encode_secret_multikey(private_key),
        private_jwk(private_key)["d"],
        repr(seed),
    ]


def test_private_key_material_never_shows(
    store: KeyStore, session: Session, engine: Engine
) -> None:
    key = store.create_key(ISSUER, ISSUER_DID)
    signer = store.signer_for(ISSUER)
    assert isinstance(signer, Ed25519Signer)
    seed = signer.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    session.commit()

    errors: list[str] = []
    for attempt in (
        lambda: store.create_key(ISSUER, ISSUER_DID),
        lambda: store.unpublish_key(key.id),
        lambda: KeyStore(session, load_master_key(bytes(range(32))), NOW).signer_for(ISSUER),
    ):
        with pytest.raises(PassportError) as raised:
            attempt()
        errors += [str(raised.value), repr(raised.value)]
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM signing_key")).one()
    shown = [
        repr(signer),
        str(signer),
        repr(key),
        str(key),
        repr(store),
        key.encrypted_private_key,
        json.dumps(did_document(ISSUER_DID, [key])),
        json.dumps(jwks([key])),
        *(str(value) for value in row),
        *errors,
    ]
    assert "encrypted_private_key" not in repr(key)
    for text_shown in shown:
        for form in secret_forms(seed):
            assert form not in text_shown
    assert all(seed not in str(value).encode("latin-1", "replace") for value in row)
