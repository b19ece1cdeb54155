"""Error pages for people: a browser that asks for HTML gets a page in its language, not the
``application/problem+json`` that API clients get (``passport.errors`` picks one by ``Accept``).

What a page says is the error's own sentence translated (``infra.i18n.error_text``) for our
errors, and a fixed sentence per status for the framework's (no such page, a wrong address or
form, our own failure): a person never reads a raw exception or an English JSON document.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from credentials import PassportError
from infra import N_, error_text, negotiate_language, render_page, translations_for

STATUS_SENTENCES = {
    404: N_("There is no page at this address. Check the link, or start again from the home page."),
    405: N_("This page cannot be used this way. Start again from the home page."),
    422: N_("The address or the form was not what this page expects. Go back and try again."),
    500: N_("Something went wrong on our side. The error has been logged; please try again later."),
}
OTHER_SENTENCE = N_("This request could not be completed. Go back and try again.")


def wants_page(request: Request) -> bool:
    """Whether the client is a browser navigating (it asks for HTML), not an API client."""
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, error: PassportError | None = None) -> HTMLResponse:
    """The error page for ``status``, with ``error``'s sentence when it is one of ours."""
    language = negotiate_language(request)
    if error is not None and status != 500:
        message = error_text(error, language)
    else:
        sentence = STATUS_SENTENCES.get(status, OTHER_SENTENCE)
        message = translations_for(language).gettext(sentence)
    response = render_page(request, "error.html", status=status, message=message)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
