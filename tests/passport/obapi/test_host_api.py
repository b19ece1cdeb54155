"""The Host's operations over TLS with a real grant (OB 3.0 section 6.2): discovery, paging with
``X-Total-Count`` and ``Link``, upsert 201/200 through the verifier, profile; every answer,
errors included, matches the 1EdTech OpenAPI's schema."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from passport.obapi.scopes import OB_V3P0
from tests.passport.obapi.support import ApiClient, schema_errors
from tests.passport.obapi.tls import TlsServer
from tests.passport.wallet.support import Learner, signed_credential
from tests.verifier.support import Issuer


def _links(response: httpx.Response) -> dict[str, str]:
    links = {}
    for part in response.headers["link"].split(", "):
        target, rel = part.split("; ")
        links[rel.removeprefix('rel="').removesuffix('"')] = target.strip("<>")
    return links


def test_discovery_is_the_openapi_profiled_for_this_host(server: TlsServer) -> None:
    with server.client() as http:
        response = http.get(OB_V3P0.path("/discovery"))
    assert response.status_code == 200
    document = response.json()
    assert schema_errors(document, "ServiceDescriptionDocument") == []
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["x-imssf-registrationUrl"] == f"{server.base_url}/oauth2/register"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["tokenUrl"] == flow["refreshUrl"] == f"{server.base_url}/oauth2/token"
    assert set(flow["scopes"]) == set(OB_V3P0.scopes)
    assert document["servers"] == [{"url": f"{server.base_url}/ims/ob/v3p0"}]
    assert document["info"]["x-imssf-privacyPolicyUrl"].startswith(server.base_url)


def test_upsert_creates_then_replaces_and_the_list_pages(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    learner = new_learner()
    client = new_client()
    client.authorize(learner)
    issuer = Issuer()
    credentials = [signed_credential(issuer, subject=learner.did) for _ in range(3)]
    for credential in credentials:
        created = client.api("POST", "/credentials", json=credential)
        assert created.status_code == 201, created.text
        assert created.json() == credential  # the request's own credential, as sent
    # The same id from the same issuer, signed again: a replacement (200), not a fourth one.
    again = dict(credentials[0], name="Renamed")
    del again["proof"]
    replaced = client.api("POST", "/credentials", json=issuer.sign(again))
    assert replaced.status_code == 200, replaced.text

    first = client.api("GET", "/credentials", params={"limit": 2})
    assert first.status_code == 200
    assert first.headers["x-total-count"] == "3"
    assert schema_errors(first.json(), "GetOpenBadgeCredentialsResponse") == []
    assert len(first.json()["credential"]) == 2
    links = _links(first)
    assert set(links) == {"next", "last", "first"}
    next_page = httpx.URL(links["next"])
    assert next_page.path == OB_V3P0.path("/credentials")
    second = client.api("GET", "/credentials", params=next_page.params)
    assert set(_links(second)) == {"last", "first", "prev"}
    names = [item["name"] for item in [*first.json()["credential"], *second.json()["credential"]]]
    assert sorted(names).count("Renamed") == 1 and len(names) == 3
    # A replacement counts as arriving when it was replaced: last in the list.
    assert second.json()["credential"][0]["name"] == "Renamed"


def test_a_compact_jws_goes_in_and_comes_back_as_one(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    learner = new_learner()
    client = new_client()
    client.authorize(learner)
    token = signed_credential(Issuer(), subject=learner.did, mechanism="vc+jwt")
    created = client.api(
        "POST", "/credentials", content=token, headers={"Content-Type": "text/plain"}
    )
    assert created.status_code == 201, created.text
    assert created.text == token
    listed = client.api("GET", "/credentials").json()
    assert listed == {"credential": [], "compactJwsString": [token]}


def test_a_credential_that_does_not_verify_is_refused_with_imsx(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    learner = new_learner()
    client = new_client()
    client.authorize(learner)
    tampered = signed_credential(Issuer(), subject=learner.did)
    tampered["name"] = "Forged"
    refused = client.api("POST", "/credentials", json=tampered)
    assert refused.status_code == 400
    assert schema_errors(refused.json(), "Imsx_StatusInfo") == []
    assert client.api("GET", "/credentials").headers["x-total-count"] == "0"
    bad_query = client.api("GET", "/credentials", params={"limit": 0})
    assert bad_query.status_code == 400
    field = bad_query.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]
    assert field["imsx_codeMinorFieldValue"] == "invalid_query_parameter"


def test_since_keeps_the_newer_credentials(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    learner = new_learner()
    client = new_client()
    client.authorize(learner)
    assert client.api("POST", "/credentials", json=signed_credential(Issuer())).status_code == 201
    later = client.api("GET", "/credentials", params={"since": "2999-01-01T00:00:00Z"})
    assert later.headers["x-total-count"] == "0"
    earlier = client.api("GET", "/credentials", params={"since": "2000-01-01T00:00:00Z"})
    assert earlier.headers["x-total-count"] == "1"


def test_profile_reads_and_updates_but_keeps_the_learners_id(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    learner = new_learner()
    client = new_client()
    client.authorize(learner)
    profile = client.api("GET", "/profile").json()
    assert schema_errors(profile, "Profile") == []
    assert profile["id"] == learner.did
    updated = dict(profile, name="Ada Lovelace")
    put = client.api("PUT", "/profile", content=json.dumps(updated))
    assert put.status_code == 200 and put.json() == updated
    assert client.api("GET", "/profile").json()["name"] == "Ada Lovelace"
    hijack = client.api("PUT", "/profile", json=dict(updated, id="did:example:someone-else"))
    assert hijack.status_code == 400
    assert schema_errors(hijack.json(), "Imsx_StatusInfo") == []
