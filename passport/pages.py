"""HTML pages of the shell: ``render_page`` (used by every component's pages), the Jinja
environments it renders with (one per language, ``create_template_environments``) and the home
page.

Pages work without JavaScript: navigation and the language switch are plain links.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from infra.i18n import (
    LANGUAGE_COOKIE,
    SUPPORTED,
    error_text,
    language_links,
    negotiate_language,
    requested_language,
    translations_for,
)
from passport.rich_text import badge, markdown

LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"

router = APIRouter()


def render_page(request: Request, template: str, **context: Any) -> HTMLResponse:
    """Render ``template`` in the request's language, with the shell's layout variables.

    The layout gets ``lang``, ``language_links`` (this page in the other languages, for the
    switch), ``alternate_links`` (in every language) and ``base_url`` (for ``hreflang``).
    Choosing a language with ``?lang=`` also remembers it in a cookie.
    """
    lang = negotiate_language(request)
    environments: dict[str, Environment] = request.app.state.template_environments
    settings = request.app.state.settings
    html = (
        environments[lang]
        .get_template(template)
        .render(
            request=request,
            lang=lang,
            language_links=language_links(request, exclude=lang),
            alternate_links=language_links(request),
            base_url=settings.base_url,
            **context,
        )
    )
    # The same URL differs by cookie and Accept-Language when no ?lang= is given.
    response = HTMLResponse(
        html, headers={"Content-Language": lang, "Vary": "Accept-Language, Cookie"}
    )
    if requested_language(request) is not None:
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=LANGUAGE_COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=settings.uses_https,
        )
    return response


def create_template_environments() -> dict[str, Environment]:
    """One autoescaping Jinja environment per language, with ``jinja2.ext.i18n`` installed."""
    loader = FileSystemLoader(TEMPLATES_DIR)
    environments = {}
    for lang in SUPPORTED:
        environment = Environment(
            loader=loader,
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
        )
        environment.install_gettext_translations(translations_for(lang), newstyle=True)  # type: ignore[attr-defined]
        environment.globals["error_text"] = partial(error_text, lang=lang)
        # French typography: a no-break space before a colon that follows a label in a template.
        environment.globals["colon"] = "\u00a0:" if lang == "fr" else ":"
        environment.filters["markdown"] = markdown
        environment.globals["badge"] = badge
        environments[lang] = environment
    return environments


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    """The home page: what the service is, and the three ways in."""
    return render_page(request, "home.html")
