"""Issue #4 "Bad input": each attack gets a clear failed check or a 4xx with a reason, nothing is
fetched that the fetch rules forbid, and the server stays up. Loopback servers record every
request they receive, so "nothing was fetched" is asserted, not assumed. The forgeries (alg none,
HMAC, context substitution...) are in tests/attacks/test_forgery.py."""

from __future__ import annotations

import gzip
import json
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from credentials.keys import Ed25519Signer
from credentials.multibase import encode_multibase
from credentials.proofs.registry import secure
from credentials.proofs.vc_jose import sign_vc_jwt
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from tests.keys.loopback import serving
from tests.verifier.conftest import Serve
from tests.verifier.support import (
    NOW,
    Documents,
    Issuer,
    document_server,
    loopback_settings,
    settings_for,
)
from tests.verifier.test_api import API, JSON_HEADERS, checks_by_id, post_json
from verifier.registry import CompositeRegistry
from verifier.service import VerifierService


def post_token(client: httpx.Client, token: str) -> dict[str, Any]:
    answer = client.post(API, content=token, headers={"Content-Type": "application/vc+jwt"})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def assert_still_up(client: httpx.Client) -> None:
    assert client.get("/healthz").status_code == 200


def test_attack_json_bomb_deep_nesting(serve: Serve, database: str) -> None:
    bomb = b"[" * 100_000 + b"]" * 100_000
    with serve(settings_for(database)) as client:
        answer = client.post(API, content=b'{"a": ' + bomb + b"}", headers=JSON_HEADERS)
        assert answer.status_code == 413
        assert "nested deeper" in answer.json()["detail"]
        assert_still_up(client)


def test_attack_json_bomb_huge_array(serve: Serve, database: str) -> None:
    issuer = Issuer()
    document = issuer.credential()
    document["credentialSubject"]["achievement"]["alignment"] = [{}] * 200_000
    signed_by_the_attacker = issuer.sign(
        issuer.credential() | {"evidence": [{}] * 100_000}, "vc+jwt"
    )
    started = time.monotonic()
    with serve(settings_for(database)) as client:
        as_json = post_json(client, document)
        as_token = client.post(
            API, content=signed_by_the_attacker, headers={"Content-Type": "application/vc+jwt"}
        )
        assert_still_up(client)
    assert time.monotonic() - started < 10
    for answer in (as_json, as_token):
        assert answer.status_code == 413
        assert "an array of" in answer.json()["detail"]


def test_attack_kid_pointing_at_an_attackers_url(serve: Serve, database: str) -> None:
    issuer, documents = Issuer(), Documents()
    with document_server(documents) as (attacker, base):
        documents.put("/keys/1", {"id": f"{base}/keys/1"})
        token = sign_vc_jwt(issuer.credential(), Ed25519Signer(issuer.key, f"{base}/keys/1#key"))
        with serve(settings_for(database)) as client:
            body = post_token(client, token)
            assert_still_up(client)
    assert attacker.seen_headers == []
    proof = checks_by_id(body)["proof"]
    assert body["verified"] is False
    # The key cannot be the issuer's (a did:key), so it is refused before any fetch (issue #12).
    assert proof["outcome"] == "failed"
    assert "cannot belong to the issuer" in proof["message"]
    assert checks_by_id(body)["issuer_key"]["outcome"] == "failed"


def did_web_signed(issuer: Issuer, did: str) -> dict[str, Any]:
    document = issuer.credential()
    document["issuer"]["id"] = did
    signer = Ed25519Signer(issuer.key, f"{did}#key")
    signed = secure(document, signer, "eddsa-jcs-2022", now=NOW)
    assert isinstance(signed, dict)
    return signed


def test_attack_did_web_pointing_at_loopback(serve: Serve, database: str) -> None:
    issuer, documents = Issuer(), Documents()
    with document_server(documents) as (server, _base):
        did = f"did:web:localhost%3A{server.port}"
        documents.put("/.well-known/did.json", {"id": did})
        with serve(settings_for(database)) as client:
            body = post_json(client, did_web_signed(issuer, did)).json()
            assert_still_up(client)
    assert server.seen_headers == []
    proof = checks_by_id(body)["proof"]
    assert body["verified"] is False
    assert "loopback" in proof["message"] and "not allowed" in proof["message"]


def test_attack_did_web_pointing_at_the_metadata_address(serve: Serve, database: str) -> None:
    with serve(settings_for(database)) as client:
        body = post_json(client, did_web_signed(Issuer(), "did:web:169.254.169.254")).json()
    proof = checks_by_id(body)["proof"]
    assert body["verdict"] == "not_verified"
    assert proof["outcome"] == "failed" and "IP address" in proof["message"]


def broken_status_list(issuer: Issuer, url: str, encoded: str) -> Any:
    unsigned = json.loads(json.dumps(issuer.status_list(url)))
    del unsigned["proof"]
    unsigned["credentialSubject"]["encodedList"] = encoded
    return issuer.sign(unsigned)


@pytest.mark.parametrize(
    ("name", "encoded", "reason"),
    [
        ("not-gzip", encode_multibase(b"this is not gzip at all", "u"), "not valid GZIP"),
        (
            "too-short",
            encode_multibase(gzip.compress(b"\0" * 100, mtime=0), "u"),
            "STATUS_LIST_LENGTH",
        ),
        ("not-multibase", "AAAA", "MALFORMED_VALUE_ERROR"),
    ],
)
def test_attack_status_list_not_gzip_or_too_short(
    serve: Serve, database: str, name: str, encoded: str, reason: str
) -> None:
    issuer, documents = Issuer(), Documents()
    with document_server(documents) as (_server, base):
        url = f"{base}/status/{name}"
        documents.put(f"/status/{name}", broken_status_list(issuer, url, encoded))
        with serve(loopback_settings(database)) as client:
            body = post_json(client, issuer.sign(issuer.credential(url))).json()
    status = checks_by_id(body)["status"]
    assert body["verdict"] == "could_not_fully_check"
    assert status["outcome"] == "could_not_check" and reason in status["message"]


def test_attack_status_list_that_is_garbage_or_html(serve: Serve, database: str) -> None:
    issuer, documents = Issuer(), Documents()
    with document_server(documents) as (_server, base):
        documents.put("/garbage", b"\x00\xff not json", "application/json")
        documents.put("/html", b"<html>Login</html>", "text/html")
        with serve(loopback_settings(database)) as client:
            reports = [
                post_json(client, issuer.sign(issuer.credential(f"{base}{path}"))).json()
                for path in ("/garbage", "/html")
            ]
    for body in reports:
        assert checks_by_id(body)["status"]["outcome"] == "could_not_check"
    assert "text/html" in checks_by_id(reports[1])["status"]["message"]


def test_attack_slow_loris_status_list_times_out_fast() -> None:
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        while not handler.server.closing.is_set():  # type: ignore[attr-defined]
            handler.wfile.write(b"X-Drip: 1\r\n")
            handler.wfile.flush()
            time.sleep(0.2)

    issuer = Issuer()
    policy = FetchPolicy(
        allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_addresses=True, total_timeout=1.0
    )
    service = VerifierService(GuardedFetcher(policy), CompositeRegistry([]))
    with serving(drip) as server:
        signed = issuer.sign(issuer.credential(f"http://127.0.0.1:{server.port}/status"))
        started = time.monotonic()
        result = service.verify_bytes(json.dumps(signed).encode(), "en", now=NOW)
        elapsed = time.monotonic() - started
    status = {check.id: check for check in result.report.checks}["status"]
    assert elapsed < 3
    assert status.outcome.value == "could_not_check" and "timed out" in status.params["reason"]


def test_attack_hosted_credential_at_a_private_address(serve: Serve, database: str) -> None:
    documents = Documents()
    with document_server(documents) as (server, base), serve(settings_for(database)) as client:
        answer = post_json(client, {"url": f"{base}/credential"})
        metadata = post_json(client, {"url": "https://169.254.169.254/latest/meta-data/"})
    assert server.seen_headers == []
    assert answer.status_code == 400 and answer.json()["code"] == "fetch_refused"
    assert metadata.status_code == 400 and "link-local" in metadata.json()["detail"]


def test_attack_expired_credential_even_with_leeway(serve: Serve, database: str) -> None:
    issuer = Issuer()
    document = issuer.credential()
    document["validUntil"] = (NOW - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with serve(settings_for(database, verification_leeway_seconds=60)) as client:
        body = post_json(client, issuer.sign(document)).json()
    assert body["checks"][0]["id"] == "validity"
    assert body["checks"][0]["outcome"] == "failed"
