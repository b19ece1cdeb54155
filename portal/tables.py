"""The portal's own tables: the search vocabulary, and the sort keys and filter values of each
published program.

All four are derived from the issuers' tables by ``portal.search_index.reindex_program`` and can be
rebuilt from them at any time (``rebuild_index``); nothing here is a source of truth.

The full-text index itself (``portal_fts``) is not a model: it is an FTS5 virtual table on
SQLite and a ``tsvector`` table on PostgreSQL, created by migration 0004 for the backend at hand
(``portal.search_index.is_search_index_table`` names it and its shadow tables). Nor is the
catalog version (``portal.catalog_version``), which is left out of backups.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

MAX_TERM_LENGTH = 40
MAX_FACET_VALUE_LENGTH = 120


class SearchTerm(SQLModel, table=True):
    """A folded word that occurs in the index: what one-letter typos are corrected towards.

    Terms are added as programs are indexed and only removed by a rebuild: a stale term can only
    widen a query with a word that then matches nothing.
    """

    __tablename__: ClassVar[str] = "portal_search_term"

    term: str = Field(sa_column=Column(String(MAX_TERM_LENGTH), primary_key=True))


class IndexedProgram(SQLModel, table=True):
    """A published program as the search sorts and ranges over it: a narrow row, so that
    counting and ordering thousands of matches never reads the wide ``program`` rows."""

    __tablename__: ClassVar[str] = "portal_indexed_program"

    program_id: int = Field(
        sa_column=Column(Integer, ForeignKey("program.id", ondelete="CASCADE"), primary_key=True)
    )
    # Folded names (``portal.text.fold``), so "Électricité" sorts among the E.
    sort_name_en: str = Field(sa_column=Column(String(300), nullable=False))
    sort_name_fr: str = Field(sa_column=Column(String(300), nullable=False))
    hours: int
    weeks: int | None = None
    price_cents: int | None = None


class ProgramFacet(SQLModel, table=True):
    """One filter value of one published program, e.g. (``mode``, ``online``) or
    (``hours``, ``20-59``): filters are ``EXISTS`` lookups and facet counts one ``GROUP BY``."""

    __tablename__: ClassVar[str] = "portal_program_facet"
    __table_args__ = (Index("ix_portal_program_facet_value", "facet", "value", "program_id"),)

    program_id: int = Field(
        sa_column=Column(Integer, ForeignKey("program.id", ondelete="CASCADE"), primary_key=True)
    )
    facet: str = Field(sa_column=Column(String(20), primary_key=True))
    value: str = Field(sa_column=Column(String(MAX_FACET_VALUE_LENGTH), primary_key=True))


class SkillName(SQLModel, table=True):
    """The name of a skill filter value in one language, as one published program gives it
    (``portal.facets.skill_names``), so the filter speaks the page's language."""

    __tablename__: ClassVar[str] = "portal_skill_name"

    program_id: int = Field(
        sa_column=Column(Integer, ForeignKey("program.id", ondelete="CASCADE"), primary_key=True)
    )
    skill: str = Field(sa_column=Column(String(MAX_FACET_VALUE_LENGTH), primary_key=True))
    language: str = Field(sa_column=Column(String(2), primary_key=True))
    name: str = Field(sa_column=Column(String(MAX_FACET_VALUE_LENGTH), nullable=False))
