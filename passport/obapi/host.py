"""The resource server's services (OB 3.0 section 6.2): credentials, profile, discovery.

Every function takes the learner that the access token belongs to: a client sees and changes
only that learner's passport.

``upsert_credential`` follows the operation's rule (OpenAPI ``upsertCredential``): a credential
equal to one already in the passport replaces it (200), any other is added (201). Equality
is OB 3.0's "credential equality": the same credential ``id`` from the same ``issuer``. A
credential without an ``id`` is equal only to the same bytes. Either way it goes through the
verifier pipeline first, exactly like an import (``passport.wallet.holdings``).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from credentials import InvalidInput, Verdict, summarize
from infra import N_
from passport.obapi.scopes import ServiceFamily
from passport.obapi.tables import LearnerProfile
from passport.wallet import holdings
from passport.wallet.display import credential_text, display_of
from passport.wallet.tables import CredentialFormat, Learner, StoredCredential
from verifier import claimed_document, read_input

OPENAPI_FILE = Path(__file__).resolve().parent / "data" / "imsob_v3p0_openapi.json"
OB_KIND = "ob"
SOURCE = "ob-api"


@dataclass(frozen=True)
class CredentialsPage:
    """One page of ``GET /credentials``: JSON credentials, compact JWS strings, and the total."""

    documents: list[dict[str, Any]]
    compact_jws: list[str]
    total: int

    def body(self) -> dict[str, Any]:
        # Property names of the OpenAPI's GetOpenBadgeCredentialsResponse.
        return {"credential": self.documents, "compactJwsString": self.compact_jws}


def credentials_page(
    session: Session, learner_id: str, *, limit: int, offset: int, since: datetime | None
) -> CredentialsPage:
    """The learner's Open Badges credentials, oldest first, from ``offset``."""
    where: list[Any] = [
        StoredCredential.learner_id == learner_id,
        StoredCredential.kind == OB_KIND,
    ]
    if since is not None:
        where.append(col(StoredCredential.added_at) >= since)
    total = session.exec(select(func.count()).select_from(StoredCredential).where(*where)).one()
    rows = session.exec(
        select(StoredCredential)
        .where(*where)
        .order_by(col(StoredCredential.added_at), col(StoredCredential.id))
        .offset(offset)
        .limit(limit)
    ).all()
    documents: list[dict[str, Any]] = []
    tokens: list[str] = []
    for stored in rows:
        text = credential_text(stored)
        if text.startswith("{"):
            documents.append(_proof_as_array(json.loads(text)))
        else:
            tokens.append(text)
    return CredentialsPage(documents, tokens, total)


def _proof_as_array(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI's ``AchievementCredential.proof`` is an array. One proof object and an array
    of it are the same proof set (VC Data Model 2.0 section 4.12; Data Integrity 1.0 section
    2.1), and a proof is never part of what it signs, so every proof still verifies."""
    proof = document.get("proof")
    return document if proof is None or isinstance(proof, list) else {**document, "proof": [proof]}


def upsert_credential(
    session: Session, learner: Learner, data: bytes, verify: holdings.Verify, now: datetime
) -> bool:
    """Verify and store ``data``; True when it was added (201), False when it replaced (200)."""
    item = read_input(data)
    if item.baked is not None:
        raise InvalidInput(N_("send the credential as JSON or as a compact JWS"))
    summary = summarize(claimed_document(item))
    if summary.kind != OB_KIND:
        raise InvalidInput(N_("this API takes Open Badges credentials only"))
    existing = _equal_credential(session, learner.id, data, summary.id, summary.issuer_id)
    if existing is None:
        holdings.add_credential(session, learner, data, verify, source=SOURCE, now=now)
        return True
    report = verify(item)
    if report.verdict is Verdict.NOT_VERIFIED:
        raise holdings.CredentialRefused(
            N_("the credential did not verify; it was not added"), report
        )
    existing.content = data
    existing.content_sha256 = hashlib.sha256(data).hexdigest()
    existing.format = (CredentialFormat.JSON if item.kind == "json" else CredentialFormat.JWS).value
    existing.display = display_of(claimed_document(item))
    existing.added_at = now  # so that ``since`` finds the new version
    session.add(existing)
    session.flush()
    return False


def _equal_credential(
    session: Session,
    learner_id: str,
    data: bytes,
    credential_id: str | None,
    issuer_id: str | None,
) -> StoredCredential | None:
    mine = StoredCredential.learner_id == learner_id
    if credential_id is None:
        sha256 = hashlib.sha256(data).hexdigest()
        return session.exec(
            select(StoredCredential).where(mine, StoredCredential.content_sha256 == sha256)
        ).first()
    return session.exec(
        select(StoredCredential).where(
            mine,
            StoredCredential.credential_id == credential_id[:512],
            StoredCredential.issuer_id == (issuer_id[:512] if issuer_id else None),
        )
    ).first()


def get_profile(session: Session, learner: Learner) -> dict[str, Any]:
    """The learner's profile: the last one put, or the passport's own (their DID and email)."""
    stored = session.get(LearnerProfile, learner.id)
    if stored is not None:
        return stored.document
    return {"id": learner.did, "type": ["Profile"], "email": learner.email}


def put_profile(session: Session, learner: Learner, document: Any, now: datetime) -> dict[str, Any]:
    """Replace the profile; its ``id`` stays the learner's DID (a client cannot re-identify)."""
    if not isinstance(document, dict):
        raise InvalidInput(N_("the profile must be a JSON object"))
    types = document.get("type")
    if not (types == "Profile" or (isinstance(types, list) and "Profile" in types)):
        raise InvalidInput(N_("the profile's type must include Profile"))
    if document.get("id") != learner.did:
        raise InvalidInput(N_("the profile's id must be the learner's DID"))
    stored = session.get(LearnerProfile, learner.id)
    if stored is None:
        stored = LearnerProfile(learner_id=learner.id, document=document, updated_at=now)
    stored.document = document
    stored.updated_at = now
    session.add(stored)
    session.flush()
    return document


@cache
def _openapi() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    return document


@dataclass(frozen=True)
class HostDescription:
    """What the Service Description Document says about this deployment (OB 3.0 section 7.1.1)."""

    title: str
    base_url: str
    terms_url: str
    privacy_url: str
    registration_url: str
    authorization_url: str
    token_url: str


def service_description(family: ServiceFamily, host: HostDescription) -> dict[str, Any]:
    """The 1EdTech OpenAPI file profiled for this deployment: its servers, info and OAuth URLs."""
    document = copy.deepcopy(_openapi())
    document["servers"] = [{"url": f"{host.base_url}{family.prefix}"}]
    info = document["info"]
    info["title"] = host.title
    info["termsOfService"] = host.terms_url
    info["x-imssf-privacyPolicyUrl"] = host.privacy_url
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    scheme["x-imssf-registrationUrl"] = host.registration_url
    flow = scheme["flows"]["authorizationCode"]
    flow["authorizationUrl"] = host.authorization_url
    flow["tokenUrl"] = host.token_url
    flow["refreshUrl"] = host.token_url
    return document
