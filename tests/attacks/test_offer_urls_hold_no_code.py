"""Issue #13, "No secrets in logs or URLs": the pre-authorized code of an OpenID4VCI offer is in
no URL we hand out. OpenID4VCI 1.0 section 4.1.3 lets the ``credential_offer_uri`` be any URI,
so the offer's URLs carry an offer secret of their own and the code is only inside the offer
document (section 4.1.1). Before, the URL's last segment was the code itself, so whoever read
an access log, a proxy log or a Referer could exchange it directly at the token endpoint.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

import httpx

from issuers.awards.delivery import qr_png, qr_svg
from issuers.awards.offers import PRE_AUTHORIZED_GRANT
from tests.issuers.test_award_api import Server, _issue, server  # noqa: F401  (fixture)


def test_attack_pre_authorized_code_is_in_no_url_we_hand_out(server: Server) -> None:  # noqa: F811
    award = _issue(server)
    created = server.client.post(
        f"/api/v1/institutions/college-x/awards/{award['id']}/offers", headers=server.auth()
    ).json()
    reference = httpx.URL(created["offer_uri"]).params["credential_offer_uri"]
    document = server.client.get(httpx.URL(reference).path)
    assert document.status_code == 200, document.text
    code = document.json()["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    assert len(code) >= 43  # still 256 bits

    claim_page = server.client.get(httpx.URL(created["claim_url"]).path)
    assert claim_page.status_code == 200, claim_page.text
    png = server.client.get(httpx.URL(created["qr_png_url"]).path)
    svg = server.client.get(httpx.URL(created["qr_svg_url"]).path)
    # The QR codes encode exactly the offer URI handed out, which holds no code.
    assert png.content == qr_png(created["offer_uri"])
    assert svg.content == qr_svg(created["offer_uri"])
    handed_out = [
        created["offer_uri"],
        unquote(reference),
        created["claim_url"],
        created["qr_png_url"],
        created["qr_svg_url"],
        claim_page.text,  # the page shows the offer URI and links to the QR codes
    ]
    for text in handed_out:
        assert code not in text and quote(code, safe="") not in text

    # The code still works where it belongs: once, at the token endpoint.
    token = server.client.post(
        "/oid4vci/token", data={"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    )
    assert token.status_code == 200, token.text
    # The offer's URL secret is not a pre-authorized code.
    secret = httpx.URL(reference).path.rsplit("/", 1)[1]
    again = server.client.post(
        "/oid4vci/token", data={"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": secret}
    )
    assert again.json()["error"] == "invalid_grant"
