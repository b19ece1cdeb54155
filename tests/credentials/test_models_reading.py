"""Reading credentials made by others: malformed input is refused with a JSON path and a reason,
well-formed input keeps every member, dates keep their zone, identities match."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from credentials.errors import InvalidInput, UnsupportedMechanism
from credentials.models import (
    AchievementCredential,
    GenericCredential,
    IdentityObject,
    Image,
    LanguageValue,
    Profile,
    format_datetime,
    hashed_identity,
    identity_matches,
    parse_credential,
    parse_datetime_stamp,
)

EXAMPLES = Path(__file__).parent.parent / "vectors" / "examples"
BASIC = json.loads((EXAMPLES / "ob-v3p0-spec" / "basicOpenBadgeCredential.json").read_text())
CLR = json.loads((EXAMPLES / "1edtech-validator" / "clr20-simple.json").read_text())
ENDORSEMENT = json.loads((EXAMPLES / "ob-v3p0-spec" / "endorsement.json").read_text())

Mutation = Callable[[dict[str, Any]], None]


def _mutated(document: dict[str, Any], mutate: Mutation) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    mutate(changed)
    return changed


def _set(path: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = document
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = document
        for key in parents:
            node = node[key]
        del node[last]

    return mutate


def _reverse_contexts(document: dict[str, Any]) -> None:
    document["@context"].reverse()


BAD_BADGES: list[tuple[str, Mutation, str]] = [
    ("missing issuer", _delete("issuer"), r"issuer: Field required"),
    ("issuer without id", _set("issuer", {"name": "x"}), r"issuer\.id: Field required"),
    ("relative issuer", _set("issuer", "/issuers/1"), r"issuer: '/issuers/1' is not an absolute"),
    ("numeric issuer", _set("issuer", 7), r"issuer: Input should be a valid string"),
    ("wrong first context", _reverse_contexts, r"@context: the first context must be https://www"),
    ("no context", _delete("@context"), r"@context: Field required"),
    ("missing subject", _delete("credentialSubject"), r"credentialSubject: Field required"),
    ("missing validFrom", _delete("validFrom"), r"validFrom is required"),
    (
        "validFrom without zone",
        _set("validFrom", "2010-01-01T00:00:00"),
        r"validFrom: '2010-01-01T00:00:00' is not an XML Schema dateTimeStamp",
    ),
    ("validFrom as a date", _set("validFrom", "2010-01-01"), r"validFrom: .* dateTimeStamp"),
    ("not a real date", _set("validFrom", "2010-02-30T00:00:00Z"), r"validFrom: .*not a real"),
    ("year 10000", _set("validFrom", "10000-01-01T00:00:00Z"), r"validFrom: .*0001 to 9999"),
    (
        "validUntil before validFrom",
        _set("validUntil", "2009-12-31T23:59:59Z"),
        r"validUntil: 2009-12-31T23:59:59Z is before the start of validity",
    ),
    (
        "validUntil before validFrom in another zone",
        _set("validUntil", "2010-01-01T00:30:00+01:00"),
        r"validUntil: .* is before",
    ),
    ("type not a list", _set("type", 7), r"type: Input should be a valid (string|list)"),
    ("type without VC", _set("type", ["OpenBadgeCredential"]), r"type: must include Verifiable"),
    ("id not an IRI", _set("id", "3527"), r"^invalid credential: id: '3527' is not an absolute"),
    (
        "achievement without criteria",
        _delete("credentialSubject.achievement.criteria"),
        r"credentialSubject\.achievement\.criteria: Field required",
    ),
    (
        "empty criteria",
        _set("credentialSubject.achievement.criteria", {}),
        r"credentialSubject\.achievement\.criteria: criteria needs an id or a narrative",
    ),
    (
        "achievement without name",
        _delete("credentialSubject.achievement.name"),
        r"credentialSubject\.achievement\.name: Field required",
    ),
    (
        "achievement without id",
        _delete("credentialSubject.achievement.id"),
        r"credentialSubject\.achievement\.id: Field required",
    ),
    (
        "subject without achievement",
        _delete("credentialSubject.achievement"),
        r"credentialSubject: achievement is required",
    ),
    (
        "subject without id or identifier",
        _delete("credentialSubject.id"),
        r"credentialSubject: the subject needs an id or at least one identifier",
    ),
    (
        "credits as text",
        _set("credentialSubject.achievement.creditsAvailable", "3"),
        r"credentialSubject\.achievement\.creditsAvailable: Input should be a valid",
    ),
    (
        "hashed as text",
        _set(
            "credentialSubject.identifier",
            [
                {
                    "type": "IdentityObject",
                    "hashed": "true",
                    "identityHash": "a",
                    "identityType": "x",
                }
            ],
        ),
        r"credentialSubject\.identifier\[0\]\.hashed: Input should be a valid boolean",
    ),
    (
        "negative status index",
        _set(
            "credentialStatus",
            {
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "-1",
                "statusListCredential": "https://example.com/status/1",
            },
        ),
        r"credentialStatus",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [pytest.param(mutate, reason, id=name) for name, mutate, reason in BAD_BADGES],
)
def test_malformed_badge_is_refused_with_path_and_reason(mutate: Mutation, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_credential(_mutated(BASIC, mutate))


def test_the_unchanged_badge_is_accepted() -> None:
    # Each refusal above comes from its one mutation, not from the base document.
    assert isinstance(parse_credential(BASIC), AchievementCredential)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        pytest.param(
            _mutated(CLR, _delete("name")), r"^invalid credential: name: Field req", id="clr-name"
        ),
        pytest.param(
            _mutated(CLR, _set("credentialSubject.association.0.associationType", "isCousinOf")),
            r"credentialSubject\.association\[0\]\.associationType: Input should be",
            id="clr-association-type",
        ),
        pytest.param(
            _mutated(CLR, _set("credentialSubject.verifiableCredential", [])),
            r"credentialSubject: verifiableCredential needs at least one credential",
            id="clr-empty",
        ),
        pytest.param(
            _mutated(ENDORSEMENT, _delete("credentialSubject.id")),
            r"credentialSubject\.id: Field required",
            id="endorsement-subject-id",
        ),
        pytest.param([BASIC], r"must be a JSON object, not list", id="not-an-object"),
        pytest.param(
            {**BASIC, "@context": ["https://www.w3.org/2018/credentials/v1"]},
            r"issuanceDate is required",
            id="vc-1.1-without-issuanceDate",
        ),
    ],
)
def test_other_malformed_credentials_are_refused(document: Any, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_credential(document)


def test_unknown_members_survive_at_every_level_even_null_ones() -> None:
    document = copy.deepcopy(BASIC)
    document["refreshService"] = {"id": "https://example.com/refresh", "type": "Refresh"}
    document["extensionNull"] = None
    document["valid_from"] = "not the validFrom member"
    document["issuer"]["familyName"] = "Tremblay"
    document["credentialSubject"]["achievement"]["criteria"]["x-note"] = [1, 2.5, True]
    parsed = parse_credential(document)
    assert parsed.valid_from == "2010-01-01T00:00:00Z"
    assert parsed.to_jsonld() == document


def test_absent_types_stay_absent_when_reading_but_are_filled_when_building() -> None:
    status_list = json.loads(
        (EXAMPLES / "1edtech-validator" / "ob30-status-list-credential.json").read_text()
    )
    status_list["issuer"] = {"id": "did:web:college.example", "name": "Collège"}
    assert parse_credential(status_list).to_jsonld() == status_list
    untyped = _mutated(BASIC, _delete("credentialSubject.achievement.type"))
    assert "type" not in parse_credential(untyped).to_jsonld()["credentialSubject"]["achievement"]
    assert Profile(id="did:web:college.example").to_jsonld()["type"] == ["Profile"]
    assert Image(id="https://college.example/logo.png").to_jsonld()["type"] == "Image"


def test_type_may_be_a_string_or_a_list() -> None:
    generic = {
        "@context": "https://www.w3.org/ns/credentials/v2",
        "type": "VerifiableCredential",
        "issuer": "did:example:issuer",
        "credentialSubject": [{"id": "did:example:a"}, {"id": "did:example:b"}],
    }
    parsed = parse_credential(generic)
    assert isinstance(parsed, GenericCredential)
    assert parsed.types == ("VerifiableCredential",)
    assert parsed.contexts == ("https://www.w3.org/ns/credentials/v2",)
    assert parsed.to_jsonld() == generic


def test_achievement_credential_type_name_is_accepted_like_open_badge() -> None:
    document = _mutated(BASIC, _set("type", ["VerifiableCredential", "AchievementCredential"]))
    assert isinstance(parse_credential(document), AchievementCredential)


def test_language_tagged_names_are_read() -> None:
    names = [{"@value": "Travail d'équipe", "@language": "fr"}, {"@value": "Teamwork"}]
    parsed = parse_credential(_mutated(BASIC, _set("name", names)))
    assert isinstance(parsed.name, list) and isinstance(parsed.name[0], LanguageValue)
    assert parsed.name[0].language == "fr"
    assert parsed.to_jsonld()["name"] == names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010-01-01T00:00:00Z", datetime(2010, 1, 1, tzinfo=UTC)),
        ("2010-01-01T00:00:00.123456789Z", datetime(2010, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),
        ("2022-11-10T07:38:00-08:00", datetime(2022, 11, 10, 15, 38, tzinfo=UTC)),
        ("2010-01-01T24:00:00Z", datetime(2010, 1, 2, tzinfo=UTC)),
        ("2010-01-01T00:00:00+14:00", datetime(2009, 12, 31, 10, tzinfo=UTC)),
    ],
)
def test_date_time_stamps_are_read_with_their_zone(text: str, expected: datetime) -> None:
    assert parse_datetime_stamp(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2010-01-01T00:00:00",
        "2010-01-01t00:00:00z",
        "2010-01-01 00:00:00Z",
        "2010-01-01T00:00Z",
        "2010-01-01T00:00:00+15:00",
        "2010-13-01T00:00:00Z",
        "2010-01-01T00:00:00Z\n",
        "-0001-01-01T00:00:00Z",
    ],
)
def test_other_date_forms_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_datetime_stamp(text)


def test_format_datetime_emits_utc_seconds() -> None:
    eastern = timezone(timedelta(hours=-5))
    assert format_datetime(datetime(2025, 1, 1, 19, 0, 0, 999999, tzinfo=eastern)) == (
        "2025-01-02T00:00:00Z"
    )
    assert format_datetime(datetime(5, 1, 1, tzinfo=UTC)) == "0005-01-01T00:00:00Z"


def test_format_datetime_refuses_a_naive_datetime() -> None:
    with pytest.raises(InvalidInput, match="naive datetime"):
        format_datetime(datetime(2025, 1, 1))


def test_hashed_identity_is_sha256_of_identifier_then_salt() -> None:
    assert hashed_identity("learner@example.edu", "Sel-de-mer") == (
        "sha256$7613702172fbe09def115657ea9ce105a6a297c4711779e6f047051c3d830f35"
    )


def _identity(
    identity_hash: str, *, hashed: bool, salt: str | None = "Sel-de-mer"
) -> IdentityObject:
    return IdentityObject(
        hashed=hashed, identity_hash=identity_hash, identity_type="emailAddress", salt=salt
    )


def test_identity_matches_hashed_and_plain_identifiers() -> None:
    hashed = _identity(hashed_identity("learner@example.edu", "Sel-de-mer"), hashed=True)
    assert identity_matches(hashed, "learner@example.edu")
    assert identity_matches(hashed, "learner@example.edu", identity_type="emailAddress")
    assert not identity_matches(hashed, "learner@example.edu", identity_type="sourcedId")
    assert not identity_matches(hashed, "other@example.edu")
    upper = _identity("sha256$" + hashed.identity_hash[7:].upper(), hashed=True)
    assert identity_matches(upper, "learner@example.edu")
    unsalted = _identity(hashed_identity("learner@example.edu", ""), hashed=True, salt=None)
    assert identity_matches(unsalted, "learner@example.edu")
    plain = _identity("learner@example.edu", hashed=False)
    assert identity_matches(plain, "learner@example.edu")
    assert not identity_matches(plain, "Learner@example.edu")


def test_identity_hashed_with_another_algorithm_is_unsupported() -> None:
    md5 = _identity("md5$5d41402abc4b2a76b9719d911017c592", hashed=True)
    with pytest.raises(UnsupportedMechanism):
        identity_matches(md5, "hello")
