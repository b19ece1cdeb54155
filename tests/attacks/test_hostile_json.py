"""Issue #13, "No input makes a 500": JSON that Python's parser accepts or crashes on, but that
is not a document we can handle: an integer of more than 4,300 digits (``int()`` raises
``ValueError``), a number that only fits as infinity, a lone surrogate (cannot be written back
as UTF-8), the ``NaN``/``Infinity`` tokens, duplicate member names, and a byte order mark.

Each is refused with a reason by ``credentials.jsonio.parse_json`` and therefore by every surface
that reads untrusted JSON: the verify API and page, passport import, claim links, presentation
responses, a fetched DID document (a "could not check", never a crash) and the CLI (exit 2).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from typer.testing import CliRunner

from credentials.errors import InvalidInput, ResolutionUnavailable
from credentials.jsonio import parse_json
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from keys.did_web import DidWebResolver
from passport.app import create_app
from passport.cli import app as cli_app
from passport.settings import Settings
from tests.keys.loopback import PUBLIC_ADDRESS, FakeDns, Recorder
from tests.passport.wallet.support import Learner, served, signed_credential, wallet_settings
from tests.storage import sqlite_url
from tests.verifier.support import Issuer

_GENUINE = json.dumps(signed_credential(Issuer()))[1:]  # an opening brace goes before it
HOSTILE: dict[str, tuple[bytes, str]] = {
    "huge integer": (b'{"n": ' + b"9" * 5000 + b", " + _GENUINE.encode(), "4300 digits"),
    "huge exponent": (b'{"n": 1e999999, ' + _GENUINE.encode(), "too large to represent"),
    "lone surrogate": (b'{"nickname": "\\ud800", ' + _GENUINE.encode(), "lone surrogate"),
    "NaN token": (b'{"n": NaN, ' + _GENUINE.encode(), "does not allow NaN"),
    "Infinity token": (b'{"n": -Infinity, ' + _GENUINE.encode(), "does not allow -Infinity"),
    "duplicate keys": (b'{"id": "urn:x:1", ' + _GENUINE.encode(), "duplicate key 'id'"),
    "byte order mark": (b"\xef\xbb\xbf{" + _GENUINE.encode(), "byte order mark"),
}
CASES = sorted(HOSTILE)
DID = "did:web:college.example"
ADMIN_TOKEN = secrets.token_urlsafe(32)
PATH_PARAMETER = re.compile(r"\{\w+\}")
_SCHEMA_APP = create_app(Settings(database_url="sqlite://"))
OPENAPI_DOCUMENT = _SCHEMA_APP.openapi()
_SCHEMA_APP.state.engine.dispose()


@pytest.fixture(scope="module")
def wallet_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("hostile")
    settings = wallet_settings(sqlite_url(directory), admin_token=ADMIN_TOKEN)
    with served(settings) as (_, url):
        yield url


@pytest.fixture
def learner(wallet_url: str) -> Iterator[Learner]:
    signed_up = Learner(wallet_url)
    yield signed_up
    signed_up.close()


@pytest.mark.parametrize("case", CASES)
def test_attack_the_one_parser_refuses_hostile_json_with_a_reason(case: str) -> None:
    body, reason = HOSTILE[case]
    with pytest.raises(InvalidInput, match=reason):
        parse_json(body)


def test_attack_a_lone_surrogate_in_text_already_decoded_is_refused() -> None:
    with pytest.raises(InvalidInput, match="lone surrogate"):
        parse_json('{"name": "\ud800"}')


def test_a_surrogate_pair_escape_is_an_ordinary_character() -> None:
    assert parse_json(b'{"name": "\\ud83c\\udf93"}') == {"name": "\N{GRADUATION CAP}"}


@pytest.mark.parametrize("case", CASES)
def test_attack_verify_api_and_page_answer_400_with_the_reason(wallet_url: str, case: str) -> None:
    body, reason = HOSTILE[case]
    with httpx.Client(base_url=wallet_url, timeout=30) as client:
        api = client.post(
            "/api/v1/verify", content=body, headers={"Content-Type": "application/json"}
        )
        page = client.post("/verify", files={"file": ("credential.json", body)})
    assert api.status_code == 400, api.text
    assert api.json()["code"] == "invalid_input"
    assert reason in api.json()["detail"]
    assert page.status_code == 400, page.text


@pytest.mark.parametrize("case", CASES)
def test_attack_passport_import_refuses_with_the_reason(learner: Learner, case: str) -> None:
    response = learner.import_bytes(HOSTILE[case][0])
    assert response.status_code == 400, response.text
    assert "timeline-entry" not in learner.get("/passport").text


@pytest.mark.parametrize("case", CASES)
def test_attack_claim_link_with_hostile_offer_is_refused(learner: Learner, case: str) -> None:
    offer = HOSTILE[case][0].decode("utf-8")
    link = f"openid-credential-offer://?credential_offer={quote(offer)}"
    response = learner.post("/passport/claim", {"offer": link}, csrf_from="/passport/claim")
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("case", CASES)
def test_attack_presentation_response_is_refused(wallet_url: str, case: str) -> None:
    with httpx.Client(base_url=wallet_url, timeout=30) as client:
        response = client.post(
            "/presentation-requests/unknown/response",
            data={"vp_token": HOSTILE[case][0].decode("utf-8")},
        )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_input"


@pytest.mark.parametrize("case", CASES)
def test_attack_hostile_fetched_did_document_could_not_be_checked(case: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        body = HOSTILE[case][0].replace(b'"urn:x:1"', json.dumps(DID).encode())
        return httpx.Response(200, content=body, headers={"Content-Type": "application/did+json"})

    recorder = Recorder(answer)
    fetcher = GuardedFetcher(
        FetchPolicy(),
        transport=recorder.transport,
        resolver=FakeDns({"college.example": [PUBLIC_ADDRESS]}),
    )
    with pytest.raises(ResolutionUnavailable, match="unreadable"):
        DidWebResolver(fetcher).resolve(f"{DID}#key-1")


@pytest.mark.parametrize("case", CASES)
def test_attack_cli_verify_exits_2_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    body, reason = HOSTILE[case]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hostile.json").write_bytes(body)
    result = CliRunner().invoke(cli_app, ["verify", "hostile.json"])
    assert result.exit_code == 2, result.output
    assert reason in result.output
    assert "Traceback" not in result.output


def _json_operations() -> list[str]:
    """Every operation of ``/openapi.json`` that takes a JSON body, as ``METHOD /path``."""
    found = []
    for path, operations in OPENAPI_DOCUMENT["paths"].items():
        for method, operation in operations.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                found.append(f"{method.upper()} {PATH_PARAMETER.sub('x', path)}")
    return sorted(found)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("operation", _json_operations())
def test_attack_every_json_operation_refuses_hostile_json_before_its_route_runs(
    wallet_url: str, operation: str, case: str
) -> None:
    """The API fuzzing's hostile bodies, to every JSON operation of ``/openapi.json`` (with and
    without the admin token): a 400 with the parser's reason, never a 5xx."""
    method, path = operation.split(" ", 1)
    body, reason = HOSTILE[case]
    with httpx.Client(base_url=wallet_url, timeout=30) as client:
        for headers in ({}, {"Authorization": f"Bearer {ADMIN_TOKEN}"}):
            response = client.request(
                method,
                path,
                content=body,
                headers={"Content-Type": "application/json", **headers},
            )
            assert response.status_code == 400, f"{operation} -> {response.status_code}"
            assert reason in response.json()["detail"]
