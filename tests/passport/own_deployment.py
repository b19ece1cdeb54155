"""A deployment verifying its own credentials, under the DEFAULT fetch rules (https only,
loopback and private addresses refused), served on loopback as ``http://localhost:<port>``.

Its did:web documents and status lists are at URLs its own fetcher refuses, so only the
deployment's own resolver (``passport.own_documents``) can read them: whatever verifies here was
read from the database, never fetched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
from fastapi import FastAPI
from sqlmodel import Session

from issuers.api_models import InstitutionCreate, ProgramCreate
from issuers.audit.log import AuditAction
from issuers.awards.service import AwardRequest, Learner, issue_award, issuing_context
from issuers.awards.status_changes import change_status
from issuers.awards.tables import Award
from issuers.identity import signer_for_institution
from issuers.institutions import create_institution, get_institution
from issuers.programs.achievements import achievement_for
from issuers.programs.service import create_program, get_program
from keys.crypto_envelope import MasterKey
from passport.app import create_app
from passport.database import upgrade_database
from tests.passport.wallet.support import TEST_MASTER_KEY
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at
from tests.storage import sqlite_url
from tests.verifier.support import settings_for

NAMES = {"college-web": "Collège Web", "college-key": "Collège Clé"}


@dataclass
class OwnDeployment:
    app: FastAPI
    base_url: str

    @property
    def master(self) -> MasterKey:
        master: MasterKey = self.app.state.master_key_source.get()
        return master

    def session(self) -> Session:
        return Session(self.app.state.engine, expire_on_commit=False)

    def add_institution(self, slug: str, method: Literal["did:web", "did:key"]) -> str:
        """An institution with one program (``welding``); returns its DID."""
        now = datetime.now(UTC)
        data = InstitutionCreate(
            slug=slug,
            legal_name_en=f"{NAMES[slug]} (EN)",
            legal_name_fr=f"{NAMES[slug]} (FR)",
            kind="college",
            website="https://college.example.ca",
            contact_email="registrar@college.example.ca",
            did_method=method,
        )
        with self.session() as session:
            institution = create_institution(session, self.master, now, self.base_url, data)
            program = ProgramCreate(
                slug="welding", name_en="Welding Basics", hours=40, delivery_mode="in_person"
            )
            create_program(session, institution, program, now)
            session.commit()
            return institution.did

    def issue(self, slug: str, email: str = "amelie@example.ca") -> Award:
        """An award of ``slug``'s welding program, signed with its active key."""
        now = datetime.now(UTC)
        with self.session() as session:
            institution = get_institution(session, slug)
            program = get_program(session, institution, "welding")
            signer = signer_for_institution(session, self.master, now, institution)
            achievement = achievement_for(self.base_url, institution, program)
            context = issuing_context(self.base_url, institution, program, achievement, signer)
            request = AwardRequest(Learner("Amélie Côté", email))
            award = issue_award(session, context, request, now)
            session.commit()
            return award

    def revoke(self, award: Award) -> None:
        with self.session() as session:
            stored = session.get(Award, award.id)
            assert stored is not None
            change_status(
                session,
                stored,
                AuditAction.REVOKE,
                actor="registrar",
                reason="issued in error",
                now=datetime.now(UTC),
            )
            session.commit()


def api_verify(deployment: OwnDeployment, credential: str) -> dict[str, Any]:
    """``POST /api/v1/verify`` of a JSON credential or a compact JWS."""
    response = httpx.post(
        f"{deployment.base_url}/api/v1/verify",
        content=credential.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {check["id"]: check["outcome"] for check in report["checks"]}


@contextmanager
def own_deployment(tmp_path: Path, **overrides: object) -> Iterator[OwnDeployment]:
    """The app served at ``http://localhost:<port>`` with the default fetch rules (unless
    ``overrides`` change them: a learner's passport claims offers over HTTP), on SQLite in
    ``tmp_path`` unless ``overrides`` name a ``database_url``."""
    port = free_port()
    base_url = f"http://localhost:{port}"
    database = str(overrides.pop("database_url", None) or sqlite_url(tmp_path))
    settings = settings_for(database, base_url=base_url, master_key=TEST_MASTER_KEY, **overrides)
    assert overrides or not (
        settings.fetch_allow_private_addresses or settings.fetch_allow_http_hosts
    )
    upgrade_database(settings)
    app = create_app(settings)
    try:
        with serving_at(app, port):
            yield OwnDeployment(app, base_url)
    finally:
        app.state.engine.dispose()
