"""HTTP surface of the verifier: ``POST /api/v1/verify`` and the employer page ``/verify``.

Thin on purpose: read the request, call ``VerifierService`` in a worker thread (verification is
CPU-bound and may wait on the guarded fetcher), answer. Errors are ``PassportError``s that the
shell maps to problem+json. Pages are rendered with the neutral layer's ``infra.pages``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from credentials import MAX_DOCUMENT_BYTES, InvalidInput, PassportError, extract
from infra import Overloaded, negotiate_language, render_page
from verifier.api_models import HostedCredential, VerifyResponse
from verifier.email_check import MAX_EMAIL_LENGTH
from verifier.inputs import MAX_IMAGE_BYTES
from verifier.service import VerificationResult, VerifierService
from verifier.sources import JSON_MEDIA_TYPES, JWS_MEDIA_TYPES, media_type

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static/verifier"
API_PATH = "/api/v1/verify"
# Where the verify API leaves its report in ``request.state`` (the ASGI scope's "state"), so the
# shell's metrics read the verdict without parsing the answer again.
REPORT_STATE = "verify_report"
PAGE_PATH = "/verify"
# An upload is at most an 8 MiB image (verifier.inputs) plus the multipart framing around it.
MAX_UPLOAD_REQUEST_BYTES = MAX_IMAGE_BYTES + 64 * 1024
ROUTE_BODY_LIMITS = {API_PATH: MAX_UPLOAD_REQUEST_BYTES, PAGE_PATH: MAX_UPLOAD_REQUEST_BYTES}
MULTIPART = "multipart/form-data"
TEXT = "text/plain"

_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "description": "A credential or presentation as JSON, a compact JWS, an upload "
    '(JSON, JWS, baked PNG or SVG), {"url": ...} naming a hosted credential or a share link of '
    "this passport, or that URL as text/plain (what the share link's QR code holds).",
    "content": {
        **{kind: {"schema": {"type": "object"}} for kind in sorted(JSON_MEDIA_TYPES)},
        "application/json": {
            "schema": {
                "oneOf": [
                    {"type": "object", "description": "A credential or presentation"},
                    HostedCredential.model_json_schema(),
                ]
            }
        },
        **{kind: {"schema": {"type": "string"}} for kind in sorted(JWS_MEDIA_TYPES)},
        TEXT: {"schema": {"type": "string", "format": "uri"}},
        MULTIPART: {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}


class UnsupportedMediaType(InvalidInput):
    code = "unsupported_media_type"
    status = 415


async def _uploaded(form: FormData) -> bytes | None:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(MAX_IMAGE_BYTES + 1)
    return data or None


async def _api_body(request: Request) -> bytes:
    kind = media_type(request.headers.get("content-type", ""))
    if kind in JSON_MEDIA_TYPES or kind in JWS_MEDIA_TYPES or kind == TEXT:
        return await request.body()
    if kind == MULTIPART:
        async with request.form(max_files=1, max_fields=1) as form:
            data = await _uploaded(form)
        if data is None:
            raise InvalidInput("the multipart upload needs a non-empty 'file' field")
        return data
    raise UnsupportedMediaType(
        "send JSON, application/vc+jwt, application/jwt, a multipart upload or a URL as "
        f"text/plain, not {kind!r}"
    )


def create_verifier_router(service: VerifierService) -> APIRouter:
    router = APIRouter()

    @router.post(
        API_PATH,
        response_model=VerifyResponse,
        openapi_extra={"requestBody": REQUEST_BODY},
        responses={400: _PROBLEM, 413: _PROBLEM, 415: _PROBLEM, 503: _PROBLEM},
        tags=["verify"],
    )
    async def verify_api(
        request: Request,
        lang: Literal["en", "fr"] = Query("en"),
        candidate_email: Annotated[
            str | None, Header(alias="Candidate-Email", max_length=MAX_EMAIL_LENGTH)
        ] = None,
    ) -> Response:
        """Verify a credential or presentation; every check is reported with a stable id.

        400 when the body is not a credential at all; 413 over the size limits; 503 when a
        hosted credential's server cannot be reached, or with ``Retry-After`` when the verifier
        is busy (code ``overloaded``). A credential that fails verification is a 200 with
        ``verified: false``: the report is the answer. A ``Candidate-Email`` header (kept out of
        URLs and logs) adds ``email_check``."""
        data = await _api_body(request)
        verify = partial(service.verify_bytes, email=candidate_email, client=_client(request))
        body, report = await run_in_threadpool(
            lambda: _json_answer(verify(data, lang, now=datetime.now(UTC)))
        )
        setattr(request.state, REPORT_STATE, report)
        return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})

    @router.get(PAGE_PATH, response_class=HTMLResponse, include_in_schema=False)
    def verify_page(request: Request) -> HTMLResponse:
        return render_page(request, "verify.html", view=None, error=None)

    @router.post(PAGE_PATH, response_class=HTMLResponse, include_in_schema=False)
    async def verify_page_submit(request: Request) -> HTMLResponse:
        language = negotiate_language(request)
        async with request.form(
            max_files=1, max_fields=5, max_part_size=MAX_DOCUMENT_BYTES + 1024
        ) as form:
            uploaded = await _uploaded(form)
            pasted = str(form.get("credential") or "").strip()
            url = str(form.get("url") or "").strip()
            email = str(form.get("email") or "").strip()[:MAX_EMAIL_LENGTH] or None
        now = datetime.now(UTC)
        try:
            result = await _verify_submitted(
                service, uploaded, pasted, url, language, now, _client(request), email
            )
        except PassportError as error:
            # The shell's templates show it in the page's language (``error_text``).
            response = render_page(request, "verify.html", view=None, error=error)
            response.status_code = error.status
            if isinstance(error, Overloaded):
                response.headers["Retry-After"] = str(error.retry_after)
            return response
        again = _again(uploaded, pasted, url)
        return render_page(request, "verify.html", again=again, **page_context(result))

    return router


def _json_answer(result: VerificationResult) -> tuple[bytes, dict[str, Any]]:
    """The report and its JSON (as ``JSONResponse`` writes it), made in the worker thread: on
    the event loop they held up every other request's next step (issue #19)."""
    report = result.as_json()
    body = json.dumps(report, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return body.encode("utf-8"), report


def _client(request: Request) -> str:
    """Whose share of the verifier's slots a request spends: its address."""
    return request.client.host if request.client else ""


async def _verify_submitted(
    service: VerifierService,
    uploaded: bytes | None,
    pasted: str,
    url: str,
    language: str,
    now: datetime,
    client: str,
    email: str | None,
) -> VerificationResult:
    if uploaded is not None or pasted:
        data = uploaded if uploaded is not None else pasted.encode("utf-8")
        verify_bytes = partial(service.verify_bytes, email=email, client=client)
        return await run_in_threadpool(verify_bytes, data, language, now=now)
    if url:
        verify_url = partial(service.verify_url, email=email, client=client)
        return await run_in_threadpool(verify_url, url, language, now=now)
    raise InvalidInput("nothing to verify: paste a credential, choose a file or give a link")


def _again(uploaded: bytes | None, pasted: str, url: str) -> dict[str, str]:
    """The form fields that check the same input again (in another language)."""
    if uploaded is not None:
        return {"credential": _as_text(uploaded)}
    return {"credential": pasted} if pasted else {"url": url}


def _as_text(data: bytes) -> str:
    """What was verified, as a form field for checking it again in another language: the text
    itself (JSON, a token, an SVG badge) or the credential baked into a PNG badge."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return extract(data)


def page_context(result: VerificationResult) -> dict[str, Any]:
    """The template's view: the explained report, the details, and the JSON to download."""
    view = result.as_json()
    return {
        "view": view,
        "details": result.details,
        "email_check": result.email_check,
        "error": None,
        "report_json": json.dumps(view, ensure_ascii=False, indent=2),
    }
