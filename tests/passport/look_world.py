"""One served deployment built through its own API for the tests of issue #16's remaining
parts (tests/passport/test_institution_look_and_language.py, test_skills_in_two_languages.py):
an institution with a brand colour, an uploaded logo, an API key and a console user, a
bilingual program whose skill has a French name, and a French-only program.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import Engine

from passport.app import create_app
from passport.database import upgrade_database
from passport.settings import Settings
from tests.issuers.test_award_console import PASSWORD, staff_email
from tests.passport.wallet.support import wallet_settings
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at
from tests.storage import backend_params, empty_database

ADMIN_TOKEN = "institution-look-admin-token"
SLUG = "college-boreal-sud"
API = f"/api/v1/institutions/{SLUG}"
BRAND = "#5c4a00"  # not a palette colour: a card in it can only have come from the brand
RED = (220, 20, 20)
PROGRAM = {
    "slug": "soudage",
    "name_en": "Welding Basics",
    "name_fr": "Initiation au soudage",
    "description_en": "Weld steel plates safely.",
    "description_fr": "Souder des plaques d'acier en sécurité.",
    "criteria_en": "Pass the practical test.",
    "criteria_fr": "Réussir l'épreuve pratique.",
    "hours": 40,
    "delivery_mode": "in_person",
    "languages": ["en", "fr"],
    "skills": [
        {
            "targetName": "weld metal parts",
            "targetUrl": "https://esco.ec.europa.eu/en/classification/skill_main",
            "targetFramework": "ESCO",
            "names": {"fr": "souder des pièces métalliques"},
        }
    ],
}
# Taught and written in French only: its skill has no English name.
FRENCH_ONLY = {
    "slug": "lecture-de-plans",
    "name_fr": "Lecture de plans",
    "hours": 20,
    "delivery_mode": "online",
    "languages": ["fr"],
    "skills": [
        {
            "targetName": "lire des plans de construction",
            "targetUrl": "https://esco.ec.europa.eu/en/classification/skill_main",
        }
    ],
}


@dataclass
class World:
    base_url: str
    api: httpx.Client
    app: FastAPI

    @property
    def engine(self) -> Engine:
        engine: Engine = self.app.state.engine
        return engine

    def issue(self, **extra: str) -> str:
        learner = {"name": "Amélie Tremblay", "email": "amelie@example.ca"} | extra
        response = self.api.post(f"{API}/programs/soudage/awards", json=learner)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def credential(self, award: str) -> dict[str, Any]:
        response = self.api.get(f"{API}/awards/{award}/credential.json")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def offer(self, award: str) -> str:
        response = self.api.post(f"{API}/awards/{award}/offers", json={})
        assert response.status_code in (200, 201), response.text
        return str(response.json()["offer_uri"])

    def did_documents(self) -> dict[str, dict[str, Any]]:
        document = self.api.get(f"/issuers/{SLUG}/did.json").json()
        return {document["id"]: document}


def logo_png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (300, 200), RED).save(output, format="PNG")
    return output.getvalue()


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture(name="world", scope="module", params=backend_params())
def world_fixture(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    base_url = f"http://localhost:{free_port()}"
    with empty_database(request.param, tmp_path_factory.mktemp("look")) as database_url:
        settings = wallet_settings(
            database_url,
            admin_token=ADMIN_TOKEN,
            base_url=base_url,
            fetch_allow_http_hosts=("localhost",),
        )
        yield from _world(settings, base_url)


def _world(settings: Settings, base_url: str) -> Iterator[World]:
    upgrade_database(settings)
    app = create_app(settings)
    with (
        serving_at(app, int(base_url.rsplit(":", 1)[1])),
        httpx.Client(base_url=base_url, timeout=60) as client,
    ):
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        institution = {
            "slug": SLUG,
            "legal_name_en": "Boreal South College",
            "legal_name_fr": "Collège Boréal-Sud",
            "kind": "college",
            "website": "https://boreal-sud.example.ca",
            "contact_email": "registrar@boreal-sud.example.ca",
            "brand_colour": BRAND,
        }
        created(client.post("/api/v1/institutions", json=institution, headers=admin))
        actions = ["manage_programs", "manage_keys", "issue", "revoke"]
        body = {"label": "registrar", "actions": actions}
        key = created(client.post(f"{API}/api-keys", json=body, headers=admin))["key"]
        staff = {"email": staff_email(SLUG), "password": PASSWORD}
        created(client.post(f"{API}/staff", json=staff, headers=admin))
        client.headers["Authorization"] = f"Bearer {key}"
        created(client.post(f"{API}/programs", json=PROGRAM))
        created(client.post(f"{API}/programs", json=FRENCH_ONLY))
        logo = client.put(f"{API}/logo", content=logo_png(), headers={"Content-Type": "image/png"})
        assert logo.status_code == 200, logo.text
        assert logo.json()["has_logo"] is True
        yield World(base_url, client, app)


def achievement_of(credential: dict[str, Any]) -> dict[str, Any]:
    return dict(credential["credentialSubject"]["achievement"])
