"""A Comprehensive Learner Record in the passport (issue 14): imported after verification of the
record and every credential inside, shown with what it holds, and exported as issued."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from credentials.models import ClrSubject, build_clr_credential
from tests.passport.wallet.support import Learner, signed_credential
from tests.verifier.support import Issuer


def signed_clr(issuer: Issuer, holder: str) -> dict[str, Any]:
    inside = [signed_credential(issuer, subject=holder) for _ in range(2)]
    subject = ClrSubject.model_validate({"id": holder, "verifiableCredential": inside})
    record = build_clr_credential(
        credential_id="urn:uuid:0c1e2d3f-4a5b-4c6d-8e7f-000000000014",
        issuer={"id": issuer.did, "type": ["Profile"], "name": "Great Lakes College"},
        subject=subject,
        name="Comprehensive Learner Record",
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    signed: dict[str, Any] = issuer.sign(record, "eddsa-rdfc-2022")
    return signed


def test_a_clr_is_shown_with_its_credentials_and_exported_as_issued(learner: Learner) -> None:
    clr = signed_clr(Issuer(), learner.did)
    stored = learner.import_credential(clr)
    page = learner.get(f"/passport/credentials/{stored}").text
    assert "<h1>Comprehensive Learner Record</h1>" in page
    assert "Verified, with warnings" in page  # an unregistered did:key issuer
    for position in (1, 2):
        assert f"Credential {position} inside: Verified, with warnings" in page
    assert page.count("Robotic Welding: Programming and Safety") >= 2
    download = learner.get(f"/passport/credentials/{stored}/download/json")
    assert download.content == json.dumps(clr).encode()
