"""Every route of the application has an access rule, and every route that needs credentials
refuses a request without them (issue #8, "Access").

The table lives in ``tests/route_access.py``. The requests go to a real uvicorn server on the
loopback interface, with the admin and metrics tokens configured (a loopback client without a
metrics token would otherwise be let in, by design). The learner's forms are also sent with a
valid pre-sign-in form token, so their refusal is shown to come from the missing session and not
only from the CSRF check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from passport.app import create_app
from passport.database import prepare_database
from passport.settings import Settings
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.route_access import (
    ADMIN,
    DUMMY_JSON_BODIES,
    DUMMY_PATH_VALUES,
    LEARNER,
    METRICS,
    OAUTH_CLIENT,
    OBAPI,
    OID4VCI,
    PUBLIC,
    STAFF,
    rule_of_every_route,
)
from tests.storage import sqlite_url

REFUSED = frozenset({401, 403})
REDIRECTS = frozenset({303, 307})
# RFC 6749 section 5.2: the token endpoint answers a missing or wrong grant with 400.
OAUTH_REFUSED = REFUSED | {400}
# The wallet answers "not yours" exactly like "does not exist" (passport.wallet.web).
WALLET_REFUSED = REFUSED | {404}
LOGIN_PAGES = {STAFF: "/console/login", LEARNER: "/passport/login"}
PATH_PARAMETER = re.compile(r"\{(\w+)\}")
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
RULES = rule_of_every_route()
PROTECTED = sorted(route for route, rule in RULES.items() if rule != PUBLIC)


def test_every_rule_is_a_known_kind() -> None:
    kinds = {PUBLIC, ADMIN, STAFF, LEARNER, OID4VCI, METRICS, OAUTH_CLIENT}
    for route, rule in RULES.items():
        assert (
            rule in kinds
            or re.fullmatch(r"(admin or )?institution:\w+", rule)
            or re.fullmatch(rf"{OBAPI}(credential|profile)\.\w+", rule)
        ), (route, rule)


def test_every_route_has_exactly_one_rule_and_no_rule_is_stale() -> None:
    app = create_app(Settings(database_url="sqlite://"))
    routes = _routes_of(app)
    assert sorted(routes - RULES.keys()) == [], "routes without an access rule"
    assert sorted(RULES.keys() - routes) == [], "access rules for routes that do not exist"


def test_the_credential_checks_cover_every_protected_route() -> None:
    # The checks below are parametrized over PROTECTED: a sanity check that it is not empty.
    assert {RULES[route] for route in PROTECTED} >= {ADMIN, STAFF, LEARNER, OID4VCI, METRICS}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = development_settings(
        sqlite_url(tmp_path_factory.mktemp("route-access")),
        admin_token="route-access-admin-token-not-presented",
        metrics_token="route-access-metrics-token-not-presented",
    )
    prepare_database(settings)
    with serving(create_app(settings)) as url:
        yield url


@pytest.mark.parametrize("route", PROTECTED)
def test_a_request_without_credentials_is_refused(base_url: str, route: str) -> None:
    method, template = route.split(" ", 1)
    path = PATH_PARAMETER.sub(lambda match: DUMMY_PATH_VALUES[match.group(1)], template)
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        response = client.request(method, path, json=DUMMY_JSON_BODIES.get(route))
    _assert_refused(RULES[route], response)


@pytest.mark.parametrize(
    "route", [route for route in PROTECTED if RULES[route] == LEARNER and route.startswith("POST")]
)
def test_a_learner_form_with_a_valid_form_token_but_no_session_is_refused(
    base_url: str, route: str
) -> None:
    # The pre-sign-in form token (the sign-in page's) passes the CSRF check, so what refuses
    # the request is the missing session, not only the missing token.
    _, template = route.split(" ", 1)
    path = PATH_PARAMETER.sub(lambda match: DUMMY_PATH_VALUES[match.group(1)], template)
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        sign_in_page = client.get(LOGIN_PAGES[LEARNER])
        token = FORM_TOKEN.search(sign_in_page.text)
        assert token is not None, "the sign-in page has no form token"
        response = client.post(path, data={"csrf_token": token.group(1)})
    assert response.status_code in REDIRECTS, f"POST {path} -> {response.status_code}"
    assert httpx.URL(response.headers["location"]).path == LOGIN_PAGES[LEARNER]


def _assert_refused(rule: str, response: httpx.Response) -> None:
    status = response.status_code
    described = f"{response.request.method} {response.request.url.path} -> {status}"
    if rule in LOGIN_PAGES and status in REDIRECTS:
        location = httpx.URL(response.headers["location"]).path
        assert location == LOGIN_PAGES[rule], described
        return
    allowed = {OID4VCI: OAUTH_REFUSED, LEARNER: WALLET_REFUSED}.get(rule, REFUSED)
    assert status in allowed, described


def _routes_of(app: FastAPI) -> set[str]:
    """``"METHOD /template"`` for each method of each route, ``"MOUNT /prefix"`` per mount."""
    found: set[str] = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            found.add(f"MOUNT {context.path}")
            continue
        assert context.methods, f"a route without methods: {context.path}"
        found.update(f"{method} {context.path}" for method in context.methods)
    return found
