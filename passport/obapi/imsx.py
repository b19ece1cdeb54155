"""Errors of the Open Badges API as ``Imsx_StatusInfo`` payloads (OB 3.0 section 6.2, every
operation's 4xx/5xx responses), instead of the rest of the app's problem+json.

``ImsxRoute`` catches the route's ``PassportError``s and request validation errors (a bad
``limit`` is a 400 ``invalid_query_parameter``), so no error of the API leaves in another shape.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.responses import Response

from credentials import PassportError
from infra import error_text, negotiate_language

CODE_MINOR_BY_STATUS = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    409: "invalid_data",
    413: "invalid_data",
    429: "server_busy",
    503: "server_busy",
}
FIELD_NAME = "learner-passport"


def status_info(status: int, description: str, code_minor: str | None = None) -> dict[str, Any]:
    """An ``Imsx_StatusInfo`` failure: code major ``failure``, severity ``error``."""
    minor = code_minor or CODE_MINOR_BY_STATUS.get(status, "unknown")
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": FIELD_NAME, "imsx_codeMinorFieldValue": minor}
            ]
        },
    }


def imsx_response(
    status: int, description: str, code_minor: str | None = None, **headers: str
) -> JSONResponse:
    return JSONResponse(
        status_info(status, description, code_minor),
        status_code=status,
        headers={"Cache-Control": "no-store", **headers},
    )


def _validation_response(error: RequestValidationError) -> JSONResponse:
    places = {str(item.get("loc", ("",))[0]) for item in error.errors()}
    fields = ", ".join(
        ".".join(str(part) for part in item.get("loc", ())) for item in error.errors()
    )
    minor = "invalid_query_parameter" if places == {"query"} else "invalid_data"
    return imsx_response(400, f"invalid request: {fields}", minor)


class ImsxRoute(APIRoute):
    """Routes whose errors become ``Imsx_StatusInfo`` responses."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                return _validation_response(error)
            except PassportError as error:
                headers = {}
                challenge = getattr(error, "challenge", None)
                if challenge is not None:
                    headers["WWW-Authenticate"] = challenge
                text = error_text(error, negotiate_language(request))
                return imsx_response(error.status, text, **headers)

        return handle
