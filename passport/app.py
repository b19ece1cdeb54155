"""``create_app(settings)``: the one FastAPI application, composed from the components' routers.

The app owns the database engine (``app.state.engine``, disposed at shutdown), exposes
``app.state.settings``, serves ``/static``, the pages, and ``GET /healthz``; every error leaves
as ``application/problem+json`` (``passport.errors``). ASGI middlewares wrap it all: a
request body cap (413), security headers and CORS on public documents (``passport.cors``).

>>> from passport.settings import Settings
>>> create_app(Settings(database_url="sqlite://")).state.settings.mode
<Mode.DEVELOPMENT: 'development'>
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, FileSystemLoader
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credentials import InputTooLarge
from infra import SessionDep, create_database_engine
from issuers import (
    SIGNED_CREDENTIAL_COUNTERS,
    MasterKeySource,
    award_routes,
    clr_routes,
    cohort_routes,
    console_cohorts,
    console_routes,
    key_compromise_routes,
    oid4vci_routes,
    status_list_routes,
)
from issuers import TEMPLATES_DIR as CONSOLE_TEMPLATES_DIR
from issuers import public_routes as issuer_public_routes
from issuers import routes as issuer_routes
from passport import pages
from passport.cors import PublicCors
from passport.errors import install_error_handlers, passport_error_response
from passport.json_bodies import UntrustedJsonBodies
from passport.mail_wiring import install_mail
from passport.metrics_wiring import install_metrics
from passport.obapi.install import install_obapi
from passport.own_documents import DeploymentDocuments, record_base_url
from passport.pages import PACKAGE_DIR, create_template_environments
from passport.readiness import readiness_router
from passport.redaction import install_secret_redaction
from passport.request_log import RequestContext
from passport.settings import Mode, Settings
from passport.wallet import install as wallet_install
from passport.wallet import share_verification
from passport.worker_metrics import worker_metrics_collector
from portal import api as portal_api
from portal import keep_index_in_sync
from portal import routes as portal_routes
from verifier import VerifierService
from verifier import routes as verifier_routes

logger = logging.getLogger("passport.app")

# No inline scripts or styles anywhere; pages load only their own static files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60
STATIC_DIR = PACKAGE_DIR / "static"


class RequestSizeLimit:
    """Refuse request bodies over ``max_bytes`` (or the path's own limit in ``path_limits``,
    e.g. image uploads) with 413 problem+json.

    ``path_limits`` is keyed by route path templates: a plain path matches itself, and each
    ``{name}`` segment matches one path segment, as in the routes
    (``/api/v1/institutions/{slug}/programs/{program_slug}/batches``).

    A declared ``Content-Length`` over the cap is refused before the app runs. A body without
    one (chunked) is counted as it arrives; once over the cap the client gets the 413 and the
    app's next read raises ``InputTooLarge`` (its own response, if any, is discarded).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        base_url: str,
        path_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.base_url = base_url
        self.path_limits = [
            (_path_template_pattern(template), limit)
            for template, limit in (path_limits or {}).items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit)
            return
        await self._counting(scope, receive, send, limit)

    def limit_for(self, path: str) -> int:
        for pattern, limit in self.path_limits:
            if pattern.fullmatch(path):
                return limit
        return self.max_bytes

    def _too_large(self, limit: int) -> InputTooLarge:
        return InputTooLarge(f"the request body is over the limit of {limit} bytes")

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = self._too_large(limit)
        await passport_error_response(self.base_url, error)(scope, receive, send)

    async def _counting(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        refused = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                raise self._too_large(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not response_started:
                        await self._refuse(scope, receive, send, limit)
                    # Stops the app reading; whatever it answers is dropped by guarded_send.
                    raise self._too_large(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return
            response_started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)


def _path_template_pattern(template: str) -> re.Pattern[str]:
    """``/a/{name}/b`` -> a pattern matching ``/a/<one segment>/b`` and nothing else."""
    return re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)))


def _declared_length(scope: Scope) -> int | None:
    # The server's HTTP parser has already refused a Content-Length that is not a number.
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value)
    return None


class SecurityHeaders:
    """Add the security headers to every HTTP response (RFC 6797 HSTS only over HTTPS)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"x-content-type-options", b"nosniff"),
            # Share links carry tokens in their URLs: never leak them to other sites.
            (b"referrer-policy", b"no-referrer"),
        ]
        if https:
            self.headers.append(
                (b"strict-transport-security", f"max-age={HSTS_MAX_AGE_SECONDS}".encode())
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A response that sets one of these itself keeps its own (the OAuth consent
                # page's policy also lets its form redirect to the client, RFC 6749 4.1.2).
                own = {name.lower() for name, _ in message.get("headers", [])}
                added = [header for header in self.headers if header[0] not in own]
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Health(BaseModel):
    """``GET /healthz`` body: ``ok`` when the database answers, ``unavailable`` otherwise."""

    status: str
    database: str


health_router = APIRouter()


@health_router.get("/healthz", response_model=Health)
def healthz(session: SessionDep) -> JSONResponse:
    """Liveness and database reachability (503 when the database is down); ``/readyz`` says
    whether the process can also sign (``passport.readiness``)."""
    try:
        session.connection().execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        logger.warning("health check: database unavailable: %s", type(error).__name__)
        body, status = Health(status="unavailable", database="unavailable"), 503
    else:
        body, status = Health(status="ok", database="ok"), 200
    return JSONResponse(
        body.model_dump(), status_code=status, headers={"Cache-Control": "no-store"}
    )


def master_key_source(settings: Settings) -> MasterKeySource:
    """The master key of the settings; a development key is allowed outside production."""
    return MasterKeySource(
        None if settings.master_key is None else settings.master_key.get_secret_value(),
        settings.master_key_file,
        allow_development_key=settings.mode is not Mode.PRODUCTION,
    )


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    """Error handlers and the middleware every request passes (innermost first)."""
    install_error_handlers(app)
    install_secret_redaction()
    # Inside the size limit: it parses only bodies the limit let through.
    app.add_middleware(
        UntrustedJsonBodies,
        base_url=settings.base_url,
        own_parsers=frozenset({verifier_routes.API_PATH}),
    )
    app.add_middleware(
        RequestSizeLimit,
        max_bytes=settings.max_request_bytes,
        base_url=settings.base_url,
        path_limits={
            **verifier_routes.ROUTE_BODY_LIMITS,
            **wallet_install.ROUTE_BODY_LIMITS,
            **console_cohorts.ROUTE_BODY_LIMITS,
        },
    )
    app.add_middleware(SecurityHeaders, https=settings.uses_https)
    cors_paths = (
        *issuer_public_routes.CORS_PATHS,
        *status_list_routes.CORS_PATHS,
        *oid4vci_routes.CORS_PATHS,
        *portal_api.CORS_PATHS,
    )
    app.add_middleware(PublicCors, paths=[_path_template_pattern(path) for path in cors_paths])


def create_app(settings: Settings) -> FastAPI:
    """Build the application for ``settings``; the database must already be prepared."""
    engine = create_database_engine(settings.database_url)
    keep_index_in_sync(engine)  # programs changed through any component stay searchable

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            record_base_url(engine, settings.base_url, datetime.now(UTC))
        except SQLAlchemyError as error:
            logger.warning("could not record the base URL: %s", type(error).__name__)
        cohort_routes.resume_batches(_app)
        _app.state.mail.start()
        yield
        _app.state.mail.stop()
        engine.dispose()

    app = FastAPI(
        title="Learner Passport",
        lifespan=lifespan,
        # Swagger UI and ReDoc load scripts from a CDN and run inline scripts, which the
        # Content-Security-Policy forbids; the OpenAPI document stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.content_security_policy = CONTENT_SECURITY_POLICY
    app.state.template_environments = create_template_environments()
    for environment in app.state.template_environments.values():
        component_templates = FileSystemLoader(
            [
                verifier_routes.TEMPLATES_DIR,
                CONSOLE_TEMPLATES_DIR,
                portal_routes.TEMPLATES_DIR,
            ]
        )
        environment.loader = ChoiceLoader([environment.loader, component_templates])
    app.state.master_key_source = master_key_source(settings)
    app.state.own_documents = DeploymentDocuments(
        engine, app.state.master_key_source.get, settings.base_url
    )
    app.state.verifier = VerifierService.from_settings(
        settings,
        shared_credentials=share_verification.shared_credentials_reader(engine, settings.base_url),
        own_documents=app.state.own_documents,
    )
    install_mail(app, settings)
    _install_middleware(app, settings)
    # Routes are matched in order, a regular expression each: the probes a load balancer sends
    # every few seconds, then the verifier (the public API and page), so their requests do not
    # test the wallet's and OB API's 60 routes first (0.36 ms per /healthz).
    app.include_router(health_router)
    app.include_router(readiness_router)
    app.include_router(verifier_routes.create_verifier_router(app.state.verifier))
    # Before /static: a mount matches by prefix, so the longer prefix must come first.
    verifier_static = StaticFiles(directory=verifier_routes.STATIC_DIR)
    app.mount(verifier_routes.STATIC_PATH, verifier_static, name="verifier-static")
    wallet_install.install_wallet(app)
    install_obapi(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.router)
    # Each component that signs credentials adds its counter (reports on key revocation).
    app.include_router(issuer_routes.create_issuer_router(SIGNED_CREDENTIAL_COUNTERS))
    app.include_router(issuer_public_routes.create_public_router())
    app.include_router(console_routes.create_console_router())
    app.include_router(award_routes.create_award_router())
    app.include_router(cohort_routes.create_cohort_router())
    app.include_router(status_list_routes.create_status_list_router())
    app.include_router(oid4vci_routes.create_oid4vci_router())
    app.include_router(key_compromise_routes.create_key_compromise_router())
    app.include_router(clr_routes.create_clr_router())
    app.include_router(portal_routes.create_portal_router())
    metrics = install_metrics(app)
    metrics.registry.on_collect(worker_metrics_collector(engine, metrics))
    # Outermost: the request id is set before anything else runs, and every answer is logged.
    app.add_middleware(RequestContext)
    return app
