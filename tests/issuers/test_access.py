"""API keys, staff passwords, console sessions and the admin token."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from credentials.errors import Conflict, Forbidden, NotFound, Unauthorized
from infra.login_limits import TooManyAttempts
from issuers import access
from issuers.access import (
    MAX_FAILED_LOGINS,
    api_keys_of,
    authenticate_api_key,
    authorize,
    check_admin_token,
    check_csrf,
    create_api_key,
    create_staff_user,
    log_in,
    log_out,
    revoke_api_key,
    staff_session,
)
from issuers.audit.log import events_for
from issuers.tables import ApiKey, StaffLoginFailure, StaffUser
from tests.issuers.issuer_support import (
    NOW,
    Store,
    store_fixture,  # noqa: F401  (fixture "store")
)
from tests.storage import database_url  # noqa: F401  (fixture)

PASSWORD = "correct horse battery staple"
ADDRESS = "203.0.113.7"


def database_text(store: Store) -> str:
    """Every value of every table, as text: secrets must not be in it."""
    with store.engine.connect() as connection:
        tables = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                    if store.engine.dialect.name == "sqlite"
                    else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            )
        ]
        return "\n".join(
            repr(row)
            for table in tables
            for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        )


def test_api_key_is_random_shown_once_and_stored_hashed(store: Store) -> None:
    institution = store.add_institution("college-a")
    with store.session() as session:
        row, key = create_api_key(session, institution, "registrar", ["issue"], NOW)
        session.commit()
        _, other = create_api_key(session, institution, "registrar", ["issue"], NOW)
        session.commit()
    secret = key.split(".", 1)[1]
    assert key.startswith(row.prefix + ".") and key != other
    assert len(secret) >= 43  # 256 bits of base64url
    dump = database_text(store)
    assert row.prefix in dump
    assert secret not in dump and key not in dump


def test_api_key_authenticates_and_is_scoped(store: Store) -> None:
    college_a = store.add_institution("college-a")
    college_b = store.add_institution("college-b")
    with store.session() as session:
        _, key = create_api_key(session, college_a, "programs", ["manage_programs"], NOW)
        session.commit()
        row = authenticate_api_key(session, key)
        authorize(row, college_a, "manage_programs")
        with pytest.raises(Forbidden, match="college-b"):
            authorize(row, college_b, "manage_programs")
        with pytest.raises(Forbidden, match="issue"):
            authorize(row, college_a, "issue")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),
        lambda k: "lpk_000000000000." + k.split(".")[1],
        lambda k: k.split(".")[0],
        lambda k: "",
    ],
)
def test_wrong_api_keys_are_unauthorized(store: Store, mangle: object) -> None:
    institution = store.add_institution("college-a")
    with store.session() as session:
        _, key = create_api_key(session, institution, "x", ["issue"], NOW)
        session.commit()
        with pytest.raises(Unauthorized):
            authenticate_api_key(session, mangle(key))  # type: ignore[operator]


def test_revoked_api_key_is_unauthorized_and_the_revocation_is_audited(store: Store) -> None:
    institution = store.add_institution("college-a")
    other = store.add_institution("college-b")
    with store.session() as session:
        row, key = create_api_key(session, institution, "registrar", ["issue"], NOW)
        with pytest.raises(NotFound):
            revoke_api_key(session, other, row.prefix, NOW, actor="admin", reason="leaked")
        revoke_api_key(session, institution, row.prefix, NOW, actor="admin", reason="leaked")
        session.commit()
        with pytest.raises(Unauthorized, match="revoked"):
            authenticate_api_key(session, key)
        with pytest.raises(Conflict, match="already revoked"):
            revoke_api_key(session, institution, row.prefix, NOW, actor="admin", reason="again")
        (event,) = events_for(session, institution.id or 0)
        assert (event.action, event.actor) == ("api_key_revoked", "admin")
        assert event.reason == f"{row.prefix} (registrar): leaked"
        assert events_for(session, other.id or 0) == []
        assert [item.revoked_at for item in api_keys_of(session, institution)] == [NOW]


def test_password_is_an_argon2id_hash_and_login_opens_a_session(store: Store) -> None:
    institution = store.add_institution("college-a")
    with store.session() as session:
        user = create_staff_user(session, institution, "Staff@College-A.example.ca", PASSWORD, NOW)
        session.commit()
        assert user.password_hash.startswith("$argon2id$")
        login = log_in(session, "staff@college-a.example.ca", PASSWORD, NOW, ADDRESS)
        session.commit()
        row, found = staff_session(session, login.token, NOW)
        assert found.id == user.id
        check_csrf(row, row.csrf_token)
        with pytest.raises(Forbidden):
            check_csrf(row, "forged")
        with pytest.raises(Forbidden):
            check_csrf(row, None)
        with pytest.raises(Unauthorized):
            staff_session(session, login.token, row.expires_at)
        log_out(session, login.token)
        session.commit()
        with pytest.raises(Unauthorized):
            staff_session(session, login.token, NOW)
    dump = database_text(store)
    assert PASSWORD not in dump and login.token not in dump


def test_duplicate_staff_email_is_a_conflict(store: Store) -> None:
    institution = store.add_institution("college-a")
    with store.session() as session:
        create_staff_user(session, institution, "a@x.ca", PASSWORD, NOW)
        with pytest.raises(Conflict):
            create_staff_user(session, institution, "A@x.ca", PASSWORD, NOW)


def test_repeated_failures_lock_the_account(store: Store) -> None:
    institution = store.add_institution("college-a")
    with store.session() as session:
        create_staff_user(session, institution, "a@x.ca", PASSWORD, NOW)
        session.commit()
        with pytest.raises(Unauthorized):
            log_in(session, "nobody@x.ca", PASSWORD, NOW, ADDRESS)
        for _ in range(MAX_FAILED_LOGINS):
            with pytest.raises(Unauthorized):
                log_in(session, "a@x.ca", "wrong password", NOW, ADDRESS)
        with pytest.raises(TooManyAttempts):
            log_in(session, "a@x.ca", PASSWORD, NOW + timedelta(minutes=1), ADDRESS)
        log_in(session, "a@x.ca", PASSWORD, NOW + timedelta(minutes=16), ADDRESS)
        user = session.get(StaffUser, 1)
        assert user is not None and user.failed_logins == 0


def test_failures_from_one_address_lock_that_address_for_every_email(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    institution = store.add_institution("college-a")
    limits = dataclasses.replace(access.STAFF_LOGIN_LIMITS, per_address=3)
    monkeypatch.setattr(access, "STAFF_LOGIN_LIMITS", limits)
    attacker, colleague = "203.0.113.66", "198.51.100.7"
    with store.session() as session:
        create_staff_user(session, institution, "a@x.ca", PASSWORD, NOW)
        session.commit()
        # One wrong password per email, known or not: no account reaches its own lockout.
        for email in ("a@x.ca", "b@x.ca", "c@x.ca"):
            with pytest.raises(Unauthorized):
                log_in(session, email, "wrong password", NOW, attacker)
        with pytest.raises(TooManyAttempts):
            log_in(session, "a@x.ca", PASSWORD, NOW + timedelta(minutes=1), attacker)
        with pytest.raises(TooManyAttempts):
            log_in(session, "d@x.ca", "wrong password", NOW + timedelta(minutes=1), attacker)
        log_in(session, "a@x.ca", PASSWORD, NOW + timedelta(minutes=1), colleague)
        log_in(session, "a@x.ca", PASSWORD, NOW + access.LOCKOUT + timedelta(minutes=1), attacker)
        session.commit()
        failures = session.exec(select(StaffLoginFailure)).all()
    # Only digests of the emails tried are stored, never the emails.
    assert {failure.client_address for failure in failures} == {attacker}
    assert "b@x.ca" not in {failure.account_key for failure in failures}


def test_admin_token() -> None:
    check_admin_token("s3cret-admin-token", "s3cret-admin-token")
    with pytest.raises(Unauthorized):
        check_admin_token("s3cret-admin-token", "s3cret-admin-tokeN")
    with pytest.raises(Unauthorized):
        check_admin_token("s3cret-admin-token", None)
    with pytest.raises(Forbidden, match="PASSPORT_ADMIN_TOKEN"):
        check_admin_token(None, "anything")


def test_api_key_row_has_no_plaintext_column() -> None:
    assert set(ApiKey.model_fields) == {
        "id",
        "institution_id",
        "prefix",
        "secret_sha256",
        "actions",
        "label",
        "created_at",
        "revoked_at",
    }
