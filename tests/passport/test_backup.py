"""``passport backup`` / ``passport restore`` on SQLite and PostgreSQL (issue #8, "Faults").

A deployment is populated through the components' own services (institutions with their keys,
programs, awards signed for real, a revocation with its audit event, a signed status list, an API
key, a staff user with a console session, an employer's endorsement), backed up, restored into a
fresh database and compared table by table, row by row. The restored credentials are the same
bytes and still verify through the verifier pipeline with keys resolved from the restored rows.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import Session
from typer.testing import CliRunner

from credentials.report import Outcome, Verdict
from infra.database import create_database_engine
from issuers.access import create_api_key, create_staff_user, log_in
from issuers.api_models import EmployerCreate
from issuers.audit.log import AuditAction
from issuers.awards import status_lists
from issuers.awards.service import AwardRequest, Learner, issue_award
from issuers.awards.status_changes import change_status
from issuers.awards.tables import Award, StatusList
from issuers.identity import signer_for_institution
from issuers.institutions import get_institution
from issuers.programs.endorsements import create_employer, endorse_program
from keys.crypto_envelope import EnvelopeError, MasterKey
from keys.store import LocalKeyStoreResolver
from passport.backup import MANIFEST_NAME, BackupRefused, backed_up_tables, write_backup
from passport.cli import app as cli
from passport.database import migrate_to_head
from passport.restore import restore_backup, verify_backup
from portal.catalog_version import CATALOG_VERSION_TABLE, catalog_version
from portal.search_index import INDEX_TABLE, rebuild_index
from tests.issuers.award_support import (
    BASE_URL,
    NOW,
    add_institution,
    add_program,
    context_for,
    new_master_key,
)
from tests.secrets_guard import register_secret
from tests.storage import isolated_postgres_schema, postgres_test_url, sqlite_url
from verifier.context import OfflineStatusLists, VerificationContext
from verifier.pipeline import verify_document, verify_token


@dataclass
class Deployment:
    engine: Engine
    master: MasterKey
    active_award: str
    revoked_award: str


def populate(engine: Engine) -> Deployment:
    master = new_master_key()
    with Session(engine, expire_on_commit=False) as session:
        college = add_institution(session, master, "college-x")
        add_institution(session, master, "college-y", offers_suspension=False)
        program = add_program(session, college)
        context = context_for(session, master, college, program)
        learner = Learner("Amélie Tremblay", "amelie@example.ca")
        active = issue_award(session, context, AwardRequest(learner, external_id="s-1"), NOW)
        revoked = issue_award(session, context, AwardRequest(learner, result="A"), NOW)
        change_status(
            session, revoked, AuditAction.REVOKE, actor="registrar", reason="error", now=NOW
        )
        status_list = session.get(StatusList, active.status_list_id)
        assert status_list is not None
        status_lists.signed_status_list(
            session, status_list, college, context.signer, BASE_URL, NOW
        )
        _, api_key = create_api_key(session, college, "registrar", ["awards:issue"], NOW)
        register_secret(api_key, "API key")
        password = register_secret("correct horse battery staple", "password")
        create_staff_user(session, college, "registrar@college.example.ca", password, NOW)
        register_secret(
            log_in(session, "registrar@college.example.ca", password, NOW, "127.0.0.1").token
        )
        employer = create_employer(
            session, master, NOW, BASE_URL, EmployerCreate(slug="acme", name="Acme Welding")
        )
        endorse_program(session, master, NOW, BASE_URL, college, program, employer, "Good.")
        rebuild_index(session)
        session.commit()
    return Deployment(engine, master, active.id, revoked.id)


@pytest.fixture
def source(database_url: str) -> Iterator[Deployment]:
    engine = create_database_engine(database_url)
    migrate_to_head(engine)
    try:
        yield populate(engine)
    finally:
        engine.dispose()


@pytest.fixture
def target(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated database on the same backend as ``database_url``."""

    def migrated(url: str) -> Iterator[Engine]:
        engine = create_database_engine(url)
        migrate_to_head(engine)
        try:
            yield engine
        finally:
            engine.dispose()

    if database_url.startswith("sqlite"):
        (tmp_path / "target").mkdir()
        yield from migrated(sqlite_url(tmp_path / "target"))
        return
    server = postgres_test_url()
    assert server is not None
    with isolated_postgres_schema(server) as url:
        yield from migrated(url)


def all_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for table in backed_up_tables(connection)
        }


def index_size(engine: Engine) -> int:
    """Rows of the portal's full-text index (declared by no model, so rebuilt by restore)."""
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {INDEX_TABLE}")).scalar_one())


def version_of(engine: Engine) -> str:
    with Session(engine) as session:
        return catalog_version(session)


def verify_award(engine: Engine, award_id: str) -> tuple[Verdict, Verdict, dict[str, Outcome]]:
    """Both signed forms of the award through the verifier, keys from ``engine``'s rows."""
    with Session(engine) as session:
        award = session.get(Award, award_id)
        status_list = session.get(StatusList, award.status_list_id) if award else None
        assert award is not None and status_list is not None and status_list.signed_credential
        url = status_lists.status_list_url(BASE_URL, status_list.id)
        context = VerificationContext(
            now=NOW,
            resolver=LocalKeyStoreResolver(session),
            status_lists=OfflineStatusLists({url: json.loads(status_list.signed_credential)}, NOW),
        )
        report = verify_document(json.loads(award.ldp_credential), context)
        jwt_report = verify_token(award.jwt_credential, context)
    return report.verdict, jwt_report.verdict, {check.id: check.outcome for check in report.checks}


def test_round_trip_restores_every_row_and_credentials_still_verify(
    source: Deployment, target: Engine, tmp_path: Path
) -> None:
    backup = tmp_path / "deployment.zip"
    manifest = write_backup(source.engine, backup, NOW)
    assert {entry.name for entry in manifest.tables} == set(all_rows(source.engine))
    assert manifest.table("award").rows == 2
    assert CATALOG_VERSION_TABLE not in {entry.name for entry in manifest.tables}
    versions = {version_of(source.engine), version_of(target)}

    restore_backup(target, backup)
    # The restored catalog is a change: no process may keep counts of the target's old one.
    assert version_of(target) not in versions

    before, after = all_rows(source.engine), all_rows(target)
    assert after == before
    assert index_size(target) == index_size(source.engine) == len(after["program"])
    for table in ("signing_key", "institution", "program", "award", "audit_event", "api_key"):
        assert after[table], f"the test deployment has no {table} rows"
    with Session(source.engine) as old, Session(target) as new:
        issued, restored = old.get(Award, source.active_award), new.get(Award, source.active_award)
        assert issued is not None and restored is not None
        assert restored.ldp_credential.encode() == issued.ldp_credential.encode()
        assert restored.jwt_credential.encode() == issued.jwt_credential.encode()
    verdict, jwt_verdict, checks = verify_award(target, source.active_award)
    assert checks["proof"] is Outcome.PASSED and checks["status"] is Outcome.PASSED
    assert verdict in (Verdict.VERIFIED, Verdict.VERIFIED_WITH_WARNINGS)
    assert jwt_verdict == verdict
    revoked_verdict, _, revoked_checks = verify_award(target, source.revoked_award)
    assert revoked_checks["status"] is Outcome.FAILED
    assert revoked_verdict is Verdict.NOT_VERIFIED


def test_restored_deployment_signs_with_the_master_key_and_only_with_it(
    source: Deployment, target: Engine, tmp_path: Path
) -> None:
    backup = tmp_path / "deployment.zip"
    write_backup(source.engine, backup, NOW)
    restore_backup(target, backup)
    with Session(target) as session:
        college = get_institution(session, "college-x")
        with pytest.raises(EnvelopeError):
            signer_for_institution(session, new_master_key(), NOW, college)
        signer_for_institution(session, source.master, NOW, college)
        # Id sequences moved past the restored ids: new rows get fresh ids.
        newcomer = add_institution(session, source.master, "college-z")
        add_program(session, newcomer, "plumbing")
        session.commit()
        assert newcomer.id is not None and college.id is not None and newcomer.id > college.id


def damaged_member(backup: Path, member: str) -> Path:
    """A copy of ``backup`` with one byte flipped in the middle of ``member``'s stored data."""
    with zipfile.ZipFile(backup) as archive:
        info = archive.getinfo(member)
    data = bytearray(backup.read_bytes())
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0x01
    damaged = backup.with_name(f"damaged-{member.replace('/', '-')}.zip")
    damaged.write_bytes(bytes(data))
    return damaged


def rewritten(backup: Path, changes: dict[str, bytes]) -> Path:
    """A well-formed copy of ``backup`` with some members' contents replaced."""
    copy = backup.with_name("rewritten.zip")
    with zipfile.ZipFile(backup) as archive, zipfile.ZipFile(copy, "w") as out:
        for info in archive.infolist():
            out.writestr(info.filename, changes.get(info.filename, archive.read(info.filename)))
    return copy


def assert_nothing_restored(target: Engine) -> None:
    rows = all_rows(target)
    assert [name for name, table_rows in rows.items() if table_rows] == ["deployment_info"]


@pytest.mark.parametrize("member", ["tables/award.jsonl", MANIFEST_NAME])
def test_a_flipped_byte_is_refused_and_nothing_is_written(
    source: Deployment, target: Engine, tmp_path: Path, member: str
) -> None:
    backup = tmp_path / "deployment.zip"
    write_backup(source.engine, backup, NOW)
    damaged = damaged_member(backup, member)
    with pytest.raises(BackupRefused, match="damaged"):
        restore_backup(target, damaged)
    assert_nothing_restored(target)


def test_data_that_does_not_match_its_checksum_is_refused(
    source: Deployment, target: Engine, tmp_path: Path
) -> None:
    backup = tmp_path / "deployment.zip"
    write_backup(source.engine, backup, NOW)
    with zipfile.ZipFile(backup) as archive:
        awards = archive.read("tables/award.jsonl")
    forged = rewritten(backup, {"tables/award.jsonl": awards.replace(b"Tremblay", b"Tremblax", 1)})
    with pytest.raises(BackupRefused, match="table award does not match the checksum"):
        verify_backup(forged)
    with pytest.raises(BackupRefused, match="table award does not match the checksum"):
        restore_backup(target, forged)
    assert_nothing_restored(target)


def test_a_backup_of_another_revision_is_refused_naming_the_command(
    source: Deployment, target: Engine, tmp_path: Path
) -> None:
    backup = tmp_path / "deployment.zip"
    write_backup(source.engine, backup, NOW)
    with zipfile.ZipFile(backup) as archive:
        manifest = json.loads(archive.read(MANIFEST_NAME))
    manifest["alembic_revision"] = "0001"
    older = rewritten(backup, {MANIFEST_NAME: json.dumps(manifest).encode()})
    with pytest.raises(BackupRefused, match=r"revision 0001.*passport db upgrade"):
        restore_backup(target, older)
    assert_nothing_restored(target)


def test_a_database_holding_data_is_refused_unless_forced(
    source: Deployment, tmp_path: Path
) -> None:
    backup = tmp_path / "deployment.zip"
    write_backup(source.engine, backup, NOW)
    before = all_rows(source.engine)
    with pytest.raises(BackupRefused, match=r"already holds data.*--force"):
        restore_backup(source.engine, backup)
    with Session(source.engine) as session:
        add_institution(session, source.master, "college-late")
        session.commit()
    restore_backup(source.engine, backup, force=True)
    assert all_rows(source.engine) == before


def test_backup_never_replaces_an_existing_file(source: Deployment, tmp_path: Path) -> None:
    existing = tmp_path / "deployment.zip"
    existing.write_bytes(b"precious")
    with pytest.raises(BackupRefused, match="already exists"):
        write_backup(source.engine, existing, NOW)
    assert existing.read_bytes() == b"precious"


def test_cli_backs_up_and_restores_a_sqlite_deployment(tmp_path: Path) -> None:
    source_url, target_url = sqlite_url(tmp_path), f"sqlite:///{tmp_path / 'restored.db'}"
    engine = create_database_engine(source_url)
    migrate_to_head(engine)
    populate(engine)
    engine.dispose()
    runner, backup = CliRunner(), tmp_path / "backup.zip"

    made = runner.invoke(cli, ["backup", str(backup)], env={"PASSPORT_DATABASE_URL": source_url})
    assert made.exit_code == 0, made.output
    assert "backed up" in made.output
    again = runner.invoke(cli, ["backup", str(backup)], env={"PASSPORT_DATABASE_URL": source_url})
    assert again.exit_code == 2 and "already exists" in again.output
    env = {"PASSPORT_DATABASE_URL": target_url}
    restored = runner.invoke(cli, ["restore", str(backup)], env=env)
    assert restored.exit_code == 0, restored.output
    refused = runner.invoke(cli, ["restore", str(backup)], env=env)
    assert refused.exit_code == 2 and "--force" in refused.output
    forced = runner.invoke(cli, ["restore", "--force", str(backup)], env=env)
    assert forced.exit_code == 0, forced.output
    source_engine, target_engine = (
        create_database_engine(source_url),
        create_database_engine(target_url),
    )
    try:
        assert all_rows(target_engine) == all_rows(source_engine)
    finally:
        source_engine.dispose()
        target_engine.dispose()


def test_a_backup_is_readable_by_its_owner_only_whatever_the_umask(
    source: Deployment, tmp_path: Path
) -> None:
    # Issue 20, problem 6: archives were created world-readable (mode 0644 under umask 022).
    previous = os.umask(0o022)
    try:
        write_backup(source.engine, tmp_path / "deployment.zip", NOW)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "deployment.zip").stat().st_mode) == 0o600
