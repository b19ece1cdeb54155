"""What must hold after the database went away mid-batch and came back (issue #8, "Faults").

Every row issued exactly once, each credential with its status entry and both stored signed
copies, the batch completed and audited once; then a sample of the credentials (or all of them)
is verified the way ``tests/passport/test_crash_consistency.py`` verifies its own: keys from the
database, every status list of the institution signed now and held offline.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlmodel import col, select

from issuers.awards.tables import Award
from tests.passport.test_crash_consistency import Deployment, unpassed_checks, verification_context

# (what is checked, SQL giving the number found, what that number must be: "total" or 0)
_COUNTS: tuple[tuple[str, str, str], ...] = (
    ("awards of the batch", "SELECT count(*) FROM award WHERE batch_id = :batch", "total"),
    ("awards in all", "SELECT count(*) FROM award", "total"),
    (
        "distinct learners (external ids) awarded",
        "SELECT count(DISTINCT external_id) FROM award WHERE batch_id = :batch",
        "total",
    ),
    (
        "distinct status entries (list, index)",
        "SELECT count(*) FROM (SELECT DISTINCT status_list_id, status_index FROM award "
        "WHERE batch_id = :batch) AS entries",
        "total",
    ),
    (
        "awards without a status entry inside their list",
        "SELECT count(*) FROM award a LEFT JOIN status_list s ON s.id = a.status_list_id "
        "WHERE a.batch_id = :batch AND (s.id IS NULL OR a.status_index < 0 "
        "OR a.status_index >= s.size)",
        "zero",
    ),
    (
        "awards missing a stored copy (Data Integrity JSON-LD or vc+jwt)",
        "SELECT count(*) FROM award WHERE batch_id = :batch AND (ldp_credential NOT LIKE "
        "'%\"proof\"%' OR jwt_credential NOT LIKE '%.%.%')",
        "zero",
    ),
    (
        "batch rows issued, each naming a stored award",
        "SELECT count(*) FROM batch_row r JOIN award a ON a.id = r.award_id "
        "WHERE r.batch_id = :batch AND r.state = 'issued'",
        "total",
    ),
    (
        "distinct awards named by the rows",
        "SELECT count(DISTINCT award_id) FROM batch_row WHERE batch_id = :batch",
        "total",
    ),
    (
        "batch completed with every row issued",
        "SELECT count(*) FROM batch WHERE id = :batch AND state = 'completed' "
        "AND issued_rows = :total AND existing_rows = 0",
        "one",
    ),
    (
        "'batch completed' audit events",
        "SELECT count(*) FROM audit_event WHERE action = 'batch_completed' "
        "AND reason LIKE :batch_pattern",
        "one",
    ),
)


@dataclass(frozen=True)
class Verified:
    checked: int
    seconds: float


def count_problems(engine: Engine, batch_id: str, total: int) -> list[str]:
    """Print each count with what it must be; return the ones that are wrong."""
    problems = []
    values = {"batch": batch_id, "total": total, "batch_pattern": f"batch {batch_id}:%"}
    expected_of = {"total": total, "zero": 0, "one": 1}
    with engine.connect() as connection:
        for what, sql, expected in _COUNTS:
            found = connection.execute(text(sql), values).scalar_one()
            good = found == expected_of[expected]
            print(f"  {'ok ' if good else 'BAD'} {what}: {found} (must be {expected_of[expected]})")
            if not good:
                problems.append(f"{what}: {found}, not {expected_of[expected]}")
    return problems


def verify_sample(deployment: Deployment, batch_id: str, size: int) -> Verified:
    """Verify ``size`` random awards of the batch in both forms (all of them if ``size`` is 0);
    raises ``SystemExit`` naming the first award that does not verify."""
    started = time.monotonic()
    with deployment.session() as session:
        ids = list(session.exec(select(Award.id).where(Award.batch_id == batch_id)).all())
        chosen = ids if size == 0 or size >= len(ids) else random.sample(ids, size)
        context = verification_context(session, deployment)
        for start in range(0, len(chosen), 500):
            block = chosen[start : start + 500]
            for award in session.exec(select(Award).where(col(Award.id).in_(block))).all():
                failed = unpassed_checks(context, award)
                if failed != {"issuer_trust"}:
                    raise SystemExit(f"award {award.id} does not verify: {sorted(failed)}")
            session.expunge_all()
    return Verified(len(chosen), time.monotonic() - started)
