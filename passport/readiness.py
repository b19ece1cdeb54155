"""``GET /readyz``: can this process do its work? (``/healthz`` only says it is alive.)

Four checks, in order, each ``ok``, ``failed`` or ``skipped`` (when an earlier one failed):

- ``database``: the database answers a query;
- ``migrations``: it is at this code's Alembic revision;
- ``master_key``: the master key loads and unseals a stored private key;
- ``signing``: that key signs, and the signature verifies with its published public key.

A deployment without any signing key yet passes ``signing`` with ``no_keys`` (its master key
must still load). 200 when every check passes, else 503: a load balancer keeps traffic away from a
process that would answer every issue call with an error. The reasons go to the log, not to the
answer, which is public and must not name files or hosts of the server.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from credentials import PassportError, decode_public_multikey
from issuers import MasterKeySource
from keys import KeyStatus, KeyStore, SigningKey
from passport.database import database_is_current

logger = logging.getLogger("passport.readiness")
READY_PATH = "/readyz"
OK, FAILED, SKIPPED, NO_KEYS = "ok", "failed", "skipped", "no_keys"


class Readiness(BaseModel):
    """``GET /readyz`` body."""

    status: str
    database: str
    migrations: str
    master_key: str
    signing: str


def _database_checks(engine: Engine) -> tuple[str, str]:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = database_is_current(engine)
    except SQLAlchemyError as error:
        logger.warning("readiness: database unavailable: %s", type(error).__name__)
        return FAILED, SKIPPED
    if not current:
        logger.warning("readiness: the database is not at this code's revision")
    return OK, OK if current else FAILED


def _key_checks(engine: Engine, master_keys: MasterKeySource) -> tuple[str, str]:
    try:
        master = master_keys.get()
    except PassportError:
        return FAILED, SKIPPED  # MasterKeySource has logged the reason
    with Session(engine) as session:
        key = session.exec(
            select(SigningKey)
            .where(SigningKey.status == KeyStatus.ACTIVE)
            .order_by(col(SigningKey.created_at))
            .limit(1)
        ).first()
        if key is None:
            return OK, NO_KEYS
        try:
            signer = KeyStore(session, master, datetime.now(UTC)).signer_for(key.owner_id)
        except PassportError as error:
            logger.warning("readiness: cannot unseal %s: %s", key.id, error.message)
            return FAILED, SKIPPED
    probe = secrets.token_bytes(32)
    try:
        decode_public_multikey(key.public_key_multibase).verify(signer.sign(probe), probe)
    except InvalidSignature:
        logger.warning("readiness: the signature of %s does not verify", key.id)
        return OK, FAILED
    return OK, OK


def readiness(engine: Engine, master_keys: MasterKeySource) -> Readiness:
    """Run the checks in order; a failed one skips those that depend on it."""
    database, migrations = _database_checks(engine)
    master_key = signing = SKIPPED
    if migrations == OK:
        try:
            master_key, signing = _key_checks(engine, master_keys)
        except SQLAlchemyError as error:
            logger.warning("readiness: database failed mid-check: %s", type(error).__name__)
            database, migrations = FAILED, SKIPPED
    ready = all(value in (OK, NO_KEYS) for value in (database, migrations, master_key, signing))
    return Readiness(
        status="ready" if ready else "not_ready",
        database=database,
        migrations=migrations,
        master_key=master_key,
        signing=signing,
    )


readiness_router = APIRouter()


@readiness_router.get(READY_PATH, response_model=Readiness)
def readyz(request: Request) -> JSONResponse:
    """Readiness for load balancers: 200 when the process can serve every request, else 503."""
    state = request.app.state
    body = readiness(state.engine, state.master_key_source)
    return JSONResponse(
        body.model_dump(),
        status_code=200 if body.status == "ready" else 503,
        headers={"Cache-Control": "no-store"},
    )
