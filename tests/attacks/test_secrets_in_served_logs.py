"""Issue #13, "No secrets in logs or URLs": the real ``passport serve`` process, its access log on,
is driven through every route that takes a bearer secret in its URL (an OpenID4VCI offer and its
QR codes, the claim form opened from an offer link, a share link and its files, a share's QR
code, an employer's request page, a sign-up's mailed link); then its whole stdout and stderr
are searched for each secret.

The in-process log guard (``tests.secrets_guard``) cannot see this: uvicorn's access log is only
written by a server that configured uvicorn's logging, as ``passport serve`` does.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import httpx

from tests.attacks.served_process import passport_serve
from tests.passport.wallet.support import (
    PASSWORD,
    TEST_MASTER_KEY,
    DevMail,
    Visitor,
    new_signup_link,
)
from tests.route_world import ADMIN_TOKEN, make_tenant

SHARE_QR = re.compile(r'src="(/passport/shares/[^"]+/qr\.svg\?t=[^"]+)"')


def _offer(base_url: str, api: httpx.Client, slug: str, award_id: str) -> tuple[str, str, str]:
    """An offer with a transaction code: (offer URI, its secret, the transaction code)."""
    made = api.post(f"/api/v1/institutions/{slug}/awards/{award_id}/offers", json={"tx_code": True})
    assert made.status_code == 201, made.text
    offer_uri, tx_code = made.json()["offer_uri"], made.json()["tx_code"]
    reference = unquote(parse_qs(urlsplit(offer_uri).query)["credential_offer_uri"][0])
    return offer_uri, reference.rsplit("/", 1)[1], tx_code


def test_attack_no_bearer_secret_reaches_the_served_process_output(tmp_path: Path) -> None:
    settings = {
        "database_url": f"sqlite:///{tmp_path / 'passport.db'}",
        "master_key": TEST_MASTER_KEY,
        "admin_token": ADMIN_TOKEN,
    }
    with passport_serve(tmp_path, settings) as served:
        base_url = served.base_url
        employer = Visitor(base_url)
        made = employer.post("/presentation-requests", csrf_from="/presentation-requests/new")
        request_page = made.headers["location"]
        viewer_key = parse_qs(urlsplit(request_page).query)["key"][0]
        tenant = make_tenant(base_url, "logs", "Logsmarker", request_page.split("?")[0][22:])
        api_key = str(tenant.api.headers["Authorization"]).removeprefix("Bearer ")
        offer_uri, offer_secret, tx_code = _offer(
            base_url, tenant.api, "logs", tenant.ids["award_id"]
        )
        share_token = tenant.ids["share_token"]
        shares_page = tenant.learner.get("/passport/shares").text
        with httpx.Client(base_url=base_url, timeout=30) as client:
            visited = [
                employer.get(request_page),
                client.get(f"/oid4vci/offers/{offer_secret}"),
                client.get(f"/oid4vci/offers/{offer_secret}/qr.png"),
                client.get(f"/oid4vci/offers/{offer_secret}/qr.svg"),
                tenant.learner.get(f"/passport/claim?offer={quote(offer_uri, safe='')}"),
                client.get(f"/s/{share_token}"),
                client.get(f"/s/{share_token}/1/json"),
            ]
            code = visited[1].json()["grants"][
                "urn:ietf:params:oauth:grant-type:pre-authorized_code"
            ]["pre-authorized_code"]
            token = client.post(
                "/oid4vci/token",
                data={
                    "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                    "pre-authorized_code": code,
                    "tx_code": tx_code,
                },
            )
        qr = SHARE_QR.search(
            tenant.learner.post(
                "/passport/shares", {"credential": [tenant.ids["credential_id"]], "expires": "7"}
            ).text
        )
        assert qr is not None, shares_page
        share_qr_token = parse_qs(urlsplit(qr[1]).query)["t"][0]
        visited.append(tenant.learner.get(qr[1]))
        newcomer = Visitor(base_url)
        asked = newcomer.post(
            "/passport/signup",
            {"email": "newcomer@example.ca", "password": PASSWORD},
            csrf_from="/passport/signup",
        )
        assert asked.status_code == 200, asked.text
        signup_path = new_signup_link(DevMail(newcomer), "newcomer@example.ca", set())
        visited.append(newcomer.get(signup_path))
        joined = newcomer.post(signup_path, {"password": PASSWORD}, csrf_from=signup_path)
        assert joined.status_code == 303, joined.text
        newcomer.close()
        assert all(response.status_code == 200 for response in visited), [
            (response.request.url.path, response.status_code) for response in visited
        ]
        assert token.status_code == 200, token.text
        access_token = token.json()["access_token"]
        tenant.close()
        employer.close()
    output = served.output()
    assert "GET /s/{token} 200" in output, "the access log was not written"
    secrets = {
        "viewer key": viewer_key,
        "offer secret": offer_secret,
        "pre-authorized code": code,
        "transaction code": tx_code,
        "access token": access_token,
        "share token": share_token,
        "share QR token": share_qr_token,
        "sign-up link token": signup_path.rsplit("/", 1)[1],
        "API key": api_key,
        "admin token": ADMIN_TOKEN,
    }
    leaked = [name for name, secret in secrets.items() if secret in output]
    assert leaked == [], f"{leaked} in the output of passport serve"
