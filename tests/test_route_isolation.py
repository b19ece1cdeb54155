"""Every route of an institution or a learner, requested with ANOTHER tenant's valid
credentials, never answers with the first tenant's data; every state-changing form refuses a
request without its CSRF token (issue #8, "Access").

Two tenants share one served deployment (tests/route_world.py). The other tenant's API key,
console session and wallet session are tried against the first tenant's slug and ids (403 or
404, and nothing changes), its own pages are searched for the first tenant's names and ids, and
the first tenant's data is checked intact at the end. Which routes get which attempt comes from
the tables of tests/route_access.py; a route of a tenant in none of them fails the suite.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from passport.settings import Settings
from tests.issuers.test_award_console import csrf_of
from tests.passport.wallet.support import served, wallet_settings
from tests.route_access import (
    ADMIN,
    CSRF_EXEMPT,
    CSRF_FREE_PREFIXES,
    LEARNER,
    OBAPI,
    OWN_ACTIONS,
    OWN_DATA_PAGES,
    PUBLIC,
    RESOURCE_PARAMETERS,
    STAFF,
    TENANT_BODIES,
    TENANT_CSV_BODIES,
    rule_of_every_route,
)
from tests.route_world import ADMIN_TOKEN, Tenant, employer_request, make_tenant
from tests.storage import backend_params, empty_database

RULES = rule_of_every_route()
PLACEHOLDER = re.compile(r"\{(\w+)\}")
REFUSED = frozenset({403, 404})
# The OB 3.0 API's token names its learner and no route names an id: its isolation between
# learners is tried over TLS, as the API requires, in tests/passport/obapi/test_isolation.py.
TENANT_ROUTES = sorted(
    route
    for route, rule in RULES.items()
    if rule in (STAFF, LEARNER) or (":" in rule and not rule.startswith(OBAPI))
)
INSTITUTION_ROUTES = [route for route in TENANT_ROUTES if "institution:" in RULES[route]]
FORM_ROUTES = sorted(
    route
    for route in RULES
    if route.startswith("POST ")
    and not route.split(" ", 1)[1].startswith(CSRF_FREE_PREFIXES)
    and route not in CSRF_EXEMPT
)


def _placeholders(value: object) -> set[str]:
    if isinstance(value, str):
        return set(PLACEHOLDER.findall(value))
    if isinstance(value, dict):
        return set().union(*(_placeholders(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_placeholders(item) for item in value))
    return set()


def names_foreign_ids(route: str) -> bool:
    """The route names a tenant's resource: in its path or in the body it is sent with."""
    named = _placeholders(route) | _placeholders(TENANT_BODIES.get(route))
    return bool(named & (RESOURCE_PARAMETERS | {"key_id"})) or route in TENANT_CSV_BODIES


FOREIGN_ID_ROUTES = [route for route in TENANT_ROUTES if names_foreign_ids(route)]


def test_every_tenant_route_is_tried_with_another_tenants_credentials() -> None:
    for route in TENANT_ROUTES:
        kinds = [names_foreign_ids(route), route in OWN_DATA_PAGES, route in OWN_ACTIONS]
        assert kinds.count(True) == 1, f"{route}: {kinds} (see tests/route_access.py)"
    tabled = {*OWN_DATA_PAGES, *OWN_ACTIONS, *TENANT_BODIES, *TENANT_CSV_BODIES, *CSRF_EXEMPT}
    assert sorted(tabled - RULES.keys()) == [], "tables name routes that do not exist"


@pytest.fixture(scope="module", params=backend_params())
def tenants(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Tenant, Tenant]]:
    """The first tenant, whose data is attacked, and the other, who attacks it."""
    with empty_database(request.param, tmp_path_factory.mktemp("isolation")) as database_url:
        # did:web needs a DNS name; "localhost" keeps the cookies usable over plain HTTP.
        settings = wallet_settings(
            database_url, admin_token=ADMIN_TOKEN, base_url="http://localhost:8000"
        )
        yield from _served_tenants(settings)


def _served_tenants(settings: Settings) -> Iterator[tuple[Tenant, Tenant]]:
    with served(settings) as (_app, base_url):
        request_id = employer_request(base_url)
        first = make_tenant(base_url, "college-a", "Aardvark", request_id)
        other = make_tenant(base_url, "college-b", "Bison", request_id)
        try:
            yield first, other
        finally:
            first.close()
            other.close()


def _filled(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda match: ids[match.group(1)], value)
    if isinstance(value, dict):
        return {name: _filled(item, ids) for name, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, ids) for item in value]
    return value


def client_for(tenant: Tenant, route: str) -> httpx.Client:
    rule = RULES[route]
    if rule == STAFF:
        return tenant.staff
    if rule == LEARNER:
        return tenant.learner.client
    return tenant.api


def csrf_field(tenant: Tenant, route: str) -> dict[str, str]:
    """The CSRF field of the tenant's own session, for the kind of form ``route`` is."""
    if RULES[route] == STAFF:
        return {"csrf": csrf_of(tenant.staff.get("/console/awards/new"))}
    if RULES[route] == LEARNER:
        return {"csrf_token": tenant.learner.csrf()}
    return {}


def send(
    client: httpx.Client, route: str, ids: dict[str, str], tenant: Tenant, csrf: dict[str, str]
) -> httpx.Response:
    """``route`` with ``ids`` in its path and body (JSON for the API, a form for pages)."""
    method, template = route.split(" ", 1)
    path = tenant.path(template, ids)
    body = _filled(TENANT_BODIES.get(route, {}), ids)
    if template.startswith("/api/"):
        if method == "GET":
            return client.get(path, params=body)  # query parameters (issue 12's key_id)
        if route in TENANT_CSV_BODIES:
            csv = TENANT_CSV_BODIES[route]
            return client.request(method, path, content=csv, headers={"Content-Type": "text/csv"})
        return client.request(method, path, json=body if route in TENANT_BODIES else None)
    files = {name: ("file.csv", value) for name, value in body.items() if isinstance(value, bytes)}
    form = {name: value for name, value in body.items() if name not in files} | csrf
    if method == "GET":
        return client.get(path, params=body)
    return client.request(method, path, data=form, files=files or None)


def assert_shows_nothing_of(response: httpx.Response, secrets: tuple[str, ...]) -> None:
    """None of ``secrets`` in the body (in each file of a zip). A refusal may repeat an id the
    request named, so the attempts with the first tenant's ids look for its names only."""
    content = response.text
    if response.headers.get("content-type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            content = " ".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    leaked = [secret for secret in secrets if secret in content]
    assert leaked == [], f"{response.request.method} {response.request.url.path} shows {leaked}"


@pytest.mark.parametrize("route", INSTITUTION_ROUTES)
def test_another_institutions_key_is_refused_on_the_first_institutions_routes(
    tenants: tuple[Tenant, Tenant], route: str
) -> None:
    first, other = tenants
    response = send(other.api, route, first.ids, first, {})
    assert response.status_code in REFUSED, (route, response.status_code, response.text)
    assert_shows_nothing_of(response, (first.marker,))


@pytest.mark.parametrize("route", FOREIGN_ID_ROUTES)
def test_another_tenants_session_or_key_cannot_reach_the_first_tenants_ids(
    tenants: tuple[Tenant, Tenant], route: str
) -> None:
    first, other = tenants
    foreign = {name: first.ids[name] for name in (*RESOURCE_PARAMETERS, "key_id", "share_token")}
    ids = other.ids | foreign
    response = send(client_for(other, route), route, ids, other, csrf_field(other, route))
    assert response.status_code in REFUSED, (route, response.status_code, response.text)
    assert_shows_nothing_of(response, (first.marker,))


@pytest.mark.parametrize("route", OWN_DATA_PAGES)
def test_own_pages_show_nothing_of_another_tenant(
    tenants: tuple[Tenant, Tenant], route: str
) -> None:
    first, other = tenants
    response = send(client_for(other, route), route, other.ids, other, {})
    assert response.status_code == 200, (route, response.status_code)
    assert_shows_nothing_of(response, first.secrets)


@pytest.mark.parametrize("route", [route for route, rule in RULES.items() if rule == ADMIN])
def test_an_institutions_api_key_is_not_the_admin_token(
    tenants: tuple[Tenant, Tenant], route: str
) -> None:
    first, _ = tenants
    body = {"slug": "college-x", "email": "x@example.ca", "label": "x", "actions": ["issue"]}
    method, template = route.split(" ", 1)
    response = first.api.request(method, first.path(template), json=body)
    assert response.status_code in (401, 403), (route, response.status_code)


@pytest.mark.parametrize("route", FORM_ROUTES)
def test_a_form_without_its_csrf_token_is_refused(
    tenants: tuple[Tenant, Tenant], route: str
) -> None:
    # The other tenant acts on its own data with its own session: only the token is missing.
    _, other = tenants
    if RULES[route] == PUBLIC:
        with httpx.Client(base_url=str(other.api.base_url)) as visitor:
            response = send(visitor, route, other.ids, other, {})
    else:
        response = send(client_for(other, route), route, other.ids, other, {})
    assert response.status_code == 403, (route, response.status_code, response.text)


def test_the_first_tenants_data_is_intact_and_the_other_still_signed_in(
    tenants: tuple[Tenant, Tenant],
) -> None:
    first, other = tenants
    api = f"/api/v1/institutions/{first.slug}"
    award = first.api.get(f"{api}/awards/{first.ids['award_id']}").json()
    assert award["state"] == "active"
    program = first.api.get(f"{api}/programs/{first.ids['program_slug']}").json()
    assert program["fields"]["name_en"] == "Aardvark Welding"
    keys = first.api.get(f"{api}/keys").json()
    assert [(key["id"], key["status"]) for key in keys] == [(first.ids["key_id"], "active")]
    for path in (
        f"/passport/credentials/{first.ids['credential_id']}",
        f"/passport/collections/{first.ids['collection_id']}",
    ):
        assert first.learner.get(path).status_code == 200, path
    shares = first.learner.get("/passport/shares").text
    assert first.ids["share_id"] in shares and "Revoked" not in shares
    assert other.learner.get("/passport").status_code == 200
    assert other.staff.get("/console/programs").status_code == 200
