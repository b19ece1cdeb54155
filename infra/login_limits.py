"""Sign-in rate limits per account and per client address, shared by every sign-in form.

The learner's wallet and the institution console both count failed sign-ins in a table of their
own (a ``LoginFailureColumns`` table): after ``per_account`` failures against one account, or
``per_address`` failures from one client address, within ``window``, further attempts are refused
before any password is checked, for an unknown account as for a known one (OWASP Authentication
Cheat Sheet, "Protect Against Automated Attacks"). The per-address count is what stops one client
from trying one password against many accounts. Counts live in the database, so every app process
enforces the same limits.

It lives in ``infra/``, the neutral layer, because ``issuers/`` and ``passport/`` both use it.

Callers pass their ``Session`` and ``now``; these functions flush, the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import ColumnElement, String, delete, func
from sqlmodel import Field, Session, SQLModel, col, select

from credentials import PassportError
from infra.columns import UTCDateTime

ADDRESS_LENGTH = 64
DIGEST_LENGTH = 64  # hex SHA-256


class TooManyAttempts(PassportError):
    code = "too_many_attempts"
    status = 429


class LoginFailureColumns(SQLModel):
    """The columns of a table of failed sign-ins (each sign-in form has its own table).

    ``account_key`` is a digest of the account name as typed, so failures against unknown
    accounts store no address book of guesses.
    """

    id: int | None = Field(default=None, primary_key=True)
    account_key: str = Field(index=True, sa_type=String(DIGEST_LENGTH))
    client_address: str = Field(index=True, sa_type=String(ADDRESS_LENGTH))
    failed_at: datetime = Field(sa_type=UTCDateTime, index=True)


@dataclass(frozen=True)
class LoginLimits:
    """The limits of one sign-in form over its failure table; ``per_account=None`` leaves the
    per-account limit to the caller (the console keeps its lockout in the staff row)."""

    table: type[LoginFailureColumns]
    window: timedelta
    per_address: int
    per_account: int | None = None
    # The refusal's message, a template with ``%(minutes)s``: the caller's, so that the shell
    # can translate it (``keys`` is not among the modules messages are extracted from).
    refusal: str = field(kw_only=True)

    def enforce(
        self, session: Session, *, account_key: str, client_address: str, now: datetime
    ) -> None:
        """``TooManyAttempts`` when either count within the window has reached its limit."""
        recent = col(self.table.failed_at) > now - self.window
        if self.per_account is not None:
            by_account = self._count(session, col(self.table.account_key) == account_key, recent)
            if by_account >= self.per_account:
                self._refuse()
        address = client_address[:ADDRESS_LENGTH]
        if (
            self._count(session, col(self.table.client_address) == address, recent)
            >= self.per_address
        ):
            self._refuse()

    def record_failure(
        self, session: Session, *, account_key: str, client_address: str, now: datetime
    ) -> None:
        """Count one failure (and drop the failures that have left the window)."""
        session.exec(delete(self.table).where(col(self.table.failed_at) <= now - self.window))
        session.add(
            self.table(
                account_key=account_key,
                client_address=client_address[:ADDRESS_LENGTH],
                failed_at=now,
            )
        )
        session.flush()

    def forget_account(self, session: Session, account_key: str) -> None:
        """After a successful sign-in the account's own failures no longer count."""
        session.exec(delete(self.table).where(col(self.table.account_key) == account_key))

    @staticmethod
    def _count(session: Session, *conditions: ColumnElement[bool]) -> int:
        return int(session.exec(select(func.count()).where(*conditions)).one())

    def _refuse(self) -> NoReturn:
        minutes = int(self.window.total_seconds() // 60)
        raise TooManyAttempts(self.refusal, params={"minutes": minutes})
