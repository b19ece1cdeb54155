"""Secrets never reach logs, error responses or reprs (issue #8, "Secrets").

The whole suite runs under ``tests.secrets_guard``: every log record of the session is checked
at the end against every secret the fixtures registered. These tests show the guard catches what
it must (so the session check can fail), and exercise the paths that touch secrets most: key
custody and signing, a crash inside a request, and the settings object.
"""

from __future__ import annotations

import base64
import logging
import secrets
from pathlib import Path

import httpx
from sqlmodel import Session

from credentials.multibase import encode_base64url
from infra.database import create_database_engine
from issuers.awards.service import AwardRequest, Learner, issue_award
from keys.crypto_envelope import load_master_key, open_envelope
from keys.store import KeyStore
from passport.app import create_app
from passport.database import migrate_to_head, prepare_database
from passport.settings import Mode, Settings
from tests.issuers.award_support import NOW, add_institution, add_program, context_for
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.secrets_guard import SESSION_GUARD, SecretsGuard, install, register_secret
from tests.storage import sqlite_url


def test_the_guard_finds_a_secret_in_every_encoding_a_log_line_might_use() -> None:
    guard = SecretsGuard()
    logger = logging.getLogger("tests.guard-demo")
    logger.propagate = False
    logger.addHandler(guard.handler())
    logger.setLevel(logging.DEBUG)
    raw = secrets.token_bytes(32)
    master_key = encode_base64url(raw)
    guard.register(master_key, "master key")

    logger.debug("loaded %s", master_key)
    logger.info("raw key %s", raw.hex())
    logger.warning("as base64: %s", base64.b64encode(raw).decode())
    logger.error("%s", "nothing secret here")
    try:
        raise ValueError(f"bad key {master_key}")
    except ValueError:
        logger.exception("failed")

    leaks = guard.leaks()
    assert len(leaks) == 4
    assert all(line == "master key in a log record of tests.guard-demo" for line in leaks)
    assert not any(master_key in line or raw.hex() in line for line in leaks)


def test_the_session_guard_records_every_level_from_the_root_logger() -> None:
    marker = f"guard-marker-{secrets.token_hex(8)}"
    logging.getLogger("tests.some.module").debug(marker)
    assert any(marker in record for record in SESSION_GUARD.records)


def test_key_custody_signing_and_awarding_log_no_key_material(tmp_path: Path) -> None:
    guard = SecretsGuard()
    handler = install(guard)
    try:
        engine = create_database_engine(sqlite_url(tmp_path))
        migrate_to_head(engine)
        master_text = register_secret(encode_base64url(secrets.token_bytes(32)), "master key")
        guard.register(master_text, "master key")
        master = load_master_key(master_text)
        with Session(engine, expire_on_commit=False) as session:
            institution = add_institution(session, master)
            program = add_program(session, institution)
            store = KeyStore(session, master, NOW)
            key = store.active_key(f"issuer:{institution.slug}")
            assert key is not None
            seed = open_envelope(
                key.encrypted_private_key, master, key_id=key.id, owner_id=key.owner_id
            )
            guard.register(register_secret(seed, "private key (JWK d)"), "private key (JWK d)")
            context = context_for(session, master, institution, program)
            issue_award(session, context, AwardRequest(Learner("Jo Lee", "jo@example.ca")), NOW)
            store.rotate(f"issuer:{institution.slug}")
            session.commit()
        engine.dispose()
    finally:
        logging.getLogger().removeHandler(handler)
    assert guard.records, "the key and award services ran without any log record to check"
    assert guard.leaks() == []


def test_a_crash_answers_500_without_the_exception_message(tmp_path: Path) -> None:
    leaked = f"master key {encode_base64url(secrets.token_bytes(32))}"
    settings = development_settings(sqlite_url(tmp_path))
    prepare_database(settings)
    app = create_app(settings)

    @app.get("/test/crash")
    def crash() -> None:
        raise RuntimeError(leaked)

    with serving(app) as base_url, httpx.Client(base_url=base_url) as client:
        response = client.get("/test/crash")
    assert response.status_code == 500
    assert leaked not in response.text
    assert leaked.rsplit(maxsplit=1)[-1] not in response.text
    assert response.json()["code"] == "internal_error"


def test_settings_repr_and_str_hide_every_secret() -> None:
    master_key = register_secret(encode_base64url(secrets.token_bytes(32)), "master key")
    admin_token = register_secret(secrets.token_urlsafe(32), "admin token")
    metrics_token = register_secret(secrets.token_urlsafe(32), "metrics token")
    password = register_secret(secrets.token_urlsafe(16), "database password")
    settings = Settings.model_validate(
        {
            "mode": Mode.PRODUCTION,
            "master_key": master_key,
            "admin_token": admin_token,
            "metrics_token": metrics_token,
            "database_url": f"postgresql+psycopg://passport:{password}@db.internal/passport",
        }
    )
    for shown in (repr(settings), str(settings)):
        for secret in (master_key, admin_token, metrics_token, password):
            assert secret not in shown
