"""Rendering a page in the reader's language: the one ``render_page`` of every component.

The app state contract, set by the shell's ``create_app``: ``app.state.template_environments``
(one Jinja environment per supported language, whose loader finds every component's templates)
and ``app.state.settings`` (``base_url``, ``uses_https``, ``default_language``). Pages work
without JavaScript: navigation and the language switch are plain links.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from infra.i18n import (
    LANGUAGE_COOKIE,
    language_links,
    negotiate_language,
    requested_language,
)

LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def render_page(request: Request, template: str, **context: Any) -> HTMLResponse:
    """Render ``template`` in the request's language, with the shell's layout variables.

    The layout gets ``lang``, ``language_links`` (this page in the other languages, for the
    switch), ``alternate_links`` (in every language) and ``base_url`` (for ``hreflang``).
    Choosing a language with ``?lang=`` also remembers it in a cookie.
    """
    return page_response(request, page_html(request, template, **context))


def page_html(request: Request, template: str, **context: Any) -> str:
    """``render_page``'s HTML alone. What the layout reads of the request is its language,
    path and query: the key of a kept page (``passport.wallet.rendered``) holds all three."""
    lang = negotiate_language(request)
    environments: dict[str, Environment] = request.app.state.template_environments
    return (
        environments[lang]
        .get_template(template)
        .render(
            request=request,
            lang=lang,
            language_links=language_links(request, exclude=lang),
            alternate_links=language_links(request),
            base_url=request.app.state.settings.base_url,
            **context,
        )
    )


def page_response(request: Request, html: str) -> HTMLResponse:
    """``html`` as the request's page: its language's headers, and its cookie when chosen."""
    lang = negotiate_language(request)
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
            secure=request.app.state.settings.uses_https,
        )
    return response
