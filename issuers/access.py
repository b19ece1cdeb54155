"""Who may act for an institution: API keys, console logins, and the deployment admin token.

- **API keys** are 256 random bits after a short random prefix (``lpk_<prefix>.<secret>``),
  shown once. Only the prefix (to find the row) and the SHA-256 of the whole key are stored: a
  fast hash is enough for a high-entropy secret (unlike a password). Each key belongs to ONE
  institution and names its actions (``issue``, ``revoke``, ``manage_programs``).
- **Staff passwords** are argon2id hashes (RFC 9106, argon2-cffi's defaults). After
  ``MAX_FAILED_LOGINS`` failures in a row an account is locked for ``LOCKOUT``; the count lives
  in the row, so every app process enforces the same limit. One client address is also limited
  to ``MAX_FAILED_LOGINS_PER_ADDRESS`` failures within ``LOCKOUT``, whatever emails it tries
  (``infra.login_limits``, the learner sign-in's limiter).
- **Console sessions**: the cookie holds a random token, the row only its SHA-256; each session
  has its own CSRF token that every state-changing form must send back.
- **The admin token** comes from the settings and is compared in constant time.

>>> key, secret = new_api_key_secret()
>>> key.startswith("lpk_") and len(secret) >= 43
True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials import Conflict, Forbidden, NotFound, Unauthorized, normalize_email
from infra import LoginLimits, TooManyAttempts
from issuers.audit import log as audit
from issuers.tables import ApiKey, Institution, StaffLoginFailure, StaffSession, StaffUser

API_KEY_PREFIX = "lpk_"
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# Per client address, whatever the email (password spraying); higher than per account because
# an institution's staff may share one address.
MAX_FAILED_LOGINS_PER_ADDRESS = 20
STAFF_LOGIN_LIMITS = LoginLimits(
    StaffLoginFailure,
    LOCKOUT,
    MAX_FAILED_LOGINS_PER_ADDRESS,
    refusal="too many failed logins from this address: try again in %(minutes)s minutes",
)
SESSION_LIFETIME = timedelta(hours=8)
_HASHER = PasswordHasher()
# Verified against when the email is unknown, so an answer takes as long either way.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_api_key_secret() -> tuple[str, str]:
    """A fresh key as ``(lookup prefix, full key)``."""
    prefix = API_KEY_PREFIX + secrets.token_hex(6)
    return prefix, f"{prefix}.{secrets.token_urlsafe(32)}"


def create_api_key(
    session: Session,
    institution: Institution,
    label: str,
    actions: Sequence[str],
    now: datetime,
) -> tuple[ApiKey, str]:
    """Store a new key of ``institution``; returns the row and the key, which is never stored."""
    assert institution.id is not None
    prefix, key = new_api_key_secret()
    row = ApiKey(
        institution_id=institution.id,
        prefix=prefix,
        secret_sha256=_sha256(key),
        actions=sorted(set(actions)),
        label=label,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row, key


def authenticate_api_key(session: Session, presented: str) -> ApiKey:
    """The live key row for ``presented``; ``Unauthorized`` for anything else."""
    prefix, dot, _secret = presented.partition(".")
    row = None
    if dot and prefix.startswith(API_KEY_PREFIX):
        row = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()
    expected = row.secret_sha256 if row is not None else _sha256("")
    if not hmac.compare_digest(expected, _sha256(presented)) or row is None:
        raise Unauthorized("the API key is not valid")
    if row.revoked_at is not None:
        raise Unauthorized("the API key has been revoked")
    return row


def authorize(key: ApiKey, institution: Institution, action: str) -> None:
    """``Forbidden`` unless ``key`` is a key of ``institution`` allowed to do ``action``."""
    if key.institution_id != institution.id:
        raise Forbidden(f"this API key does not belong to institution {institution.slug!r}")
    if action not in key.actions:
        raise Forbidden(f"this API key is not allowed to {action.replace('_', ' ')}")


def api_keys_of(session: Session, institution: Institution) -> list[ApiKey]:
    """Every key of ``institution``, revoked ones included, oldest first."""
    statement = select(ApiKey).where(ApiKey.institution_id == institution.id)
    return list(session.exec(statement.order_by(col(ApiKey.id))).all())


def revoke_api_key(
    session: Session,
    institution: Institution,
    prefix: str,
    now: datetime,
    *,
    actor: str,
    reason: str,
) -> ApiKey:
    """Revoke a key of ``institution`` for good, with an audit event saying who and why.

    The key is refused from the next request on (``authenticate_api_key`` reads the row every
    time). A key of another institution gets the same ``NotFound`` as a key that does not exist.
    """
    row = session.exec(
        select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.institution_id == institution.id)
    ).one_or_none()
    if row is None or institution.id is None:
        raise NotFound(f"no API key {prefix!r} of institution {institution.slug!r}")
    if row.revoked_at is not None:
        raise Conflict(f"the API key {prefix!r} is already revoked")
    row.revoked_at = now
    session.add(row)
    audit.record(
        session,
        institution_id=institution.id,
        actor=actor,
        action=audit.AuditAction.API_KEY_REVOKED,
        reason=f"{row.prefix} ({row.label}): {reason}",
        now=now,
    )
    return row


def hash_password(password: str) -> str:
    """The argon2id hash stored for a staff password."""
    return _HASHER.hash(password)


def create_staff_user(
    session: Session, institution: Institution, email: str, password: str, now: datetime
) -> StaffUser:
    assert institution.id is not None
    user = StaffUser(
        institution_id=institution.id,
        email=normalize_email(email),
        password_hash=hash_password(password),
        created_at=now,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("a staff user with this email already exists") from None
    return user


@dataclass(frozen=True)
class Login:
    """A new console session: ``token`` goes in the cookie and is stored only hashed."""

    token: str
    session: StaffSession
    user: StaffUser


def log_in(
    session: Session, email: str, password: str, now: datetime, client_address: str
) -> Login:
    """Check the password (argon2id) under both limits and open a console session.

    ``TooManyAttempts`` without checking the password once ``client_address`` has failed
    ``MAX_FAILED_LOGINS_PER_ADDRESS`` times within ``LOCKOUT``, or the account is locked.
    """
    account_key = _sha256(normalize_email(email))
    STAFF_LOGIN_LIMITS.enforce(
        session, account_key=account_key, client_address=client_address, now=now
    )
    address = normalize_email(email)
    user = session.exec(select(StaffUser).where(StaffUser.email == address)).one_or_none()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise TooManyAttempts("too many failed logins: try again later")
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        _record_failure(session, user, account_key, client_address, now)
        raise Unauthorized("the email or password is not correct") from None
    if user is None:
        raise Unauthorized("the email or password is not correct")
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    row = StaffSession(
        token_sha256=_sha256(token),
        staff_user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(row)
    session.flush()
    return Login(token, row, user)


def _record_failure(
    session: Session, user: StaffUser | None, account_key: str, client_address: str, now: datetime
) -> None:
    STAFF_LOGIN_LIMITS.record_failure(
        session, account_key=account_key, client_address=client_address, now=now
    )
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins, user.locked_until = 0, now + LOCKOUT
        session.add(user)
    # Committed now: the caller's error path would otherwise roll the counts back.
    session.commit()


def staff_session(session: Session, token: str, now: datetime) -> tuple[StaffSession, StaffUser]:
    """The live session of a cookie token and its user; ``Unauthorized`` otherwise."""
    row = session.get(StaffSession, _sha256(token))
    if row is None or row.expires_at <= now:
        raise Unauthorized("please log in")
    user = session.get(StaffUser, row.staff_user_id)
    if user is None:
        raise Unauthorized("please log in")
    return row, user


def log_out(session: Session, token: str) -> None:
    row = session.get(StaffSession, _sha256(token))
    if row is not None:
        session.delete(row)
        session.flush()


def check_csrf(row: StaffSession, presented: str | None) -> None:
    if presented is None or not hmac.compare_digest(row.csrf_token, presented):
        raise Forbidden("the form's security token is missing or out of date; reload the page")


def is_admin_token(configured: str | None, presented: str) -> bool:
    """Whether ``presented`` is the configured admin token (constant time)."""
    return configured is not None and hmac.compare_digest(_sha256(configured), _sha256(presented))


def check_admin_token(configured: str | None, presented: str | None) -> None:
    """Constant-time check of the deployment admin token."""
    if configured is None:
        raise Forbidden("no admin token is configured on this deployment (PASSPORT_ADMIN_TOKEN)")
    if presented is None:
        raise Unauthorized("an admin token is required")
    if not is_admin_token(configured, presented):
        raise Unauthorized("the admin token is not valid")
