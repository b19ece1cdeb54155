"""``install_wallet(app)``: what ``create_app`` calls to add the learner's passport to the app.

It builds the wallet's state once (the live verifier over the app's ``VerifierService``, the
guarded HTTP client for issuers' endpoints, and the shell's ``app.state.master_key_source``),
adds the wallet's templates to every language's Jinja environment, and includes its routers.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from passport.wallet import (
    routes_account,
    routes_claim_page,
    routes_collections,
    routes_email,
    routes_passport,
    routes_pdf,
    routes_requests,
    routes_sharing,
)
from passport.wallet.issuer_http import GuardedIssuerHttp
from passport.wallet.live import LiveVerifier
from passport.wallet.own_issuer import OwnIssuerHttp
from passport.wallet.web import WalletState
from verifier import MAX_UPLOAD_REQUEST_BYTES, VerifierService

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
ROUTE_BODY_LIMITS = {routes_passport.IMPORT_PATH: MAX_UPLOAD_REQUEST_BYTES}


def install_wallet(app: FastAPI) -> None:
    verifier: VerifierService = app.state.verifier
    guarded = GuardedIssuerHttp(verifier.fetcher)
    app.state.wallet = WalletState(
        live=LiveVerifier(verifier),
        # This deployment's own offers are claimed in-process, others' through the guard.
        issuer_http=OwnIssuerHttp(app, app.state.settings.base_url, guarded),
        remote_http=guarded,
        master_key=app.state.master_key_source.get,
    )
    environments: dict[str, Environment] = app.state.template_environments
    for environment in environments.values():
        environment.loader = ChoiceLoader([FileSystemLoader(TEMPLATES_DIR), *_loaders(environment)])
    # Matched in order, a regular expression per route: the pages an employer and a learner
    # open most (share links, the passport) are tried first; no two routers' paths overlap.
    for module in (
        routes_sharing,
        routes_passport,
        routes_account,
        routes_email,
        routes_claim_page,
        routes_collections,
        routes_requests,
        routes_pdf,
    ):
        app.include_router(module.router)
    app.include_router(routes_requests.api_router)


def _loaders(environment: Environment) -> list[FileSystemLoader | ChoiceLoader]:
    loader = environment.loader
    if isinstance(loader, ChoiceLoader):
        return list(loader.loaders)  # type: ignore[arg-type]
    return [loader] if isinstance(loader, FileSystemLoader) else []
