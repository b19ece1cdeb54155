"""Settings: defaults, PASSPORT_* variables, frozen, and the master-key rules per mode."""

from __future__ import annotations

import os

import pytest
from pydantic import SecretStr, ValidationError

from passport.settings import Mode, Settings, is_placeholder_secret
from tests.storage import TEST_DATABASE_URL_VARIABLE

STRONG_KEY = "k7Qm2vX9pL4sT8wZ1nB6cR3yH5jD0fGa"


@pytest.fixture(autouse=True)
def no_passport_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PASSPORT_") and name != TEST_DATABASE_URL_VARIABLE:
            monkeypatch.delenv(name)


def test_defaults_suit_a_local_development_run() -> None:
    settings = Settings()
    assert settings.database_url == "sqlite:///var/passport.db"
    assert settings.mode is Mode.DEVELOPMENT
    assert settings.master_key is None
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.max_request_bytes == 1024 * 1024
    assert settings.default_language == "en"
    assert not settings.uses_https


def test_values_come_from_passport_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DATABASE_URL", "postgresql+psycopg://app@db.internal/passport")
    monkeypatch.setenv("PASSPORT_MODE", "production")
    monkeypatch.setenv("PASSPORT_MASTER_KEY", STRONG_KEY)
    monkeypatch.setenv("PASSPORT_BASE_URL", "https://passport.example.ca/")
    monkeypatch.setenv("PASSPORT_MAX_REQUEST_BYTES", "2048")
    monkeypatch.setenv("PASSPORT_DEFAULT_LANGUAGE", "fr")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://app@db.internal/passport"
    assert settings.mode is Mode.PRODUCTION
    assert settings.master_key == SecretStr(STRONG_KEY)
    assert settings.base_url == "https://passport.example.ca"
    assert settings.uses_https
    assert settings.max_request_bytes == 2048
    assert settings.default_language == "fr"


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError, match="frozen"):
        settings.mode = Mode.PRODUCTION  # type: ignore[misc]


def test_production_refuses_to_start_without_a_master_key() -> None:
    with pytest.raises(ValidationError, match="PASSPORT_MASTER_KEY is required in production"):
        Settings(mode=Mode.PRODUCTION)


@pytest.mark.parametrize("placeholder", ["changeme", "CHANGEME", " secret ", "x" * 40, ""])
@pytest.mark.parametrize("mode", [Mode.DEMO, Mode.PRODUCTION])
def test_placeholder_master_keys_are_refused_outside_development(
    placeholder: str, mode: Mode
) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(mode=mode, master_key=SecretStr(placeholder))


def test_short_master_key_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(mode=Mode.PRODUCTION, master_key=SecretStr("k7Qm2vX9pL4s"))


def test_development_accepts_any_master_key_or_none() -> None:
    assert Settings(master_key=SecretStr("changeme")).master_key == SecretStr("changeme")
    assert Settings(mode=Mode.DEMO).master_key is None


def test_strong_master_key_is_accepted_and_never_shown() -> None:
    settings = Settings(
        mode=Mode.PRODUCTION,
        master_key=SecretStr(STRONG_KEY),
        database_url="postgresql+psycopg://app:db-password@db.internal/passport",
    )
    shown = f"{settings!r} {settings}"
    assert STRONG_KEY not in shown
    assert "db-password" not in shown


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Settings(master_kee="typo")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("base_url", "passport.example.ca", "must start with http:// or https://"),
        ("database_url", "not a url", "not a database URL"),
        ("mode", "staging", "development"),
        ("default_language", "de", "'en' or 'fr'"),
        ("max_request_bytes", "0", "greater than 0"),
    ],
)
def test_invalid_values_are_refused_with_a_reason(field: str, value: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Settings.model_validate({field: value})


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [("changeme", True), ("Password", True), ("aaaaaaaa", True), (STRONG_KEY, False)],
)
def test_is_placeholder_secret(value: str, placeholder: bool) -> None:
    assert is_placeholder_secret(value) is placeholder
