"""Outgoing mail: an outbox in the database, drained through ONE configured SMTP relay.

Mail is queued (``enqueue``) in the same transaction as what it announces (an award, a finished
cohort), so an award rolled back sends nothing and a crash loses nothing. ``MailPump`` sends
what is due, through ``SmtpSender`` only (stdlib ``smtplib``; the relay is
``PASSPORT_SMTP_URL``): at most ``per_minute`` messages a minute, each retried
``MAX_ATTEMPTS`` times with growing pauses, then marked failed with the relay's answer.
Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several app processes
share one outbox without sending a message twice.

The body of a queued message may hold a claim link (a secret): it is blanked once sent.

>>> SmtpRelay.from_url("smtps://user:pw@mail.example.ca").port
465
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum
from typing import ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import Column, String, Text, event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, col, select

from credentials import InvalidInput
from infra import UTCDateTime

MAX_ATTEMPTS = 5
RETRY_PAUSES = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
SMTP_TIMEOUT_SECONDS = 30.0


class MailState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxMail(SQLModel, table=True):
    """One message to send (plain text; ``kind`` says what it is for, e.g. ``award``)."""

    __tablename__: ClassVar[str] = "mail_outbox"

    id: str = Field(primary_key=True, sa_type=String(36))
    kind: str = Field(sa_type=String(32))
    to_address: str = Field(sa_type=String(320))
    subject: str = Field(sa_type=String(300))
    body: str = Field(sa_column=Column(Text, nullable=False), repr=False)
    state: str = Field(default=MailState.QUEUED.value, sa_type=String(16), index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=String(500))
    created_at: datetime = Field(sa_type=UTCDateTime)


def enqueue(
    session: Session, *, kind: str, to: str, subject: str, body: str, now: datetime
) -> OutboxMail:
    """Queue one message (flushes only: it leaves when the caller's transaction commits)."""
    mail = OutboxMail(
        id=str(uuid.uuid4()),
        kind=kind,
        to_address=to,
        subject=subject,
        body=body,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(mail)
    session.flush()
    session.info[_QUEUED] = True
    return mail


_QUEUED = "issuers.mail.queued"
_wakers: set[Callable[[], None]] = set()


def wake_on_commit(waker: Callable[[], None]) -> None:
    """Call ``waker`` after each commit of a session that queued mail, so a pump sends it at once
    rather than at its next idle poll (a learner is waiting for a sign-up link)."""
    _wakers.add(waker)


def stop_waking(waker: Callable[[], None]) -> None:
    _wakers.discard(waker)


@event.listens_for(OrmSession, "after_commit")
def _mail_committed(session: OrmSession) -> None:
    if session.info.pop(_QUEUED, False):
        for waker in list(_wakers):
            waker()


@event.listens_for(OrmSession, "after_soft_rollback")
def _mail_rolled_back(session: OrmSession, _transaction: object) -> None:
    session.info.pop(_QUEUED, None)


@dataclass(frozen=True)
class SmtpRelay:
    """``smtp://[user:password@]host[:port][?starttls=yes]`` (port 25 by default; STARTTLS when
    asked or on port 587) or ``smtps://`` (implicit TLS, port 465)."""

    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpRelay:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise InvalidInput(
                "PASSPORT_SMTP_URL must be smtp://host[:port] or smtps://host[:port]"
            )
        implicit = parts.scheme == "smtps"
        port = parts.port or (465 if implicit else 25)
        asked = parse_qs(parts.query).get("starttls", [""])[0].lower() in ("1", "yes", "true")
        return cls(
            host=parts.hostname,
            port=port,
            implicit_tls=implicit,
            starttls=not implicit and (asked or port == 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SmtpSender:
    """Sends one ``EmailMessage`` through the relay (a new connection per call: a pump sends
    a few messages a second at most)."""

    def __init__(self, relay: SmtpRelay, sender: str) -> None:
        self.relay = relay
        self.sender = sender

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        relay = self.relay
        context = ssl.create_default_context()
        client: smtplib.SMTP = (
            smtplib.SMTP_SSL(relay.host, relay.port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
            if relay.implicit_tls
            else smtplib.SMTP(relay.host, relay.port, timeout=SMTP_TIMEOUT_SECONDS)
        )
        with client:
            if relay.starttls:
                client.starttls(context=context)
            if relay.username is not None:
                client.login(relay.username, relay.password or "")
            client.send_message(message)


@dataclass
class MailPump:
    """Sends due messages of the outbox; ``send_due`` is one round (the app's thread loops)."""

    sessions: Callable[[], Session]
    sender: SmtpSender
    clock: Callable[[], datetime]
    per_minute: int = 60

    def send_due(self, limit: int) -> int:
        """Send up to ``limit`` due messages; returns how many were tried."""
        tried = 0
        while tried < limit and self._send_one():
            tried += 1
        return tried

    def _send_one(self) -> bool:
        with self.sessions() as session:
            now = self.clock()
            mail = session.exec(
                select(OutboxMail)
                .where(
                    col(OutboxMail.state) == MailState.QUEUED,
                    col(OutboxMail.next_attempt_at) <= now,
                )
                .order_by(col(OutboxMail.next_attempt_at))
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if mail is None:
                return False
            try:
                self.sender.send(mail.to_address, mail.subject, mail.body)
            except (OSError, smtplib.SMTPException) as error:
                _failed(mail, f"{type(error).__name__}: {error}"[:500], now)
            else:
                mail.state, mail.sent_at, mail.body = MailState.SENT.value, now, ""
            session.add(mail)
            session.commit()
            return True


def _failed(mail: OutboxMail, reason: str, now: datetime) -> None:
    mail.attempts += 1
    mail.last_error = reason
    if mail.attempts >= MAX_ATTEMPTS:
        mail.state = MailState.FAILED.value
        return
    pause = RETRY_PAUSES[min(mail.attempts - 1, len(RETRY_PAUSES) - 1)]
    mail.next_attempt_at = now + pause
