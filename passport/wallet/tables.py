"""Tables of the learner's wallet.

Everything a learner owns hangs off ``wallet_learner`` and is found only through the learner's id:
no service looks a credential, collection or share link up by its id alone. Deleting an account
deletes every row below it (``passport.wallet.accounts.delete_account``); the foreign keys also
cascade, as a second line of defence.

Secrets are stored as SHA-256 digests only: session tokens, share-link tokens and the employer's
key to a presentation request. A database leak therefore gives no working link or session.
Credentials are stored as the exact bytes received (``content``), with their ``format``; the
``display`` JSON is what the timeline shows, read once at import (never used to re-create a
credential).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from infra import LoginFailureColumns, UTCDateTime

DIGEST_LENGTH = 64  # hex SHA-256


def _owner_column() -> Any:
    return Column(
        String(36), ForeignKey("wallet_learner.id", ondelete="CASCADE"), nullable=False, index=True
    )


class CredentialFormat(StrEnum):
    """How the credential was received: JSON, a compact JWS, or baked into a PNG or SVG."""

    JSON = "json"
    JWS = "jws"
    PNG = "png"
    SVG = "svg"


class ShareKind(StrEnum):
    CREDENTIAL = "credential"
    COLLECTION = "collection"
    SELECTION = "selection"


class Learner(SQLModel, table=True):
    """An account. ``did`` is the learner's did:key; its private key lives in the KeyStore."""

    __tablename__: ClassVar[str] = "wallet_learner"

    id: str = Field(primary_key=True, sa_type=String(36))
    email: str = Field(sa_column=Column(String(320), unique=True, nullable=False))
    password_hash: str = Field(sa_type=String(256), repr=False)
    did: str = Field(sa_type=String(128))
    created_at: datetime = Field(sa_type=UTCDateTime)
    # None until the link of the confirmation email is followed (passport.wallet.email_flows).
    email_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LearnerSession(SQLModel, table=True):
    """A signed-in browser; ``token_hash`` is the SHA-256 of the cookie's random token."""

    __tablename__: ClassVar[str] = "wallet_session"

    token_hash: str = Field(primary_key=True, sa_type=String(DIGEST_LENGTH), repr=False)
    learner_id: str = Field(sa_column=_owner_column())
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class LoginFailure(LoginFailureColumns, table=True):
    """One failed sign-in, for the rate limit (``infra.login_limits``). ``account_key`` is a
    digest of the e-mail address as typed (normalized)."""

    __tablename__: ClassVar[str] = "wallet_login_failure"


class SignUpAttempt(LoginFailureColumns, table=True):
    """One sign-up attempt, whatever its outcome, for the sign-up rate limit
    (``infra.login_limits``); ``failed_at`` is when it was made."""

    __tablename__: ClassVar[str] = "wallet_signup_attempt"


class PendingSignUp(SQLModel, table=True):
    """A sign-up waiting for the link mailed to its address (``passport.wallet.signups``): one
    per address, replaced by a later sign-up, deleted when the link is followed. The account
    exists only then, so the sign-up form answers the same whether or not the address has one."""

    __tablename__: ClassVar[str] = "wallet_pending_signup"

    id: str = Field(primary_key=True, sa_type=String(36))
    email: str = Field(sa_column=Column(String(320), unique=True, nullable=False))
    password_hash: str = Field(sa_type=String(256), repr=False)
    # Where the learner was going (a path on this site, e.g. a claim page): kept here, never
    # put in the mail, so the link alone leads nowhere but to the account.
    next_path: str = Field(sa_type=String(2048), repr=False)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class StoredCredential(SQLModel, table=True):
    """A credential in a passport, exactly as received."""

    __tablename__: ClassVar[str] = "wallet_credential"
    __table_args__ = (
        UniqueConstraint("learner_id", "content_sha256", name="uq_wallet_credential_bytes"),
        UniqueConstraint("learner_id", "credential_id", name="uq_wallet_credential_id"),
        CheckConstraint("format IN ('json', 'jws', 'png', 'svg')", name="ck_wallet_credential_fmt"),
    )

    id: str = Field(primary_key=True, sa_type=String(36))
    learner_id: str = Field(sa_column=_owner_column())
    format: str = Field(sa_type=String(8))
    content: bytes = Field(sa_type=LargeBinary, repr=False)
    content_sha256: str = Field(sa_type=String(DIGEST_LENGTH))
    credential_id: str | None = Field(default=None, sa_type=String(512))
    kind: str = Field(sa_type=String(16))
    issuer_id: str | None = Field(default=None, sa_type=String(512))
    display: dict[str, Any] = Field(sa_type=JSON)
    source: str = Field(sa_type=String(16))
    added_at: datetime = Field(sa_type=UTCDateTime)


class Collection(SQLModel, table=True):
    """A named set of credentials ("For nursing jobs")."""

    __tablename__: ClassVar[str] = "wallet_collection"
    __table_args__ = (UniqueConstraint("learner_id", "name", name="uq_wallet_collection_name"),)

    id: str = Field(primary_key=True, sa_type=String(36))
    learner_id: str = Field(sa_column=_owner_column())
    name: str = Field(sa_type=String(120))
    created_at: datetime = Field(sa_type=UTCDateTime)


class CollectionItem(SQLModel, table=True):
    __tablename__: ClassVar[str] = "wallet_collection_item"

    collection_id: str = Field(
        sa_column=Column(
            String(36),
            ForeignKey("wallet_collection.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    credential_id: str = Field(
        sa_column=Column(
            String(36),
            ForeignKey("wallet_credential.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )


class ShareLink(SQLModel, table=True):
    """A link that shows one credential, a collection (as it is when viewed) or a selection."""

    __tablename__: ClassVar[str] = "wallet_share"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('credential', 'collection', 'selection')", name="ck_wallet_share_kind"
        ),
        CheckConstraint(
            "(kind = 'collection') = (collection_id IS NOT NULL)", name="ck_wallet_share_target"
        ),
    )

    id: str = Field(primary_key=True, sa_type=String(36))
    learner_id: str = Field(sa_column=_owner_column())
    token_hash: str = Field(
        sa_column=Column(String(DIGEST_LENGTH), unique=True, nullable=False), repr=False
    )
    kind: str = Field(sa_type=String(16))
    label: str = Field(sa_type=String(120))
    collection_id: str | None = Field(
        default=None,
        sa_column=Column(
            String(36), ForeignKey("wallet_collection.id", ondelete="CASCADE"), nullable=True
        ),
    )
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    view_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    last_viewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ShareItem(SQLModel, table=True):
    __tablename__: ClassVar[str] = "wallet_share_item"

    share_id: str = Field(
        sa_column=Column(
            String(36), ForeignKey("wallet_share.id", ondelete="CASCADE"), primary_key=True
        )
    )
    credential_id: str = Field(
        sa_column=Column(
            String(36),
            ForeignKey("wallet_credential.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )
    position: int = Field(default=0)


class PresentationRequest(SQLModel, table=True):
    """An employer's request for a presentation bound to a fresh challenge (single use).

    ``id`` is public (it is in the learner's link and QR code); the employer reads the answer
    with a separate key whose digest is ``viewer_key_hash``.
    """

    __tablename__: ClassVar[str] = "wallet_presentation_request"

    id: str = Field(primary_key=True, sa_type=String(36))
    viewer_key_hash: str = Field(sa_type=String(DIGEST_LENGTH), repr=False)
    challenge: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    domain: str = Field(sa_type=String(255))
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verdict: str | None = Field(default=None, sa_type=String(32))
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)
