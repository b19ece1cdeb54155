"""Searching the catalog: a ``SearchRequest`` (read from query parameters) in, a page of ranked
programs with the count of every filter value out.

Every parameter is checked here and a bad one is ``InvalidInput`` (400) naming it and why. Text
of any content is accepted: only its words are used (``portal.text``), and it is cut at
``MAX_QUERY_CHARACTERS`` and ``MAX_QUERY_WORDS`` with a note saying so. Filter counts are
disjunctive: the counts of a filter that has values chosen are computed without that filter,
so choosing "Online" still shows how many "Hybrid" programs there are.

>>> request = parse_search_request([("q", "soudage"), ("mode", "online"), ("page", "2")])
>>> request.text, request.filters, request.offset
('soudage', {'mode': ('online',)}, 20)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlmodel import Session, col

from credentials import InvalidInput
from issuers import DeliveryMode, Institution, InstitutionKind, Program
from portal.catalog_version import catalog_version
from portal.facets import ANYTIME, BUCKET_LABELS, FACETS, NO, YES
from portal.occupations import NOC_CODE
from portal.search_index import WordMatch, id_set, match_words, matching_programs
from portal.tables import MAX_FACET_VALUE_LENGTH, IndexedProgram, ProgramFacet
from portal.text import tokens
from portal.versioned_cache import VersionedCache

MAX_QUERY_CHARACTERS = 200
MAX_QUERY_WORDS = 8
MAX_VALUES_PER_FILTER = 20
PAGE_SIZE = 20
MAX_LIMIT = 100
MAX_PAGE = 10_000
MAX_OFFSET = MAX_PAGE * PAGE_SIZE
MAX_AMOUNT = 1_000_000
SHOWN_FACET_VALUES = 12
# Long filters send more values: the page shows the most used first, then "show more" and a
# type-to-search field over the rest (passport/static/site.js).
LONG_FACETS = frozenset({"skill", "occupation", "sector", "institution"})
SHOWN_LONG_FACET_VALUES = 200
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
MONTH = re.compile(r"20[0-9]{2}-(0[1-9]|1[0-2])")

# What each filter accepts: a fixed set of values, or a pattern.
_ALLOWED: dict[str, frozenset[str] | re.Pattern[str] | None] = {
    "mode": frozenset(DeliveryMode),
    "language": frozenset({"en", "fr"}),
    "hours": frozenset(BUCKET_LABELS["hours"]),
    "weeks": frozenset(BUCKET_LABELS["weeks"]),
    "cost": frozenset(BUCKET_LABELS["cost"]),
    "osap": frozenset({YES, NO}),
    "kind": frozenset(InstitutionKind),
    "occupation": NOC_CODE,
    "institution": SLUG,
    "start": None,  # a month (YYYY-MM) or "anytime", checked below
    "sector": None,  # free text, limited in length
    "skill": None,
    "region": None,
}
RANGE_PARAMETERS = ("min_hours", "max_hours", "min_weeks", "max_weeks", "min_cost", "max_cost")


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Inclusive bounds; cost in whole dollars.
    ranges: Mapping[str, int] = field(default_factory=dict)
    offset: int = 0
    limit: int = PAGE_SIZE
    notes: tuple[str, ...] = ()

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1


def _integer(name: str, raw: str, low: int, high: int) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", raw.strip()):
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}, not {raw[:20]!r}")
    value = int(raw)
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be from {low} to {high}, not {value}")
    return value


def _check_value(name: str, value: str) -> str:
    allowed = _ALLOWED[name]
    shown = repr(value[:40])
    if len(value) > MAX_FACET_VALUE_LENGTH:
        raise InvalidInput(f"a {name} value is longer than {MAX_FACET_VALUE_LENGTH} characters")
    if isinstance(allowed, frozenset) and value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(sorted(allowed))}, not {shown}")
    if isinstance(allowed, re.Pattern) and not allowed.fullmatch(value):
        raise InvalidInput(f"{shown} is not a valid {name}")
    if name == "start" and value != ANYTIME and not MONTH.fullmatch(value):
        raise InvalidInput(f"start must be a month (YYYY-MM) or {ANYTIME!r}, not {shown}")
    return value


def _shortened(text: str) -> tuple[str, list[str]]:
    notes = []
    if len(text) > MAX_QUERY_CHARACTERS:
        text = text[:MAX_QUERY_CHARACTERS]
        notes.append("query_shortened")
    return text, notes


def parse_search_request(
    parameters: Iterable[tuple[str, str]], *, paged_by: str = "page"
) -> SearchRequest:
    """Read the query parameters of the search page (``paged_by="page"``) or of the API
    (``"offset"``: ``limit`` and ``offset``). Unknown parameters are ignored (``lang``, tracking
    parameters); a bad value of a known one is ``InvalidInput``."""
    values: dict[str, list[str]] = {}
    for name, value in parameters:
        values.setdefault(name, []).append(value)
    text, notes = _shortened(" ".join(value.strip() for value in values.get("q", [])).strip())
    filters = {}
    for name in FACETS:
        chosen = [value.strip() for value in values.get(name, []) if value.strip()]
        if len(chosen) > MAX_VALUES_PER_FILTER:
            raise InvalidInput(f"at most {MAX_VALUES_PER_FILTER} values of {name} can be chosen")
        if chosen:
            filters[name] = tuple(dict.fromkeys(_check_value(name, value) for value in chosen))
    given = {
        name: chosen[-1]
        for name in (*RANGE_PARAMETERS, "page", "limit", "offset")
        if (chosen := [value for value in values.get(name, []) if value.strip()])
    }
    ranges = {
        name: _integer(name, given[name], 0, MAX_AMOUNT)
        for name in RANGE_PARAMETERS
        if name in given
    }
    limit, offset = PAGE_SIZE, 0
    if paged_by == "page" and "page" in given:
        offset = (_integer("page", given["page"], 1, MAX_PAGE) - 1) * PAGE_SIZE
    if paged_by == "offset":
        if "limit" in given:
            limit = _integer("limit", given["limit"], 1, MAX_LIMIT)
        if "offset" in given:
            offset = _integer("offset", given["offset"], 0, MAX_OFFSET)
    return SearchRequest(text, filters, ranges, offset, limit, tuple(notes))


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    selected: bool


Facets = dict[str, list[FacetCount]]
# The words, filters and ranges of a search: all its counts depend on (with the catalog).
CountsKey = tuple[
    tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...], tuple[tuple[str, int], ...]
]
FacetCountCache = VersionedCache[CountsKey, Facets]


@dataclass(frozen=True)
class Hit:
    program: Program
    institution: Institution


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    hits: list[Hit]
    total: int
    facets: Facets
    words: list[WordMatch]
    # True when no program had every word, and programs with any of them are shown instead.
    any_word: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.limit))

    @property
    def corrections(self) -> list[WordMatch]:
        return [word for word in self.words if word.corrected]


def _filter_condition(name: str, values: tuple[str, ...]) -> ColumnElement[bool]:
    # IN (subquery) lets the database start from the filter's index entries.
    having = select(col(ProgramFacet.program_id)).where(
        col(ProgramFacet.facet) == name, col(ProgramFacet.value).in_(values)
    )
    return col(IndexedProgram.program_id).in_(having)


def _range_conditions(ranges: Mapping[str, int]) -> list[ColumnElement[bool]]:
    columns = {"hours": col(IndexedProgram.hours), "weeks": col(IndexedProgram.weeks)}
    conditions = []
    for name, bound in ranges.items():
        side, _, quantity = name.partition("_")
        column = col(IndexedProgram.price_cents) if quantity == "cost" else columns[quantity]
        limit = bound * 100 if quantity == "cost" else bound
        conditions.append(column >= limit if side == "min" else column <= limit)
    return conditions


Scores = dict[int, float]


def _base(
    session: Session, request: SearchRequest, scores: Scores | None, leave_out: str | None = None
) -> Select[Any]:
    """The ids of the indexed programs that pass the filters (but ``leave_out``) and, when
    there are words, match them. Only published programs are indexed, so none says so."""
    conditions = _range_conditions(request.ranges)
    conditions += [
        _filter_condition(name, values)
        for name, values in request.filters.items()
        if name != leave_out
    ]
    if scores is not None:
        conditions.append(col(IndexedProgram.program_id).in_(id_set(session, list(scores))))
    statement: Select[Any] = select(col(IndexedProgram.program_id).label("id"))
    return statement.where(and_(true(), *conditions))


def _facet_counts(
    session: Session, request: SearchRequest, scores: Scores | None, found: list[int] | None
) -> Facets:
    """Counts of every filter value; ``found`` are the ids of every match, when known."""
    queries: list[tuple[str | None, list[str]]] = [
        (None, [name for name in FACETS if name not in request.filters])
    ]
    queries += [(name, [name]) for name in request.filters]
    counted: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for leave_out, names in queries:
        if not names:
            continue
        statement: Select[str, str, int] = select(
            col(ProgramFacet.facet), col(ProgramFacet.value), func.count()
        ).group_by(col(ProgramFacet.facet), col(ProgramFacet.value))
        if len(names) < len(FACETS):
            # With every filter wanted, a test of the name would only cost a comparison per
            # row (a fifth of the whole-catalog count on PostgreSQL). A name no longer in
            # FACETS (rows indexed by an older release, until a rebuild) is skipped below.
            statement = statement.where(col(ProgramFacet.facet).in_(names))
        program_id = col(ProgramFacet.program_id)
        if leave_out is None and found is not None:
            statement = statement.where(program_id.in_(id_set(session, found)))
        elif scores is not None or request.ranges or set(request.filters) - {leave_out}:
            ids = _base(session, request, scores, leave_out).subquery()
            statement = statement.where(program_id.in_(select(ids.c.id)))
        # else: facet rows exist for published programs only, so the whole catalog needs no join.
        for facet, value, count in session.execute(statement).all():
            if facet in counted:
                counted[facet][value] = count
    return {
        name: _shown(counted[name], request.filters.get(name, ()), _limit(name)) for name in FACETS
    }


def _limit(name: str) -> int:
    return SHOWN_LONG_FACET_VALUES if name in LONG_FACETS else SHOWN_FACET_VALUES


def _shown(counts: dict[str, int], selected: tuple[str, ...], limit: int) -> list[FacetCount]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    kept = [value for value, _ in ranked[:limit]]
    kept += [value for value in selected if value not in kept]
    return [FacetCount(value, counts.get(value, 0), value in selected) for value in kept]


def _sort_name(lang: str) -> Any:
    return col(IndexedProgram.sort_name_fr if lang == "fr" else IndexedProgram.sort_name_en)


def _ranked(
    session: Session, request: SearchRequest, scores: Scores, lang: str
) -> tuple[list[int], list[int]]:
    """Every match that passes the filters, best first (then by name): ranked here, in one
    pass over the narrow rows, since the text was matched once and its scores are known."""
    statement = _base(session, request, scores).add_columns(_sort_name(lang))
    rows = sorted(
        session.execute(statement).all(), key=lambda row: (scores[row[0]], row[1], row[0])
    )
    found = [row[0] for row in rows]
    return found, found[request.offset : request.offset + request.limit]


def _by_name(session: Session, request: SearchRequest, lang: str) -> tuple[int, list[int]]:
    """Without words: the total, and the page's ids in name order (sorted by the database)."""
    base = _base(session, request, None)
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    order = (_sort_name(lang), col(IndexedProgram.program_id))
    page = base.order_by(*order).offset(request.offset).limit(request.limit)
    return int(total), list(session.execute(page).scalars())


def _hits(session: Session, ids: list[int]) -> list[Hit]:
    # The page's rows only: whole program rows (with their JSON columns) are read for 20 ids.
    rows = session.execute(
        select(Program, Institution)
        .join(Institution, col(Institution.id) == col(Program.institution_id))
        .where(col(Program.id).in_(ids))
    ).all()
    by_id = {program.id: Hit(program, institution) for program, institution in rows}
    return [by_id[program_id] for program_id in ids]


def _scores(session: Session, matches: list[WordMatch], require_all: bool) -> Scores:
    statement = matching_programs(session, matches, require_all=require_all)
    return {int(row[0]): float(row[1]) for row in session.execute(statement).all()}


def search(
    session: Session,
    request: SearchRequest,
    *,
    lang: str = "en",
    counts: FacetCountCache | None = None,
) -> SearchResult:
    """One page of the programs matching ``request``, best first (by name when there are no
    words), the total, and the count of every filter value among the matches.

    The text is matched once (``portal.search_index``); its ids are then handed to each query
    as one bound array, so filters, counts and the page never re-run the full-text search.
    With ``counts``, the filter counts are kept there under the catalog version, read first."""
    version = catalog_version(session) if counts is not None else None
    words = [word for word in tokens(request.text) if len(word) > 1]
    notes = list(request.notes)
    if len(words) > MAX_QUERY_WORDS:
        words = words[:MAX_QUERY_WORDS]
        notes.append("query_words_dropped")
    request = SearchRequest(
        request.text, request.filters, request.ranges, request.offset, request.limit, tuple(notes)
    )
    matches = match_words(session, words)
    scores: Scores | None = None
    any_word = False
    found: list[int] | None = None
    if matches:
        scores = _scores(session, matches, require_all=True)
        if not scores and len(matches) > 1:
            scores, any_word = _scores(session, matches, require_all=False), True
        found, page = _ranked(session, request, scores, lang)
        total = len(found)
    else:
        total, page = _by_name(session, request, lang)
    facets = (
        _counted(
            counts, version, words, request, lambda: _facet_counts(session, request, scores, found)
        )
        if total
        else _no_facets(request)
    )
    return SearchResult(
        request=request,
        hits=_hits(session, page),
        total=total,
        facets=facets,
        words=matches,
        any_word=any_word,
    )


def _counted(
    counts: FacetCountCache | None,
    version: str | None,
    words: list[str],
    request: SearchRequest,
    count: Callable[[], Facets],
) -> Facets:
    """The counts that ``count`` computes, kept in ``counts`` at ``version`` by the words,
    filters and ranges of the search (neither the page nor the language changes them)."""
    if counts is None or version is None:
        return count()
    filters, ranges = sorted(request.filters.items()), sorted(request.ranges.items())
    key = (tuple(words), tuple(filters), tuple(ranges))
    # Copies: the cached lists are shared by every request.
    return {name: list(values) for name, values in counts.get(version, key, count).items()}


def _no_facets(request: SearchRequest) -> Facets:
    return {name: _shown({}, request.filters.get(name, ()), _limit(name)) for name in FACETS}
