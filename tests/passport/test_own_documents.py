"""Issue 12 item 7: the deployment recognizes and verifies its own credentials from its own
records (``passport.own_documents``), on every surface, under the default fetch rules, and its
own revocations show at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from issuers.awards.status_lists import SignedStatusList, sign_status_list
from issuers.awards.tables import StatusList
from issuers.identity import rotate_institution_key
from issuers.institutions import get_institution
from passport import own_documents
from passport.cli import app
from tests.passport.own_deployment import api_verify, outcomes, own_deployment
from tests.passport.wallet.support import TEST_MASTER_KEY, Learner, signed_credential
from tests.storage import sqlite_url
from tests.verifier.support import COLLEGE_EN, Issuer, registry_file


@pytest.mark.parametrize("method", ["did:web", "did:key"])
def test_own_credential_verifies_with_the_registry_name(tmp_path: Path, method: str) -> None:
    slug = "college-web" if method == "did:web" else "college-key"
    with own_deployment(tmp_path) as deployment:
        did = deployment.add_institution(slug, method)  # type: ignore[arg-type]
        award = deployment.issue(slug)
        for credential in (award.ldp_credential, award.jwt_credential):
            report = api_verify(deployment, credential)
            assert report["verdict"] == "verified", report["checks"]
            assert report["issuer"]["id"] == did
            assert report["issuer"]["recognized"] is True
            assert report["issuer"]["name_fr"].startswith("Collège")
            assert outcomes(report)["status"] == "passed"


def test_own_revocation_shows_at_once(tmp_path: Path) -> None:
    with own_deployment(tmp_path) as deployment:
        deployment.add_institution("college-web", "did:web")
        award = deployment.issue("college-web")
        assert api_verify(deployment, award.ldp_credential)["verdict"] == "verified"
        learner = Learner(deployment.base_url)
        try:
            share = learner.share([learner.import_credential(json.loads(award.ldp_credential))])
            assert "The issuer has revoked" not in httpx.get(deployment.base_url + share).text
            deployment.revoke(award)
            assert "The issuer has revoked" in httpx.get(deployment.base_url + share).text
        finally:
            learner.close()
        report = api_verify(deployment, award.ldp_credential)
        assert report["verdict"] == "not_verified"
        assert outcomes(report)["status"] == "failed"
        page = httpx.post(
            f"{deployment.base_url}/verify", data={"credential": award.jwt_credential}
        ).text
        assert "The issuer has revoked this credential" in page


def test_former_did_key_of_an_institution_stays_recognized(tmp_path: Path) -> None:
    """A did:key institution gets a new DID at each rotation: every DID it has had names it."""
    with own_deployment(tmp_path) as deployment:
        first_did = deployment.add_institution("college-key", "did:key")
        award = deployment.issue("college-key")
        assert api_verify(deployment, award.ldp_credential)["verdict"] == "verified"
        with deployment.session() as session:
            institution = get_institution(session, "college-key")
            rotate_institution_key(session, deployment.master, datetime.now(UTC), institution)
            session.commit()
            assert institution.did != first_did
        # Its status list is now signed by the new did:key: our records say both are one
        # institution's, so the list is its own (and the rotation just happened).
        report = api_verify(deployment, award.ldp_credential)
        assert report["verdict"] == "verified", report["checks"]
        assert report["issuer"]["id"] == first_did
        assert report["issuer"]["name_en"] == "Collège Clé (EN)"


def test_own_credential_on_the_verify_page_import_and_share_page(tmp_path: Path) -> None:
    with own_deployment(tmp_path) as deployment:
        deployment.add_institution("college-web", "did:web")
        award = deployment.issue("college-web")
        page = httpx.post(
            f"{deployment.base_url}/verify", data={"credential": award.ldp_credential}
        ).text
        assert '<h2 class="headline">Verified</h2>' in page or "Verified" in page
        assert "Collège Web (EN)" in page
        assert "Could not" not in page
        learner = Learner(deployment.base_url)
        try:
            stored_id = learner.import_credential(json.loads(award.ldp_credential))
            held = learner.get(f"/passport/credentials/{stored_id}").text
            assert "Collège Web (EN)" in held
            assert "Could not fully check" not in held
            shared = httpx.get(deployment.base_url + learner.share([stored_id])).text
            assert "Collège Web (EN)" in shared
            assert "Could not fully check" not in shared
        finally:
            learner.close()


def cli_verify(path: Path, *options: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["verify", "--json", str(path), *options], env=env)
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_cli_verify_reads_the_deployment_database_like_the_server(tmp_path: Path) -> None:
    with own_deployment(tmp_path) as deployment:
        deployment.add_institution("college-web", "did:web")
        award = deployment.issue("college-web")
        credential = tmp_path / "award.json"
        credential.write_text(award.ldp_credential, encoding="utf-8")
        env = {
            "PASSPORT_DATABASE_URL": sqlite_url(tmp_path),
            "PASSPORT_MASTER_KEY": TEST_MASTER_KEY,
            "PASSPORT_BASE_URL": deployment.base_url,
        }
        report = cli_verify(credential, env=env)
        assert report["verdict"] == "verified", report["checks"]
        trust = next(check for check in report["checks"] if check["id"] == "issuer_trust")
        assert "Collège Web (EN)" in trust["message"]
        deployment.revoke(award)
        assert outcomes(cli_verify(credential, env=env))["status"] == "failed"
        assert api_verify(deployment, award.ldp_credential)["verdict"] == "not_verified"


def test_cli_verify_uses_a_registry_file(tmp_path: Path) -> None:
    issuer, operator = Issuer(), Issuer()
    registry = registry_file(tmp_path, {issuer.did: COLLEGE_EN}, operator)
    credential = tmp_path / "credential.json"
    credential.write_text(json.dumps(signed_credential(issuer)), encoding="utf-8")
    report = cli_verify(credential, "--registry", str(registry), "--trusted-key", operator.did)
    assert outcomes(report)["issuer_trust"] == "passed"
    env = {"PASSPORT_REGISTRY_FILES": str(registry), "PASSPORT_TRUSTED_REGISTRY_KEYS": operator.did}
    assert outcomes(cli_verify(credential, env=env))["issuer_trust"] == "passed"


def test_a_list_not_served_since_it_changed_is_signed_once_per_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our verifier signs in memory a list whose bits changed since it was last served: once
    per version of its bits in a process, not once per verification; a revocation is a new
    version, signed anew, and shows at once."""
    versions: list[int] = []

    def counted(row: StatusList, *rest: Any) -> SignedStatusList:
        versions.append(row.version)
        return sign_status_list(row, *rest)

    monkeypatch.setattr(own_documents, "sign_status_list", counted)
    with own_deployment(tmp_path) as deployment:
        deployment.add_institution("college-web", "did:web")
        award = deployment.issue("college-web")
        for _ in range(3):
            assert api_verify(deployment, award.ldp_credential)["verdict"] == "verified"
        assert len(versions) == 1
        deployment.revoke(award)
        for _ in range(3):
            report = api_verify(deployment, award.ldp_credential)
            assert outcomes(report)["status"] == "failed"
        assert len(versions) == 2
        assert versions[1] > versions[0]
