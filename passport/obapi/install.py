"""``install_obapi(app)``: what ``create_app`` calls to add the Open Badges API, its
authorization server, the consent and connected-applications pages, and log redaction."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from passport.obapi import routes_apps, routes_hosts, routes_oauth
from passport.obapi.routes_api import create_api_router
from passport.obapi.scopes import FAMILIES

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def install_obapi(app: FastAPI) -> None:
    environments: dict[str, Environment] = app.state.template_environments
    for environment in environments.values():
        loaders = [FileSystemLoader(TEMPLATES_DIR)]
        if environment.loader is not None:
            loaders.append(environment.loader)  # type: ignore[arg-type]
        environment.loader = ChoiceLoader(loaders)
    for family in FAMILIES:
        app.include_router(create_api_router(family))
    app.include_router(routes_oauth.router)
    app.include_router(routes_oauth.consent_router)
    app.include_router(routes_apps.router)
    app.include_router(routes_hosts.router)
