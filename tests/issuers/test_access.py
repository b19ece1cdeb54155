"""API keys, staff passwords, console sessions and the admin token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from credentials.errors import Conflict, Forbidden, Unauthorized
from issuers.access import (
    MAX_FAILED_LOGINS,
    TooManyAttempts,
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
from issuers.tables import ApiKey, StaffUser
from tests.issuers.issuer_support import (
    NOW,
    Store,
    store_fixture,  # noqa: F401  (fixture "store")
)
from tests.storage import database_url  # noqa: F401  (fixture)

PASSWORD = "correct horse battery staple"


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


def test_revoked_api_key_is_unauthorized(store: Store) -> None:
    institution = store.add_institution("college-a")
    other = store.add_institution("college-b")
    with store.session() as session:
        row, key = create_api_key(session, institution, "x", ["issue"], NOW)
        with pytest.raises(Forbidden):
            revoke_api_key(session, other, row.prefix, NOW)
        revoke_api_key(session, institution, row.prefix, NOW)
        session.commit()
        with pytest.raises(Unauthorized, match="revoked"):
            authenticate_api_key(session, key)


def test_password_is_an_argon2id_hash_and_login_opens_a_session(store: Store) -> None:
    institution = store.add_institution("college-a")
    with store.session() as session:
        user = create_staff_user(session, institution, "Staff@College-A.example.ca", PASSWORD, NOW)
        session.commit()
        assert user.password_hash.startswith("$argon2id$")
        login = log_in(session, "staff@college-a.example.ca", PASSWORD, NOW)
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
            log_in(session, "nobody@x.ca", PASSWORD, NOW)
        for _ in range(MAX_FAILED_LOGINS):
            with pytest.raises(Unauthorized):
                log_in(session, "a@x.ca", "wrong password", NOW)
        with pytest.raises(TooManyAttempts):
            log_in(session, "a@x.ca", PASSWORD, NOW + timedelta(minutes=1))
        log_in(session, "a@x.ca", PASSWORD, NOW + timedelta(minutes=16))
        user = session.get(StaffUser, 1)
        assert user is not None and user.failed_logins == 0


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
