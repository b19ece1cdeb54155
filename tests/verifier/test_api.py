"""``POST /api/v1/verify`` over real HTTP: every input form, the report, limits and the OpenAPI.

The attacks of issue #4 ("Bad input") are in test_api_attacks.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.verifier.conftest import Serve
from tests.verifier.support import (
    COLLEGE_EN,
    COLLEGE_FR,
    REVOKED_INDEX,
    Documents,
    Issuer,
    document_server,
    loopback_settings,
    png_badge,
    registry_file,
    settings_for,
)
from verifier.api_models import VerifyResponse

API = "/api/v1/verify"
JSON_HEADERS = {"Content-Type": "application/json"}


def post_json(client: httpx.Client, document: Any, lang: str = "en") -> httpx.Response:
    return client.post(f"{API}?lang={lang}", content=json.dumps(document), headers=JSON_HEADERS)


def checks_by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["id"]: check for check in body["checks"]}


def test_recognized_issuer_with_live_status_list_is_verified_in_both_languages(
    serve: Serve, database: str, tmp_path: Path
) -> None:
    issuer, documents = Issuer(), Documents()
    with document_server(documents) as (_server, base):
        documents.put("/status/1", issuer.status_list(f"{base}/status/1"))
        signed = issuer.sign(issuer.credential(f"{base}/status/1"))
        registry = registry_file(tmp_path, {issuer.did: COLLEGE_EN}, operator := Issuer())
        settings = loopback_settings(
            database, registry_files=(registry,), trusted_registry_keys=(operator.did,)
        )
        with serve(settings) as client:
            english = post_json(client, signed).json()
            french = post_json(client, signed, "fr").json()
    assert english["verdict"] == "verified" and english["verified"] is True
    assert english["summary"] == "Verified" and french["summary"] == "Vérifié"
    assert english["issuer"]["name"] == COLLEGE_EN and french["issuer"]["name"] == COLLEGE_FR
    assert english["issuer"]["claimed_name"] == "Collège des Grands Lacs"
    status = checks_by_id(english)["status"]
    assert status["outcome"] == "passed" and "checked" in status["message"]
    assert (
        checks_by_id(french)["issuer_trust"]["message"]
        == f"{COLLEGE_FR} est un établissement reconnu."
    )
    VerifyResponse.model_validate(english)


def test_revoked_credential_is_not_verified_and_says_so_first(serve: Serve, database: str) -> None:
    issuer, documents = Issuer(), Documents()
    with document_server(documents) as (_server, base):
        documents.put("/status/1", issuer.status_list(f"{base}/status/1"))
        signed = issuer.sign(issuer.credential(f"{base}/status/1", REVOKED_INDEX))
        with serve(loopback_settings(database)) as client:
            body = post_json(client, signed).json()
    assert body["verdict"] == "not_verified"
    first = body["checks"][0]
    assert (first["id"], first["outcome"]) == ("status", "failed")
    assert "revoked" in first["message"] and first["next_step"]


def test_unreachable_status_list_is_could_not_check_never_not_revoked(
    serve: Serve, database: str
) -> None:
    issuer, documents = Issuer(), Documents()
    with document_server(documents) as (_server, base):
        signed = issuer.sign(issuer.credential(f"{base}/status/missing"))
        with serve(loopback_settings(database)) as client:
            body = post_json(client, signed).json()
    status = checks_by_id(body)["status"]
    assert body["verdict"] == "could_not_fully_check" and body["verified"] is False
    assert status["outcome"] == "could_not_check"
    assert "404" in status["message"] and "not revoked" not in status["meaning"]


def test_vc_jwt_body_and_a_baked_png_upload(serve: Serve, database: str) -> None:
    issuer = Issuer()
    token = issuer.sign(issuer.credential(), "vc+jwt")
    with serve(settings_for(database)) as client:
        for content_type in ("application/vc+jwt", "application/jwt"):
            answer = client.post(API, content=token, headers={"Content-Type": content_type})
            assert answer.json()["verdict"] == "verified_with_warnings"
        upload = {"file": ("badge.png", png_badge(token), "image/png")}
        body = client.post(API, files=upload).json()
    assert body["verdict"] == "verified_with_warnings"
    assert checks_by_id(body)["issuer_trust"]["outcome"] == "warning"
    assert body["credential"]["achievement"] == "Robotic Welding: Programming and Safety"


def test_hosted_credential_url_is_fetched_through_the_guarded_fetcher(
    serve: Serve, database: str
) -> None:
    issuer, documents = Issuer(), Documents()
    documents.put("/credentials/1", issuer.sign(issuer.credential()))
    with document_server(documents) as (server, base), serve(loopback_settings(database)) as client:
        body = post_json(client, {"url": f"{base}/credentials/1"}).json()
    assert body["verdict"] == "verified_with_warnings"
    assert server.seen_headers[0]["User-Agent"].startswith("LearnerPassport")


def test_not_a_credential_is_400_with_a_reason(serve: Serve, database: str) -> None:
    with serve(settings_for(database)) as client:
        answer = client.post(API, content=b"hello", headers=JSON_HEADERS)
        unsupported = client.post(API, content=b"x", headers={"Content-Type": "text/html"})
        empty_upload = client.post(API, files={"other": ("a.txt", b"x")})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert "not a credential" in answer.json()["detail"]
    assert unsupported.status_code == 415 and "text/html" in unsupported.json()["detail"]
    assert empty_upload.status_code == 400 and "'file'" in empty_upload.json()["detail"]


def test_size_limits_are_413_problems(serve: Serve, database: str) -> None:
    over_document = b'{"a": "' + b"x" * (1024 * 1024) + b'"}'
    over_upload = b"\x89PNG\r\n\x1a\n" + b"\0" * (9 * 1024 * 1024)
    with serve(settings_for(database)) as client:
        document = client.post(API, content=over_document, headers=JSON_HEADERS)
        upload = client.post(API, files={"file": ("big.png", over_upload, "image/png")})
        elsewhere = client.post("/healthz", content=b"x" * (2 * 1024 * 1024))
        alive = client.get("/healthz")
    for answer in (document, upload, elsewhere):
        assert answer.status_code == 413
        assert answer.json()["code"] == "input_too_large"
    assert alive.status_code == 200


def test_openapi_documents_the_endpoint_its_inputs_and_its_response(
    serve: Serve, database: str
) -> None:
    with serve(settings_for(database)) as client:
        schema = client.get("/openapi.json").json()
    operation = schema["paths"][API]["post"]
    content = operation["requestBody"]["content"]
    assert {
        "application/json",
        "application/vc+jwt",
        "application/jwt",
        "multipart/form-data",
    } <= set(content)
    success = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert success == {"$ref": "#/components/schemas/VerifyResponse"}
    assert {"400", "413", "415"} <= set(operation["responses"])
    properties = schema["components"]["schemas"]["CheckOut"]["properties"]
    assert {"id", "outcome", "message", "meaning", "next_step"} <= set(properties)
