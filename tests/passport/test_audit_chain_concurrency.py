"""Issue 13: several processes appending to one institution's audit log on PostgreSQL keep one
chain (the per-institution advisory lock of ``issuers.audit_chain``): no two events chain onto
the same predecessor, and ``check_institution`` finds every event in order."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlmodel import Session

from issuers import audit
from issuers.audit_chain import check_institution
from keys.crypto_envelope import load_master_key
from passport.database import create_database_engine, migrate_to_head
from tests.issuers.award_support import add_institution
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
