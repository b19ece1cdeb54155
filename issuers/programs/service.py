"""Programs of an institution: create, update, read (the API and the console share these).

Every lookup is scoped to one institution: a program slug is only found within its institution,
so a caller authorized for institution A can never reach institution B's programs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials import Conflict, NotFound
from issuers.api_models import ProgramCreate, ProgramFields
from issuers.tables import Institution, Program


def _columns(fields: ProgramFields) -> dict[str, Any]:
    values = fields.model_dump(mode="json", exclude={"slug"}, exclude_none=False)
    values["skills"] = [skill.model_dump(exclude_none=True) for skill in fields.skills]
    values["learning_outcomes"] = [
        outcome.model_dump(exclude_none=True) for outcome in fields.learning_outcomes
    ]
    return values


def program_fields(program: Program) -> ProgramFields:
    """The editable fields of a stored program (to prefill a form or answer the API)."""
    values = {name: getattr(program, name) for name in ProgramFields.model_fields}
    return ProgramFields.model_validate(values)


def create_program(
    session: Session, institution: Institution, data: ProgramCreate, now: datetime
) -> Program:
    if find_program(session, institution, data.slug) is not None:
        raise Conflict(f"{institution.slug!r} already has a program {data.slug!r}")
    assert institution.id is not None
    program = Program(
        **_columns(data),
        slug=data.slug,
        institution_id=institution.id,
        created_at=now,
        updated_at=now,
    )
    session.add(program)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"{institution.slug!r} already has a program {data.slug!r}") from None
    return program


def update_program(
    session: Session, institution: Institution, slug: str, data: ProgramFields, now: datetime
) -> Program:
    program = get_program(session, institution, slug)
    for name, value in _columns(data).items():
        setattr(program, name, value)
    program.updated_at = now
    session.add(program)
    session.flush()
    return program


def find_program(session: Session, institution: Institution, slug: str) -> Program | None:
    statement = select(Program).where(
        Program.institution_id == institution.id, Program.slug == slug
    )
    return session.exec(statement).one_or_none()


def get_program(session: Session, institution: Institution, slug: str) -> Program:
    program = find_program(session, institution, slug)
    if program is None:
        raise NotFound(f"{institution.slug!r} has no program {slug!r}")
    return program


def list_programs(session: Session, institution: Institution) -> list[Program]:
    statement = (
        select(Program).where(Program.institution_id == institution.id).order_by(col(Program.slug))
    )
    return list(session.exec(statement).all())
