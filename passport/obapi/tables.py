"""Tables of the Open Badges API: registered clients, codes, tokens, and learners' profiles.

Every secret is stored as its SHA-256 digest only (client secrets, authorization codes, access
and refresh tokens), so a database leak gives no working credential. Each row expires: codes
after minutes, access tokens after an hour, refresh tokens after weeks, and a client that never
completes an authorization after a day (``passport.obapi.oauth``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, ForeignKey, String, Text
from sqlmodel import Field, SQLModel

from infra import UTCDateTime

DIGEST_LENGTH = 64  # hex SHA-256


def _learner_column() -> Any:
    return Column(
        String(36), ForeignKey("wallet_learner.id", ondelete="CASCADE"), nullable=False, index=True
    )


def _client_column() -> Any:
    return Column(
        String(64),
        ForeignKey("obapi_client.client_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


class ApiClient(SQLModel, table=True):
    """A client registered with RFC 7591; ``client_metadata`` is what it sent, as accepted."""

    __tablename__: ClassVar[str] = "obapi_client"

    client_id: str = Field(primary_key=True, sa_type=String(64))
    secret_hash: str = Field(sa_type=String(DIGEST_LENGTH), repr=False)
    client_metadata: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    registered_from: str = Field(sa_type=String(64), index=True)
    issued_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # None until a learner first allows it; unfinished clients are deleted after a day.
    first_authorized_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuthorizationCode(SQLModel, table=True):
    """An authorization code (RFC 6749 section 4.1.2) with its PKCE challenge (RFC 7636)."""

    __tablename__: ClassVar[str] = "obapi_code"

    code_hash: str = Field(primary_key=True, sa_type=String(DIGEST_LENGTH), repr=False)
    client_id: str = Field(sa_column=_client_column())
    learner_id: str = Field(sa_column=_learner_column())
    redirect_uri: str = Field(sa_type=String(2048))
    scope: str = Field(sa_type=String(1024))
    code_challenge: str = Field(sa_type=String(128))
    code_challenge_method: str = Field(sa_type=String(8))
    expires_at: datetime = Field(sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """An access token and its refresh token for one learner and one client."""

    __tablename__: ClassVar[str] = "obapi_token"

    id: str = Field(primary_key=True, sa_type=String(36))
    client_id: str = Field(sa_column=_client_column())
    learner_id: str = Field(sa_column=_learner_column())
    access_hash: str = Field(
        sa_column=Column(String(DIGEST_LENGTH), unique=True, nullable=False), repr=False
    )
    refresh_hash: str | None = Field(
        default=None, sa_column=Column(String(DIGEST_LENGTH), unique=True), repr=False
    )
    scope: str = Field(sa_type=String(1024))
    issued_at: datetime = Field(sa_type=UTCDateTime)
    access_expires_at: datetime = Field(sa_type=UTCDateTime)
    refresh_expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LearnerProfile(SQLModel, table=True):
    """The learner's OB 3.0 ``Profile`` as last put through ``PUT /profile``."""

    __tablename__: ClassVar[str] = "obapi_profile"

    learner_id: str = Field(
        sa_column=Column(
            String(36), ForeignKey("wallet_learner.id", ondelete="CASCADE"), primary_key=True
        )
    )
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_type=UTCDateTime)


class RemoteHost(SQLModel, table=True):
    """Another Host this deployment registered with as a client (one registration per Host,
    shared by its learners, as OB 3.0 section 7.1 intends); the secret is sealed."""

    __tablename__: ClassVar[str] = "obapi_remote_host"

    id: str = Field(primary_key=True, sa_type=String(36))
    base_url: str = Field(sa_column=Column(String(512), unique=True, nullable=False))
    client_id: str = Field(sa_type=String(256))
    secret_sealed: str = Field(sa_type=Text, repr=False)
    authorization_url: str = Field(sa_type=String(2048))
    token_url: str = Field(sa_type=String(2048))
    api_url: str = Field(sa_type=String(2048))
    registered_at: datetime = Field(sa_type=UTCDateTime)


class RemoteGrant(SQLModel, table=True):
    """A learner's connection to a ``RemoteHost``: pending (state and PKCE verifier) until the
    Host sends the learner back, then its tokens, sealed with the deployment's master key."""

    __tablename__: ClassVar[str] = "obapi_remote_grant"

    id: str = Field(primary_key=True, sa_type=String(36))
    learner_id: str = Field(sa_column=_learner_column())
    host_id: str = Field(
        sa_column=Column(
            String(36),
            ForeignKey("obapi_remote_host.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    state_hash: str | None = Field(default=None, sa_type=String(DIGEST_LENGTH), repr=False)
    verifier_sealed: str | None = Field(default=None, sa_type=Text, repr=False)
    access_sealed: str | None = Field(default=None, sa_type=Text, repr=False)
    refresh_sealed: str | None = Field(default=None, sa_type=Text, repr=False)
    access_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    scope: str = Field(default="", sa_type=String(1024))
    created_at: datetime = Field(sa_type=UTCDateTime)
    connected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
