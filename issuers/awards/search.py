"""What the awarding console pages read: award search with pagination, batches, the audit log.

Every read is scoped to ONE institution: another institution's award or batch is "not found",
exactly as if it did not exist (the console never says that it exists elsewhere).

>>> AwardFilter(text=" Côté ").cleaned().text
'Côté'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, or_, select

from credentials.errors import InvalidInput, NotFound
from issuers.audit import log as audit
from issuers.awards.tables import AuditEvent, Award, AwardState, Batch, BatchState
from issuers.cohorts.batches import batch_progress
from issuers.tables import Institution, Program

AWARDS_PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
RECENT_BATCHES = 10
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class AwardFilter:
    """The search form: free text (learner name, email, external id, award id), program, state."""

    text: str = ""
    program_slug: str = ""
    state: str = ""

    def cleaned(self) -> AwardFilter:
        text = self.text.strip()
        if len(text) > MAX_QUERY_LENGTH:
            raise InvalidInput(f"the search text must be at most {MAX_QUERY_LENGTH} characters")
        if self.state and self.state not in set(AwardState):
            raise InvalidInput(f"{self.state!r} is not a status (active, suspended, revoked)")
        return replace(self, text=text, program_slug=self.program_slug.strip())


@dataclass(frozen=True)
class ListedAward:
    award: Award
    program: Program


@dataclass(frozen=True)
class AwardPage:
    """One page of results; ``page`` counts from 1."""

    items: Sequence[ListedAward]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search_awards(
    session: Session,
    institution: Institution,
    award_filter: AwardFilter,
    page: int = 1,
    page_size: int = AWARDS_PAGE_SIZE,
) -> AwardPage:
    """The institution's awards matching ``award_filter``, newest first, one page of them."""
    wanted = award_filter.cleaned()
    conditions: list[ColumnElement[bool]] = [
        col(Award.institution_id) == institution.id,
        col(Award.program_id) == col(Program.id),
    ]
    if wanted.text:
        # As typed for names (SQLite folds the case of ASCII letters only, so "Élodie" must
        # keep its capital); emails are stored lower-cased.
        pattern = f"%{wanted.text}%"
        conditions.append(
            or_(
                col(Award.learner_name).ilike(pattern),
                col(Award.learner_email).like(pattern.lower()),
                col(Award.external_id).ilike(pattern),
                col(Award.id) == wanted.text,
            )
        )
    if wanted.program_slug:
        conditions.append(col(Program.slug) == wanted.program_slug)
    if wanted.state:
        conditions.append(col(Award.state) == wanted.state)
    total = int(
        session.exec(select(func.count()).select_from(Award, Program).where(*conditions)).one()
    )
    page = max(1, page)
    rows = session.exec(
        select(Award, Program)
        .where(*conditions)
        .order_by(col(Award.issued_at).desc(), col(Award.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    items = [ListedAward(award, program) for award, program in rows]
    return AwardPage(items, total, page, page_size)


def program_of(session: Session, award: Award) -> Program:
    program = session.get(Program, award.program_id)
    if program is None:
        raise NotFound(f"the program of award {award.id} no longer exists")
    return program


@dataclass(frozen=True)
class BatchStatus:
    """A batch's counts as the progress page shows them.

    Rows are never issued partly: a row is done (issued now, or already issued by an earlier
    upload of the same external id), or pending; a batch that stopped for good leaves its
    pending rows failed.
    """

    batch: Batch
    issued: int
    existing: int

    @property
    def done(self) -> int:
        return self.issued + self.existing

    @property
    def pending(self) -> int:
        return 0 if self.failed_state else self.batch.total_rows - self.done

    @property
    def failed(self) -> int:
        return self.batch.total_rows - self.done if self.failed_state else 0

    @property
    def failed_state(self) -> bool:
        return self.batch.state == BatchState.FAILED

    @property
    def finished(self) -> bool:
        return self.batch.state in (BatchState.COMPLETED, BatchState.FAILED)


def get_batch(session: Session, institution: Institution, batch_id: str) -> Batch:
    """The institution's batch; another institution's batch is "not found"."""
    batch = session.get(Batch, batch_id)
    if batch is None or batch.institution_id != institution.id:
        raise NotFound(f"no batch {batch_id!r}")
    return batch


def batch_status(session: Session, institution: Institution, batch_id: str) -> BatchStatus:
    batch = get_batch(session, institution, batch_id)
    progress = batch_progress(session, batch_id)
    return BatchStatus(batch, progress.issued, progress.existing)


def recent_batches(session: Session, institution: Institution) -> list[Batch]:
    statement = (
        select(Batch)
        .where(Batch.institution_id == institution.id)
        .order_by(col(Batch.created_at).desc())
        .limit(RECENT_BATCHES)
    )
    return list(session.exec(statement).all())


@dataclass(frozen=True)
class AuditPage:
    """Newest first; ``older`` is the ``before`` cursor of the next page, if there is one."""

    events: Sequence[AuditEvent]
    older: int | None


def audit_page(
    session: Session,
    institution: Institution,
    before: int | None = None,
    page_size: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """One page of the institution's audit log, keyset-paginated on the event id."""
    assert institution.id is not None
    events = audit.events_for(session, institution.id, limit=page_size + 1, before_id=before)
    shown = events[:page_size]
    older = shown[-1].id if len(events) > page_size and shown else None
    return AuditPage(shown, older)
