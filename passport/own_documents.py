"""``DeploymentDocuments``: THE resolver for this deployment's own documents (``verifier.own``).

Every surface that verifies (``POST /api/v1/verify``, the ``/verify`` page, the passport's import
and share pages, presentation responses, ``passport verify`` with a database) reads what the
deployment published itself from its database, never over its public URL:

- DID documents and key records: a key whose DID is one of ours (any DID any institution,
  employer or learner has had, did:key ones included) is the stored key, with its compromise
  date from our records; a did:web DID on one of our hosts that we never issued is "no such key"
  without a fetch;
- status lists: ``<base>/status/<id>`` under any base URL the deployment has used
  (``DeploymentBaseUrl``, recorded at each start, plus the current one), from the current bits
  (signed in memory when they changed since the list was last served), so a revocation shows
  at once;
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
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, event, literal
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, or_, select

from credentials import KeyNotFound, ResolutionUnavailable, VerificationMethod
from infra import statement_session
from issuers import Award, Institution, StatusList, sign_status_list, signer_for_institution
from keys import DID_WEB_PREFIX, KeyState, KeyStatus, MasterKey, SigningKey
from passport.database import DeploymentBaseUrl
from passport.own_statements import (
    KEY_STATE,
    LIST_AND_INSTITUTION,
    LIST_STATE,
    REVISION,
    published_method,
)
from verifier import FetchedDocument, RegistryEntry, RegistryStatus

STATUS_PATH = "/status/"
INSTITUTION_OWNER_PREFIX = "issuer:"
# Our institution kinds -> the registry's (docs/verification.md, "The trust registry").
REGISTRY_KINDS = {"other_training_provider": "training_provider"}
JURISDICTION = "CA-ON"
# How long the set of our DIDs and base URLs is trusted before it is read again: a new key or
# base URL written through this process refreshes it at once (``_ours_changed``), a did:web on
# our host that it lacks is looked up at once, so this bounds only what another process added.
OURS_TTL_SECONDS = 300.0
# Our lists as verifiers read them, kept per process by what makes them what they are: the list,
# the version of its bits, the version its stored signature is of, its institution's DID and the
# base URL. One small query reads those; the list's row (its bits, its signed text) is read, and
# the text parsed, only when they changed. A list changed since it was last served is signed in
# memory once per version, not once per verification (which also made its bytes new each time,
# so its signature was verified in full instead of reusing ``verifier.verified_lists``).
LISTS_KEPT = 256
_ListState = tuple[str, int, int | None, str, str]
# Per engine, how many commits wrote keys or base URLs through it (see ``_ours_changed``).
_GENERATIONS: WeakKeyDictionary[Engine, int] = WeakKeyDictionary()


_WRITTEN = "passport.own_documents.written"


@event.listens_for(SigningKey, "after_insert")
@event.listens_for(DeploymentBaseUrl, "after_insert")
@event.listens_for(Institution, "after_insert")
@event.listens_for(Institution, "after_update")
def _ours_written(_mapper: Any, connection: Connection, target: Any) -> None:
    session = object_session(target)
    if session is not None:
        session.info[_WRITTEN] = connection.engine


@event.listens_for(OrmSession, "after_commit")
def _ours_changed(session: OrmSession) -> None:
    """A new DID, base URL or institution (or a renamed one) of ours, committed: snapshots over
    its engine are read again."""
    engine = session.info.pop(_WRITTEN, None)
    if engine is not None:
        _GENERATIONS[engine] = _GENERATIONS.get(engine, 0) + 1


@event.listens_for(OrmSession, "after_rollback")
def _ours_unchanged(session: OrmSession) -> None:
    session.info.pop(_WRITTEN, None)


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


@dataclass(frozen=True)
class _Ours:
    """What is ours, read in one query: every DID our keys have had (each owner's), those of
    institutions, and every base URL we have served under (the current one first). ``entries``
    keeps the registry entries read since (pages name the same institutions again and again)."""

    dids: frozenset[str]
    institution_dids: frozenset[str]
    base_urls: tuple[str, ...]
    read_at: float
    generation: int
    entries: dict[str, RegistryEntry | None] = field(default_factory=dict, compare=False)
    looks: dict[str, Institution | None] = field(default_factory=dict, compare=False)

    def names_our_host(self, did: str) -> bool:
        if not did.startswith(DID_WEB_PREFIX):
            return False  # asked for every key a credential names: most are did:key
        authority = did.removeprefix(DID_WEB_PREFIX).split(":", 1)[0].lower()
        hosts = {urlsplit(url).netloc.lower().replace(":", "%3A") for url in self.base_urls}
        return authority in hosts


class DeploymentDocuments:
    """The ``verifier.own.OwnDocuments`` of this deployment, over its database engine.

    ``master_key`` gives the master key when a status list must be signed; each call opens its
    own short session, so one object serves every request and thread. Which DIDs and base URLs
    are ours is read once and kept (pages of many credentials of other issuers cost no query
    each), read again when a key, base URL or institution is written through this engine, when
    a did:web on our host is not in it (a DID we just made is never taken for a forgery), and at
    the latest every ``OURS_TTL_SECONDS`` (what another process added). Institutions' registry
    entries (their names) are kept with it: a rename made by another process shows within
    ``OURS_TTL_SECONDS``; revocations and keys are never kept here (``revision``).
    """

    def __init__(
        self,
        engine: Engine,
        master_key: Callable[[], MasterKey | None],
        base_url: str,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._master_key = master_key
        self.base_url = base_url.rstrip("/")
        self._monotonic = monotonic
        self._snapshot: _Ours | None = None
        self._lists: OrderedDict[_ListState, tuple[Any, str]] = OrderedDict()
        self._lists_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DeploymentDocuments(base_url={self.base_url!r})"

    def _ours(self, *, fresh: bool = False) -> _Ours:
        snapshot, now = self._snapshot, self._monotonic()
        generation = _GENERATIONS.get(self._engine, 0)
        if (
            not fresh
            and snapshot is not None
            and snapshot.generation == generation
            and now - snapshot.read_at < OURS_TTL_SECONDS
        ):
            return snapshot
        try:
            with statement_session(self._engine) as session:
                # One query: every (DID, owner) of our keys, and every base URL (owner "").
                statement = select(SigningKey.did, SigningKey.owner_id).union_all(
                    select(DeploymentBaseUrl.url, literal(""))
                )
                rows = [
                    (str(did), str(owner)) for did, owner in session.connection().execute(statement)
                ]
        except SQLAlchemyError:
            rows = []  # a database not migrated yet holds nothing of ours
        keys = [(did, owner) for did, owner in rows if owner]
        institutions = {did for did, owner in keys if owner.startswith(INSTITUTION_OWNER_PREFIX)}
        recorded = [url for url, owner in rows if not owner and url != self.base_url]
        bases = (self.base_url, *recorded)
        dids = frozenset(did for did, _ in keys)
        snapshot = _Ours(dids, frozenset(institutions), bases, now, generation)
        self._snapshot = snapshot
        return snapshot

    def _is_our_did(self, did: str) -> bool:
        ours = self._ours()
        if did in ours.dids:
            return True
        return ours.names_our_host(did) and did in self._ours(fresh=True).dids

    def kept_looks(self) -> dict[str, Institution | None]:
        """Where ``passport.wallet.badges`` keeps our institutions' badge looks, kept and
        dropped with the snapshot of what is ours: read again after a key, base URL or
        institution is written through this engine, and at the latest every
        ``OURS_TTL_SECONDS`` (a look changed through another process shows within that)."""
        return self._ours().looks

    def is_our_institution(self, did: str) -> bool:
        """Whether ``did`` is, or was, a DID of one of this deployment's institutions (from the
        kept snapshot: no query for the DIDs of other issuers)."""
        ours = self._ours()
        if did in ours.institution_dids:
            return True
        return ours.names_our_host(did) and did in self._ours(fresh=True).institution_dids

    def resolve_own(self, verification_method: str) -> VerificationMethod | None:
        did = verification_method.partition("#")[0]
        if not self._is_our_did(did):
            if self._ours().names_our_host(did):
                raise KeyNotFound(f"{did!r} is not a DID of this deployment")
            return None
        with statement_session(self._engine) as session:
            params = {"key_id": verification_method}
            row = session.connection().execute(KEY_STATE, params).first()
        state = KeyState(*row) if row is not None else None
        if state is None or not state.published or state.did != did:
            raise KeyNotFound(f"{verification_method!r} is not a published key of {did}")
        return published_method(state)

    def own_status_list(self, url: str, now: datetime) -> FetchedDocument | None:
        matched = self._status_list_of(url)
        if matched is None:
            return None
        base, list_id = matched
        with statement_session(self._engine) as session:
            state = session.connection().execute(LIST_STATE, {"list_id": list_id}).first()
            if state is None:
                raise ResolutionUnavailable(f"this deployment publishes no status list {url}")
            kept_as = (list_id, state.version, state.signed_version, state.did, base)
            with self._lists_lock:
                kept = self._lists.get(kept_as)
            if kept is None:
                found = session.exec(LIST_AND_INSTITUTION, params={"list_id": list_id}).first()
                if found is None:
                    raise ResolutionUnavailable(f"this deployment publishes no status list {url}")
                kept = self._read_list(*found, base, now)
        return FetchedDocument(kept[0], now, kept[1])

    def _read_list(
        self, row: StatusList, institution: Institution, base: str, now: datetime
    ) -> tuple[Any, str]:
        """The list as stored, or signed in memory when its bits changed since it was last
        served: never written here, as the verifier runs inside requests that may hold the
        database's write lock (SQLite); the list's own route stores a signature when served.
        Its parsed content is shared by every verification that reads it (none changes it)."""
        if row.signed_version == row.version and row.signed_credential:
            text = row.signed_credential
        else:
            master = self._master_key()
            if master is None:
                raise ResolutionUnavailable("the master key is not available to sign the list")
            with Session(self._engine) as session:
                signer = signer_for_institution(session, master, now, institution)
            text = sign_status_list(row, institution, signer, base, now).text
        kept_as = (row.id, row.version, row.signed_version, institution.did, base)
        kept = (json.loads(text), hashlib.sha256(text.encode()).hexdigest())
        with self._lists_lock:
            self._lists[kept_as] = kept
            while len(self._lists) > LISTS_KEPT:
                self._lists.popitem(last=False)
        return kept

    def _status_list_of(self, url: str) -> tuple[str, str] | None:
        for base in self._ours().base_urls:
            prefix = base + STATUS_PATH
            list_id = url.removeprefix(prefix)
            if url.startswith(prefix) and list_id and "/" not in list_id:
                return base, list_id
        return None

    def revision(self) -> str:
        """One query over every list and key of the deployment: the lists' versions grow with
        every change of their bits (and a key compromise), and a key revoked or unpublished
        changes the counts. Read from the database, so every process sees a change at once."""
        with statement_session(self._engine) as session:
            return str(session.connection().execute(REVISION).scalar_one())

    def entry(self, issuer_id: str) -> RegistryEntry | None:
        if not self.is_our_institution(issuer_id):
            return None
        kept = self._ours().entries
        if issuer_id in kept:
            return kept[issuer_id]
        with Session(self._engine) as session:
            institution = self._institution_of(session, issuer_id)
        found = None
        if institution is not None:
            found = RegistryEntry(
                issuer_id=issuer_id,
                name_en=institution.legal_name_en,
                name_fr=institution.legal_name_fr,
                kind=REGISTRY_KINDS.get(institution.kind, institution.kind),
                jurisdiction=JURISDICTION,
                source=self.base_url,
                status=RegistryStatus.ACTIVE,
            )
        kept[issuer_id] = found
        return found

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
        # Asked only when a list's issuer differs from its credential's (a did:key institution
        # just rotated): read what is ours again rather than call a fresh DID a stranger.
        both = {issuer_id, other_id}
        known = both <= self._ours().institution_dids
        if not (known or both <= self._ours(fresh=True).institution_dids):
            return False
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
