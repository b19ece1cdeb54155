"""Issue #13, "Several processes, one database": two real ``passport serve`` processes on one
database (PostgreSQL when ``PASSPORT_TEST_DATABASE_URL`` names a server, and SQLite), with
requests alternating between them. Nothing that must be single-use or counted may live in one
process's memory: a nonce handed out by one is refused when replayed on the other, a
pre-authorized code exchanged on one is refused on the other, wrong transaction codes sent
to either count against the same offer, and a revoke made through one shows at once in a
verification answered by the other (the deployment's own status lists are read from the
database, ``passport.own_documents``, never from a cache of another process's answer).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from issuers.awards.offers import MAX_TX_CODE_FAILURES, PRE_AUTHORIZED_GRANT
from passport.database import upgrade_database
from tests.attacks.served_process import free_port, passport_serve
from tests.issuers.test_award_api import _proof
from tests.passport.wallet.support import TEST_MASTER_KEY, DevMail, Visitor, wallet_settings
from tests.route_world import ADMIN_TOKEN, make_tenant
from tests.storage import backend_params, isolated_postgres_schema, postgres_test_url, sqlite_url


@pytest.fixture(params=backend_params())
def two_processes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """Two ``passport serve`` processes on one migrated database; their base URLs."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            database_url = sqlite_url(tmp_path)
        else:
            server = postgres_test_url()
            assert server is not None
            database_url = stack.enter_context(isolated_postgres_schema(server))
        upgrade_database(wallet_settings(database_url))
        settings = {
            "database_url": database_url,
            "master_key": TEST_MASTER_KEY,
            "admin_token": ADMIN_TOKEN,
            # One public address for both, as behind a load balancer.
            "base_url": f"http://localhost:{free_port()}",
        }
        yield [stack.enter_context(passport_serve(tmp_path, settings)).base_url for _ in range(2)]


@pytest.fixture
def both_mailboxes(two_processes: list[str]) -> Iterator[DevMail]:
    """Both processes drain the one outbox, each into its own catcher: a learner's sign-up
    mail is in either."""
    visitors = [Visitor(url) for url in two_processes]
    yield DevMail(*visitors)
    for visitor in visitors:
        visitor.close()


def _offer(api: httpx.Client, award_id: str) -> tuple[str, str]:
    """A new offer with a transaction code: (its pre-authorized code, the transaction code)."""
    made = api.post(f"/api/v1/institutions/twin/awards/{award_id}/offers", json={"tx_code": True})
    assert made.status_code == 201, made.text
    reference = httpx.URL(httpx.URL(made.json()["offer_uri"]).params["credential_offer_uri"])
    grant = api.get(reference.path).json()["grants"][PRE_AUTHORIZED_GRANT]
    return grant["pre-authorized_code"], made.json()["tx_code"]


def _token_form(code: str, tx_code: str) -> dict[str, str]:
    return {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code}


def test_attack_single_use_secrets_hold_across_two_processes(
    two_processes: list[str], both_mailboxes: DevMail
) -> None:
    first, second = (httpx.Client(base_url=url, timeout=30) for url in two_processes)
    tenant = make_tenant(two_processes[0], "twin", "Twinmarker", "unused", both_mailboxes)
    try:
        code, tx_code = _offer(tenant.api, tenant.ids["award_id"])
        token = first.post("/oid4vci/token", data=_token_form(code, tx_code))
        assert token.status_code == 200, token.text
        replayed = second.post("/oid4vci/token", data=_token_form(code, tx_code))
        assert replayed.json()["error"] == "invalid_grant"

        nonce = first.post("/oid4vci/nonce").json()["c_nonce"]
        issuer = str(first.get("/.well-known/openid-credential-issuer").json()["credential_issuer"])
        request = {
            "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
            "proofs": {"jwt": [_proof(Ed25519PrivateKey.generate(), nonce, audience=issuer)]},
        }
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        issued = second.post("/oid4vci/credential", json=request, headers=bearer)
        assert issued.status_code == 200, issued.text
        again = first.post("/oid4vci/credential", json=request, headers=bearer)
        assert again.json()["error"] == "invalid_nonce"

        code, tx_code = _offer(tenant.api, tenant.ids["award_id"])
        wrong = _token_form(code, "000000" if tx_code != "000000" else "111111")
        for attempt in range(MAX_TX_CODE_FAILURES):
            client = (first, second)[attempt % 2]
            assert client.post("/oid4vci/token", data=wrong).json()["error"] == "invalid_grant"
        locked = second.post("/oid4vci/token", data=_token_form(code, tx_code)).json()
        assert "locked" in locked["error_description"]
    finally:
        tenant.close()
        first.close()
        second.close()


def _verify(client: httpx.Client, credential: dict[str, object]) -> dict[str, object]:
    answer = client.post("/api/v1/verify", json=credential)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _status_outcome(report: dict[str, object]) -> object:
    checks = report["checks"]
    assert isinstance(checks, list)
    return next(check["outcome"] for check in checks if check["id"] == "status")


def test_a_revoke_on_one_process_shows_at_once_on_the_other(
    two_processes: list[str], both_mailboxes: DevMail
) -> None:
    first, second = (httpx.Client(base_url=url, timeout=30) for url in two_processes)
    tenant = make_tenant(two_processes[0], "twin", "Twinmarker", "unused", both_mailboxes)
    try:
        award = f"/api/v1/institutions/twin/awards/{tenant.ids['award_id']}"
        credential = tenant.api.get(f"{award}/credential.json").json()
        # The second process has verified it twice, so it could hold the list; the base URL is
        # served by neither process, so the list can only come from the database.
        for _ in range(2):
            before = _verify(second, credential)
            assert before["verdict"] == "verified", before
            assert _status_outcome(before) == "passed", before
        revoked = first.post(
            f"{award}/status",
            json={"action": "revoke", "reason": "Issued in error"},
            headers=tenant.api.headers,
        )
        assert revoked.json()["state"] == "revoked", revoked.text
        after = _verify(second, credential)
        assert after["verdict"] == "not_verified", after
        assert _status_outcome(after) == "failed", after
    finally:
        tenant.close()
        first.close()
        second.close()
