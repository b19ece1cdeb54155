"""Learner accounts: sign up, sign in (rate-limited), sessions, and deleting everything.

- Passwords are hashed with Argon2id (RFC 9106) through argon2-cffi, with its default parameters
  (the RFC's second recommended option: t=3, m=64 MiB, p=4); a hash made under older parameters
  is upgraded at the next successful sign-in.
- A session is a random 256-bit token in an HttpOnly cookie; the database keeps its SHA-256.
  Sessions end after ``SESSION_LIFETIME`` or at sign-out.
- Sign-in is limited per account and per client address (``infra.login_limits``, shared with the
  institution console): after ``MAX_FAILURES_PER_ACCOUNT`` (resp. ``MAX_FAILURES_PER_ADDRESS``)
  failures within ``FAILURE_WINDOW``, further attempts are refused without checking the
  password, for an unknown address as for a known one (OWASP authentication cheat sheet). An
  unknown e-mail address costs the same Argon2 work as a wrong password, so timing does not tell
  whether an account exists.
- Sign-up is limited too (``SIGN_UP_LIMITS``): every attempt counts, per client address and per
  e-mail address, so that nobody probes many addresses or one address many times. The sign-up
  form makes no account: ``passport.wallet.signups`` mails a link that does, and answers the
  same whether or not the address has one. ``sign_up`` makes one at once (the demo, seeds).
- At sign-up the learner gets a did:key whose private key the KeyStore keeps encrypted under the
  master key, owner ``learner:<id>``: it signs their presentations and OpenID4VCI proofs.

Services take the caller's ``Session`` and ``now``; they flush, the caller commits.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials import Conflict, InvalidInput, PassportError, normalize_email
from infra import N_, LoginLimits
from keys import DID_KEY_METHOD, KeyStore, MasterKey, SigningKey
from passport.wallet.tables import (
    Collection,
    CollectionItem,
    Learner,
    LearnerSession,
    LoginFailure,
    ShareItem,
    ShareLink,
    SignUpAttempt,
    StoredCredential,
)
from passport.wallet.tokens import derived_token, digest, new_token

SESSION_LIFETIME = timedelta(days=7)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
# Higher than per account: several learners may share one address (a college network).
MAX_FAILURES_PER_ADDRESS = 20
SIGN_IN_LIMITS = LoginLimits(
    LoginFailure,
    FAILURE_WINDOW,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_ACCOUNT,
    refusal=N_("too many failed sign-in attempts; wait %(minutes)s minutes and try again"),
)
SIGN_UP_WINDOW = timedelta(minutes=10)
# A classroom behind one address may sign up together; a script probing addresses may not.
MAX_SIGN_UPS_PER_ADDRESS = 30
MAX_SIGN_UPS_PER_EMAIL = 5
SIGN_UP_LIMITS = LoginLimits(
    SignUpAttempt,
    SIGN_UP_WINDOW,
    MAX_SIGN_UPS_PER_ADDRESS,
    MAX_SIGN_UPS_PER_EMAIL,
    refusal=N_("too many sign-ups from here; wait %(minutes)s minutes and try again"),
)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 320
CSRF_PURPOSE = "passport-csrf-v1"
ADDRESS_TAKEN = N_("an account with this e-mail address already exists; sign in instead")

_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the e-mail address is unknown, so that both cases cost the same."""
    return _HASHER.hash(secrets.token_urlsafe(16))


class SignInRefused(PassportError):
    """Wrong e-mail address or password (one message for both: no account enumeration)."""

    code = "sign_in_refused"
    status = 401


def password_hash(password: str) -> str:
    """The Argon2id hash stored for ``password``."""
    return _HASHER.hash(password)


@dataclass(frozen=True)
class SignedIn:
    """A new session: ``token`` goes in the cookie and nowhere else."""

    learner: Learner
    token: str


def owner_id(learner_id: str) -> str:
    """The KeyStore owner of a learner's keys."""
    return f"learner:{learner_id}"


def normalized_email(email: str) -> str:
    value = normalize_email(email)
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or len(value) > MAX_EMAIL_LENGTH:
        raise InvalidInput(N_("enter a valid e-mail address"))
    return value


def checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("choose a password of at least %(count)s characters"),
            params={"count": MIN_PASSWORD_LENGTH},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("a password may have at most %(count)s characters"),
            params={"count": MAX_PASSWORD_LENGTH},
        )
    return password


def admit_sign_up(session: Session, *, email: str, client_address: str, now: datetime) -> None:
    """Count one sign-up attempt, or ``TooManyAttempts`` when the client address or the e-mail
    address has made too many lately. The caller commits it before trying the sign-up, so that
    refused attempts count too."""
    account_key = digest(normalize_email(email))
    SIGN_UP_LIMITS.enforce(session, account_key=account_key, client_address=client_address, now=now)
    SIGN_UP_LIMITS.record_failure(
        session, account_key=account_key, client_address=client_address, now=now
    )


def sign_up(
    session: Session, master: MasterKey, *, email: str, password: str, now: datetime
) -> SignedIn:
    """Create the account at once, with its did:key and a first session (the demo and seeds;
    learners sign up through ``passport.wallet.signups``)."""
    address = normalized_email(email)
    hashed = password_hash(checked_password(password))
    return create_account(session, master, email=address, hashed_password=hashed, now=now)


def create_account(
    session: Session,
    master: MasterKey,
    *,
    email: str,
    hashed_password: str,
    now: datetime,
    confirmed: bool = False,
) -> SignedIn:
    """The account of a normalized ``email``, its did:key and a first session; ``Conflict``
    when the address has an account (also when another request made it a moment ago)."""
    taken = session.exec(select(Learner.id).where(Learner.email == email)).first()
    if taken is not None:
        raise Conflict(ADDRESS_TAKEN)
    learner_id = str(uuid.uuid4())
    key = KeyStore(session, master, now).create_key(owner_id(learner_id), DID_KEY_METHOD)
    learner = Learner(
        id=learner_id,
        email=email,
        password_hash=hashed_password,
        did=key.did,
        created_at=now,
        email_confirmed_at=now if confirmed else None,
    )
    session.add(learner)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(ADDRESS_TAKEN) from None
    return SignedIn(learner, _open_session(session, learner, now))


def sign_in(
    session: Session, *, email: str, password: str, client_address: str, now: datetime
) -> SignedIn:
    """Check the password under the rate limit; ``SignInRefused`` or ``TooManyAttempts``."""
    address = normalize_email(email)
    account_key = digest(address)
    SIGN_IN_LIMITS.enforce(session, account_key=account_key, client_address=client_address, now=now)
    learner = session.exec(select(Learner).where(Learner.email == address)).first()
    stored_hash = learner.password_hash if learner is not None else None
    if learner is None or not password_matches(stored_hash, password):
        SIGN_IN_LIMITS.record_failure(
            session, account_key=account_key, client_address=client_address, now=now
        )
        raise SignInRefused(N_("the e-mail address or the password is wrong"))
    if _HASHER.check_needs_rehash(learner.password_hash):
        learner.password_hash = _HASHER.hash(password)
        session.add(learner)
    SIGN_IN_LIMITS.forget_account(session, account_key)
    return SignedIn(learner, _open_session(session, learner, now))


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Argon2id verification; without an account, the same work against a dummy hash."""
    try:
        matches = _HASHER.verify(stored_hash or _dummy_hash(), password[:MAX_PASSWORD_LENGTH])
    except (VerificationError, InvalidHashError):
        return False
    return matches and stored_hash is not None


def _open_session(session: Session, learner: Learner, now: datetime) -> str:
    token = new_token()
    session.add(
        LearnerSession(
            token_hash=digest(token),
            learner_id=learner.id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return token


# A live session's learner: the join and condition of ``learner_for_session`` and of the
# passport pages' first read (``holdings.learner_with_collections``), with ``session_params``.
LEARNER_SESSION_JOIN = col(LearnerSession.learner_id) == col(Learner.id)
LIVE_SESSION = (
    LearnerSession.token_hash == bindparam("token_hash"),
    LearnerSession.expires_at > bindparam("now"),
)
# Built once: every page of a signed-in learner runs it (issue #19, docs/performance.md).
_LEARNER_OF_SESSION = (
    select(Learner).join(LearnerSession, LEARNER_SESSION_JOIN).where(*LIVE_SESSION)
)


def session_params(token: str, now: datetime) -> dict[str, str | datetime]:
    return {"token_hash": digest(token), "now": now}


def learner_for_session(session: Session, token: str, now: datetime) -> Learner | None:
    """The signed-in learner, in one query; None for a missing, unknown or expired session."""
    return session.exec(_LEARNER_OF_SESSION, params=session_params(token, now)).first()


def csrf_token_for_session(token: str) -> str:
    """The synchronizer token of a session, derived from its secret cookie value."""
    return derived_token(token, CSRF_PURPOSE)


def sign_out(session: Session, token: str) -> None:
    session.exec(delete(LearnerSession).where(col(LearnerSession.token_hash) == digest(token)))


def delete_account(session: Session, learner: Learner, password: str) -> None:
    """Delete the account and everything in it, after the password is confirmed.

    Rows are deleted explicitly, children first, so the result does not depend on the database
    honouring ``ON DELETE CASCADE``; the learner's signing keys go too (nothing they signed is
    kept anywhere by us, and a deleted learner must not keep a usable key).
    """
    if not password_matches(learner.password_hash, password):
        raise SignInRefused(N_("the password is wrong; nothing was deleted"))
    credential_ids = select(StoredCredential.id).where(StoredCredential.learner_id == learner.id)
    share_ids = select(ShareLink.id).where(ShareLink.learner_id == learner.id)
    collection_ids = select(Collection.id).where(Collection.learner_id == learner.id)
    for statement in (
        delete(ShareItem).where(col(ShareItem.share_id).in_(share_ids)),
        delete(ShareLink).where(col(ShareLink.learner_id) == learner.id),
        delete(CollectionItem).where(col(CollectionItem.collection_id).in_(collection_ids)),
        delete(CollectionItem).where(col(CollectionItem.credential_id).in_(credential_ids)),
        delete(Collection).where(col(Collection.learner_id) == learner.id),
        delete(StoredCredential).where(col(StoredCredential.learner_id) == learner.id),
        delete(LearnerSession).where(col(LearnerSession.learner_id) == learner.id),
        delete(SigningKey).where(col(SigningKey.owner_id) == owner_id(learner.id)),
        delete(Learner).where(col(Learner.id) == learner.id),
    ):
        session.exec(statement)
    session.flush()
