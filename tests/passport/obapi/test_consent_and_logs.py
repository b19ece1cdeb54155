"""The consent page names the client, its site and the scopes in English and French; codes and
tokens never reach a log line (issue 17)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from passport.obapi.scopes import OB_V3P0, PROFILE_READONLY
from tests.passport.obapi.support import ApiClient
from tests.passport.wallet.support import Learner


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("Connect Example LMS to your passport?", "Allow", "Deny", "See your profile")),
        (
            "fr",
            (
                "Connecter Example LMS à votre passeport?",
                "Autoriser",
                "Refuser",
                "Voir votre profil",
            ),
        ),
    ],
)
def test_the_consent_page_names_the_client_and_its_scopes(
    new_learner: Callable[[], Learner],
    new_client: Callable[..., ApiClient],
    language: str,
    words: tuple[str, ...],
) -> None:
    learner = new_learner()
    client = new_client()
    verifier = client.oauth.create_code_verifier(64)
    url = client.authorization_url(OB_V3P0.scope(PROFILE_READONLY), verifier, "s")
    page = learner.client.get(url, headers={"Accept-Language": language})
    assert page.status_code == 200
    for word in (*words, "https://lms.example.org/"):
        assert word in page.text


def test_signing_in_first_comes_back_to_the_consent_page(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    client = new_client()
    verifier = client.oauth.create_code_verifier(64)
    url = client.authorization_url(OB_V3P0.scope(PROFILE_READONLY), verifier, "s")
    with client.server.client(follow_redirects=False) as anonymous:
        answer = anonymous.get(url)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/passport/login?next=%2Foauth2%2Fauthorize%3F")


def test_codes_and_tokens_are_redacted_from_access_and_client_logs(
    caplog: pytest.LogCaptureFixture, new_client: Callable[..., ApiClient]
) -> None:
    new_client()  # an app exists, so its filters are installed
    with caplog.at_level(logging.INFO):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:1",
            "GET",
            "/passport/hosts/callback?code=SECRETCODE&state=s",
            "1.1",
            302,
        )
        logging.getLogger("httpx").info(
            'HTTP Request: POST https://h/oauth2/token?refresh_token=SECRETTOKEN "200"'
        )
    assert "SECRETCODE" not in caplog.text and "SECRETTOKEN" not in caplog.text
    assert "code=[redacted]" in caplog.text
