"""Issuers, credentials, status lists and loopback servers for the verifier tests.

Every credential here is signed for real by a fresh did:key issuer; status lists are real
Bitstring Status List credentials signed by the same issuer and served by a loopback HTTP server
the test starts. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from bench.sample import sample_credential
from credentials.baking import bake
from credentials.keys import AUTHENTICATION, Ed25519Signer
from credentials.models.builders import build_presentation
from credentials.multikey import did_key_for, did_key_verification_method
from credentials.proofs.base import ProofOptions
from credentials.proofs.eddsa_rdfc_2022 import SUITE as RDFC
from credentials.proofs.registry import secure
from credentials.status_list import Bitstring, encode_list, new_status_list_credential
from passport.settings import Mode, Settings
from tests.keys.loopback import LoopbackServer, serving
from verifier import outcome_cache, service
from verifier.pipeline import verify_input
from verifier.registry import new_registry, sign_registry

NOW = datetime.now(UTC).replace(microsecond=0)
REVOKED_INDEX = 7
ACTIVE_INDEX = 8
COLLEGE_EN = "Great Lakes College of Applied Arts and Technology"
COLLEGE_FR = "Collège d'arts appliqués et de technologie des Grands Lacs"


@dataclass
class Issuer:
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def did(self) -> str:
        return did_key_for(self.key.public_key())

    @property
    def signer(self) -> Ed25519Signer:
        return Ed25519Signer(self.key, did_key_verification_method(self.did))

    def credential(
        self, status_url: str | None = None, index: int = ACTIVE_INDEX
    ) -> dict[str, Any]:
        """The 2.5 KB Ontario sample credential, unsigned, with or without a status entry."""
        document = sample_credential(self.did)
        document["validFrom"] = (NOW - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
        del document["credentialStatus"]
        if status_url is not None:
            document["credentialStatus"] = {
                "id": f"{status_url}#{index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": str(index),
                "statusListCredential": status_url,
            }
        return document

    def sign(self, document: dict[str, Any], mechanism: str = "eddsa-jcs-2022") -> Any:
        return secure(document, self.signer, mechanism, now=NOW)

    def present(
        self, credentials: list[Any], challenge: str, domain: str, *, now: datetime = NOW
    ) -> dict[str, Any]:
        """A presentation of ``credentials`` with this identity as holder, signed for
        ``authentication`` with the verifier's challenge and domain (VC DI 1.0 section 4.4)."""
        options = ProofOptions(
            created=now, proof_purpose=AUTHENTICATION, challenge=challenge, domain=domain
        )
        return RDFC.add_proof(build_presentation(credentials, self.did), self.signer, options)

    def status_list(
        self, url: str, revoked: tuple[int, ...] = (REVOKED_INDEX,), purpose: str = "revocation"
    ) -> Any:
        bits = Bitstring()
        for index in revoked:
            bits.set(index)
        unsigned = new_status_list_credential(
            url, self.did, purpose, encode_list(bits), valid_from=NOW - timedelta(days=1)
        )
        return self.sign(unsigned)


def registry_file(directory: Path, issuers: Mapping[str, str], signer: Issuer) -> Path:
    """A signed registry file listing each issuer DID as an active Ontario college."""
    entries = [
        {
            "id": did,
            "legalName": {"en": name, "fr": COLLEGE_FR if name == COLLEGE_EN else name},
            "institutionType": "college",
            "jurisdiction": "CA-ON",
            "status": "active",
        }
        for did, name in issuers.items()
    ]
    path = directory / "registry.json"
    signed = sign_registry(new_registry("Test registry", entries), signer.signer)
    path.write_text(json.dumps(signed), encoding="utf-8")
    return path


def settings_for(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "mode": Mode.DEVELOPMENT,
        "master_key": None,
        "base_url": "http://127.0.0.1:8000",
        "max_request_bytes": 1024 * 1024,
        "default_language": "en",
    }
    return Settings.model_validate(values | overrides)


def loopback_settings(database_url: str, **overrides: object) -> Settings:
    """Settings that let the fetcher reach servers the test runs on 127.0.0.1 (tests only)."""
    allowed: dict[str, object] = {
        "fetch_allow_http_hosts": ("127.0.0.1",),
        "fetch_allow_private_addresses": True,
    }
    return settings_for(database_url, **(allowed | overrides))


class Documents:
    """What a loopback server serves: path -> (content type, body); unknown paths are 404."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}

    def put(self, path: str, body: Any, content_type: str | None = None) -> None:
        if isinstance(body, str):
            self.routes[path] = (content_type or "application/vc+jwt", body.encode("ascii"))
        elif isinstance(body, bytes):
            self.routes[path] = (content_type or "application/octet-stream", body)
        else:
            encoded = json.dumps(body).encode("utf-8")
            self.routes[path] = (content_type or "application/vc+ld+json", encoded)

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        found = self.routes.get(handler.path)
        if found is None:
            handler.send_error(404)
            return
        content_type, body = found
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@contextmanager
def document_server(documents: Documents) -> Iterator[tuple[LoopbackServer, str]]:
    """Serve ``documents`` on 127.0.0.1; yields the server and its base URL."""
    with serving(documents.respond) as server:
        yield server, f"http://127.0.0.1:{server.port}"


def png_badge(credential: str) -> bytes:
    canvas = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 92, 173)).save(canvas, format="PNG")
    return bake(canvas.getvalue(), credential)


class VerificationCounter:
    """Counts the verifications run (answers kept by the outcome cache run none)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return verify_input(*args, **kwargs)


def count_verifications(monkeypatch: pytest.MonkeyPatch) -> VerificationCounter:
    """A spy on the pipeline wherever the outcome cache and the verifier service call it."""
    counter = VerificationCounter()
    monkeypatch.setattr(outcome_cache, "verify_input", counter)
    monkeypatch.setattr(service, "verify_input", counter)
    return counter
