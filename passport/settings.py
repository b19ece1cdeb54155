"""Deployment settings, read once from ``PASSPORT_*`` environment variables.

There is no module-level settings object: the CLI builds ``Settings()`` and hands it to
``create_app(settings)``; tests build their own. The object is frozen, so nothing changes a
setting behind a running app's back.

Outside development the master key (which encrypts issuers' private keys at rest) must not be a
placeholder, and production refuses to start without one.

>>> Settings(mode=Mode.DEVELOPMENT).max_request_bytes
1048576
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    NonNegativeInt,
    PositiveInt,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MIN_MASTER_KEY_LENGTH = 32
# Values people paste from examples; refused (case-insensitively) outside development.
PLACEHOLDER_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "default",
        "example",
        "master-key",
        "masterkey",
        "password",
        "placeholder",
        "secret",
        "test",
        "todo",
        "xxx",
    }
)


class Mode(StrEnum):
    """How the deployment is used; only ``production`` insists on a real master key."""

    DEVELOPMENT = "development"
    DEMO = "demo"
    PRODUCTION = "production"


def is_placeholder_secret(value: str) -> bool:
    """True for empty, example-like or single-character-repeated secrets ("xxxxxxxx")."""
    normalized = value.strip().lower()
    return normalized in PLACEHOLDER_SECRETS or len(set(normalized)) <= 1


class Settings(BaseSettings):
    """Everything a deployment configures. Environment variable names are ``PASSPORT_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="PASSPORT_", frozen=True, extra="forbid")

    # repr=False: a PostgreSQL URL may carry a password.
    database_url: str = Field(default="sqlite:///var/passport.db", repr=False)
    mode: Mode = Mode.DEVELOPMENT
    master_key: SecretStr | None = None
    # A file holding the master key instead of PASSPORT_MASTER_KEY (e.g. a mounted secret).
    master_key_file: Path | None = None
    # The deployment admin's bearer token (creates institutions); no admin API when unset.
    admin_token: SecretStr | None = Field(default=None, repr=False)
    # Bearer token for GET /metrics; when unset, /metrics answers loopback clients only.
    metrics_token: SecretStr | None = Field(default=None, repr=False)
    base_url: str = "http://127.0.0.1:8000"
    max_request_bytes: PositiveInt = 1024 * 1024
    default_language: Literal["en", "fr"] = "en"
    # The verifier (docs/verification.md). Lists are comma-separated in the environment.
    fetch_allow_http_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    fetch_allow_private_addresses: bool = False
    registry_files: Annotated[tuple[Path, ...], NoDecode] = ()
    trusted_registry_keys: Annotated[tuple[str, ...], NoDecode] = ()
    verification_leeway_seconds: NonNegativeInt = 300
    # Outgoing mail (award emails): the one SMTP relay, smtp:// or smtps:// (may hold a password).
    # Unset outside production: the built-in catcher (passport/mail_catcher.py, /dev/mail).
    smtp_url: SecretStr | None = Field(default=None, repr=False)
    mail_from: str = "Learner Passport <no-reply@learner-passport.invalid>"
    smtp_max_per_minute: PositiveInt = 60
    allow_published_test_keys: bool = False
    # Logs (docs/operations.md, "Logs"): "auto" is JSON lines in production, text otherwise.
    log_format: Literal["auto", "json", "text"] = "auto"
    access_log: bool = True

    @field_validator(
        "fetch_allow_http_hosts", "registry_files", "trusted_registry_keys", mode="before"
    )
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_is_parseable(cls, value: str) -> str:
        try:
            make_url(value)
        except ArgumentError:
            raise ValueError(
                "PASSPORT_DATABASE_URL is not a database URL "
                "(expected e.g. sqlite:///var/passport.db or postgresql+psycopg://host/db)"
            ) from None
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("PASSPORT_BASE_URL must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _test_keys_only_outside_production(self) -> Settings:
        # The 1EdTech test key's private half is public: in production it would let anyone
        # "issue" credentials that verify (standards digest, pitfall 11).
        if self.allow_published_test_keys and self.mode is Mode.PRODUCTION:
            raise ValueError("PASSPORT_ALLOW_PUBLISHED_TEST_KEYS is refused in production mode")
        return self

    @model_validator(mode="after")
    def _master_key_fits_mode(self) -> Settings:
        if self.master_key is None:
            if self.mode is Mode.PRODUCTION and self.master_key_file is None:
                raise ValueError("PASSPORT_MASTER_KEY is required in production mode")
            return self
        if self.mode is Mode.DEVELOPMENT:
            return self
        key = self.master_key.get_secret_value()
        if is_placeholder_secret(key):
            raise ValueError(
                "PASSPORT_MASTER_KEY is a placeholder value; "
                f"set a random secret in {self.mode} mode"
            )
        if len(key) < MIN_MASTER_KEY_LENGTH:
            raise ValueError(
                f"PASSPORT_MASTER_KEY must be at least {MIN_MASTER_KEY_LENGTH} characters "
                f"in {self.mode} mode"
            )
        return self

    @model_validator(mode="after")
    def _admin_token_fits_mode(self) -> Settings:
        if self.admin_token is None or self.mode is Mode.DEVELOPMENT:
            return self
        token = self.admin_token.get_secret_value()
        if is_placeholder_secret(token) or len(token) < MIN_MASTER_KEY_LENGTH:
            raise ValueError(
                f"PASSPORT_ADMIN_TOKEN must be a random secret of at least "
                f"{MIN_MASTER_KEY_LENGTH} characters in {self.mode} mode"
            )
        return self

    @property
    def effective_log_format(self) -> Literal["json", "text"]:
        """The log format to use: ``log_format``, with "auto" resolved by mode."""
        if self.log_format == "auto":
            return "json" if self.mode is Mode.PRODUCTION else "text"
        return self.log_format

    @property
    def uses_https(self) -> bool:
        """Whether the public address is HTTPS (then cookies are Secure and HSTS is sent)."""
        return self.base_url.startswith("https://")
