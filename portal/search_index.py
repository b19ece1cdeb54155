"""The full-text index of published programs, on each database's own full-text search.

- SQLite: the FTS5 virtual table ``portal_fts`` (``tokenize='unicode61 remove_diacritics 2'``,
  prefix indexes of 2 and 3 characters), one row per program (``rowid`` = program id), ranked
  with ``bm25``.
- PostgreSQL: the table ``portal_fts(program_id, document tsvector)`` with a GIN index, built
  with the ``simple`` configuration (no stemming: English and French text share one index) and
  weights A (name), B (skills, occupations), D (everything else), ranked with ``ts_rank_cd``.

Text is folded in Python first (``portal.text.fold``), so both backends are accent-insensitive
without the ``unaccent`` extension. One-letter typos are corrected against the vocabulary of
indexed words (``portal_search_term``): a query word that starts no indexed word is replaced by
the indexed words one edit away from it. That is exact edit distance 1 on both backends;
``pg_trgm`` trigram similarity was not used because at its default threshold it misses one-letter
typos in short words ("nurce") and needs ``CREATE EXTENSION``.

Keep the index in sync by calling ``reindex_program(session, program_id)`` after a program (or
``reindex_institution`` after an institution) changes; ``rebuild_index`` rebuilds it all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Integer, TextClause, TextualSelect, bindparam, delete, insert, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from issuers import Institution, Program
from portal.catalog_version import note_catalog_change
from portal.facets import KIND_LABELS, MODE_LABELS, SECTOR_LABELS, facet_values, skill_names
from portal.occupations import occupations
from portal.tables import MAX_TERM_LENGTH, IndexedProgram, ProgramFacet, SearchTerm, SkillName
from portal.text import fold, one_edit_away, tokens

INDEX_TABLE = "portal_fts"
MIN_FUZZY_LENGTH = 4
BATCH = 500
SKILL_KEYS = ("targetName", "targetCode")


def is_search_index_table(name: str) -> bool:
    """True for ``portal_fts`` and FTS5's shadow tables (``portal_fts_data``...): created by
    migration 0004 for one backend only, and declared by no model."""
    return name == INDEX_TABLE or name.startswith(f"{INDEX_TABLE}_")


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@dataclass(frozen=True)
class IndexedText:
    """The folded text of one program, by weight."""

    name: str
    skills: str
    occupations: str
    body: str

    def words(self) -> set[str]:
        return {
            word
            for part in (self.name, self.skills, self.occupations, self.body)
            for word in part.split()
            if len(word) <= MAX_TERM_LENGTH
        }


def _folded(parts: Iterable[str | None]) -> str:
    return " ".join(word for part in parts if part for word in tokens(part))


def indexed_text(program: Program, institution: Institution) -> IndexedText:
    """What the index holds for ``program``: both languages of everything a visitor may type."""
    known = occupations()
    noc_words = [
        word
        for code in program.noc_codes
        for word in (
            (code, known[code].title_en, known[code].title_fr, *known[code].aliases)
            if code in known
            else (code,)
        )
    ]
    labels = [
        *MODE_LABELS.get(program.delivery_mode, {}).values(),
        *SECTOR_LABELS.get(program.sector or "", {}).values(),
        *KIND_LABELS.get(institution.kind, {}).values(),
    ]
    outcomes = [text for outcome in program.learning_outcomes for text in outcome.values()]
    return IndexedText(
        name=_folded([program.name_en, program.name_fr]),
        skills=_folded(
            [
                *(str(skill.get(key) or "") for skill in program.skills for key in SKILL_KEYS),
                *(name for _, _, name in skill_names(program)),
            ]
        ),
        occupations=_folded([*noc_words, program.cip_code]),
        body=_folded(
            [
                program.description_en,
                program.description_fr,
                *outcomes,
                program.sector,
                *labels,
                institution.legal_name_en,
                institution.legal_name_fr,
                institution.slug,
                institution.region,
                *program.employer_partners,
            ]
        ),
    )


def _indexed_program(program: Program) -> dict[str, Any]:
    english = program.name_en or program.name_fr or program.slug
    french = program.name_fr or program.name_en or program.slug
    return {
        "program_id": program.id,
        "sort_name_en": fold(english)[:300],
        "sort_name_fr": fold(french)[:300],
        "hours": program.hours,
        "weeks": program.weeks,
        "price_cents": program.price_cents,
    }


def _delete_statement(dialect: str) -> TextClause:
    if dialect == "sqlite":
        return text("DELETE FROM portal_fts WHERE rowid IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
    return text("DELETE FROM portal_fts WHERE program_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )


def _insert_statement(dialect: str) -> TextClause:
    if dialect == "sqlite":
        return text(
            "INSERT INTO portal_fts (rowid, name, skills, occupations, body) "
            "VALUES (:id, :name, :skills, :occupations, :body)"
        )
    return text(
        "INSERT INTO portal_fts (program_id, document) VALUES (:id, "
        "setweight(to_tsvector('simple', :name), 'A') || "
        "setweight(to_tsvector('simple', :skills), 'B') || "
        "setweight(to_tsvector('simple', :occupations), 'B') || "
        "setweight(to_tsvector('simple', :body), 'D'))"
    )


def _add_terms(session: Session, words: set[str]) -> None:
    if not words:
        return
    rows = [{"term": word} for word in sorted(words)]
    dialect_insert = sqlite_insert if _dialect(session) == "sqlite" else postgresql_insert
    statement = dialect_insert(SearchTerm).on_conflict_do_nothing()
    for start in range(0, len(rows), BATCH):
        session.execute(statement, rows[start : start + BATCH])


def reindex_programs(session: Session, program_ids: Sequence[int]) -> None:
    """Bring the index entries of ``program_ids`` up to date (unpublished or deleted programs
    leave the index) and give the catalog a new version (``portal.catalog_version``). Flushes;
    the caller commits."""
    dialect = _dialect(session)
    session.flush()
    for start in range(0, len(program_ids), BATCH):
        ids = list(program_ids[start : start + BATCH])
        session.execute(_delete_statement(dialect), {"ids": ids})
        session.execute(delete(ProgramFacet).where(col(ProgramFacet.program_id).in_(ids)))
        session.execute(delete(SkillName).where(col(SkillName.program_id).in_(ids)))
        session.execute(delete(IndexedProgram).where(col(IndexedProgram.program_id).in_(ids)))
        rows = session.exec(
            select(Program, Institution)
            .join(Institution, col(Institution.id) == col(Program.institution_id))
            .where(col(Program.id).in_(ids), col(Program.published))
        ).all()
        documents: list[dict[str, Any]] = []
        rows_of_programs: list[dict[str, Any]] = []
        facets: list[dict[str, Any]] = []
        names: list[dict[str, Any]] = []
        words: set[str] = set()
        for program, institution in rows:
            assert program.id is not None
            indexed = indexed_text(program, institution)
            documents.append({"id": program.id, **indexed.__dict__})
            rows_of_programs.append(_indexed_program(program))
            words |= indexed.words()
            facets.extend(
                {"program_id": program.id, "facet": facet, "value": value}
                for facet, value in facet_values(program, institution)
            )
            names.extend(
                {"program_id": program.id, "skill": skill, "language": language, "name": name}
                for skill, language, name in skill_names(program)
            )
        if documents:
            session.execute(_insert_statement(dialect), documents)
        if facets:
            session.execute(insert(ProgramFacet), facets)
        if names:
            session.execute(insert(SkillName), names)
        if rows_of_programs:
            session.execute(insert(IndexedProgram), rows_of_programs)
        _add_terms(session, words)
    # Last: on PostgreSQL the version row stays locked until the caller commits.
    note_catalog_change(session)
    session.flush()


def reindex_program(session: Session, program_id: int) -> None:
    """Bring one program's index entry up to date after it was created, changed, unpublished
    or deleted. Flushes; the caller commits (in the same transaction as the change)."""
    reindex_programs(session, [program_id])


def reindex_institution(session: Session, institution_id: int) -> None:
    """Re-index every program of an institution (its names, kind and region are indexed)."""
    ids = session.exec(
        select(col(Program.id)).where(col(Program.institution_id) == institution_id)
    ).all()
    reindex_programs(session, [program_id for program_id in ids if program_id is not None])


def rebuild_index(session: Session) -> int:
    """Rebuild the whole index from the programs table; returns the number of programs read."""
    session.execute(text("DELETE FROM portal_fts"))
    session.execute(delete(ProgramFacet))
    session.execute(delete(SkillName))
    session.execute(delete(IndexedProgram))
    session.execute(delete(SearchTerm))
    ids = [program_id for program_id in session.exec(select(col(Program.id))).all()]
    reindex_programs(session, [program_id for program_id in ids if program_id is not None])
    return len(ids)


@dataclass(frozen=True)
class WordMatch:
    """A query word and the indexed words it stands for: itself as a prefix when it starts
    some indexed word, else the indexed words one letter away (``corrected``)."""

    word: str
    alternatives: tuple[str, ...]

    @property
    def corrected(self) -> bool:
        return self.alternatives != (self.word,)


def _starts_some_term(session: Session, word: str) -> bool:
    # Folded words are [a-z0-9]; "{" sorts right after "z", so this is a prefix range.
    statement = (
        select(col(SearchTerm.term))
        .where(col(SearchTerm.term) >= word, col(SearchTerm.term) < word + "{")
        .limit(1)
    )
    return session.exec(statement).first() is not None


def match_words(session: Session, words: Sequence[str]) -> list[WordMatch]:
    """What each (folded) query word matches in the vocabulary."""
    matches = []
    for word in words:
        if _starts_some_term(session, word) or len(word) < MIN_FUZZY_LENGTH:
            matches.append(WordMatch(word, (word,)))
            continue
        candidates = sorted(one_edit_away(word))
        found = session.exec(
            select(col(SearchTerm.term)).where(col(SearchTerm.term).in_(candidates))
        ).all()
        matches.append(WordMatch(word, tuple(sorted(found)) or (word,)))
    return matches


def _fts5_query(matches: Sequence[WordMatch], require_all: bool) -> str:
    # Words are [a-z0-9]+ (portal.text): quoting makes each a plain string, never FTS5 syntax.
    groups = [
        "(" + " OR ".join(f'"{alternative}"*' for alternative in match.alternatives) + ")"
        for match in matches
    ]
    return (" AND " if require_all else " OR ").join(groups)


def _tsquery(matches: Sequence[WordMatch], require_all: bool) -> str:
    groups = [
        "(" + " | ".join(f"{alternative}:*" for alternative in match.alternatives) + ")"
        for match in matches
    ]
    return (" & " if require_all else " | ").join(groups)


def id_set(session: Session, ids: Sequence[int]) -> TextualSelect:
    """A one-column statement of ``ids`` bound as ONE parameter however many there are (a JSON
    array read by ``json_each`` on SQLite, an ``integer[]`` on PostgreSQL), to use in
    ``IN (...)`` instead of thousands of parameters."""
    if _dialect(session) == "sqlite":
        statement = text("SELECT value FROM json_each(:ids)").bindparams(ids=json.dumps(list(ids)))
    else:
        statement = text("SELECT unnest(CAST(:ids AS integer[]))").bindparams(
            bindparam("ids", list(ids), type_=ARRAY(Integer))
        )
    return statement.columns(value=Integer)


def matching_programs(
    session: Session, matches: Sequence[WordMatch], *, require_all: bool
) -> TextualSelect:
    """A ``(id, score)`` statement of the programs matching the words; lower scores rank first
    on both backends."""
    if _dialect(session) == "sqlite":
        statement = text(
            # bm25 weights of the columns name, skills, occupations, body.
            "SELECT rowid AS id, bm25(portal_fts, 10.0, 4.0, 4.0, 1.0) AS score "
            "FROM portal_fts WHERE portal_fts MATCH :match"
        ).bindparams(match=_fts5_query(matches, require_all))
    else:
        # The query is a scalar subquery so that the planner cannot estimate its matches from
        # the statistics: for a common prefix (nurse:*, 11 % of 10,000 programs) it then chose
        # a sequential scan testing every document, 25 ms against 1.8 ms through the GIN index.
        # Unknown, it gets the default selectivity and the index, which was faster even for a
        # word in every program (20 ms against 24 ms).
        statement = text(
            "SELECT program_id AS id, "
            "-ts_rank_cd(document, (SELECT to_tsquery('simple', :match))) AS score "
            "FROM portal_fts WHERE document @@ (SELECT to_tsquery('simple', :match))"
        ).bindparams(match=_tsquery(matches, require_all))
    return statement.columns(id=Integer, score=Float)
