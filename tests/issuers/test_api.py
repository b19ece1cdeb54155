"""The issuer API over a real server: admin-only creation, scoped API keys, bad input, and
every cross-institution attempt refused."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from credentials.contexts import CONTEXT_FILES, LEARNER_PASSPORT_V1, bundled_bytes
from credentials.multibase import encode_base64url
from infra.database import create_database_engine
from passport.app import create_app
from passport.database import migrate_to_head, prepare_database
from passport.settings import Mode, Settings
from tests.issuers.issuer_support import program_data
from tests.passport.live_server import serving
from tests.storage import database_url, sqlite_url  # noqa: F401  (fixture)

ADMIN_TOKEN = secrets.token_urlsafe(32)
PROGRAM = program_data().model_dump(mode="json", by_alias=True)


@dataclass
class Api:
    base_url: str
    database_url: str
    keys: dict[str, str]

    def client(self, key: str | None = None) -> Caller:
        return Caller(self.base_url, key)

    def admin(self) -> Caller:
        return self.client(ADMIN_TOKEN)


@dataclass
class Caller:
    """Requests with one bearer key; each request closes its own connection."""

    base_url: str
    key: str | None

    def request(self, method: str, path: str, json: Any = None) -> httpx.Response:
        headers = {} if self.key is None else {"Authorization": f"Bearer {self.key}"}
        return httpx.request(method, self.base_url + path, json=json, headers=headers, timeout=10)

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post(self, path: str, json: Any = None) -> httpx.Response:
        return self.request("POST", path, json)

    def put(self, path: str, json: Any = None) -> httpx.Response:
        return self.request("PUT", path, json)


def settings_for(url: str, base_url: str = "http://localhost:8000") -> Settings:
    return Settings.model_validate(
        {
            "database_url": url,
            "mode": Mode.DEVELOPMENT,
            "master_key": encode_base64url(secrets.token_bytes(32)),
            "admin_token": ADMIN_TOKEN,
            "base_url": base_url,
            "max_request_bytes": 64 * 1024,
        }
    )


def institution(slug: str, **overrides: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "legal_name_en": f"College {slug}",
        "legal_name_fr": f"Collège {slug}",
        "kind": "college",
        "website": f"https://{slug}.example.ca",
        "contact_email": f"registrar@{slug}.example.ca",
    } | overrides


def new_key(api: Api, slug: str, actions: list[str]) -> str:
    response = api.admin().post(
        f"/api/v1/institutions/{slug}/api-keys", json={"label": "test", "actions": actions}
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    key: str = response.json()["key"]
    return key


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    url = sqlite_url(tmp_path_factory.mktemp("issuer-api"))
    settings = settings_for(url)
    prepare_database(settings)
    with serving(create_app(settings)) as base_url:
        holder = Api(base_url, url, {})
        for slug in ("college-a", "college-b"):
            assert (
                holder.admin().post("/api/v1/institutions", json=institution(slug)).status_code
                == 201
            )
            holder.keys[slug] = new_key(holder, slug, ["manage_programs", "manage_keys"])
            holder.keys[f"{slug}:issue"] = new_key(holder, slug, ["issue"])
        employer = {"slug": "acme", "name": "Acme Fabrication"}
        assert holder.admin().post("/api/v1/employers", json=employer).status_code == 201
        response = holder.client(holder.keys["college-b"]).post(
            "/api/v1/institutions/college-b/programs", json=PROGRAM
        )
        assert response.status_code == 201, response.text
        yield holder


def test_institution_creation_needs_the_admin_token(api: Api) -> None:
    body = institution("college-c")
    assert api.client().post("/api/v1/institutions", json=body).status_code == 401
    wrong = api.client("not-the-token").post("/api/v1/institutions", json=body)
    assert wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    staff_key = api.client(api.keys["college-a"]).post("/api/v1/institutions", json=body)
    assert staff_key.status_code == 401


def test_created_institution_is_a_did_web_on_this_host(api: Api) -> None:
    response = api.admin().post("/api/v1/institutions", json=institution("college-d"))
    assert response.status_code == 201
    assert response.json()["did"] == "did:web:localhost%3A8000:issuers:college-d"


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        (institution("college-a"), None, 409),
        (institution("x-1", contact_email="not-an-email"), "body.contact_email", 422),
        (institution("x-2", kind="bakery"), "body.kind", 422),
        (institution("x-3", website="javascript:alert(1)"), "body.website", 422),
        (institution("Bad Slug!"), "body.slug", 422),
        (institution("x-4", legal_name_fr=""), "body.legal_name_fr", 422),
        (institution("x-5", unexpected="field"), "body.unexpected", 422),
    ],
)
def test_bad_institutions_are_refused_with_reasons(
    api: Api, body: dict[str, Any], field: str | None, status: int
) -> None:
    response = api.admin().post("/api/v1/institutions", json=body)
    assert response.status_code == status, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    if field is not None:
        assert field in [error["location"] for error in problem["errors"]]
    else:
        assert problem["code"] == "conflict" and "college-a" in problem["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hours": 0}, "body.hours"),
        ({"hours": 2001}, "body.hours"),
        ({"delivery_mode": "telepathy"}, "body.delivery_mode"),
        ({"noc_codes": ["1", "72106"]}, "body.noc_codes.0"),
        ({"noc_codes": ["72106", "72107", "72108", "72109"]}, "body.noc_codes"),
        ({"cip_code": "48"}, "body.cip_code"),
        ({"registration_url": "ftp://x"}, "body.registration_url"),
        ({"price_cents": -1}, "body.price_cents"),
        ({"languages": ["de"]}, "body.languages.0"),
        ({"name_en": None, "name_fr": None}, "body"),
    ],
)
def test_bad_programs_are_refused_with_reasons(
    api: Api, change: dict[str, Any], field: str
) -> None:
    body = PROGRAM | {"slug": "bad"} | change
    response = api.client(api.keys["college-a"]).post(
        "/api/v1/institutions/college-a/programs", json=body
    )
    assert response.status_code == 422, response.text
    assert field in [error["location"] for error in response.json()["errors"]]


def test_oversize_body_is_413(api: Api) -> None:
    body = PROGRAM | {"slug": "big", "description_en": "x" * 70_000}
    response = api.client(api.keys["college-a"]).post(
        "/api/v1/institutions/college-a/programs", json=body
    )
    assert response.status_code == 413
    assert response.json()["code"] == "input_too_large"


def test_program_crud_with_a_scoped_key(api: Api) -> None:
    client = api.client(api.keys["college-a"])
    created = client.post(
        "/api/v1/institutions/college-a/programs", json=PROGRAM | {"slug": "crud"}
    )
    assert created.status_code == 201
    assert created.json()["achievement"]["learningHours"] == 40
    duplicate = client.post(
        "/api/v1/institutions/college-a/programs", json=PROGRAM | {"slug": "crud"}
    )
    assert duplicate.status_code == 409
    fields = created.json()["fields"] | {"hours": 120}
    updated = client.put("/api/v1/institutions/college-a/programs/crud", json=fields)
    assert updated.status_code == 200 and updated.json()["fields"]["hours"] == 120
    listed = client.get("/api/v1/institutions/college-a/programs").json()
    assert "crud" in [program["slug"] for program in listed]
    assert client.get("/api/v1/institutions/college-a/programs/nope").status_code == 404


CROSS_INSTITUTION = [
    ("GET", "/api/v1/institutions/college-b/programs", None),
    ("POST", "/api/v1/institutions/college-b/programs", PROGRAM | {"slug": "stolen"}),
    ("GET", "/api/v1/institutions/college-b/programs/welding", None),
    (
        "PUT",
        "/api/v1/institutions/college-b/programs/welding",
        program_data().model_dump(mode="json", by_alias=True, exclude={"slug"}),
    ),
    ("GET", "/api/v1/institutions/college-b/programs/welding/endorsements", None),
    (
        "POST",
        "/api/v1/institutions/college-b/programs/welding/endorsements",
        {"employer_slug": "acme", "comment": "x"},
    ),
    ("GET", "/api/v1/institutions/college-b/keys", None),
    ("POST", "/api/v1/institutions/college-b/keys/rotate", None),
    (
        "POST",
        "/api/v1/institutions/college-b/keys/revoke",
        {
            "key_id": "did:web:localhost%3A8000:issuers:college-b#key-1",
            "compromised_since": "2025-01-01T00:00:00Z",
        },
    ),
    ("GET", "/api/v1/institutions/no-such-college/programs", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CROSS_INSTITUTION)
def test_another_institutions_key_is_forbidden(
    api: Api, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = api.client(api.keys["college-a"]).request(method, path, body)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "body"), CROSS_INSTITUTION)
def test_no_key_is_unauthorized(
    api: Api, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = api.client().request(method, path, body)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "path", "body"), CROSS_INSTITUTION[:-1])
def test_own_key_without_the_action_is_forbidden(
    api: Api, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = api.client(api.keys["college-b:issue"]).request(method, path, body)
    assert response.status_code == 403
    assert "not allowed" in response.json()["detail"]


def test_nothing_changed_after_the_refused_attempts(api: Api) -> None:
    client = api.client(api.keys["college-b"])
    keys = client.get("/api/v1/institutions/college-b/keys").json()
    assert [key["status"] for key in keys][:1] == ["active"]
    programs = client.get("/api/v1/institutions/college-b/programs").json()
    assert "stolen" not in [program["slug"] for program in programs]


def test_endorsement_is_attached_to_the_public_achievement(api: Api) -> None:
    client = api.client(api.keys["college-a"])
    client.post("/api/v1/institutions/college-a/programs", json=PROGRAM | {"slug": "endorsed"})
    path = "/api/v1/institutions/college-a/programs/endorsed/endorsements"
    created = client.post(path, json={"employer_slug": "acme", "comment": "Job-ready."})
    assert created.status_code == 201, created.text
    assert created.json()["employer"] == "Acme Fabrication"
    unknown = client.post(path, json={"employer_slug": "nobody", "comment": "x"})
    assert unknown.status_code == 404
    public = httpx.get(f"{api.base_url}/issuers/college-a/programs/endorsed")
    [endorsement] = public.json()["endorsement"]
    assert endorsement["credentialSubject"]["endorsementComment"] == "Job-ready."
    assert endorsement["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_did_document_is_cacheable(api: Api) -> None:
    response = httpx.get(f"{api.base_url}/issuers/college-a/did.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/did+json"
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert response.json()["id"] == "did:web:localhost%3A8000:issuers:college-a"
    etag = response.headers["etag"]
    again = httpx.get(f"{api.base_url}/issuers/college-a/did.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    jwks = httpx.get(f"{api.base_url}/issuers/college-a/jwks.json")
    assert jwks.headers["content-type"] == "application/jwk-set+json"
    assert jwks.json()["keys"][0]["kid"].startswith(response.json()["id"] + "#")
    assert httpx.get(f"{api.base_url}/issuers/nobody/did.json").status_code == 404


def test_rotation_over_the_api_keeps_the_old_key_published(api: Api) -> None:
    response = api.admin().post("/api/v1/institutions", json=institution("college-r"))
    did = response.json()["did"]
    key = new_key(api, "college-r", ["manage_keys"])
    rotated = api.client(key).post("/api/v1/institutions/college-r/keys/rotate")
    assert rotated.status_code == 201 and rotated.json()["id"] == f"{did}#key-2"
    document = httpx.get(f"{api.base_url}/issuers/college-r/did.json").json()
    assert document["assertionMethod"] == [f"{did}#key-1", f"{did}#key-2"]
    revoked = api.client(key).post(
        "/api/v1/institutions/college-r/keys/revoke",
        json={"key_id": f"{did}#key-1", "compromised_since": "2025-01-01T00:00:00Z"},
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["credentials_signed_since_compromise"] == 0
    assert revoked.json()["key"]["status"] == "revoked"


def test_profile_is_json_or_a_page(api: Api) -> None:
    as_json = httpx.get(f"{api.base_url}/issuers/college-b", headers={"Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/ld+json"
    profile = as_json.json()
    assert profile["type"] == ["Profile"] and profile["name"] == "College college-b"
    page = httpx.get(f"{api.base_url}/issuers/college-b?lang=fr", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "Collège college-b" in page.text and "Programmes" in page.text
    assert "Soudage de base" in page.text and "Welding Basics" not in page.text


def test_extension_context_is_served_byte_exact(api: Api) -> None:
    response = httpx.get(f"{api.base_url}/contexts/learner-passport/v1.jsonld")
    assert response.content == bundled_bytes(CONTEXT_FILES[LEARNER_PASSPORT_V1].filename)
    assert response.headers["content-type"] == "application/ld+json"


def test_api_key_plaintext_never_reaches_logs_or_database(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        key = new_key(api, "college-a", ["issue"])
        api.client(key).get("/api/v1/institutions/college-a/programs")
        api.client(key + "x").get("/api/v1/institutions/college-a/programs")
    secret = key.split(".", 1)[1]
    assert secret not in caplog.text
    engine = create_database_engine(api.database_url)
    with engine.connect() as connection:
        tables = connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        dump = "\n".join(
            repr(row)
            for (table,) in list(tables)
            for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        )
    engine.dispose()
    assert secret not in dump


def test_full_flow_on_every_backend(database_url: str) -> None:  # noqa: F811
    settings = settings_for(database_url)
    engine = create_database_engine(database_url)
    migrate_to_head(engine)
    engine.dispose()
    with serving(create_app(settings)) as base_url:
        api = Api(base_url, database_url, {})
        for slug in ("college-a", "college-b"):
            assert (
                api.admin().post("/api/v1/institutions", json=institution(slug)).status_code == 201
            )
            api.keys[slug] = new_key(api, slug, ["manage_programs"])
        own = api.client(api.keys["college-a"])
        assert own.post("/api/v1/institutions/college-a/programs", json=PROGRAM).status_code == 201
        other = api.client(api.keys["college-b"])
        assert other.get("/api/v1/institutions/college-a/programs").status_code == 403
        assert other.get("/api/v1/institutions/college-a/programs/welding").status_code == 403
