"""The one award search, of the API (``GET .../awards?q=``) and of the console's award list.

Every read is scoped to ONE institution: another institution's award is "not found", exactly as
if it did not exist (the console never says that it exists elsewhere). The text is matched as
typed in names and external ids, lower-cased in emails (stored lower-cased): SQLite's ``lower``
and ``LIKE`` fold ASCII letters only, so lower-casing a query loses "Élodie" there.

>>> AwardFilter(text=" Côté ").cleaned().text
'Côté'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, or_, select

from credentials import InvalidInput, NotFound
from issuers.awards.tables import Award, AwardState
from issuers.tables import Institution, Program

AWARDS_PAGE_SIZE = 25
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
