"""What WE emit: exact contexts, types, dates and schema ids; valid against the bundled 1EdTech
and W3C JSON Schemas; JSON-LD safe under both copies of OB context 3.0.3; read back unchanged."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from credentials.errors import InvalidInput, UnknownContext
from credentials.models import (
    Achievement,
    AchievementCredential,
    AchievementSubject,
    Alignment,
    Association,
    ClrCredential,
    ClrSubject,
    Criteria,
    EndorsementCredential,
    Evidence,
    IdentifierEntry,
    Image,
    Profile,
    Related,
    Result,
    ResultDescription,
    bitstring_status_entry,
    build_achievement_credential,
    build_clr_credential,
    build_endorsement_credential,
    hashed_identity_object,
    identity_matches,
    parse_credential,
)
from credentials.schemas import (
    CLR_CREDENTIAL,
    OB_ACHIEVEMENT_CREDENTIAL,
    OB_ENDORSEMENT_CREDENTIAL,
    validation_errors,
)
from tests.credentials.models_support import (
    OB_STRICT_SCHEMA,
    VCDM2_CREDENTIAL_SCHEMA,
    older_context_loader,
    safe_mode_problems,
)

EXAMPLES = Path(__file__).parent.parent / "vectors" / "examples"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
EMITTED_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
VALID_FROM = datetime(2025, 5, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-4)))
GRADE_ID = "urn:uuid:0b9f2e4e-9e4f-4d8e-8d9c-111111111111"

COLLEGE = Profile(
    id="https://college.example/issuer",
    name="Collège Boréal",
    url="https://college.example/",
    email="registrar@college.example",
    image=Image(id="https://college.example/logo.png", caption="Logo"),
)


def _achievement(name: str = "Soudage 1 — Welding") -> Achievement:
    return Achievement(
        id="https://college.example/achievements/welding-1",
        name=name,
        description="Soudage à l'arc, niveau 1.",
        criteria=Criteria(id="https://college.example/welding-1/criteria", narrative="Pass."),
        achievement_type="MicroCredential",
        alignment=[
            Alignment(
                target_name="Welder",
                target_url="https://credentialengineregistry.org/resources/ce-1",
                target_type="ceterms:Credential",
            )
        ],
        creator=COLLEGE,
        credits_available=1.5,
        field_of_study="Trades",
        human_code="WLD-101",
        image=Image(id="https://college.example/welding-1.png"),
        in_language="fr-CA",
        other_identifier=[IdentifierEntry(identifier="WLD-101", identifier_type="sourcedId")],
        related=[Related(id="https://college.example/achievements/welding-1-en", in_language="en")],
        result_description=[
            ResultDescription(
                id=GRADE_ID, name="Grade", result_type="LetterGrade", allowed_value=["A", "B"]
            )
        ],
        tag=["welding", "micro-credential"],
        version="2025",
    )


def _subject() -> AchievementSubject:
    return AchievementSubject(
        id="did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        identifier=[hashed_identity_object("learner@example.edu", salt="Sel-de-mer")],
        result=[Result(result_description=GRADE_ID, value="A", status="Completed")],
        credits_earned=1.5,
        activity_start_date="2025-01-06T00:00:00Z",
        activity_end_date="2025-04-25T00:00:00Z",
        narrative="Projet final réussi.",
    )


def _badge(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "credential_id": "urn:uuid:1b9f2e4e-9e4f-4d8e-8d9c-222222222222",
        "issuer": COLLEGE,
        "achievement": _achievement(),
        "subject": _subject(),
        "valid_from": VALID_FROM,
        "valid_until": VALID_FROM + timedelta(days=3650),
        "name": "Soudage 1",
        "description": "Micro-credential",
        "awarded_date": VALID_FROM,
        "credential_status": bitstring_status_entry(
            status_list_credential="https://college.example/status/1", index=94567
        ),
        "evidence": [Evidence(id="https://college.example/evidence/1", name="Final project")],
    }
    return build_achievement_credential(**(arguments | overrides))


def _endorsement() -> dict[str, Any]:
    return build_endorsement_credential(
        credential_id="urn:uuid:1b9f2e4e-9e4f-4d8e-8d9c-333333333333",
        issuer={"id": "https://employer.example/", "name": "Employeur"},
        endorsed_id="https://college.example/achievements/welding-1",
        endorsement_comment="Nos soudeurs viennent d'ici.",
        name="Employer endorsement",
        valid_from=VALID_FROM,
    )


def _clr() -> dict[str, Any]:
    earlier = json.loads(
        (EXAMPLES / "1edtech-validator" / "ob30-simple-eddsa-rdfc-2022.json").read_text()
    )
    subject = ClrSubject(
        id="did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        verifiable_credential=[_badge(), earlier],
        achievement=[_achievement()],
        association=[
            Association(
                association_type="isPartOf",
                source_id="https://college.example/achievements/welding-1",
                target_id="https://college.example/programs/welding",
            )
        ],
    )
    return build_clr_credential(
        credential_id="urn:uuid:1b9f2e4e-9e4f-4d8e-8d9c-444444444444",
        issuer=COLLEGE,
        subject=subject,
        name="Passeport de l'apprenant",
        valid_from=VALID_FROM,
        partial=True,
    )


def test_badge_has_exact_contexts_type_dates_and_schema() -> None:
    badge = _badge()
    assert badge["@context"] == [VC_V2, OB_CONTEXT, OB_EXTENSIONS]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == "urn:uuid:1b9f2e4e-9e4f-4d8e-8d9c-222222222222"
    assert badge["validFrom"] == "2025-05-01T13:30:15Z"
    assert badge["validUntil"] == "2035-04-29T13:30:15Z"
    assert badge["awardedDate"] == "2025-05-01T13:30:15Z"
    assert badge["credentialSchema"] == [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]
    assert badge["credentialStatus"] == {
        "id": "https://college.example/status/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://college.example/status/1",
    }
    assert list(badge)[:6] == ["@context", "id", "type", "issuer", "validFrom", "validUntil"]
    assert badge["credentialSubject"]["achievement"] == _achievement().to_jsonld()


def test_emitted_dates_are_utc_seconds_everywhere() -> None:
    for document in (_badge(), _endorsement(), _clr()):
        dates = [document["validFrom"], document.get("validUntil"), document.get("awardedDate")]
        assert all(EMITTED_DATE.fullmatch(date) for date in dates if date is not None)


@pytest.mark.parametrize(
    ("build", "schemas"),
    [
        pytest.param(_badge, [OB_ACHIEVEMENT_CREDENTIAL, OB_STRICT_SCHEMA], id="badge"),
        pytest.param(_endorsement, [OB_ENDORSEMENT_CREDENTIAL], id="endorsement"),
        pytest.param(_clr, [CLR_CREDENTIAL], id="clr"),
    ],
)
def test_built_credential_validates_against_its_schemas(build: Any, schemas: list[str]) -> None:
    document = build()
    for schema_id in [*schemas, VCDM2_CREDENTIAL_SCHEMA]:
        assert validation_errors(schema_id, document) == []


@pytest.mark.parametrize("build", [_badge, _endorsement, _clr], ids=["badge", "endorsement", "clr"])
def test_built_credential_is_json_ld_safe_under_both_context_copies(build: Any) -> None:
    document = build()
    assert safe_mode_problems(document) == []
    assert safe_mode_problems(document, older_context_loader) == []


def test_safe_mode_check_catches_an_undefined_term() -> None:
    # The helper itself must be able to fail: an invented member and a newer-copy-only term.
    document = _badge()
    document["inventedMember"] = "x"
    document["credentialSubject"]["jti"] = "urn:x"
    assert safe_mode_problems(document) == ["dropped property 'inventedMember'"]
    assert sorted(safe_mode_problems(document, older_context_loader)) == [
        "dropped property 'inventedMember'",
        "dropped property 'jti'",
    ]


@pytest.mark.parametrize(
    ("build", "model"),
    [(_badge, AchievementCredential), (_endorsement, EndorsementCredential), (_clr, ClrCredential)],
    ids=["badge", "endorsement", "clr"],
)
def test_built_credential_reads_back_unchanged(build: Any, model: type[Any]) -> None:
    document = build()
    parsed = parse_credential(document)
    assert type(parsed) is model
    assert parsed.to_jsonld() == document


def test_clr_has_exact_contexts_and_keeps_credentials_as_given() -> None:
    clr = _clr()
    assert clr["@context"] == [VC_V2, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["partial"] is True
    assert clr["credentialSchema"][0]["id"].endswith("/clr_v2p0_clrcredential_schema.json")
    inner = clr["credentialSubject"]["verifiableCredential"]
    assert inner[0] == _badge()
    assert "proof" in inner[1]


def test_clr_refuses_an_unreadable_inner_credential() -> None:
    subject = ClrSubject(id="did:example:learner", verifiable_credential=[{"type": "x"}])
    with pytest.raises(InvalidInput, match=r"^verifiableCredential\[0\]: "):
        build_clr_credential(
            credential_id="urn:uuid:1",
            issuer=COLLEGE,
            subject=subject,
            name="Transcript",
            valid_from=VALID_FROM,
        )


def test_endorsement_has_exact_members() -> None:
    endorsement = _endorsement()
    assert endorsement["issuer"] == {
        "id": "https://employer.example/",
        "type": ["Profile"],
        "name": "Employeur",
    }
    assert endorsement["@context"] == [VC_V2, OB_CONTEXT, OB_EXTENSIONS]
    assert endorsement["credentialSubject"] == {
        "id": "https://college.example/achievements/welding-1",
        "type": ["EndorsementSubject"],
        "endorsementComment": "Nos soudeurs viennent d'ici.",
    }
    assert endorsement["credentialSchema"][0]["id"].endswith(
        "/ob_v3p0_endorsementcredential_schema.json"
    )


def test_hashed_identifier_in_a_badge_matches_the_learner() -> None:
    parsed = parse_credential(_badge())
    assert isinstance(parsed, AchievementCredential)
    (identity,) = parsed.credential_subject.identifier or []
    assert identity.hashed and identity.identity_hash.startswith("sha256$")
    assert "learner@example.edu" not in json.dumps(_badge())
    assert identity_matches(identity, "learner@example.edu", identity_type="emailAddress")


@pytest.mark.parametrize(
    ("overrides", "error", "reason"),
    [
        pytest.param({"valid_from": datetime(2025, 1, 1)}, InvalidInput, "naive", id="naive-from"),
        pytest.param(
            {"valid_until": datetime(2026, 1, 1)},
            InvalidInput,
            "naive",
            id="naive-until",
        ),
        pytest.param(
            {"valid_until": VALID_FROM - timedelta(seconds=1)},
            InvalidInput,
            r"validUntil: .* is before the start of validity",
            id="until-before-from",
        ),
        pytest.param(
            {"issuer": {"name": "No id"}}, InvalidInput, r"issuer profile: id: Field", id="issuer"
        ),
        pytest.param({"credential_id": "42"}, InvalidInput, r"id: '42' is not an abs", id="id"),
        pytest.param(
            {"extra_contexts": ["https://example.com/context.json"]},
            UnknownContext,
            "not bundled",
            id="unknown-context",
        ),
        pytest.param(
            {"extra_contexts": [OB_CONTEXT]}, InvalidInput, "listed twice", id="duplicate-context"
        ),
        pytest.param(
            {"subject": AchievementSubject(id="did:example:x", achievement=_achievement("Other"))},
            InvalidInput,
            "different achievement",
            id="two-achievements",
        ),
        pytest.param(
            {"subject": AchievementSubject(id="did:example:x", jti="urn:x")},
            InvalidInput,
            r"credentialSubject\.jti: we never emit this term",
            id="jti",
        ),
        pytest.param(
            {"issuer": COLLEGE.model_copy(update={"endorsementJwt": ["a.b.c"]})},
            InvalidInput,
            r"issuer\.endorsementJwt: we never emit this term",
            id="endorsementJwt",
        ),
        pytest.param(
            {
                "credential_status": [
                    bitstring_status_entry(status_list_credential="https://s.example/1", index=1),
                    bitstring_status_entry(status_list_credential="https://s.example/2", index=2),
                ]
            },
            InvalidInput,
            "one credentialStatus entry",
            id="two-status-entries",
        ),
    ],
)
def test_builder_refuses_what_it_must_not_emit(
    overrides: dict[str, Any], error: type[Exception], reason: str
) -> None:
    with pytest.raises(error, match=reason):
        _badge(**overrides)


def test_models_built_in_code_from_bad_values_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"the subject needs an id"):
        AchievementSubject(narrative="nobody")
    with pytest.raises(ValidationError, match=r"targetUrl\n  Field required"):
        Alignment(target_name="Welding")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match=r"criteria needs an id or a narrative"):
        Criteria()


def test_status_given_in_a_one_item_list_or_with_an_integer_index_is_emitted_as_a_string() -> None:
    entry = bitstring_status_entry(status_list_credential="https://s.example/1", index=7)
    integer = entry.model_copy(update={"status_list_index": 7, "id": None})
    for argument in ([entry], integer):
        status = _badge(credential_status=argument)["credentialStatus"]
        assert status["statusListIndex"] == "7"
        assert status["id"] == "https://s.example/1#7"


UNICODE_TEXT = st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(
        ["Éducation permanente", "Œuvre d'été", "🎓 Diplôme ✨", "a\u0000\u0007\u001f\u007fb"]
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credential_name=UNICODE_TEXT, achievement_name=UNICODE_TEXT, issuer_name=UNICODE_TEXT)
def test_any_unicode_names_validate_and_read_back(
    credential_name: str, achievement_name: str, issuer_name: str
) -> None:
    issuer = COLLEGE.model_copy(update={"name": issuer_name})
    badge = _badge(name=credential_name, achievement=_achievement(achievement_name), issuer=issuer)
    assert validation_errors(OB_ACHIEVEMENT_CREDENTIAL, badge) == []
    assert validation_errors(OB_STRICT_SCHEMA, badge) == []
    assert safe_mode_problems(badge) == []
    round_tripped = json.loads(json.dumps(badge))
    parsed = parse_credential(round_tripped)
    assert parsed.to_jsonld() == badge
    assert parsed.name == credential_name
