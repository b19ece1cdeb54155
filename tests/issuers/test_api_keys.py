"""Listing and revoking an institution's API keys over a real server (issue #3, "Access"), on
SQLite and PostgreSQL: the admin or the institution's own ``manage_api_keys`` key may; a revoked
key is refused from the next request; another institution's key can do neither."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from passport.app import create_app
from passport.database import upgrade_database
from tests.issuers.test_api import Api, institution, new_key, settings_for
from tests.passport.live_server import serving
from tests.storage import backend_params, isolated_postgres_schema, postgres_test_url, sqlite_url

KEYS = "/api/v1/institutions/{slug}/api-keys"
LISTED_FIELDS = {"id", "prefix", "label", "actions", "created_at", "revoked_at"}


def _serve(url: str) -> Iterator[Api]:
    settings = settings_for(url)
    upgrade_database(settings)
    with serving(create_app(settings)) as base_url:
        api = Api(base_url, url, {})
        for slug in ("college-a", "college-b"):
            assert api.admin().post("/api/v1/institutions", json=institution(slug)).is_success
            api.keys[f"{slug}:manage"] = new_key(api, slug, ["manage_api_keys"])
            api.keys[f"{slug}:audit"] = new_key(api, slug, ["revoke"])
        yield api


@pytest.fixture(scope="module", params=backend_params())
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    if request.param == "sqlite":
        yield from _serve(sqlite_url(tmp_path_factory.mktemp("api-keys")))
        return
    server = postgres_test_url()
    assert server is not None
    with isolated_postgres_schema(server) as url:
        yield from _serve(url)


def prefix_of(key: str) -> str:
    return key.partition(".")[0]


def revoke(api: Api, by: str | None, slug: str, key: str) -> int:
    """The status of ``by``'s request to revoke ``key`` through ``slug``'s path."""
    path = KEYS.format(slug=slug) + f"/{prefix_of(key)}/revoke"
    return api.client(by).post(path, json={"reason": "left the registrar's office"}).status_code


def test_the_list_shows_each_key_once_without_its_secret(api: Api) -> None:
    key = new_key(api, "college-a", ["issue"])
    for caller in (api.admin(), api.client(api.keys["college-a:manage"])):
        response = caller.get(KEYS.format(slug="college-a"))
        assert response.status_code == 200, response.text
        listed = response.json()
        assert all(set(item) == LISTED_FIELDS for item in listed)
        assert prefix_of(key) in [item["prefix"] for item in listed]
        assert prefix_of(api.keys["college-b:manage"]) not in [item["prefix"] for item in listed]
        secret = key.partition(".")[2]
        assert secret not in response.text and "sha256" not in response.text


def test_a_revoked_key_is_refused_at_once_and_the_reason_is_audited(api: Api) -> None:
    key = new_key(api, "college-a", ["manage_programs"])
    programs = api.client(key).get("/api/v1/institutions/college-a/programs")
    assert programs.status_code == 200
    path = KEYS.format(slug="college-a") + f"/{prefix_of(key)}/revoke"
    manager = api.client(api.keys["college-a:manage"])
    revoked = manager.post(path, json={"reason": "  laptop stolen  "})
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    refused = api.client(key).get("/api/v1/institutions/college-a/programs")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert manager.post(path, json={"reason": "again"}).status_code == 409
    audit = api.client(api.keys["college-a:audit"]).get("/api/v1/institutions/college-a/audit")
    event = next(item for item in audit.json() if item["action"] == "api_key_revoked")
    manager_prefix = prefix_of(api.keys["college-a:manage"])
    assert event["actor"] == f"api-key:{manager_prefix}"
    assert event["reason"] == f"{prefix_of(key)} (test): laptop stolen"
    listed = {item["prefix"]: item for item in manager.get(KEYS.format(slug="college-a")).json()}
    assert listed[prefix_of(key)]["revoked_at"] == revoked.json()["revoked_at"]


def test_the_admin_may_revoke_and_is_named_in_the_audit_log(api: Api) -> None:
    key = new_key(api, "college-b", ["issue"])
    assert revoke(api, api.admin().key, "college-b", key) == 200
    assert api.client(key).get("/api/v1/institutions/college-b/awards").status_code == 401
    audit = api.client(api.keys["college-b:audit"]).get("/api/v1/institutions/college-b/audit")
    actors = [item["actor"] for item in audit.json() if item["action"] == "api_key_revoked"]
    assert actors == ["admin"]


def test_another_institutions_key_can_neither_list_nor_revoke(api: Api) -> None:
    victim = new_key(api, "college-a", ["issue"])
    intruder = api.keys["college-b:manage"]
    assert api.client(intruder).get(KEYS.format(slug="college-a")).status_code == 403
    assert revoke(api, intruder, "college-a", victim) == 403
    # Through its own institution's path, another institution's key is simply not there.
    assert revoke(api, intruder, "college-b", victim) == 404
    assert api.client(victim).get("/api/v1/institutions/college-a/awards").status_code == 200


def test_keys_without_the_scope_and_bad_requests_are_refused(api: Api) -> None:
    victim = new_key(api, "college-a", ["issue"])
    unscoped = new_key(api, "college-a", ["issue", "revoke", "manage_programs", "manage_keys"])
    assert api.client(unscoped).get(KEYS.format(slug="college-a")).status_code == 403
    assert revoke(api, unscoped, "college-a", victim) == 403
    assert revoke(api, None, "college-a", victim) == 401
    assert revoke(api, "not-a-key", "college-a", victim) == 401
    path = KEYS.format(slug="college-a") + f"/{prefix_of(victim)}/revoke"
    manager = api.client(api.keys["college-a:manage"])
    for body in ({}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": "ok", "extra": 1}):
        assert manager.post(path, json=body).status_code == 422, body
    assert api.admin().get(KEYS.format(slug="no-such-college")).status_code == 404
    assert api.client(victim).get("/api/v1/institutions/college-a/awards").status_code == 200
