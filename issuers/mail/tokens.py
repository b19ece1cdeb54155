"""Single-use, expiring tokens sent by email: confirm an address, finish a sign-up, reset a lost
password.

The token is 256 random bits (``secrets.token_urlsafe``); only its SHA-256 is stored, so a copy of
the database gives no working link (OWASP Forgot Password cheat sheet: "store the token hashed",
"single use", "expire"). Issuing a new token for the same account and purpose voids the earlier
ones, so only the latest link works. ``account`` names the owner: ``learner:<id>``,
``staff:<id>``, or ``signup:<id>`` for a learner's sign-up that has no account yet. Learners (the
shell) and institution staff (the console) share this one table.

``queue_token_mail`` is how a token leaves: it issues one and queues its link in the outbox,
for the learner's mails (``passport.wallet.email_flows``) and the staff's
(``issuers.mail.staff_email``) alike.

Services take the caller's ``Session`` and ``now``; they flush, the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import String, update
from sqlmodel import Field, Session, SQLModel, col, select

from infra import UTCDateTime
from issuers.mail.outbox import enqueue

TOKEN_BYTES = 32
CONFIRM_LIFETIME = timedelta(days=2)
RESET_LIFETIME = timedelta(hours=1)
# A sign-up link makes the account: a day is long enough to find the mail, short enough that a
# forgotten sign-up does not wait for years.
SIGNUP_LIFETIME = timedelta(days=1)
# "Forgot password" is open to anyone: at most one reset mail per account in this while, so the
# form cannot flood someone's mailbox (the earlier link keeps working meanwhile).
RESET_PAUSE = timedelta(minutes=1)


class Purpose(StrEnum):
    CONFIRM = "confirm"
    RESET = "reset"
    SIGNUP = "signup"


LIFETIMES = {
    Purpose.CONFIRM: CONFIRM_LIFETIME,
    Purpose.RESET: RESET_LIFETIME,
    Purpose.SIGNUP: SIGNUP_LIFETIME,
}


class EmailToken(SQLModel, table=True):
    __tablename__: ClassVar[str] = "email_token"

    token_hash: str = Field(primary_key=True, sa_type=String(64), repr=False)
    purpose: str = Field(sa_type=String(16))
    account: str = Field(sa_type=String(80), index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def issue_token(session: Session, purpose: Purpose, account: str, now: datetime) -> str:
    """A new token for ``account`` (the earlier unused ones of this purpose stop working)."""
    session.exec(
        update(EmailToken)
        .where(
            col(EmailToken.account) == account,
            col(EmailToken.purpose) == purpose.value,
            col(EmailToken.used_at).is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        EmailToken(
            token_hash=_digest(token),
            purpose=purpose.value,
            account=account,
            expires_at=now + LIFETIMES[purpose],
            created_at=now,
        )
    )
    session.flush()
    return token


def issued_since(session: Session, purpose: Purpose, account: str, since: datetime) -> bool:
    """Whether ``account`` was given a token of ``purpose`` after ``since``."""
    found = session.exec(
        select(EmailToken.token_hash).where(
            EmailToken.account == account,
            EmailToken.purpose == purpose.value,
            EmailToken.created_at > since,
        )
    ).first()
    return found is not None


def valid_account(session: Session, purpose: Purpose, token: str, now: datetime) -> str | None:
    """The account of an unused, unexpired token of ``purpose``; None otherwise."""
    row = _valid(session, purpose, token, now)
    return None if row is None else row.account


def redeem(session: Session, purpose: Purpose, token: str, now: datetime) -> str | None:
    """Like ``valid_account``, and the token is used up (it never works again)."""
    row = _valid(session, purpose, token, now)
    if row is None:
        return None
    # Taken atomically: of two requests racing with one link, only one gets its account.
    used = session.exec(
        update(EmailToken)
        .where(col(EmailToken.token_hash) == row.token_hash, col(EmailToken.used_at).is_(None))
        .values(used_at=now)
    )
    return row.account if used.rowcount == 1 else None


def _valid(session: Session, purpose: Purpose, token: str, now: datetime) -> EmailToken | None:
    if len(token) > 2 * TOKEN_BYTES:
        return None
    return session.exec(
        select(EmailToken).where(
            EmailToken.token_hash == _digest(token),
            EmailToken.purpose == purpose.value,
            col(EmailToken.used_at).is_(None),
            EmailToken.expires_at > now,
        )
    ).first()


def queue_token_mail(
    session: Session,
    purpose: Purpose,
    account: str,
    *,
    to: str,
    kind: str,
    subject: str,
    body: str,
    link_base: str,
    now: datetime,
) -> None:
    """Issue a token for ``account`` and queue its mail to ``to``: ``body`` is a template with
    ``{link}`` (``link_base`` followed by the token) and ``{minutes}`` (a reset link's life)."""
    token = issue_token(session, purpose, account, now)
    text = body.format(
        link=f"{link_base}{token}", minutes=int(RESET_LIFETIME.total_seconds() // 60)
    )
    enqueue(session, kind=kind, to=to, subject=subject, body=text, now=now)
