"""``DeploymentDocuments``: THE resolver for this deployment's own documents (``verifier.own``).

Every surface that verifies (``POST /api/v1/verify``, the ``/verify`` page, the passport's import
and share pages, presentation responses, ``passport verify`` with a database) reads what the
deployment published itself from its database, never over its public URL:

- DID documents and key records: a key whose DID is one of ours (any DID any institution,
  employer or learner has had, did:key ones included) is the stored key, with its compromise
  date from our records; a did:web DID on one of our hosts that we never issued is "no such key"
  without a fetch;
- status lists: ``<base>/status/<id>`` under any base URL the deployment has used
  (``DeploymentBaseUrl``, recorded at each start, plus the current one), signed from the
  current bits, so a revocation shows at once;
- institutions: every DID an institution has had names it in the trust registry, with its
  legal names from our records;
- issuance records: whether a credential signed with a key later reported compromised is one we
  issued and recorded before the compromise (our records are the truth for our institutions).

Contexts need nothing here: every context the verifier accepts is bundled.

>>> from sqlmodel import create_engine
>>> DeploymentDocuments(create_engine("sqlite://"), lambda: None, "https://passport.example")
DeploymentDocuments(base_url='https://passport.example')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, or_, select

from credentials.errors import KeyNotFound, ResolutionUnavailable
from credentials.keys import VerificationMethod
from credentials.multikey import DID_KEY_PREFIX
from issuers.award_tables import Award, StatusList
from issuers.identity import signer_for_institution
from issuers.status_lists import signed_status_list
from issuers.tables import Institution
from keys.crypto_envelope import MasterKey
from keys.documents import DID_WEB_PREFIX
from keys.store import stored_verification_method
from keys.tables import KeyStatus, SigningKey
from passport.database import DeploymentBaseUrl
from verifier.context import FetchedDocument
from verifier.registry import RegistryEntry, RegistryStatus

STATUS_PATH = "/status/"
INSTITUTION_OWNER_PREFIX = "issuer:"
# Our institution kinds -> the registry's (docs/verification.md, "The trust registry").
REGISTRY_KINDS = {"other_training_provider": "training_provider"}
JURISDICTION = "CA-ON"


def is_replaced(session: Session, credential_id: str) -> bool:
    """Whether ``credential_id`` is an award of ours re-issued after its key's compromise
    (``issuers.key_compromise``): its share links say so, and name no other copy."""
    statement = select(Award.replaced_by).where(Award.credential_id == credential_id)
    return session.exec(statement).first() is not None


def record_base_url(engine: Engine, base_url: str, now: datetime) -> None:
    """Remember that the deployment serves under ``base_url`` (once; later starts are no-ops)."""
    url = base_url.rstrip("/")
    with Session(engine) as session:
        if session.get(DeploymentBaseUrl, url) is not None:
            return
        session.add(DeploymentBaseUrl(url=url, first_used_at=now))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another process recorded it first


class DeploymentDocuments:
    """The ``verifier.own.OwnDocuments`` of this deployment, over its database engine.

    ``master_key`` gives the master key when a status list must be (re-)signed; each call opens
    its own short session, so one object serves every request and thread.
    """

    def __init__(
        self, engine: Engine, master_key: Callable[[], MasterKey | None], base_url: str
    ) -> None:
        self._engine = engine
        self._master_key = master_key
        self.base_url = base_url.rstrip("/")

    def __repr__(self) -> str:
        return f"DeploymentDocuments(base_url={self.base_url!r})"

    def base_urls(self, session: Session) -> list[str]:
        """The current base URL first, then every one recorded."""
        recorded = session.exec(select(DeploymentBaseUrl.url)).all()
        return [self.base_url, *(url for url in recorded if url != self.base_url)]

    def _our_did_web_authorities(self, session: Session) -> set[str]:
        return {urlsplit(url).netloc.lower().replace(":", "%3A") for url in self.base_urls(session)}

    def resolve_own(self, verification_method: str) -> VerificationMethod | None:
        did = verification_method.partition("#")[0]
        if not did.startswith((DID_WEB_PREFIX, DID_KEY_PREFIX)):
            return None
        with Session(self._engine) as session:
            ours = session.exec(select(SigningKey.id).where(SigningKey.did == did).limit(1))
            if ours.first() is None:
                if self._names_our_host(session, did):
                    raise KeyNotFound(f"{did!r} is not a DID of this deployment")
                return None
            key = session.get(SigningKey, verification_method)
            if key is None or not key.published:
                raise KeyNotFound(f"{verification_method!r} is not a published key of {did}")
            return stored_verification_method(key)

    def _names_our_host(self, session: Session, did: str) -> bool:
        if not did.startswith(DID_WEB_PREFIX):
            return False
        authority = did.removeprefix(DID_WEB_PREFIX).split(":", 1)[0].lower()
        return authority in self._our_did_web_authorities(session)

    def own_status_list(self, url: str, now: datetime) -> FetchedDocument | None:
        with Session(self._engine) as session:
            matched = self._status_list_of(session, url)
            if matched is None:
                return None
            base, list_id = matched
            row = session.get(StatusList, list_id)
            institution = session.get(Institution, row.institution_id) if row else None
            if row is None or institution is None:
                raise ResolutionUnavailable(f"this deployment publishes no status list {url}")
            master = self._master_key()
            if master is None:
                raise ResolutionUnavailable("the master key is not available to sign the list")
            signer = signer_for_institution(session, master, now, institution)
            signed = signed_status_list(session, row, institution, signer, base, now)
            session.commit()
        digest = hashlib.sha256(signed.text.encode()).hexdigest()
        return FetchedDocument(json.loads(signed.text), now, digest)

    def _status_list_of(self, session: Session, url: str) -> tuple[str, str] | None:
        for base in self.base_urls(session):
            prefix = base + STATUS_PATH
            list_id = url.removeprefix(prefix)
            if url.startswith(prefix) and list_id and "/" not in list_id:
                return base, list_id
        return None

    def entry(self, issuer_id: str) -> RegistryEntry | None:
        try:
            with Session(self._engine) as session:
                institution = self._institution_of(session, issuer_id)
        except SQLAlchemyError:
            return None  # a database not migrated yet knows no institutions
        if institution is None:
            return None
        return RegistryEntry(
            issuer_id=issuer_id,
            name_en=institution.legal_name_en,
            name_fr=institution.legal_name_fr,
            kind=REGISTRY_KINDS.get(institution.kind, institution.kind),
            jurisdiction=JURISDICTION,
            source=self.base_url,
            status=RegistryStatus.ACTIVE,
        )

    @staticmethod
    def _institution_of(session: Session, issuer_id: str) -> Institution | None:
        """The institution whose DID is, or was, ``issuer_id`` (every DID its keys have had)."""
        current = session.exec(select(Institution).where(Institution.did == issuer_id)).first()
        if current is not None:
            return current
        owner = session.exec(
            select(SigningKey.owner_id)
            .where(SigningKey.did == issuer_id)
            .where(col(SigningKey.owner_id).startswith(INSTITUTION_OWNER_PREFIX))
            .limit(1)
        ).first()
        if owner is None:
            return None
        slug = owner.removeprefix(INSTITUTION_OWNER_PREFIX)
        return session.exec(select(Institution).where(Institution.slug == slug)).first()

    def same_institution(self, issuer_id: str, other_id: str) -> bool:
        with Session(self._engine) as session:
            first = self._institution_of(session, issuer_id)
            return first is not None and first == self._institution_of(session, other_id)

    def recorded_before_compromise(self, key_id: str, signature: str) -> bool:
        with Session(self._engine) as session:
            key = session.get(SigningKey, key_id)
            if key is None or key.status != KeyStatus.REVOKED or key.compromised_since is None:
                return False
            awards = session.exec(
                select(Award.ldp_credential, Award.jwt_credential).where(
                    Award.signing_key_id == key_id,
                    col(Award.issued_at) < key.compromised_since,
                    or_(
                        col(Award.ldp_credential).contains(signature),
                        col(Award.jwt_credential).endswith("." + signature),
                    ),
                )
            ).all()
        return any(_carries(ldp, jwt, signature) for ldp, jwt in awards)


def _carries(ldp_text: str, jwt_text: str, signature: str) -> bool:
    """Exactly this signature: the JWS's third part or a ``proofValue`` of the stored JSON."""
    if jwt_text.rsplit(".", 1)[-1] == signature:
        return True
    proofs = json.loads(ldp_text).get("proof", [])
    proofs = proofs if isinstance(proofs, list) else [proofs]
    return any(isinstance(proof, dict) and proof.get("proofValue") == signature for proof in proofs)
