"""Issue 13: several processes appending to one institution's audit log on PostgreSQL keep one
chain (the per-institution advisory lock of ``issuers.audit.chain``): no two events chain onto
the same predecessor, and ``check_institution`` finds every event in order. The lock is taken
before any status list's, so that a transaction revoking several awards and a single revocation
on another status list never deadlock."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from infra.database import create_database_engine
from issuers.audit import log as audit
from issuers.audit.chain import check_institution
from issuers.awards.service import AwardRequest, Learner, issue_recorded
from issuers.awards.status_changes import change_status
from issuers.awards.tables import Award
from issuers.tables import Institution
from keys.crypto_envelope import load_master_key
from passport.database import migrate_to_head
from tests.issuers.award_support import add_institution, add_program, context_for
from tests.passport.wallet.support import TEST_MASTER_KEY

APPENDERS = 4
EVENTS_EACH = 25


def test_concurrent_appenders_keep_one_chain(postgres_url: str) -> None:
    setup = create_database_engine(postgres_url)
    migrate_to_head(setup)
    with Session(setup) as session:
        institution = add_institution(session, load_master_key(TEST_MASTER_KEY))
        session.commit()
        institution_id = institution.id
    assert institution_id is not None
    start = threading.Barrier(APPENDERS)
    failures: list[BaseException] = []

    def append(worker: int) -> None:
        # An engine each, as separate processes have: their own connections.
        engine = create_database_engine(postgres_url)
        try:
            start.wait()
            for n in range(EVENTS_EACH):
                with Session(engine) as session:
                    audit.record(
                        session,
                        institution_id=institution_id,
                        actor=f"worker {worker}",
                        action=audit.AuditAction.OFFER_CREATED,
                        reason=f"event {n}",
                        now=datetime.now(UTC),
                    )
                    session.commit()
        except BaseException as error:  # reported by the test below, not lost in the thread
            failures.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(APPENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with Session(setup) as session:
        report = check_institution(session, institution_id)
    setup.dispose()
    assert report.problem is None
    assert report.chained == APPENDERS * EVENTS_EACH


def _issue(engine: Engine, institution_id: int, *, suspension: bool, name: str) -> str:
    """An award on the institution's revocation list, or on its suspension list."""
    master = load_master_key(TEST_MASTER_KEY)
    with Session(engine) as session:
        institution = session.get(Institution, institution_id)
        assert institution is not None
        institution.offers_suspension = suspension
        session.add(institution)
        program = add_program(session, institution, slug=f"program-{name}")
        context = context_for(session, master, institution, program)
        request = AwardRequest(Learner(name, f"{name}@example.ca"))
        award = issue_recorded(session, context, request, datetime.now(UTC), actor="registrar")
        session.commit()
        return award.id


def _revoke(session: Session, award_id: str) -> None:
    award = session.get(Award, award_id)
    assert award is not None
    change_status(
        session, award, audit.AuditAction.REVOKE, actor="t", reason="r", now=datetime.now(UTC)
    )
    session.flush()


def test_a_bulk_revocation_and_a_single_one_on_another_list_do_not_deadlock(
    postgres_url: str,
) -> None:
    engine = create_database_engine(postgres_url)
    migrate_to_head(engine)
    with Session(engine) as session:
        institution = add_institution(session, load_master_key(TEST_MASTER_KEY))
        session.commit()
        institution_id = institution.id
    assert institution_id is not None
    on_revocation = _issue(engine, institution_id, suspension=False, name="ada")
    on_suspension = [_issue(engine, institution_id, suspension=True, name=n) for n in ("bo", "cy")]
    failures: list[BaseException] = []

    def single_revocation() -> None:
        try:
            with Session(engine) as session:
                _revoke(session, on_suspension[1])
                session.commit()
        except BaseException as error:  # reported below
            failures.append(error)

    with Session(engine) as bulk:
        _revoke(bulk, on_revocation)  # holds the chain and the revocation list
        other = threading.Thread(target=single_revocation)
        other.start()
        time.sleep(0.5)  # the single revocation reaches its first lock
        _revoke(bulk, on_suspension[0])  # then needs the suspension list
        bulk.commit()
    other.join()
    assert failures == []
    with Session(engine) as session:
        report = check_institution(session, institution_id)
    engine.dispose()
    assert report.problem is None and report.chained == 3 + 3
