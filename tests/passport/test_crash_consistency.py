"""SIGKILL during a batch, a revocation and a key rotation (issue #8, "Faults").

Each scenario runs the real ``passport`` command line in a subprocess on the test database and
kills it with SIGKILL at a chosen moment, then checks that the state is consistent, that the
audit log agrees with it, and that running the command again finishes the work exactly once.

The moment is made deterministic with a lock the test holds: on PostgreSQL a row lock the command
waits on mid-transaction (``SELECT ... FOR UPDATE`` on the award, or an uncommitted row holding
the id the rotated key will take), seen in ``pg_blocking_pids``; on SQLite the write lock
(``BEGIN IMMEDIATE``), the command being killed once it sits idle with the database open (its
write is waiting for the lock; the URL gives it a long busy timeout so it never gives up first).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from credentials.multibase import encode_base64url
from credentials.report import Outcome
from infra.database import create_database_engine
from issuers.audit.log import AuditAction
from issuers.awards import status_lists
from issuers.awards.service import AwardRequest, Learner, issue_recorded
from issuers.awards.tables import AuditEvent, Award, AwardState, Batch, BatchRow, StatusList
from issuers.cohorts.jobs import TASK_NAME
from issuers.identity import institution_owner, signer_for_institution
from issuers.tables import Institution, Program
from keys.crypto_envelope import MasterKey, load_master_key
from keys.store import LocalKeyStoreResolver
from keys.tables import ED25519, KeyStatus, SigningKey
from passport.database import migrate_to_head
from tests.issuers.award_support import BASE_URL, add_institution, add_program, context_for
from tests.issuers.test_batches import cohort
from tests.secrets_guard import register_secret
from verifier.context import OfflineStatusLists, VerificationContext
from verifier.pipeline import verify_document, verify_token

COHORT_SIZE = 300
KILL_AFTER_AWARDS = 20
WAIT_SECONDS = 60.0
POLL_SECONDS = 0.05
# The SQLite busy timeout of the killed command: far longer than the test ever holds its lock.
SQLITE_BUSY_SECONDS = 120
PROGRAM = "college-x/welding"


@dataclass
class Deployment:
    """A migrated database with one institution and program, and how the CLI reaches it."""

    url: str
    engine: Engine
    master_text: str
    master: MasterKey

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def environment(self) -> dict[str, str]:
        """The CLI's environment: this database and master key, no developer PASSPORT_* leaks."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_")}
        url = self.url
        if self.backend == "sqlite":
            busy = make_url(url).update_query_dict({"timeout": str(SQLITE_BUSY_SECONDS)})
            url = busy.render_as_string(hide_password=False)
        return inherited | {
            "PASSPORT_DATABASE_URL": url,
            "PASSPORT_MASTER_KEY": self.master_text,
            "PASSPORT_BASE_URL": BASE_URL,
            "PASSPORT_MODE": "development",
        }

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)


@pytest.fixture
def deployment(database_url: str) -> Iterator[Deployment]:
    with deployment_on(database_url) as made:
        yield made


@contextmanager
def deployment_on(database_url: str) -> Iterator[Deployment]:
    """A migrated database with one institution and program (see ``Deployment``)."""
    engine = create_database_engine(database_url)
    migrate_to_head(engine)
    master_text = register_secret(encode_base64url(secrets.token_bytes(32)), "master key")
    master = load_master_key(master_text)
    with Session(engine) as session:
        institution = add_institution(session, master)
        add_program(session, institution)
        session.commit()
    try:
        yield Deployment(database_url, engine, master_text, master)
    finally:
        engine.dispose()


@dataclass
class Command:
    process: subprocess.Popen[bytes]
    output: str = ""


@contextmanager
def passport(deployment: Deployment, *args: str) -> Iterator[Command]:
    """``passport ARGS`` in a subprocess; whatever happens, it does not outlive the block.

    Its output goes to a file (a pipe nobody reads could fill up and stall it); see ``output``.
    """
    argv = [sys.executable, "-c", "from passport.cli import app; app()", *args]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            argv, env=deployment.environment(), stdout=log, stderr=subprocess.STDOUT
        )
        command = Command(process)
        try:
            yield command
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=WAIT_SECONDS)
            log.seek(0)
            command.output = log.read().decode()


def run_passport(deployment: Deployment, *args: str) -> str:
    """Run ``passport ARGS`` to completion and return its output; it must succeed."""
    with passport(deployment, *args) as command:
        command.process.wait(timeout=WAIT_SECONDS * 3)
    output = command.output
    assert command.process.returncode == 0, output
    assert deployment.master_text not in output
    return output


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(POLL_SECONDS)


def kill(process: subprocess.Popen[bytes]) -> None:
    assert process.poll() is None, "the command finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=WAIT_SECONDS)
    assert process.returncode == -signal.SIGKILL


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (proc(5), fields 14 and 15)


def _has_open(pid: int, path: str) -> bool:
    for entry in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(entry) == path:
                return True
        except FileNotFoundError:
            continue
    return False


def wait_until_blocked(
    deployment: Deployment, process: subprocess.Popen[bytes], holder: Connection
) -> str | None:
    """Until ``process`` waits for the lock ``holder`` holds (see the module docstring).

    Returns, on PostgreSQL, the statement that waits (where in its transaction it was killed).
    """
    if deployment.backend == "postgresql":
        holder_pid = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
        blocked = text(
            "SELECT query FROM pg_stat_activity WHERE :holder = ANY(pg_blocking_pids(pid))"
        )
        waiting: list[str] = []

        def waiting_for_holder() -> bool:
            assert process.poll() is None, "the command finished instead of waiting for the lock"
            # A fresh transaction per look: pg_stat_activity is a snapshot within a transaction.
            with deployment.engine.connect() as watcher:
                waiting.extend(watcher.execute(blocked, {"holder": holder_pid}).scalars())
            return bool(waiting)

        wait_until(waiting_for_holder, "the command waits for the test's row lock")
        return waiting[0]
    database = str(make_url(deployment.url).database)
    samples: list[int] = []

    def idle_with_database_open() -> bool:
        assert process.poll() is None, "the command finished instead of waiting for the lock"
        samples.append(_cpu_ticks(process.pid))
        # Idle for 0.5 s (10 polls) with the database open: its write waits in the busy handler.
        recent = samples[-10:]
        return len(recent) == 10 and len(set(recent)) == 1 and _has_open(process.pid, database)

    wait_until(idle_with_database_open, "the command waits for the test's write lock")
    return None


@contextmanager
def holding_lock(
    deployment: Deployment, postgres_lock: Callable[[Connection], object]
) -> Iterator[Connection]:
    """PostgreSQL: ``postgres_lock`` in an open transaction; SQLite: the database's write lock."""
    with deployment.engine.connect() as connection:
        if deployment.backend == "postgresql":
            postgres_lock(connection)
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield connection
        finally:
            connection.rollback()


def issue_one(deployment: Deployment, external_id: str) -> str:
    """An award issued and audited in the test process (as the console does); returns its id."""
    with deployment.session() as session:
        institution = session.exec(select(Institution)).one()
        program = session.exec(select(Program)).one()
        context = context_for(session, deployment.master, institution, program)
        request = AwardRequest(Learner("Amélie Côté", "amelie@example.ca"), external_id=external_id)
        award = issue_recorded(session, context, request, datetime.now(UTC), actor="test")
        session.commit()
        return award.id


def verification_context(session: Session, deployment: Deployment) -> VerificationContext:
    """Keys from the database; every status list of the institution signed now, held offline."""
    now = datetime.now(UTC)
    institution = session.exec(select(Institution)).one()
    signer = signer_for_institution(session, deployment.master, now, institution)
    documents: dict[str, dict[str, object] | str] = {}
    for status_list in status_lists.lists_of(session, institution.id or 0):
        signed = status_lists.signed_status_list(
            session, status_list, institution, signer, BASE_URL, now
        )
        documents[status_lists.status_list_url(BASE_URL, status_list.id)] = json.loads(signed.text)
    session.commit()
    return VerificationContext(
        now=now,
        resolver=LocalKeyStoreResolver(session),
        status_lists=OfflineStatusLists(documents, now),
    )


def unpassed_checks(context: VerificationContext, award: Award) -> set[str]:
    """Checks of either signed form that did not pass; ``issuer_trust`` only warns (no registry
    of trusted issuers is configured here), every other check must pass."""
    ldp = verify_document(json.loads(award.ldp_credential), context)
    jwt = verify_token(award.jwt_credential, context)
    checks = [*ldp.checks, *jwt.checks]
    assert {check.id for check in checks} >= {"proof", "issuer_key", "status", "validity"}
    return {check.id for check in checks if check.outcome is not Outcome.PASSED}


def award_count(deployment: Deployment) -> int:
    with deployment.session() as session:
        return int(session.exec(select(func.count()).select_from(Award)).one())


def assert_batch_consistent(deployment: Deployment) -> None:
    """Every stored award is whole; no row is done without its award; entries are unique."""
    with deployment.session() as session:
        stored = session.exec(select(Award)).all()
        for award in stored:
            assert award.ldp_credential and award.jwt_credential.count(".") == 2
            assert award.signing_key_id and award.status_list_id and award.status_index >= 0
        entries = {(award.status_list_id, award.status_index) for award in stored}
        assert len(entries) == len(stored)
        award_ids = {award.id for award in stored}
        rows = session.exec(select(BatchRow)).all()
        done = [row for row in rows if row.state != "pending"]
        assert all(row.award_id in award_ids for row in done)
        assert {row.award_id for row in done} == award_ids
        assert all(row.award_id is None for row in rows if row.state == "pending")
        allocated = session.exec(select(func.sum(StatusList.allocated))).one()
        assert int(allocated or 0) >= len(stored)


STALLED_AFTER = 1.0


def heartbeat_age(deployment: Deployment) -> float:
    """Seconds since the last heartbeat of the youngest procrastinate worker still registered."""
    with deployment.session() as session:
        query = "SELECT EXTRACT(EPOCH FROM NOW() - MAX(last_heartbeat)) FROM procrastinate_workers"
        age = session.connection().execute(text(query)).scalar()
    return float("inf") if age is None else float(age)


def job_states(deployment: Deployment) -> list[str]:
    """The status of every cohort job procrastinate holds (PostgreSQL)."""
    with deployment.session() as session:
        rows = session.connection().execute(
            text("SELECT status FROM procrastinate_jobs WHERE task_name = :task ORDER BY id"),
            {"task": TASK_NAME},
        )
        return [str(row[0]) for row in rows]


def test_sigkill_during_a_batch_loses_and_doubles_nothing(
    deployment: Deployment, tmp_path: Path
) -> None:
    path = tmp_path / "cohort.csv"
    path.write_bytes(cohort(COHORT_SIZE))
    if deployment.backend == "postgresql":
        # PostgreSQL batches are queued; `passport worker` issues them (and is the one killed).
        queued = run_passport(
            deployment, "issue-batch", str(path), "--program", PROGRAM, "--no-wait"
        )
        assert "queued for `passport worker`" in queued
        working = passport(deployment, "worker", "--no-wait")
    else:
        working = passport(deployment, "issue-batch", str(path), "--program", PROGRAM)
    with working as command:
        wait_until(lambda: award_count(deployment) >= KILL_AFTER_AWARDS, "some awards exist")
        kill(command.process)
    interrupted = award_count(deployment)
    assert KILL_AFTER_AWARDS <= interrupted < COHORT_SIZE
    assert_batch_consistent(deployment)

    if deployment.backend == "postgresql":
        # The dead worker's job stays `doing` until its heartbeat is older than --stalled-after;
        # the next worker then retries it rather than queueing the batch a second time.
        wait_until(lambda: heartbeat_age(deployment) > STALLED_AFTER, "the heartbeat is stale")
        run_passport(deployment, "worker", "--no-wait", "--stalled-after", str(STALLED_AFTER))
        assert job_states(deployment) == ["succeeded"]
    else:
        run_passport(deployment, "worker", "--no-wait")
    assert_batch_consistent(deployment)
    with deployment.session() as session:
        stored = session.exec(select(Award)).all()
        assert len(stored) == COHORT_SIZE
        assert sorted(award.external_id or "" for award in stored) == sorted(
            f"S-{n}" for n in range(1, COHORT_SIZE + 1)
        )
        assert len({award.status_index for award in stored}) == COHORT_SIZE
        batch = session.exec(select(Batch)).one()
        assert (batch.state, batch.issued_rows, batch.existing_rows) == (
            "completed",
            COHORT_SIZE,
            0,
        )
        actions = session.exec(select(AuditEvent.action)).all()
        assert sorted(actions) == ["batch_completed", "batch_submitted"]
        context = verification_context(session, deployment)
        for award in stored:
            assert unpassed_checks(context, award) == {"issuer_trust"}, award.external_id


def revocation_state(deployment: Deployment, award_id: str) -> tuple[str, int, list[str]]:
    """The award's state, its status bit and its audit actions, as another reader sees them."""
    with deployment.session() as session:
        award = session.get(Award, award_id)
        assert award is not None
        bit = status_lists.status_value(session, award.status_list_id, award.status_index)
        actions = session.exec(
            select(AuditEvent.action)
            .where(AuditEvent.award_id == award_id)
            .order_by(col(AuditEvent.id))
        ).all()
        return award.state, bit, list(actions)


def test_sigkill_during_a_revocation_leaves_all_or_nothing(deployment: Deployment) -> None:
    award_id = issue_one(deployment, "S-1")
    before = revocation_state(deployment, award_id)
    assert before == (AwardState.ACTIVE, 0, [AuditAction.ISSUE])
    # PostgreSQL: the command writes the status bit, then waits on the award row it updates.
    lock = text("SELECT id FROM award WHERE id = :id FOR UPDATE")
    revoke = ("awards", "revoke", award_id, "--reason", "Fraud")
    with (
        holding_lock(deployment, lambda holder: holder.execute(lock, {"id": award_id})) as holder,
        passport(deployment, *revoke) as command,
    ):
        waiting = wait_until_blocked(deployment, command.process, holder)
        kill(command.process)
    if waiting is not None:
        # Killed mid-transaction: the status bit is written; the award's change or its audit
        # event (whose foreign key check needs the award row) waits.
        assert waiting.startswith(("UPDATE award SET", "INSERT INTO audit_event")), waiting
    assert revocation_state(deployment, award_id) == before

    output = run_passport(deployment, "awards", "revoke", award_id, "--reason", "Fraud")
    assert f"award {award_id} is now revoked" in output
    assert revocation_state(deployment, award_id) == (
        AwardState.REVOKED,
        1,
        [AuditAction.ISSUE, AuditAction.REVOKE],
    )


def keys_of(deployment: Deployment) -> list[SigningKey]:
    with deployment.session() as session:
        institution = session.exec(select(Institution)).one()
        return list(
            session.exec(
                select(SigningKey)
                .where(SigningKey.owner_id == institution_owner(institution))
                .order_by(col(SigningKey.created_at), col(SigningKey.id))
            ).all()
        )


def next_key_id(key: SigningKey) -> str:
    """The id ``KeyStore.rotate`` gives the owner's next did:web key (``#key-<n>``)."""
    number = int(key.id.rsplit("#key-", 1)[1])
    return f"{key.did}#key-{number + 1}"


def claim_key_id(key_id: str, holder: Connection) -> None:
    """Insert (uncommitted) a key row with ``key_id``: a rotation storing that id must wait for
    this transaction, after it has already retired the old key."""
    decoy = {
        "id": key_id,
        "owner_id": "issuer:decoy",
        "did": key_id.partition("#")[0],
        "algorithm": ED25519,
        "public_key_multibase": f"z-decoy-{secrets.token_hex(8)}",
        "encrypted_private_key": "decoy",
        "status": KeyStatus.RETIRED.value,
        "created_at": datetime.now(UTC),
        "retired_at": datetime.now(UTC),
        "published": True,
    }
    holder.execute(insert(SigningKey).values(decoy))


def test_sigkill_during_a_key_rotation_keeps_one_active_key(deployment: Deployment) -> None:
    award_id = issue_one(deployment, "S-1")
    (original,) = keys_of(deployment)
    assert original.status == KeyStatus.ACTIVE
    rotate = ("keys", "rotate", "college-x")
    with (
        holding_lock(deployment, partial(claim_key_id, next_key_id(original))) as holder,
        passport(deployment, *rotate) as command,
    ):
        waiting = wait_until_blocked(deployment, command.process, holder)
        kill(command.process)
    if waiting is not None:
        # Killed mid-transaction: the old key is already retired, the new one not yet stored.
        assert waiting.startswith("INSERT INTO signing_key"), waiting
    after_kill = keys_of(deployment)
    assert [(key.id, key.status, key.published) for key in after_kill] == [
        (original.id, KeyStatus.ACTIVE, True)
    ]

    output = run_passport(deployment, "keys", "rotate", "college-x")
    rotated = keys_of(deployment)
    assert [(key.status, key.published) for key in rotated] == [
        (KeyStatus.RETIRED, True),
        (KeyStatus.ACTIVE, True),
    ]
    assert rotated[0].id == original.id and f"new active key {rotated[1].id}" in output
    with deployment.session() as session:
        award = session.get(Award, award_id)
        assert award is not None and award.signing_key_id == original.id
        context = verification_context(session, deployment)
        assert unpassed_checks(context, award) == {"issuer_trust"}
