"""Institutions' DIDs and keys: creation, DID documents, rotation, revocation, endorsements."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from credentials.did import DocumentResolver
from credentials.errors import Conflict, NotFound
from credentials.models.builders import build_achievement_credential
from credentials.models.ob import Achievement, AchievementSubject
from credentials.multikey import DID_KEY_PREFIX
from credentials.proofs.base import ProofExpectations
from credentials.proofs.registry import secure, verify_data_integrity
from credentials.report import Outcome
from issuers.api_models import EmployerCreate
from issuers.counters import SIGNED_CREDENTIAL_COUNTERS
from issuers.identity import (
    counting_all,
    did_document_of,
    institution_did,
    institution_owner,
    issuer_profile,
    jwks_of,
    revoke_signing_key,
    rotate_institution_key,
    signer_for_institution,
)
from issuers.institutions import create_institution, get_institution
from issuers.programs.achievements import achievement_for
from issuers.programs.endorsements import create_employer, endorse_program, endorsements_of
from issuers.tables import Institution
from keys.store import KeyStore
from keys.tables import KeyStatus
from tests.issuers.issuer_support import (
    BASE_URL,
    NOW,
    Store,
    institution_data,
    store_fixture,  # noqa: F401  (fixture "store")
)
from tests.storage import database_url  # noqa: F401  (fixture)


def did_document(store: Store, institution: Institution) -> dict[str, object]:
    with store.session() as session:
        published = did_document_of(
            session, store.master, NOW, institution.did, institution_owner(institution)
        )
    document: dict[str, object] = json.loads(published.body)
    return document


def signed_credential(store: Store, institution: Institution) -> dict[str, object]:
    with store.session() as session:
        signer = signer_for_institution(session, store.master, NOW, institution)
    credential = build_achievement_credential(
        credential_id="urn:uuid:6c3f1b0e-2a8e-4f7a-9b1c-5d4e3f2a1b00",
        issuer=issuer_profile(institution),
        achievement=Achievement(
            id=f"{BASE_URL}/issuers/{institution.slug}/programs/x",
            name="X",
            description="X",
            criteria={"narrative": "x"},
        ),
        subject=AchievementSubject(id="did:example:learner"),
        valid_from=NOW,
    )
    secured = secure(credential, signer, "eddsa-rdfc-2022", now=NOW)
    assert isinstance(secured, dict)
    return secured


def verifies(credential: dict[str, object], document: dict[str, object]) -> bool:
    resolver = DocumentResolver({str(document["id"]): document})
    [result] = verify_data_integrity(dict(credential), resolver, ProofExpectations())
    return result.outcome is Outcome.PASSED


@pytest.mark.parametrize(
    ("base_url", "did"),
    [
        ("https://passport.example.ca", "did:web:passport.example.ca:issuers:college-a"),
        ("http://localhost:8000", "did:web:localhost%3A8000:issuers:college-a"),
    ],
)
def test_did_web_is_on_the_deployment_host(base_url: str, did: str) -> None:
    assert institution_did(base_url, "college-a", "did:web") == did


def test_institution_gets_a_did_web_and_a_key(store: Store) -> None:
    institution = store.add_institution("college-a")
    assert institution.did == "did:web:passport.example.ca:issuers:college-a"
    document = did_document(store, institution)
    assert document["id"] == institution.did
    assert document["assertionMethod"] == [f"{institution.did}#key-1"]
    with store.session() as session:
        keys = KeyStore(session, store.master, NOW).keys_for("issuer:college-a")
    assert [key.status for key in keys] == [KeyStatus.ACTIVE]


def test_duplicate_slug_is_a_conflict(store: Store) -> None:
    store.add_institution("college-a")
    with store.session() as session, pytest.raises(Conflict, match="college-a"):
        create_institution(session, store.master, NOW, BASE_URL, institution_data("college-a"))


def test_old_credentials_verify_after_rotation(store: Store) -> None:
    institution = store.add_institution("college-a")
    before = signed_credential(store, institution)
    assert verifies(before, did_document(store, institution))
    with store.session() as session:
        new_key = rotate_institution_key(session, store.master, NOW, institution)
        session.commit()
    document = did_document(store, institution)
    assert new_key.id == f"{institution.did}#key-2"
    assert document["assertionMethod"] == [f"{institution.did}#key-1", f"{institution.did}#key-2"]
    assert document["authentication"] == [f"{institution.did}#key-2"]
    assert verifies(before, document)
    after = signed_credential(store, institution)
    assert after["proof"]["verificationMethod"] == new_key.id  # type: ignore[index]
    assert verifies(after, document)


def test_tampered_credential_fails_against_the_did_document(store: Store) -> None:
    institution = store.add_institution("college-a")
    credential = signed_credential(store, institution)
    credential["validFrom"] = "2030-01-01T00:00:00Z"
    assert not verifies(credential, did_document(store, institution))


def test_did_key_institution_takes_its_new_did_on_rotation(store: Store) -> None:
    institution = store.add_institution("college-k", did_method="did:key")
    first = institution.did
    assert first.startswith(DID_KEY_PREFIX)
    with store.session() as session:
        rotate_institution_key(session, store.master, NOW, institution)
        session.commit()
    with store.session() as session:
        stored = get_institution(session, "college-k")
    assert stored.did.startswith(DID_KEY_PREFIX) and stored.did != first


def test_jwks_lists_published_unrevoked_keys(store: Store) -> None:
    institution = store.add_institution("college-a")
    with store.session() as session:
        rotate_institution_key(session, store.master, NOW, institution)
        session.commit()
        published = jwks_of(session, store.master, NOW, institution_owner(institution))
    kids = [key["kid"] for key in json.loads(published.body)["keys"]]
    assert kids == [f"{institution.did}#key-1", f"{institution.did}#key-2"]


def test_revoking_an_employer_key_reports_what_it_signed_since(store: Store) -> None:
    institution = store.add_institution("college-a")
    program = store.add_program(institution)
    later = NOW + timedelta(days=2)
    with store.session() as session:
        employer = create_employer(
            session, store.master, NOW, BASE_URL, EmployerCreate(slug="acme", name="Acme")
        )
        endorse_program(session, store.master, NOW, BASE_URL, institution, program, employer, "a")
        endorse_program(session, store.master, later, BASE_URL, institution, program, employer, "b")
        session.commit()
        key_id = endorsements_of(session, program)[0].signing_key_id
        counter = counting_all(session, SIGNED_CREDENTIAL_COUNTERS)
        revocation = revoke_signing_key(
            session, store.master, later, key_id, NOW + timedelta(days=1), counter
        )
        session.commit()
    assert revocation.credentials_signed_since_compromise == 1
    assert revocation.key.status == KeyStatus.REVOKED


def test_an_institution_cannot_revoke_another_institutions_key(store: Store) -> None:
    store.add_institution("college-a")
    other = store.add_institution("college-b")
    with store.session() as session, pytest.raises(NotFound):
        revoke_signing_key(
            session,
            store.master,
            NOW,
            f"{other.did}#key-1",
            NOW,
            counting_all(session, SIGNED_CREDENTIAL_COUNTERS),
            owner="issuer:college-a",
        )


def test_endorsement_is_stored_as_signed_and_verifies(store: Store) -> None:
    institution = store.add_institution("college-a")
    program = store.add_program(institution)
    with store.session() as session:
        employer = create_employer(
            session,
            store.master,
            NOW,
            BASE_URL,
            EmployerCreate(slug="acme", name="Acme", did_method="did:web"),
        )
        endorse_program(
            session, store.master, NOW, BASE_URL, institution, program, employer, "Job-ready."
        )
        session.commit()
        [stored] = endorsements_of(session, program)
        document = did_document_of(session, store.master, NOW, employer.did, "employer:acme")
    credential = json.loads(stored.signed_json)
    assert employer.did == "did:web:passport.example.ca:employers:acme"
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert (
        credential["credentialSubject"]["id"]
        == achievement_for(BASE_URL, institution, program)["id"]
    )
    assert credential["proof"]["verificationMethod"] == stored.signing_key_id
    assert verifies(credential, json.loads(document.body))
    credential["credentialSubject"]["endorsementComment"] = "Not ready."
    assert not verifies(credential, json.loads(document.body))
