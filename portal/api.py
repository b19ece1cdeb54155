"""Feeds of the catalog for others: the JSON API (``/api/v1/programs``) and ``/sitemap.xml``.

The API takes the same filters as the search page (``portal.search``), pages with ``limit`` and
``offset`` and always says the ``total``; an offset past the end is an empty page, a bad
parameter a 400 problem+json naming it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import Response

from infra import BaseUrlDep, SessionDep
from portal.api_models import ProgramDetail, ProgramList
from portal.catalog import (
    all_published,
    find_published_program,
    list_institutions,
    occupation_codes_in_use,
    program_path,
)
from portal.endorsements import verified_endorsements
from portal.facets import FACETS
from portal.presenters import API_PATH, program_detail, program_list
from portal.search import (
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_QUERY_CHARACTERS,
    PAGE_SIZE,
    RANGE_PARAMETERS,
    FacetCountCache,
    parse_search_request,
    search,
)
from portal.skills import SkillNameCache

_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
# The catalog API is public and read-only: any origin may read it (passport.cors).
CORS_PATHS = (API_PATH, f"{API_PATH}/{{institution_slug}}/{{program_slug}}")
SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


SEARCH_PARAMETERS = [
    _parameter(
        "q",
        f"Words to find (English or French, any accents, one-letter typos corrected); "
        f"cut at {MAX_QUERY_CHARACTERS} characters.",
        {"type": "string"},
    ),
    *(
        _parameter(
            name,
            f"Filter by {name} (repeatable: any of the values).",
            {"type": "array", "items": {"type": "string"}},
        )
        for name in FACETS
    ),
    *(
        _parameter(
            name, "Inclusive bound (cost in whole dollars).", {"type": "integer", "minimum": 0}
        )
        for name in RANGE_PARAMETERS
    ),
    _parameter(
        "limit",
        "Programs per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": PAGE_SIZE},
    ),
    _parameter(
        "offset",
        "Programs to skip.",
        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
    ),
    _parameter(
        "lang",
        "Order of equal results by name in this language.",
        {"type": "string", "enum": ["en", "fr"]},
    ),
]


def create_catalog_api_router(counts: FacetCountCache, skills: SkillNameCache) -> APIRouter:
    """The API's routes; ``counts`` keeps filter counts and ``skills`` the skills' names (both
    shared with the search page)."""
    router = APIRouter()

    @router.get(
        API_PATH,
        response_model=ProgramList,
        responses={400: _PROBLEM},
        openapi_extra={"parameters": SEARCH_PARAMETERS},
        tags=["catalog"],
    )
    def list_programs(request: Request, session: SessionDep, base_url: BaseUrlDep) -> ProgramList:
        """Search the published programs: ranked by relevance when ``q`` is given, by name
        otherwise, with the count of every filter value (``facets``)."""
        search_request = parse_search_request(request.query_params.multi_items(), paged_by="offset")
        lang = "fr" if request.query_params.get("lang") == "fr" else "en"
        result = search(session, search_request, lang=lang, counts=counts)
        return program_list(base_url, result, skills.get(session))

    @router.get(
        f"{API_PATH}/{{institution_slug}}/{{program_slug}}",
        response_model=ProgramDetail,
        responses={404: _PROBLEM},
        tags=["catalog"],
    )
    def get_program(
        institution_slug: str, program_slug: str, session: SessionDep, base_url: BaseUrlDep
    ) -> ProgramDetail:
        """One published program with its Achievement and its verified employer endorsements."""
        program, institution = find_published_program(session, institution_slug, program_slug)
        endorsements = verified_endorsements(session, program, datetime.now(UTC))
        return program_detail(base_url, program, institution, endorsements)

    @router.get("/sitemap.xml", include_in_schema=False)
    def sitemap(session: SessionDep, base_url: BaseUrlDep) -> Response:
        """Sitemaps 0.9: every program, institution and occupation page."""
        entries: list[tuple[str, str | None]] = [
            ("/programs", None),
            ("/institutions", None),
            ("/occupations", None),
        ]
        entries += [
            (program_path(institution, program), program.updated_at.date().isoformat())
            for program, institution in all_published(session)
        ]
        entries += [
            (f"/institutions/{item.institution.slug}", None) for item in list_institutions(session)
        ]
        entries += [(f"/occupations/{code}", None) for code in occupation_codes_in_use(session)]
        urls = "".join(
            f"<url><loc>{escape(base_url + path)}</loc>"
            + (f"<lastmod>{modified}</lastmod>" if modified else "")
            + "</url>"
            for path, modified in entries
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="{SITEMAP_NAMESPACE}">{urls}</urlset>\n'
        )
        return Response(body, media_type="application/xml")

    return router
