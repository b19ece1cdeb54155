"""create_app over real HTTP: health, problem+json errors, body limits, headers, pages."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request

from credentials.errors import InvalidInput, KeyNotFound
from infra.database import SessionDep
from passport.app import CONTENT_SECURITY_POLICY, create_app
from passport.database import prepare_database
from passport.errors import PROBLEM_MEDIA_TYPE
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.storage import sqlite_url

BODY_LIMIT = 1000
BASE_URL = "https://passport.example.ca"
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code"}


def app_with_test_routes(database_url: str) -> FastAPI:
    """The real app plus routes that raise on purpose (they exist only in these tests)."""
    settings = development_settings(database_url, max_request_bytes=BODY_LIMIT, base_url=BASE_URL)
    app = create_app(settings)

    @app.get("/test/invalid")
    def invalid() -> None:
        raise InvalidInput("the credential is not JSON")

    @app.get("/test/missing-key")
    def missing_key() -> None:
        raise KeyNotFound("no verification method did:example:1#key-1")

    @app.get("/test/crash")
    def crash() -> None:
        raise RuntimeError("database password is hunter2")

    @app.get("/test/count")
    def count(limit: int) -> dict[str, int]:
        return {"limit": limit}

    @app.post("/test/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @app.get("/test/session")
    def session_dialect(session: SessionDep) -> dict[str, str]:
        return {"dialect": session.get_bind().dialect.name}

    return app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    database_url = sqlite_url(tmp_path_factory.mktemp("app"))
    prepare_database(development_settings(database_url))
    with (
        serving(app_with_test_routes(database_url)) as base_url,
        httpx.Client(base_url=base_url) as http,
    ):
        yield http


@pytest.fixture(autouse=True)
def no_cookies_between_tests(client: httpx.Client) -> None:
    client.cookies.clear()


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, object] = response.json()
    assert body.keys() >= PROBLEM_MEMBERS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"{BASE_URL}/problems/{code}"
    assert "Traceback" not in response.text
    return body


def test_app_exposes_its_settings_and_a_session_on_its_engine(tmp_path: Path) -> None:
    settings = development_settings(sqlite_url(tmp_path))
    app = create_app(settings)
    assert app.state.settings is settings
    assert str(app.state.engine.url) == settings.database_url


def test_session_dependency_uses_the_app_engine(client: httpx.Client) -> None:
    assert client.get("/test/session").json() == {"dialect": "sqlite"}


def test_healthz_reports_a_reachable_database(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_healthz_reports_503_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    unreachable = f"sqlite:///{tmp_path / 'no-such-directory' / 'passport.db'}"
    with (
        serving(create_app(development_settings(unreachable))) as base_url,
        httpx.Client(base_url=base_url) as http,
    ):
        response = http.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}


def test_passport_error_becomes_problem_json_with_its_code_and_message(
    client: httpx.Client,
) -> None:
    body = assert_problem(client.get("/test/invalid"), 400, "invalid_input")
    assert body["title"] == "Invalid input"
    assert body["detail"] == "the credential is not JSON"


def test_passport_error_subclass_keeps_its_own_status(client: httpx.Client) -> None:
    body = assert_problem(client.get("/test/missing-key"), 404, "key_not_found")
    assert body["detail"] == "no verification method did:example:1#key-1"


def test_unknown_path_is_a_404_problem(client: httpx.Client) -> None:
    body = assert_problem(client.get("/no/such/page"), 404, "not_found")
    assert body["detail"] == "Nothing is served at /no/such/page."


def test_wrong_method_is_a_405_problem_that_names_the_allowed_method(
    client: httpx.Client,
) -> None:
    response = client.delete("/healthz")
    body = assert_problem(response, 405, "method_not_allowed")
    assert body["detail"] == "DELETE is not allowed on /healthz."
    assert response.headers["allow"] == "GET"


def test_validation_error_names_each_field_without_echoing_input(client: httpx.Client) -> None:
    body = assert_problem(
        client.get("/test/count", params={"limit": "lots"}), 422, "invalid_request"
    )
    assert body["errors"] == [
        {
            "location": "query.limit",
            "message": "Input should be a valid integer, unable to parse string as an integer",
        }
    ]
    assert "query.limit" in str(body["detail"])
    assert "lots" not in str(body)


def test_missing_field_is_explained(client: httpx.Client) -> None:
    body = assert_problem(client.get("/test/count"), 422, "invalid_request")
    assert body["errors"] == [{"location": "query.limit", "message": "Field required"}]


def test_unexpected_error_is_logged_but_never_shown(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="passport.errors"):
        response = client.get("/test/crash")
    body = assert_problem(response, 500, "internal_error")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert body["title"] == "Internal error"
    logged = [record for record in caplog.records if record.name == "passport.errors"]
    assert len(logged) == 1
    assert logged[0].getMessage() == "unhandled error on GET /test/crash"
    assert logged[0].exc_info is not None
    assert "hunter2" in str(logged[0].exc_info[1])


def test_body_within_the_limit_is_accepted(client: httpx.Client) -> None:
    response = client.post("/test/echo", content=b"x" * BODY_LIMIT)
    assert response.json() == {"received": BODY_LIMIT}


def test_declared_oversized_body_is_refused_with_413(client: httpx.Client) -> None:
    response = client.post("/test/echo", content=b"x" * (BODY_LIMIT + 1))
    body = assert_problem(response, 413, "input_too_large")
    assert body["detail"] == f"the request body is over the limit of {BODY_LIMIT} bytes"


def test_streamed_oversized_body_is_refused_with_413(client: httpx.Client) -> None:
    chunks = iter([b"x" * 600, b"y" * 600])
    response = client.post("/test/echo", content=chunks)
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "input_too_large")
    assert client.get("/healthz").status_code == 200


def test_oversized_body_to_a_route_without_body_is_refused_too(client: httpx.Client) -> None:
    assert_problem(client.post("/healthz", content=b"x" * 5000), 413, "input_too_large")


def test_security_headers_on_pages_api_and_errors(client: httpx.Client) -> None:
    for response in (client.get("/"), client.get("/healthz"), client.get("/nowhere")):
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        # base_url is https: browsers must keep using HTTPS.
        assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_pages_contain_no_inline_script_or_style(client: httpx.Client) -> None:
    html = client.get("/").text
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/static/site.js" defer>']  # an external file only
    assert "<style" not in html
    assert " style=" not in html


def test_home_page_defaults_to_english_with_a_link_to_french(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == "en"
    assert response.headers["vary"] == "Accept-Language, Cookie"
    html = response.text
    assert '<html lang="en">' in html
    assert '<a href="/?lang=fr" hreflang="fr" lang="fr">Français</a>' in html
    for path in ("/programs", "/passport", "/verify"):
        assert f'href="{path}"' in html
    assert "set-cookie" not in response.headers


def test_accept_language_chooses_french(client: httpx.Client) -> None:
    response = client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert response.headers["content-language"] == "fr"
    assert "Vérifier un titre de compétences" in response.text


def test_lang_parameter_wins_and_is_remembered_in_a_cookie(client: httpx.Client) -> None:
    response = client.get("/", params={"lang": "fr"}, headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lang=fr;")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" in cookie
    remembered = client.get("/", headers={"Cookie": "lang=fr", "Accept-Language": "en"})
    assert '<html lang="fr">' in remembered.text


def test_language_switch_keeps_the_path_and_other_query_parameters(client: httpx.Client) -> None:
    html = client.get("/", params={"page": "2", "lang": "fr"}).text
    assert '<a href="/?page=2&amp;lang=en" hreflang="en" lang="en">English</a>' in html
    assert f'<link rel="alternate" hreflang="fr" href="{BASE_URL}/?page=2&amp;lang=fr">' in html
    assert f'<link rel="alternate" hreflang="en" href="{BASE_URL}/?page=2&amp;lang=en">' in html


def test_unsupported_lang_parameter_falls_back_without_a_cookie(client: httpx.Client) -> None:
    response = client.get("/", params={"lang": "de"})
    assert response.headers["content-language"] == "en"
    assert "set-cookie" not in response.headers


def test_stylesheet_is_served(client: httpx.Client) -> None:
    response = client.get("/static/passport.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in response.text
