"""An OAuth 2.0 client library other than the server's (oauthlib) completes the OB 3.0 grant
against the passport over TLS: registration, authorization code with PKCE S256 through the
learner's consent, refresh, revocation (OB 3.0 section 7; RFC 6749, 7636, 7009)."""

from __future__ import annotations

from collections.abc import Callable

from passport.obapi.scopes import CREDENTIAL_READONLY, OB_V3P0, PROFILE_READONLY
from tests.passport.obapi.support import ApiClient
from tests.passport.wallet.support import Learner


def test_oauthlib_completes_pkce_refresh_and_revocation(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    learner = new_learner()
    client = new_client()
    tokens = client.authorize(learner)
    assert tokens["token_type"].lower() == "bearer"
    assert tokens["expires_in"] == 3600
    profile = client.api("GET", "/profile")
    assert profile.status_code == 200
    assert profile.json()["email"] == learner.email

    first_refresh = tokens["refresh_token"]
    refreshed = client.refresh()
    assert refreshed["access_token"] != tokens["access_token"]
    assert client.api("GET", "/profile").status_code == 200
    # Rotation: the used refresh token and its access token are dead.
    assert client.api("GET", "/profile", token=tokens["access_token"]).status_code == 401
    reused = client.http.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": first_refresh},
        auth=client.basic_auth,
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"

    assert client.revoke(refreshed["refresh_token"], "refresh_token").status_code == 200
    denied = client.api("GET", "/profile")
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"].startswith("Bearer")
    assert denied.json()["imsx_codeMajor"] == "failure"


def test_a_code_is_good_once_and_only_with_its_verifier(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    learner = new_learner()
    client = new_client()
    verifier = client.oauth.create_code_verifier(64)
    url = client.authorization_url(OB_V3P0.scope(PROFILE_READONLY), verifier, "s1")
    location = client.consent(learner, url).headers["location"]
    code = client.oauth.parse_request_uri_response(location, state="s1")["code"]
    wrong = client.http.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://lms.example.org/oauth/callback",
            "code_verifier": "x" * 64,
        },
        auth=client.basic_auth,
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert client.exchange(code, verifier)["scope"] == [OB_V3P0.scope(PROFILE_READONLY)]
    again = client.http.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://lms.example.org/oauth/callback",
            "code_verifier": verifier,
        },
        auth=client.basic_auth,
    )
    assert again.status_code == 400


def test_a_token_opens_only_its_scopes(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    learner = new_learner()
    client = new_client()
    client.authorize(learner, scope=OB_V3P0.scope(CREDENTIAL_READONLY))
    assert client.api("GET", "/credentials").status_code == 200
    refused = client.api("GET", "/profile")
    assert refused.status_code == 403
    assert "insufficient_scope" in refused.headers["www-authenticate"]


def test_denying_sends_access_denied_back_and_issues_nothing(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    learner = new_learner()
    client = new_client()
    verifier = client.oauth.create_code_verifier(64)
    url = client.authorization_url(OB_V3P0.scope(PROFILE_READONLY), verifier, "s2")
    answer = client.consent(learner, url, decision="deny")
    assert answer.status_code == 302
    assert "error=access_denied" in answer.headers["location"]
    assert "code=" not in answer.headers["location"]
