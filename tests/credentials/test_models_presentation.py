"""Verifiable Presentations: what we build (objects as given, JWTs enveloped as data: URLs,
VC Data Model 2.0 section 4.13) and what we refuse to read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from credentials.errors import InvalidInput
from credentials.models import build_presentation, parse_presentation
from credentials.schemas import validation_errors
from tests.credentials.models_support import VCDM2_PRESENTATION_SCHEMA, safe_mode_problems

EXAMPLES = Path(__file__).parent.parent / "vectors" / "examples"
BASIC = json.loads((EXAMPLES / "ob-v3p0-spec" / "basicOpenBadgeCredential.json").read_text())
ENDORSEMENT = json.loads(
    (EXAMPLES / "1edtech-validator" / "ob30-endorsement-valid.json").read_text()
)
VC_V2 = "https://www.w3.org/ns/credentials/v2"


def test_presentation_embeds_objects_as_given_and_envelopes_jwts() -> None:
    jwt = (EXAMPLES / "1edtech-validator" / "ob30-simple.jwt").read_text().strip()
    badge = BASIC
    presentation = build_presentation(
        [badge, jwt], "did:example:holder", presentation_id="urn:uuid:5"
    )
    assert presentation == {
        "@context": [VC_V2],
        "id": "urn:uuid:5",
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder",
        "verifiableCredential": [
            badge,
            {
                "@context": VC_V2,
                "id": f"data:application/vc+jwt,{jwt}",
                "type": "EnvelopedVerifiableCredential",
            },
        ],
    }
    assert parse_presentation(presentation).embedded_credentials() == (badge, jwt)
    assert safe_mode_problems(presentation) == []


def test_presentation_of_objects_validates_against_the_w3c_schema() -> None:
    # The informative VCDM 2.0 schema has no rule for enveloped credentials, so only objects here.
    presentation = build_presentation([BASIC, ENDORSEMENT], None)
    assert "holder" not in presentation
    assert validation_errors(VCDM2_PRESENTATION_SCHEMA, presentation) == []


@pytest.mark.parametrize("bad", ["not a jwt", "a.b", "a.b.c.d.e", "a.b.c d"])
def test_presentation_refuses_a_string_that_is_not_a_compact_jws(bad: str) -> None:
    with pytest.raises(InvalidInput, match="compact JWS"):
        build_presentation([bad], None)


PRESENTATION = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiablePresentation"],
    "holder": {"id": "did:example:holder", "type": "Person"},
    "verifiableCredential": [BASIC],
}


def test_presentation_is_read_with_its_credentials_as_given() -> None:
    presentation = parse_presentation(PRESENTATION)
    assert presentation.holder_id == "did:example:holder"
    assert presentation.embedded_credentials() == (BASIC,)
    assert presentation.to_jsonld() == PRESENTATION


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        pytest.param(
            {**PRESENTATION, "type": ["VerifiableCredential"]}, r"type: must include Ver", id="type"
        ),
        pytest.param(
            {**PRESENTATION, "@context": ["https://example.com/"]}, r"@context: ", id="context"
        ),
        pytest.param(
            {**PRESENTATION, "holder": "holder-1"}, r"holder: 'holder-1' is not an abs", id="holder"
        ),
        pytest.param(
            {**PRESENTATION, "verifiableCredential": "eyJ.e30.c2ln"},
            r"verifiableCredential: Input should be a valid",
            id="bare-jwt",
        ),
    ],
)
def test_malformed_presentation_is_refused(document: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_presentation(document)


def test_enveloped_credential_with_a_bad_id_is_refused_when_unwrapped() -> None:
    envelope = {
        "@context": "https://www.w3.org/ns/credentials/v2",
        "id": "urn:x",
        "type": "EnvelopedVerifiableCredential",
    }
    presentation = parse_presentation({**PRESENTATION, "verifiableCredential": [envelope]})
    with pytest.raises(InvalidInput, match=r"id: an enveloped credential's id must be a data: URL"):
        presentation.embedded_credentials()
