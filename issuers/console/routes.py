"""The institution console's one router: every page, rendered with ``infra.pages.render_page``.

Server-rendered, EN/FR, usable without JavaScript. Each room of pages adds its routes here:
login (``login``), account email (``email_pages``), programs, keys, awards, cohorts, CLR. Who
may see them is decided once, in ``issuers.console.staff``.
"""

from __future__ import annotations

from fastapi import APIRouter

from issuers.console import awards, clr, cohorts, email_pages, keys, login, programs
from issuers.console.staff import CONSOLE, Pages


def create_console_router() -> APIRouter:
    router = APIRouter(prefix=CONSOLE, include_in_schema=False)
    pages = Pages()
    login.add_login_routes(router, pages)
    programs.add_program_routes(router, pages)
    keys.add_key_routes(router, pages)
    email_pages.add_email_routes(router, pages)
    clr.add_clr_routes(router)
    # "/awards/new" and "/batches/new" before the "/awards/{award_id}" and "/batches/{id}" pages.
    awards.add_list_routes(router, pages)
    awards.add_issue_routes(router, pages)
    cohorts.add_batch_routes(router, pages)
    awards.add_award_routes(router, pages)
    awards.add_status_routes(router, pages)
    return router
