"""Published credentials (1EdTech validator fixtures, OB 3.0 specification examples, the 1EdTech
linked-data-proof vectors) read into the models and dump back without losing anything."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from credentials.errors import InvalidInput
from credentials.models import (
    AchievementCredential,
    BitstringStatusListEntry,
    ClrCredential,
    CredentialStatus,
    EndorsementCredential,
    GenericCredential,
    parse_credential,
)

EXAMPLES = Path(__file__).parent.parent / "vectors" / "examples"
LDP_VECTORS = Path(__file__).parent.parent / "vectors" / "1edtech-ldp"

EXPECTED_CLASS: dict[str, type[Any]] = {
    "1edtech-validator/clr20-complex.json": ClrCredential,
    "1edtech-validator/clr20-simple.json": ClrCredential,
    "1edtech-validator/ob30-complete.json": AchievementCredential,
    "1edtech-validator/ob30-did-key-method.json": AchievementCredential,
    "1edtech-validator/ob30-did-web-method.json": AchievementCredential,
    "1edtech-validator/ob30-ecdsa-sd-2023-derived.json": AchievementCredential,
    "1edtech-validator/ob30-endorsement-valid.json": EndorsementCredential,
    "1edtech-validator/ob30-multiple-proofs.json": AchievementCredential,
    "1edtech-validator/ob30-simple-eddsa-rdfc-2022.json": AchievementCredential,
    "1edtech-validator/ob30-status-list-credential.json": GenericCredential,
    "1edtech-validator/ob30-status-revoked-bitstring.json": AchievementCredential,
    "ob-v3p0-spec/achievementAlignmentCase.json": AchievementCredential,
    "ob-v3p0-spec/achievementAlignmentCe.json": AchievementCredential,
    "ob-v3p0-spec/basicOpenBadgeCredential.json": AchievementCredential,
    "ob-v3p0-spec/docformat-sample.json": AchievementCredential,
    "ob-v3p0-spec/endorsement.json": EndorsementCredential,
    "ob-v3p0-spec/fullOpenBadge.json": AchievementCredential,
    "ob-v3p0-spec/skillAssertionCase.json": AchievementCredential,
    "ob-v3p0-spec/skillAssertionCtdl.json": AchievementCredential,
}


# The CLR example of the 1EdTech validator is a VC Data Model 1.1 credential (issuanceDate).
VC_V1_EXAMPLES = {"1edtech-validator/clr20-complex.json"}
# Embedded endorsements that are genuinely invalid: OB 3.0 requires an EndorsementCredential's
# name, and this one (VC 1.1, Oregon State Board of Nursing) has none.
INVALID_EMBEDDED_ENDORSEMENTS = {
    "https://dc.imsglobal.org/wellspring/hub/ims/clr/v1p0/endorsements/517fb460409a44b4bb3665e837c5f076"
}


def _load(relative: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / relative).read_text(encoding="utf-8"))
    return document


def _same_json(left: Any, right: Any) -> bool:
    # Canonical text, so that 42 and 42.0 or "23" and 23 count as different.
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def _embedded(node: Any, member: str) -> list[dict[str, Any]]:
    """Every credential found under ``member`` anywhere in the document."""
    found: list[dict[str, Any]] = []
    if isinstance(node, list):
        for item in node:
            found.extend(_embedded(item, member))
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == member and isinstance(value, list):
                found.extend(value)
            found.extend(_embedded(value, member))
    return found


def test_every_json_example_is_listed() -> None:
    on_disk = {
        f"{path.parent.name}/{path.name}"
        for folder in ("1edtech-validator", "ob-v3p0-spec")
        for path in (EXAMPLES / folder).glob("*.json")
    }
    assert on_disk == set(EXPECTED_CLASS)


@pytest.mark.parametrize("relative", sorted(EXPECTED_CLASS))
def test_example_parses_and_dumps_back_unchanged(relative: str) -> None:
    document = _load(relative)
    credential = parse_credential(document)
    assert type(credential) is EXPECTED_CLASS[relative]
    assert _same_json(credential.to_jsonld(), document)
    assert credential.is_vc_v1 == (relative in VC_V1_EXAMPLES)


@pytest.mark.parametrize("relative", sorted(EXPECTED_CLASS))
def test_embedded_endorsements_and_clr_credentials_parse(relative: str) -> None:
    document = _load(relative)
    for endorsement in _embedded(document, "endorsement"):
        if endorsement["id"] in INVALID_EMBEDDED_ENDORSEMENTS:
            with pytest.raises(InvalidInput, match=r"^invalid credential: name: Field required$"):
                parse_credential(endorsement)
            continue
        parsed = parse_credential(endorsement)
        assert isinstance(parsed, EndorsementCredential)
        assert _same_json(parsed.to_jsonld(), endorsement)
    for inner in _embedded(document, "verifiableCredential"):
        parsed_inner = parse_credential(inner)
        assert isinstance(parsed_inner, AchievementCredential)
        assert _same_json(parsed_inner.to_jsonld(), inner)


def test_examples_contain_embedded_credentials() -> None:
    # Guards the test above against silently finding nothing.
    full = _load("ob-v3p0-spec/fullOpenBadge.json")
    clr = _load("1edtech-validator/clr20-complex.json")
    assert len(_embedded(full, "endorsement")) == 5
    assert len(_embedded(clr, "verifiableCredential")) == 6
    assert {item["id"] for item in _embedded(clr, "endorsement")} >= INVALID_EMBEDDED_ENDORSEMENTS


@pytest.mark.parametrize("name", ["obv3p0", "clrv2p0"])
@pytest.mark.parametrize("which", ["unsignedCredential", "signedCredential"])
def test_linked_data_proof_vectors_parse(name: str, which: str) -> None:
    vector = json.loads((LDP_VECTORS / name / "vector.json").read_text(encoding="utf-8"))
    document = vector[which]
    credential = parse_credential(document)
    assert isinstance(credential, ClrCredential if name == "clrv2p0" else AchievementCredential)
    assert _same_json(credential.to_jsonld(), document)
    assert bool(credential.proofs) == (which == "signedCredential")


def test_full_open_badge_members_are_typed() -> None:
    credential = parse_credential(_load("ob-v3p0-spec/fullOpenBadge.json"))
    assert isinstance(credential, AchievementCredential)
    subject = credential.credential_subject
    assert subject.achievement is not None
    rubric = subject.achievement.result_description or []
    assert rubric[1].rubric_criterion_level is not None
    assert rubric[1].rubric_criterion_level[0].points == "4"
    assert subject.credits_earned == 42.0
    assert subject.identifier is not None and subject.identifier[0].hashed is False
    assert credential.issuer_id == "https://1edtech.edu/issuers/565049"
    assert credential.validity_start == datetime(2010, 1, 1, tzinfo=UTC)
    assert credential.validity_end == datetime(2030, 1, 1, tzinfo=UTC)
    # Unknown to our models, kept all the same:
    assert subject.to_jsonld()["licenseNumber"] == "A-9320041"
    assert credential.to_jsonld()["refreshService"]["type"] == "1EdTechCredentialRefresh"
    (status,) = credential.status_entries
    assert isinstance(status, CredentialStatus) and status.type == "1EdTechRevocationList"


def test_integer_status_index_is_read_and_kept_as_given() -> None:
    document = _load("1edtech-validator/ob30-status-revoked-bitstring.json")
    credential = parse_credential(document)
    (entry,) = credential.status_entries
    assert isinstance(entry, BitstringStatusListEntry)
    assert entry.index == 23
    assert credential.to_jsonld()["credentialStatus"]["statusListIndex"] == 23


def test_clr_subject_keeps_its_credentials_verbatim() -> None:
    document = _load("1edtech-validator/clr20-simple.json")
    credential = parse_credential(document)
    assert isinstance(credential, ClrCredential)
    subject = credential.credential_subject
    assert subject.verifiable_credential == document["credentialSubject"]["verifiableCredential"]
    assert subject.association is not None
    assert subject.association[0].association_type == "isParentOf"


def _jwt_payload(relative: str) -> dict[str, Any]:
    payload = (EXAMPLES / relative).read_text(encoding="ascii").strip().split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def test_vc_1_1_badge_without_achievement_is_refused_with_reason() -> None:
    # The 1EdTech JWT fixture's "vc" claim is a VC 1.1 OpenBadgeCredential whose subject has no
    # achievement, which OB 3.0 requires: genuinely invalid as an Open Badge.
    legacy = _jwt_payload("1edtech-validator/ob30-simple.jwt")["vc"]
    with pytest.raises(InvalidInput, match=r"credentialSubject: achievement is required"):
        parse_credential(legacy)


def test_vc_1_1_badge_is_read_for_compatibility() -> None:
    legacy = _jwt_payload("1edtech-validator/ob30-simple.jwt")["vc"]
    legacy["credentialSubject"]["achievement"] = _load(
        "ob-v3p0-spec/basicOpenBadgeCredential.json"
    )["credentialSubject"]["achievement"]
    credential = parse_credential(legacy)
    assert isinstance(credential, AchievementCredential)
    assert credential.is_vc_v1
    assert credential.valid_from is None
    assert credential.validity_start == datetime(2010, 1, 1, tzinfo=UTC)
    assert _same_json(credential.to_jsonld(), legacy)
