"""The portal's pages: search, program, institution and occupation pages (server-rendered, no
script needed). Thin: read the request, call ``portal.search`` / ``portal.catalog``, render.

Pages are rendered with the neutral layer's ``infra.pages``. A bad search parameter answers the
search page itself with status 400 and the reason, the form still filled in.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from credentials import InvalidInput
from infra import BaseUrlDep, SessionDep, negotiate_language, render_page
from portal import api
from portal.catalog import (
    achievement_id,
    find_institution,
    find_published_program,
    institution_names,
    list_institutions,
    occupation_codes_in_use,
    occupation_view,
    program_view,
    published_keys,
    published_programs,
    stacking_partners,
)
from portal.endorsements import verified_endorsements
from portal.facets import FACETS
from portal.occupations import match_occupations, occupation, require_noc_code
from portal.presenters import facet_label, money, pager, sector_label
from portal.samples import SampleIssuer
from portal.search import MAX_QUERY_CHARACTERS, FacetCountCache, parse_search_request, search
from portal.skills import SkillNameCache
from portal.stats import issued_count
from portal.structured_data import course_data, json_for_script
from verifier import render_check, render_verdict

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
OSAP_URL = "https://www.ontario.ca/page/osap-ontario-student-assistance-program"
MAX_OCCUPATION_QUERY = 100


def create_portal_router() -> APIRouter:
    samples = SampleIssuer()
    # This process's filter counts, shared by the page and the API (``portal.catalog_version``).
    counts = FacetCountCache()
    skill_names = SkillNameCache()
    router = APIRouter()
    helpers = {
        "facet_label": facet_label,
        "sector_label": sector_label,
        "money": money,
        "render_verdict": render_verdict,
        "render_check": render_check,
    }

    @router.get("/programs", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, session: SessionDep) -> HTMLResponse:
        lang = negotiate_language(request)
        parameters = list(request.query_params.multi_items())
        page = {
            "query": request.query_params.get("q", "")[:MAX_QUERY_CHARACTERS],
            "facet_names": FACETS,
            "max_query": MAX_QUERY_CHARACTERS,
            **helpers,
        }
        try:
            search_request = parse_search_request(parameters)
        except InvalidInput as error:
            response = render_page(
                request, "portal/search.html", result=None, error=error.message, **page
            )
            response.status_code = 400
            return response
        result = search(session, search_request, lang=lang, counts=counts)
        skills = skill_names.get(session)
        return render_page(
            request,
            "portal/search.html",
            result=result,
            error=None,
            skills=skills,
            skill_values=skills.listed(lang, result.facets["skill"]),
            views=[program_view(hit.program, hit.institution, lang) for hit in result.hits],
            institution_names=institution_names(session, lang),
            pager=pager(parameters, result),
            **page,
        )

    @router.get(
        "/programs/{institution_slug}/{program_slug}",
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def program_page(
        request: Request,
        institution_slug: str,
        program_slug: str,
        session: SessionDep,
        base_url: BaseUrlDep,
    ) -> HTMLResponse:
        lang = negotiate_language(request)
        program, institution = find_published_program(session, institution_slug, program_slug)
        view = program_view(program, institution, lang)
        now = datetime.now(UTC)
        sample = samples.sample_for(base_url, institution, program, now)
        structured = course_data(view, f"{base_url}{view.path}", achievement_id(base_url, view))
        return render_page(
            request,
            "portal/program.html",
            view=view,
            endorsements=verified_endorsements(session, program, now),
            stacking=stacking_partners(session, program),
            sample=sample,
            sample_json=json.dumps(sample.credential, ensure_ascii=False, indent=2),
            structured_data=json_for_script(structured),
            osap_url=OSAP_URL,
            **helpers,
        )

    @router.get("/programs/{institution_slug}/{program_slug}/sample.json", include_in_schema=False)
    def sample_credential(
        institution_slug: str, program_slug: str, session: SessionDep, base_url: BaseUrlDep
    ) -> Response:
        program, institution = find_published_program(session, institution_slug, program_slug)
        sample = samples.sample_for(base_url, institution, program, datetime.now(UTC))
        return Response(
            json.dumps(sample.credential, ensure_ascii=False, indent=2),
            media_type="application/vc+ld+json",
            headers={"Content-Disposition": f'attachment; filename="sample-{program.slug}.json"'},
        )

    @router.get("/institutions", response_class=HTMLResponse, include_in_schema=False)
    def institutions_page(request: Request, session: SessionDep) -> HTMLResponse:
        return render_page(
            request,
            "portal/institutions.html",
            institutions=list_institutions(session),
            **helpers,
        )

    @router.get("/institutions/{slug}", response_class=HTMLResponse, include_in_schema=False)
    def institution_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
        lang = negotiate_language(request)
        institution = find_institution(session, slug)
        assert institution.id is not None
        return render_page(
            request,
            "portal/institution.html",
            institution=institution,
            programs=[
                program_view(program, institution, lang)
                for program in published_programs(session, institution)
            ],
            keys=published_keys(session, institution),
            issued=issued_count(session, institution.id),
            **helpers,
        )

    @router.get("/occupations", response_class=HTMLResponse, include_in_schema=False)
    def occupations_page(request: Request, session: SessionDep, q: str = "") -> HTMLResponse:
        query = q[:MAX_OCCUPATION_QUERY]
        in_use = set(occupation_codes_in_use(session))
        matches = (
            match_occupations(query)
            if query.strip()
            else [occupation(code) for code in sorted(in_use)]
        )
        return render_page(
            request,
            "portal/occupations.html",
            query=query,
            shortened=len(q) > MAX_OCCUPATION_QUERY,
            occupations=[item for item in matches if item.code in in_use],
        )

    @router.get("/occupations/{code}", response_class=HTMLResponse, include_in_schema=False)
    def occupation_page(request: Request, code: str, session: SessionDep) -> HTMLResponse:
        lang = negotiate_language(request)
        found = occupation_view(session, require_noc_code(code), lang)
        return render_page(
            request,
            "portal/occupation.html",
            view=found,
            programs=[program_view(program, owner, lang) for program, owner in found.programs],
            **helpers,
        )

    router.include_router(api.create_catalog_api_router(counts, skill_names))
    return router
