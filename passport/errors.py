"""The one place errors become HTTP responses: ``application/problem+json`` (RFC 9457).

Every error body has the RFC 9457 section 3.1 members ``type``, ``title``, ``status`` and
``detail``, plus the extension member ``code``: the stable ``PassportError.code`` that clients
switch on. ``type`` is ``{base_url}/problems/{code}``, so one code always has one type URI and
one title (section 3.1.3: the title does not change between occurrences).

Mapped here: every ``PassportError`` (status and code from the exception class), routing errors
(404, 405), request validation (422, with each failing field and why, never the submitted
values), and any other exception (500, logged server-side with its traceback; the response
says only that something went wrong).

>>> problem_document("http://x", status=404, code="not_found", detail="no such page")["type"]
'http://x/problems/not_found'
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from credentials import PassportError
from passport.error_pages import error_page, wants_page
from passport.redaction import redact_secrets

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("passport.errors")

# Codes for errors raised by the framework rather than by our code; the names match the
# PassportError subclasses with the same meaning, so a client sees one code per meaning.
_HTTP_STATUS_CODES = {
    400: "invalid_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "input_too_large",
}


def problem_title(code: str) -> str:
    """The fixed title of a problem code: ``input_too_large`` -> ``Input too large``."""
    return code.replace("_", " ").capitalize()


def problem_document(
    base_url: str, *, status: int, code: str, detail: str, **extensions: Any
) -> dict[str, Any]:
    """An RFC 9457 problem details object; ``extensions`` become extra members."""
    return {
        "type": f"{base_url}/problems/{code}",
        "title": problem_title(code),
        "status": status,
        "detail": detail,
        "code": code,
        **extensions,
    }


def problem_response(
    base_url: str,
    *,
    status: int,
    code: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A JSON response with the ``application/problem+json`` media type."""
    return JSONResponse(
        problem_document(base_url, status=status, code=code, detail=detail, **extensions),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def passport_error_response(base_url: str, error: PassportError) -> JSONResponse:
    """The problem response for a ``PassportError``: its status, code and message, and
    ``Retry-After`` when the error says when to come back (load shedding, RFC 9110 10.2.3)."""
    retry_after = getattr(error, "retry_after", None)
    headers = None if retry_after is None else {"Retry-After": str(retry_after)}
    return problem_response(
        base_url, status=error.status, code=error.code, detail=error.message, headers=headers
    )


def _base_url(request: Request) -> str:
    base_url: str = request.app.state.settings.base_url
    return base_url


def _field_location(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into ``application/problem+json``, or into
    a page in the visitor's language for a browser (``passport.error_pages``)."""

    @app.exception_handler(PassportError)
    async def passport_error(request: Request, error: PassportError) -> Response:
        if wants_page(request):
            return error_page(request, error.status, error)
        return passport_error_response(_base_url(request), error)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        status = error.status_code
        if status < 400:
            return Response(status_code=status, headers=error.headers)
        if wants_page(request):
            return error_page(request, status)
        phrase = HTTPStatus(status).phrase
        if error.detail != phrase:
            detail = str(error.detail)
        elif status == 404:
            detail = f"Nothing is served at {request.url.path}."
        elif status == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
        else:
            detail = phrase
        code = _HTTP_STATUS_CODES.get(status, "http_error")
        return problem_response(
            _base_url(request), status=status, code=code, detail=detail, headers=error.headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        if wants_page(request):
            return error_page(request, 422)
        # Only where and why: echoing the submitted input could reflect secrets into responses.
        problems = [
            {"location": _field_location(item["loc"]), "message": item["msg"]}
            for item in error.errors()
        ]
        reasons = "; ".join(f"{item['location']}: {item['message']}" for item in problems)
        return problem_response(
            _base_url(request),
            status=422,
            code="invalid_request",
            detail=f"The request does not match what this endpoint expects: {reasons}.",
            errors=problems,
        )

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> Response:
        path = redact_secrets(request.url.path)
        logger.error("unhandled error on %s %s", request.method, path, exc_info=error)
        if wants_page(request):
            return error_page(request, 500)
        return problem_response(
            _base_url(request),
            status=500,
            code="internal_error",
            detail="Something went wrong on our side. The error has been logged.",
        )
