"""One award: one credential, signed twice from one path, stored as issued, private email."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from credentials.errors import InvalidInput
from credentials.proofs.base import ProofExpectations
from credentials.proofs.jws import parse_compact_jws
from credentials.proofs.registry import verify_data_integrity
from credentials.proofs.vc_jose import verify_jws
from issuers.awards import status_lists
from issuers.awards.service import (
    AwardRequest,
    Learner,
    awards_signed_after,
    email_matches,
    issue_award,
)
from issuers.awards.tables import Award, StatusList
from issuers.tables import Institution
from keys.store import LocalKeyStoreResolver
from tests.issuers.award_support import (
    NOW,
    Awarding,
    add_institution,
    add_program,
    awarding_fixture,  # noqa: F401  (fixture)
    context_for,
)

EMAIL = "Amelie.Cote@example.ca"
REQUEST = AwardRequest(
    learner=Learner(
        name="Amélie Côté",
        email=EMAIL,
        did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ),
    result="A+",
    evidence=({"id": "https://college.example.ca/evidence/1", "narrative": "Weld test"},),
)


def test_one_award_is_signed_in_both_forms_from_one_document(awarding: Awarding) -> None:
    with awarding.session() as session:
        award = issue_award(session, awarding.context(session), REQUEST, NOW)
        session.commit()
        ldp = json.loads(award.ldp_credential)
        resolver = LocalKeyStoreResolver(session)
        [proof] = verify_data_integrity(ldp, resolver, ProofExpectations())
        assert proof.verified, proof.reason
        assert proof.verification_method == award.signing_key_id
        jwt = verify_jws(award.jwt_credential, resolver, now=NOW)
        assert jwt.proof.verified, jwt.proof.reason
        assert jwt.header["kid"] == award.signing_key_id
        unsigned = {key: value for key, value in ldp.items() if key != "proof"}
        assert jwt.credential == unsigned
        stored = session.get(Award, award.id)
        assert stored is not None and stored.ldp_credential == award.ldp_credential


def test_the_subject_hides_the_email_and_names_the_learner(awarding: Awarding) -> None:
    with awarding.session() as session:
        award = issue_award(session, awarding.context(session), REQUEST, NOW)
    payload = parse_compact_jws(award.jwt_credential).payload
    for text in (award.ldp_credential, json.dumps(payload)):
        assert EMAIL.lower() not in text.lower()
    subject = json.loads(award.ldp_credential)["credentialSubject"]
    assert subject["id"] == REQUEST.learner.did
    assert subject["result"] == [{"type": ["Result"], "value": "A+"}]
    names = [item for item in subject["identifier"] if item["identityType"] == "name"]
    assert names == [
        {
            "type": "IdentityObject",
            "hashed": False,
            "identityHash": "Amélie Côté",
            "identityType": "name",
        }
    ]
    credential = json.loads(award.ldp_credential)
    assert email_matches(credential, EMAIL)
    assert email_matches(credential, "  amelie.cote@EXAMPLE.ca ")
    # Issue #13: a full-width look-alike is the same address (NFKC).
    assert email_matches(credential, "ａｍｅｌｉｅ.ｃｏｔｅ@ｅｘａｍｐｌｅ.ｃａ")
    assert not email_matches(credential, "someone.else@example.ca")


def test_the_name_is_left_out_when_the_institution_says_so(awarding: Awarding) -> None:
    with awarding.session() as session:
        institution = add_institution(session, awarding.master, "quiet", include_learner_name=False)
        program = add_program(session, institution)
        context = context_for(session, awarding.master, institution, program)
        award = issue_award(session, context, AwardRequest(Learner("Jo", "jo@example.ca")), NOW)
    subject = json.loads(award.ldp_credential)["credentialSubject"]
    assert "id" not in subject
    assert [item["identityType"] for item in subject["identifier"]] == ["emailAddress"]
    assert "Jo" not in json.dumps(subject)


def test_every_credential_carries_its_status_entry(awarding: Awarding) -> None:
    with awarding.session() as session:
        award = issue_award(session, awarding.context(session), REQUEST, NOW)
    status = json.loads(award.ldp_credential)["credentialStatus"]
    assert status == {
        "id": f"https://passport.example.ca/status/{award.status_list_id}#{award.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": str(award.status_index),
        "statusListCredential": f"https://passport.example.ca/status/{award.status_list_id}",
    }


def test_a_revocation_only_institution_gets_revocation_entries(awarding: Awarding) -> None:
    with awarding.session() as session:
        institution = add_institution(session, awarding.master, "strict")  # the default policy
        context = context_for(
            session, awarding.master, institution, add_program(session, institution)
        )
        award = issue_award(session, context, REQUEST, NOW)
    assert json.loads(award.ldp_credential)["credentialStatus"]["statusPurpose"] == "revocation"


@pytest.mark.parametrize(
    ("learner", "reason"),
    [
        (Learner("", "a@example.ca"), "name"),
        (Learner("A", "not-an-email"), "email"),
        (Learner("A", "a@example.ca", did="https://not.a.did"), "DID"),
    ],
)
def test_bad_learners_are_refused_before_anything_is_stored(
    awarding: Awarding, learner: Learner, reason: str
) -> None:
    with awarding.session() as session:
        with pytest.raises(InvalidInput, match=reason):
            issue_award(session, awarding.context(session), AwardRequest(learner), NOW)
        session.rollback()
        assert session.exec(select(Award)).all() == []
        assert session.exec(select(StatusList)).all() == []


def test_issuing_refuses_and_stores_nothing_without_a_status_entry(
    awarding: Awarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_entry(*_args: object, **_kwargs: object) -> list[status_lists.StatusSlot]:
        raise status_lists.StatusAllocationFailed("the status lists are unavailable")

    monkeypatch.setattr(status_lists, "allocate", no_entry)
    with awarding.session() as session:
        with pytest.raises(status_lists.StatusAllocationFailed):
            issue_award(session, awarding.context(session), REQUEST, NOW)
        session.rollback()
        assert session.exec(select(Award)).all() == []


def test_awards_of_another_institutions_program_are_refused(awarding: Awarding) -> None:
    with awarding.session() as session:
        other = add_institution(session, awarding.master, "other")
        program = add_program(session, other, "other-program")
        mine = session.get(Institution, awarding.institution_id)
        assert mine is not None
        with pytest.raises(Exception, match="not one of"):
            context_for(session, awarding.master, mine, program)


def test_awards_are_counted_per_signing_key(awarding: Awarding) -> None:
    with awarding.session() as session:
        award = issue_award(session, awarding.context(session), REQUEST, NOW)
        session.commit()
        count = awards_signed_after(session)
        assert count(award.signing_key_id, NOW) == 1
        assert count(award.signing_key_id, NOW + timedelta(seconds=1)) == 0
        assert count("did:web:other#key-1", NOW) == 0
