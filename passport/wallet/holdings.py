"""The credentials in a passport and the learner's collections of them.

Getting a credential in (``add_credential``), by import or by claiming an offer:

1. ``verifier.inputs.read_input`` reads the bytes (JSON, compact JWS, baked PNG/SVG) or refuses
   them with the reason (``InvalidInput``; ``InputTooLarge`` is a 413);
2. the verifier pipeline checks it: a ``not_verified`` verdict is refused with the report
   (``CredentialRefused``), warnings (an issuer not in the registry) and could-not-check are
   kept, and the passport shows them every time the credential is shown;
3. a credential already in the passport (the same bytes, or the same credential ``id``) is
   refused as a duplicate;
4. the bytes are stored exactly as received, with their format.

Every lookup takes the learner's id: another learner's credential is ``NotFound``, exactly like
one that does not exist.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete
from sqlmodel import Session, col, select

from credentials import Conflict, InvalidInput, NotFound, Verdict, summarize
from infra import N_
from passport.own_statements import OWN_REVISION
from passport.wallet.accounts import LEARNER_SESSION_JOIN, LIVE_SESSION, session_params
from passport.wallet.display import display_of
from passport.wallet.tables import (
    Collection,
    CollectionItem,
    CredentialFormat,
    Learner,
    LearnerSession,
    ShareItem,
    ShareLink,
    StoredCredential,
)
from verifier import VerifiableInput, VerificationReport, claimed_document, read_input

MAX_COLLECTION_NAME = 120
# Each collection with the ids of its members.
Collections = list[tuple[Collection, set[str]]]
_NOT_IN_PASSPORT = N_("no such credential in your passport")
Verify = Callable[[VerifiableInput], VerificationReport]


class CredentialRefused(InvalidInput):
    """The verifier did not verify it; ``report`` says why, check by check."""

    code = "credential_refused"

    def __init__(self, message: str, report: VerificationReport) -> None:
        super().__init__(message)
        self.report = report


class DuplicateCredential(Conflict):
    code = "duplicate_credential"

    def __init__(self, message: str, existing: StoredCredential) -> None:
        super().__init__(message)
        self.existing = existing


def _format_of(item: VerifiableInput) -> CredentialFormat:
    if item.baked is not None:
        return CredentialFormat(item.baked)
    return CredentialFormat.JSON if item.kind == "json" else CredentialFormat.JWS


def add_credential(
    session: Session,
    learner: Learner,
    data: bytes,
    verify: Verify,
    *,
    source: str,
    now: datetime,
) -> tuple[StoredCredential, VerificationReport]:
    """Verify and store ``data``; see the module docstring for what is refused and why."""
    item = read_input(data)
    document = claimed_document(item)
    summary = summarize(document)
    if summary.kind == "presentation":
        raise InvalidInput(N_("this is a presentation, not a credential: import each credential"))
    report = verify(item)
    if report.verdict is Verdict.NOT_VERIFIED:
        raise CredentialRefused(N_("the credential did not verify; it was not added"), report)
    sha256 = hashlib.sha256(data).hexdigest()
    existing = _duplicate(session, learner.id, sha256, summary.id)
    if existing is not None:
        raise DuplicateCredential(N_("this credential is already in your passport"), existing)
    stored = StoredCredential(
        id=str(uuid.uuid4()),
        learner_id=learner.id,
        format=_format_of(item).value,
        content=data,
        content_sha256=sha256,
        credential_id=summary.id[:512] if summary.id else None,
        kind=summary.kind,
        issuer_id=summary.issuer_id[:512] if summary.issuer_id else None,
        display=display_of(document),
        source=source,
        added_at=now,
    )
    session.add(stored)
    session.flush()
    return stored, report


def _duplicate(
    session: Session, learner_id: str, sha256: str, credential_id: str | None
) -> StoredCredential | None:
    same = col(StoredCredential.content_sha256) == sha256
    if credential_id is not None:
        same = same | (col(StoredCredential.credential_id) == credential_id[:512])
    statement = select(StoredCredential).where(StoredCredential.learner_id == learner_id, same)
    return session.exec(statement).first()


# The passport pages' statements, built once: building a statement cost more CPU than running
# it (issue #19, docs/performance.md).
_OF_THE_LEARNER = StoredCredential.learner_id == bindparam("learner_id")
_THE_ONE = StoredCredential.id == bindparam("credential_id")
_LEARNERS_CREDENTIALS = (
    select(StoredCredential).where(_OF_THE_LEARNER).order_by(col(StoredCredential.added_at))
)
_ONE_CREDENTIAL = select(StoredCredential).where(_THE_ONE, _OF_THE_LEARNER)
# The passport pages' reads: the credentials with our records' revision beside each, one round
# trip instead of two (``LiveVerifier.reports_for``; issue #19).
_LEARNERS_CREDENTIALS_AT_REVISION = (
    select(StoredCredential, OWN_REVISION)
    .where(_OF_THE_LEARNER)
    .order_by(col(StoredCredential.added_at))
)
_ONE_CREDENTIAL_AT_REVISION = select(StoredCredential, OWN_REVISION).where(
    _THE_ONE, _OF_THE_LEARNER
)
# Each collection with each of its members (or none), in one round trip.
_MEMBERS_JOIN = col(CollectionItem.collection_id) == col(Collection.id)
_LEARNERS_COLLECTIONS = (
    select(Collection, col(CollectionItem.credential_id))
    .outerjoin(CollectionItem, _MEMBERS_JOIN)
    .where(Collection.learner_id == bindparam("learner_id"))
    .order_by(col(Collection.name))
)
# The same for a live session's learner, with the learner: a row per member, and one with no
# collection for a learner who has none.
_LEARNER_WITH_COLLECTIONS = (
    select(Learner, Collection, col(CollectionItem.credential_id))
    .join(LearnerSession, LEARNER_SESSION_JOIN)
    .outerjoin(Collection, col(Collection.learner_id) == col(Learner.id))
    .outerjoin(CollectionItem, _MEMBERS_JOIN)
    .where(*LIVE_SESSION)
    .order_by(col(Collection.name))
)


def list_credentials(session: Session, learner_id: str) -> list[StoredCredential]:
    """Every credential of the learner, in one query."""
    return list(session.exec(_LEARNERS_CREDENTIALS, params={"learner_id": learner_id}).all())


def credentials_at_revision(
    session: Session, learner_id: str
) -> tuple[list[StoredCredential], str | None]:
    """``list_credentials``, with our records' revision read in the same statement (None when
    the passport is empty)."""
    params = {"learner_id": learner_id}
    rows = session.exec(_LEARNERS_CREDENTIALS_AT_REVISION, params=params).all()
    return [row[0] for row in rows], rows[0][1] if rows else None


def get_credential(session: Session, learner_id: str, credential_id: str) -> StoredCredential:
    params = {"credential_id": credential_id, "learner_id": learner_id}
    stored = session.exec(_ONE_CREDENTIAL, params=params).first()
    if stored is None:
        raise NotFound(_NOT_IN_PASSPORT)
    return stored


def credential_at_revision(
    session: Session, learner_id: str, credential_id: str
) -> tuple[StoredCredential, str]:
    """``get_credential``, with our records' revision read in the same statement."""
    params = {"credential_id": credential_id, "learner_id": learner_id}
    row = session.exec(_ONE_CREDENTIAL_AT_REVISION, params=params).first()
    if row is None:
        raise NotFound(_NOT_IN_PASSPORT)
    return row[0], row[1]


def credentials_by_ids(
    session: Session, learner_id: str, ids: Sequence[str]
) -> list[StoredCredential]:
    """The learner's credentials among ``ids``, in the order given; any other id is
    ``NotFound`` (it does not exist, or is someone else's: the same answer)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise InvalidInput(N_("choose at least one credential"))
    statement = select(StoredCredential).where(
        StoredCredential.learner_id == learner_id, col(StoredCredential.id).in_(wanted)
    )
    found = {stored.id: stored for stored in session.exec(statement).all()}
    if len(found) != len(wanted):
        raise NotFound(_NOT_IN_PASSPORT)
    return [found[identifier] for identifier in wanted]


def delete_credential(session: Session, learner_id: str, credential_id: str) -> None:
    stored = get_credential(session, learner_id, credential_id)
    session.exec(delete(CollectionItem).where(col(CollectionItem.credential_id) == stored.id))
    session.exec(delete(ShareItem).where(col(ShareItem.credential_id) == stored.id))
    session.delete(stored)
    session.flush()


def _checked_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(N_("give the collection a name"))
    if len(cleaned) > MAX_COLLECTION_NAME:
        raise InvalidInput(
            N_("a collection name has at most %(count)s characters"),
            params={"count": MAX_COLLECTION_NAME},
        )
    return cleaned


def create_collection(session: Session, learner_id: str, name: str, now: datetime) -> Collection:
    cleaned = _checked_name(name)
    taken = session.exec(
        select(Collection.id).where(Collection.learner_id == learner_id, Collection.name == cleaned)
    ).first()
    if taken is not None:
        raise Conflict(N_("you already have a collection with this name"))
    collection = Collection(
        id=str(uuid.uuid4()), learner_id=learner_id, name=cleaned, created_at=now
    )
    session.add(collection)
    session.flush()
    return collection


def get_collection(session: Session, learner_id: str, collection_id: str) -> Collection:
    statement = select(Collection).where(
        Collection.id == collection_id, Collection.learner_id == learner_id
    )
    collection = session.exec(statement).first()
    if collection is None:
        raise NotFound(N_("no such collection in your passport"))
    return collection


def list_collections(session: Session, learner_id: str) -> Collections:
    """Each collection, by name, with the ids of its credentials: one query."""
    return _grouped(session.exec(_LEARNERS_COLLECTIONS, params={"learner_id": learner_id}).all())


def learner_with_collections(
    session: Session, token: str, now: datetime
) -> tuple[Learner, Collections] | None:
    """``accounts.learner_for_session`` and ``list_collections`` in one query: the passport
    pages' first read. None for a missing, unknown or expired session."""
    rows = session.exec(_LEARNER_WITH_COLLECTIONS, params=session_params(token, now)).all()
    if not rows:
        return None
    return rows[0][0], _grouped(row[1:] for row in rows if row[1] is not None)


def _grouped(rows: Iterable[tuple[Collection, str | None]]) -> Collections:
    """Rows of a collection and one member's id (None for an empty collection), by collection."""
    members: dict[str, tuple[Collection, set[str]]] = {}
    for collection, credential_id in rows:
        _, ids = members.setdefault(collection.id, (collection, set()))
        if credential_id is not None:
            ids.add(credential_id)
    return list(members.values())


def collection_credentials(
    session: Session, learner_id: str, collection_id: str
) -> list[StoredCredential]:
    statement = (
        select(StoredCredential)
        .join(CollectionItem, col(CollectionItem.credential_id) == col(StoredCredential.id))
        .where(
            CollectionItem.collection_id == collection_id,
            StoredCredential.learner_id == learner_id,
        )
        .order_by(col(StoredCredential.added_at))
    )
    return list(session.exec(statement).all())


def set_collections_of(
    session: Session, learner_id: str, credential_id: str, collection_ids: Sequence[str]
) -> None:
    """Put the credential in exactly these collections (all of them the learner's)."""
    stored = get_credential(session, learner_id, credential_id)
    owned = {collection.id for collection, _ in list_collections(session, learner_id)}
    if not set(collection_ids) <= owned:
        raise NotFound(N_("no such collection in your passport"))
    session.exec(
        delete(CollectionItem).where(
            col(CollectionItem.credential_id) == stored.id,
            col(CollectionItem.collection_id).in_(owned),
        )
    )
    for collection_id in dict.fromkeys(collection_ids):
        session.add(CollectionItem(collection_id=collection_id, credential_id=stored.id))
    session.flush()


def delete_collection(session: Session, learner_id: str, collection_id: str) -> None:
    """Delete the collection (not its credentials); links that share it stop working."""
    collection = get_collection(session, learner_id, collection_id)
    session.exec(delete(ShareLink).where(col(ShareLink.collection_id) == collection.id))
    session.exec(delete(CollectionItem).where(col(CollectionItem.collection_id) == collection.id))
    session.delete(collection)
    session.flush()
