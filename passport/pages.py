"""HTML pages of the shell: the Jinja environments every page is rendered with (one per
language, ``create_template_environments``, which ``infra.pages.render_page`` reads from
``app.state.template_environments``) and the home page.

Pages work without JavaScript: navigation and the language switch are plain links.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from infra import SUPPORTED, error_text, render_page, translations_for
from issuers import badge_art
from passport.rich_text import badge, markdown

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"

router = APIRouter()


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
        environment.globals["badge_art"] = badge_art
        environments[lang] = environment
    return environments


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    """The home page: what the service is, and the three ways in."""
    return render_page(request, "home.html")
