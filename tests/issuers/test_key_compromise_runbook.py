"""docs/operations.md, "A key is compromised", run as written (issue 12 item 2): revoke the key
(a new one becomes active), list the affected awards, re-issue them with the new key, and the
learner claims the re-issued award from a new offer while the old copy's share link says it was
replaced. The list is also read through the API, in pages, and revoked in bulk there."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
from typer.testing import CliRunner

from issuers.access import create_api_key, create_staff_user
from issuers.awards.tables import Award
from issuers.institutions import get_institution
from passport.cli import app
from tests.issuers.test_award_console import PASSWORD, logged_in, staff_email
from tests.passport.own_deployment import OwnDeployment, api_verify, outcomes, own_deployment
from tests.passport.wallet.support import TEST_MASTER_KEY, Learner
from tests.storage import sqlite_url

runner = CliRunner()


def passport(tmp_path: Path, deployment: OwnDeployment, *arguments: str) -> str:
    env = {
        "PASSPORT_DATABASE_URL": sqlite_url(tmp_path),
        "PASSPORT_MASTER_KEY": TEST_MASTER_KEY,
        "PASSPORT_BASE_URL": deployment.base_url,
    }
    result = runner.invoke(app, list(arguments), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_compromise_runbook_end_to_end(tmp_path: Path) -> None:
    # The learner's passport claims the offer over HTTP, from this loopback server.
    reach_loopback = {
        "fetch_allow_http_hosts": ("localhost",),
        "fetch_allow_private_addresses": True,
    }
    with own_deployment(tmp_path, **reach_loopback) as deployment:
        deployment.add_institution("college-web", "did:web")
        awards = [deployment.issue("college-web", email=f"l{n}@example.ca") for n in range(2)]
        learner = Learner(deployment.base_url, email="l0@example.ca")
        try:
            kept = learner.import_credential(json.loads(awards[0].ldp_credential))
            share = learner.share([kept])
            key_id = awards[0].signing_key_id
            since = datetime.now(UTC).isoformat()
            revoked = passport(
                tmp_path, deployment, "keys", "revoke", key_id, "--compromised-since", since
            )
            assert "new active key" in revoked
            listed = passport(tmp_path, deployment, "keys", "affected", key_id)
            assert "# 2 award(s)" in listed
            assert all(award.id in listed for award in awards)
            reissued = passport(tmp_path, deployment, "keys", "reissue", key_id)
            lines = [line.split("\t") for line in reissued.splitlines()]
            assert {line[0] for line in lines} == {award.id for award in awards}
            old_id, new_id, _email, offer_uri, tx_code = next(
                line for line in lines if line[0] == awards[0].id
            )
            with deployment.session() as session:
                new = session.get(Award, new_id)
                old = session.get(Award, old_id)
                assert new is not None and old is not None
                assert new.signing_key_id not in (key_id, "") and old.replaced_by == new_id
            claimed = learner.post("/passport/claim", {"offer": offer_uri, "tx_code": tx_code})
            assert claimed.status_code == 303, claimed.text
            assert api_verify(deployment, new.ldp_credential)["verdict"] == "verified"
            assert outcomes(api_verify(deployment, old.ldp_credential))["status"] == "failed"
            shared = httpx.get(deployment.base_url + share).text
            assert "This copy was replaced" in shared
        finally:
            learner.close()


def test_affected_awards_api_pages_and_bulk_revoke(tmp_path: Path) -> None:
    with own_deployment(tmp_path) as deployment:
        deployment.add_institution("college-web", "did:web")
        awards = [deployment.issue("college-web", email=f"l{n}@example.ca") for n in range(3)]
        with deployment.session() as session:
            institution = get_institution(session, "college-web")
            _, secret = create_api_key(
                session, institution, "it", ["manage_keys"], datetime.now(UTC)
            )
            create_staff_user(
                session, institution, staff_email("college-web"), PASSWORD, datetime.now(UTC)
            )
            session.commit()
        api = f"{deployment.base_url}/api/v1/institutions/college-web/keys"
        headers = {"Authorization": f"Bearer {secret}"}
        key_id = awards[0].signing_key_id
        body = {"key_id": key_id, "compromised_since": datetime.now(UTC).isoformat()}
        revoked = httpx.post(f"{api}/revoke", json=body, headers=headers)
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["new_key"]["status"] == "active"
        pages = [
            httpx.get(
                f"{api}/affected-awards",
                params={"key_id": key_id, "offset": offset, "limit": 2},
                headers=headers,
            ).json()
            for offset in (0, 2)
        ]
        assert [page["total"] for page in pages] == [3, 3]
        listed = [award["id"] for page in pages for award in page["awards"]]
        assert listed == [award.id for award in awards]
        bulk = httpx.post(
            f"{api}/affected-awards/revoke",
            json={"key_id": key_id, "reason": "key compromised"},
            headers=headers,
        )
        assert bulk.json()["revoked"] == 3
        for award in awards:
            assert outcomes(api_verify(deployment, award.ldp_credential))["status"] == "failed"
        staff = logged_in(deployment.base_url, "college-web")
        console = staff.get("/console/keys").text
        staff.close()
        assert "Awards signed with the compromised key" in console
        assert all(award.id in console for award in awards)
        other = httpx.get(
            f"{api}/affected-awards", params={"key_id": "did:key:z6Mkunknown"}, headers=headers
        )
        assert other.status_code == 404
