"""A cohort's credentials from one ``AchievementCredentialTemplate``: the same documents as
``build_achievement_credential`` makes one by one, and every one of them checked."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from credentials.errors import InvalidInput
from credentials.models import (
    AchievementCredentialTemplate,
    AchievementSubject,
    Evidence,
    IdentityObject,
    bitstring_status_entry,
    build_achievement_credential,
    hashed_identity_object,
    parse_credential,
)
from tests.credentials.test_models_builders import COLLEGE, VALID_FROM, _achievement, _subject

SHARED: dict[str, Any] = {"name": "Soudage 1", "description": "Micro-credential"}


def _row(number: int, **overrides: Any) -> dict[str, Any]:
    """One learner's members; rows differ in which optional members they have."""
    subjects = [
        _subject(),
        AchievementSubject(identifier=[hashed_identity_object(f"l{number}@x.ca", salt="s")]),
        AchievementSubject(
            id=f"did:example:learner-{number}",
            identifier=[IdentityObject(hashed=False, identity_hash="Ana", identity_type="name")],
            achievement=_achievement(),
            favouriteColour="green",
        ),
    ]
    row: dict[str, Any] = {
        "credential_id": f"urn:uuid:1b9f2e4e-9e4f-4d8e-8d9c-{number:012d}",
        "subject": subjects[number % len(subjects)],
        "valid_from": VALID_FROM + timedelta(minutes=number),
        "valid_until": VALID_FROM + timedelta(days=3650) if number % 2 else None,
        "awarded_date": VALID_FROM if number % 3 else None,
        "credential_status": bitstring_status_entry(
            status_list_credential="https://college.example/status/1", index=number
        ),
        "evidence": [Evidence(id=f"https://college.example/evidence/{number}")] if number else [],
    }
    return row | overrides


def _template() -> AchievementCredentialTemplate:
    return AchievementCredentialTemplate(issuer=COLLEGE, achievement=_achievement(), **SHARED)


def _one_by_one(row: dict[str, Any]) -> dict[str, Any]:
    return build_achievement_credential(issuer=COLLEGE, achievement=_achievement(), **SHARED, **row)


def test_documents_of_a_template_are_those_built_one_by_one_member_for_member() -> None:
    template = _template()
    for number in range(7):
        built = template.build(**_row(number))
        # Same members, same values, same order (the JWT payload is the serialized document).
        assert json.dumps(built) == json.dumps(_one_by_one(_row(number)))
        # The subject as its model puts it, the achievement in its declared place.
        subject = _row(number)["subject"].model_copy(update={"achievement": _achievement()})
        assert json.dumps(built["credentialSubject"]) == json.dumps(subject.to_jsonld())
        parse_credential(built)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        pytest.param(
            {"valid_until": VALID_FROM - timedelta(seconds=1)},
            r"validUntil: .* is before the start of validity",
            id="until-before-from",
        ),
        pytest.param({"credential_id": "42"}, r"id: '42' is not an abs", id="id"),
        pytest.param(
            {"subject": AchievementSubject(id="did:example:x", jti="urn:x")},
            r"credentialSubject\.jti: we never emit this term",
            id="jti",
        ),
        pytest.param(
            {"evidence": [Evidence(id="https://college.example/e", endorsementJwt=["a.b.c"])]},
            r"evidence\[0\]\.endorsementJwt: we never emit this term",
            id="evidence-endorsementJwt",
        ),
    ],
)
def test_every_document_of_a_template_is_checked_not_only_the_first(
    overrides: dict[str, Any], reason: str
) -> None:
    template = _template()
    template.build(**_row(1))
    template.build(**_row(2))
    with pytest.raises(InvalidInput, match=reason):
        _one_by_one(_row(3, **overrides))
    with pytest.raises(InvalidInput, match=reason):
        template.build(**_row(3, **overrides))
    assert template.build(**_row(4))["id"].endswith("000000000004")
