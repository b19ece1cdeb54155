"""An employer checks a candidate's email against the credential's hashed identifier (issue 14):
on the verify page, in ``POST /api/v1/verify`` and with ``passport verify --email``. The answer
is "matches" or "does not match", and the hash is never shown."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from credentials.models import hashed_identity_object
from passport.cli import app
from tests.verifier.conftest import Serve
from tests.verifier.support import Issuer, settings_for
from verifier.email_check import EmailCheck, check_email

API = "/api/v1/verify"
EMAIL = "ada.lovelace@example.ca"


def credential_for(email: str) -> tuple[dict[str, Any], str]:
    """A signed credential naming its learner by the salted hash of ``email``; and the hash."""
    issuer = Issuer()
    document = issuer.credential()
    identity = hashed_identity_object(email, salt="5d1e0c9a7b3f")
    hashed = identity.model_dump(mode="json", by_alias=True, exclude_none=True)
    document["credentialSubject"]["identifier"] = [hashed]
    return issuer.sign(document, "eddsa-rdfc-2022"), hashed["identityHash"]


@pytest.mark.parametrize(
    ("claimed", "expected"),
    [
        (EMAIL, EmailCheck.MATCHES),
        ("  Ada.Lovelace@Example.CA ", EmailCheck.MATCHES),
        ("someone.else@example.ca", EmailCheck.DOES_NOT_MATCH),
    ],
)
def test_the_answer_for_a_claimed_email(claimed: str, expected: EmailCheck) -> None:
    credential, _ = credential_for(EMAIL)
    assert check_email(credential, claimed) is expected


def test_a_credential_without_an_email_identifier_says_so() -> None:
    credential, _ = credential_for(EMAIL)
    credential["credentialSubject"]["identifier"][0]["identityType"] = "name"
    assert check_email(credential, EMAIL) is EmailCheck.NO_IDENTIFIER


def test_the_api_answers_with_the_candidate_email_header(serve: Serve, database: str) -> None:
    credential, identity_hash = credential_for(EMAIL)
    with serve(settings_for(database)) as client:
        matches = client.post(API, json=credential, headers={"Candidate-Email": EMAIL})
        other = client.post(API, json=credential, headers={"Candidate-Email": "x@example.ca"})
        without = client.post(API, json=credential)
    assert matches.json()["email_check"] == "matches"
    assert other.json()["email_check"] == "does not match"
    assert "email_check" not in without.json()
    for answer in (matches, other):
        assert identity_hash.removeprefix("sha256$") not in answer.text


VERIFY_AGAIN_FORM = re.compile(r'<form class="verify-again".*?</form>', re.S)


def test_the_verify_page_answers_in_both_languages(serve: Serve, database: str) -> None:
    credential, identity_hash = credential_for(EMAIL)
    form = {"credential": json.dumps(credential), "email": EMAIL}
    with serve(settings_for(database)) as client:
        english = client.post("/verify?lang=en", data=form)
        french = client.post("/verify?lang=fr", data=form | {"email": "x@example.ca"})
    assert "Matches the email the credential was issued to." in english.text
    assert "Ne correspond pas au courriel" in french.text
    # The form that re-reads the result in the other language carries back the employer's own
    # input (the pasted credential, hash included); nothing else on the page may show the hash.
    shown = VERIFY_AGAIN_FORM.sub("", english.text + french.text)
    assert identity_hash.removeprefix("sha256$") not in shown


def test_the_cli_option(tmp_path: Path) -> None:
    credential, identity_hash = credential_for(EMAIL)
    path = tmp_path / "award.json"
    path.write_text(json.dumps(credential), "utf-8")
    runner = CliRunner()
    text = runner.invoke(app, ["verify", str(path), "--email", EMAIL])
    assert f"{path}: email matches" in text.output
    as_json = runner.invoke(app, ["verify", str(path), "--json", "--email", "x@example.ca"])
    assert json.loads(as_json.output)["email_check"] == "does not match"
    assert identity_hash.removeprefix("sha256$") not in text.output + as_json.output
