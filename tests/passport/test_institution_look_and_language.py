"""Issue #16, through the real path (API -> award -> claim -> passport -> share -> portal), on a
served deployment: credentials in the learner's language, institutions' logos and brand
colours on the learner's badges, and the catalog's skill filter in the page's language.

A French learner's award is written in French (``inLanguage`` "fr") and still verifies in the
standard-contexts verifier of ``tests/issuers/test_portable_credentials.py``. The logo is
uploaded through the API and read back out of the pictures the learner and an employer get.
"""

from __future__ import annotations

import base64
import io
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import Session

from credentials.badge_art import PALETTE
from credentials.baking import extract_png
from credentials.report import Check, Outcome, Verdict
from issuers.batch_jobs import runner_for
from issuers.deps import get_now
from passport.app import create_app
from passport.database import upgrade_database
from passport.settings import Settings
from passport.wallet.badges import Badges
from passport.wallet.tables import StoredCredential
from tests.issuers.test_award_console import PASSWORD, logged_in, staff_email
from tests.issuers.test_portable_credentials import verify_independently
from tests.passport.wallet.support import Learner, wallet_settings
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at
from tests.storage import backend_params, empty_database
from verifier.pipeline import VerificationReport

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
BADGE = re.compile(r'<svg[^>]*class="badge-image".*?</svg>', re.S)
LOGO = re.compile(r'href="data:image/png;base64,([A-Za-z0-9+/=]+)"')


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


def _logo_png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (300, 200), RED).save(output, format="PNG")
    return output.getvalue()


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture(scope="module", params=backend_params())
def world(
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
        _created(client.post("/api/v1/institutions", json=institution, headers=admin))
        actions = ["manage_programs", "manage_keys", "issue", "revoke"]
        body = {"label": "registrar", "actions": actions}
        key = _created(client.post(f"{API}/api-keys", json=body, headers=admin))["key"]
        staff = {"email": staff_email(SLUG), "password": PASSWORD}
        _created(client.post(f"{API}/staff", json=staff, headers=admin))
        client.headers["Authorization"] = f"Bearer {key}"
        _created(client.post(f"{API}/programs", json=PROGRAM))
        _created(client.post(f"{API}/programs", json=FRENCH_ONLY))
        logo = client.put(f"{API}/logo", content=_logo_png(), headers={"Content-Type": "image/png"})
        assert logo.status_code == 200, logo.text
        assert logo.json()["has_logo"] is True
        yield World(base_url, client, app)


def _achievement(credential: dict[str, Any]) -> dict[str, Any]:
    return dict(credential["credentialSubject"]["achievement"])


def test_a_french_learners_credential_is_written_in_french(world: World) -> None:
    credential = world.credential(world.issue(language="fr"))
    achievement = _achievement(credential)
    assert achievement["inLanguage"] == "fr"
    assert achievement["name"] == credential["name"] == "Initiation au soudage"
    assert achievement["description"] == "Souder des plaques d'acier en sécurité."
    assert achievement["criteria"]["narrative"].startswith("Réussir l'épreuve pratique.")
    skills = [item["targetName"] for item in achievement["alignment"]]
    assert skills == ["souder des pièces métalliques"]
    assert "names" not in achievement["alignment"][0]  # our own field stays out of credentials
    assert achievement["languageOfInstruction"] == ["en", "fr"]
    verify_independently(credential, world.did_documents())


def test_without_a_chosen_language_the_credential_is_in_the_programs_first(world: World) -> None:
    achievement = _achievement(world.credential(world.issue()))
    assert (achievement["inLanguage"], achievement["name"]) == ("en", "Welding Basics")
    assert [item["targetName"] for item in achievement["alignment"]] == ["weld metal parts"]


def test_a_cohort_rows_language_chooses_its_credentials_language(world: World) -> None:
    rows = "external_id,name,email,language\nr-1,Léa Roy,lea@example.ca,fr\n"
    made = world.api.post(
        f"{API}/programs/soudage/batches",
        params={"filename": "cohorte.csv"},
        content=rows.encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert made.status_code in (201, 202), made.text
    batch = made.json()["batch_id"]
    if world.engine.dialect.name == "postgresql":  # queued for a worker: do what it does
        state = world.app.state
        runner_for(state.engine, state.master_key_source.get, world.base_url, get_now).run(batch)
    deadline = time.monotonic() + 60
    while world.api.get(f"{API}/batches/{batch}").json()["state"] != "completed":
        assert time.monotonic() < deadline, "the cohort was not issued in time"
        time.sleep(0.1)
    [award] = world.api.get(f"{API}/awards", params={"q": "r-1"}).json()
    assert _achievement(world.credential(award["id"]))["name"] == "Initiation au soudage"


def _badges(html: str) -> list[str]:
    return BADGE.findall(html)


def _logo_in(svg: str) -> Image.Image:
    found = LOGO.search(svg)
    assert found is not None, svg[:300]
    return Image.open(io.BytesIO(base64.b64decode(found[1]))).convert("RGB")


def test_the_learner_and_the_employer_see_the_institutions_colour_and_logo(
    world: World,
) -> None:
    learner = Learner(world.base_url)
    try:
        claimed = learner.post(
            "/passport/claim",
            {"offer": world.offer(world.issue(language="fr"))},
            csrf_from="/passport/claim",
        )
        assert claimed.status_code == 303, claimed.text
        stored = claimed.headers["location"].removeprefix("/passport/credentials/").split("?")[0]
        pages = {
            "passport": learner.get("/passport").text,
            "credential": learner.get(f"/passport/credentials/{stored}").text,
            "share": learner.get(learner.share([stored])).text,
        }
        for name, html in pages.items():
            [badge] = _badges(html)
            assert f'fill="{BRAND}"' in badge, name
            assert not any(f'fill="{colour}"' in badge for colour in PALETTE), name
            assert _logo_in(badge).getpixel((48, 32)) == RED, name
            assert "Initiation au soudage" in html, name  # claimed in the learner's language
        png = learner.get(f"/passport/credentials/{stored}/download/png")
        assert png.status_code == 200, png.text
        picture = Image.open(io.BytesIO(png.content)).convert("RGB")
        assert picture.getpixel((128, 96)) == RED  # the logo, where the initials were
        assert picture.getpixel((128, 200)) == tuple(bytes.fromhex(BRAND[1:]))
        assert json.loads(extract_png(png.content))["name"] == "Initiation au soudage"
    finally:
        learner.close()


def test_a_credential_whose_key_is_not_the_issuers_never_gets_the_institutions_look(
    world: World,
) -> None:
    """A forger names our institution's DID: the card shows the palette and the name it claims."""
    [did] = world.did_documents()
    display = {"title": "Welding", "issuer_claimed_name": "Collège Boréal-Sud"}
    held = [
        StoredCredential(
            id=outcome.value,
            learner_id="learner",
            format="json",
            content=b"{}",
            content_sha256="0" * 64,
            kind="credential",
            issuer_id=did,
            display=display,
            source="import",
            added_at=datetime.now(UTC),
        )
        for outcome in (Outcome.PASSED, Outcome.FAILED)
    ]
    reports = {
        stored.id: VerificationReport(
            Verdict.NOT_VERIFIED, (Check.of("issuer_key", Outcome(stored.id), "x"),), None
        )
        for stored in held
    }
    with Session(world.engine) as session:
        arts = Badges(session, lambda issuer: issuer == did).of_each(held, reports)
    assert (arts["passed"].colour, arts["passed"].logo_png is not None) == (BRAND, True)
    assert arts["failed"].colour in PALETTE
    assert (arts["failed"].logo_png, arts["failed"].initials) == (None, "CBS")


def test_the_catalog_shows_the_institutions_logo(world: World) -> None:
    page = world.api.get("/programs/college-boreal-sud/soudage", params={"lang": "en"}).text
    [badge] = _badges(page)
    assert f'fill="{BRAND}"' in badge
    assert _logo_in(badge).getpixel((10, 10)) == RED


@pytest.mark.parametrize(
    "upload",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"GIF89a" + bytes(64),
        b"\x89PNG\r\n\x1a\n" + bytes(40),  # a PNG signature and nothing readable after it
    ],
)
def test_anything_but_a_readable_png_or_jpeg_is_refused(world: World, upload: bytes) -> None:
    response = world.api.put(f"{API}/logo", content=upload)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def _skill_labels(html: str) -> list[str]:
    fieldset = re.search(
        r"<fieldset[^>]*>\s*<legend>(Skill|Compétence)</legend>.*?</fieldset>", html, re.S
    )
    assert fieldset is not None
    labels = re.findall(r'<label for="f-skill-\d+">(.*?) <span class="count">', fieldset[0])
    return [re.sub(r"<[^>]+>", "", label) for label in labels]


def test_the_skill_filter_speaks_the_pages_language(world: World) -> None:
    english = _skill_labels(world.api.get("/programs", params={"lang": "en"}).text)
    french_page = world.api.get("/programs", params={"lang": "fr"}).text
    french = _skill_labels(french_page)
    assert english == ["weld metal parts"]  # the French-only skill is not an English choice
    assert sorted(french) == ["lire des plans de construction", "souder des pièces métalliques"]
    # One filter value whatever the language: the French label filters the same programs.
    assert 'value="weld metal parts"' in french_page
    assert 'data-names="weld metal parts"' in french_page  # type-to-search finds it in English
    chosen = world.api.get(
        "/programs", params={"lang": "en", "skill": "lire des plans de construction"}
    ).text
    assert sorted(_skill_labels(chosen)) == ["lire des plans de construction", "weld metal parts"]
    assert '<span lang="fr">lire des plans de construction</span>' in chosen


def test_the_catalog_api_names_skills_in_both_languages(world: World) -> None:
    facets = world.api.get("/api/v1/programs").json()["facets"]
    [skills] = [facet["values"] for facet in facets if facet["name"] == "skill"]
    labels = {item["value"]: (item["label_en"], item["label_fr"]) for item in skills}
    assert labels["weld metal parts"] == ("weld metal parts", "souder des pièces métalliques")


class _Form(HTMLParser):
    """The fields a browser would send back from a page's form, as they are filled in."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        kind = found.get("type", "text")
        if tag == "input" and "name" in found and (kind not in ("checkbox",) or "checked" in found):
            self.fields.append((found["name"], found.get("value", "on")))
        elif tag == "textarea":
            self._textarea = found["name"]
            self.fields.append((found["name"], ""))
        elif tag == "select":
            self._select = found["name"]
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found["value"]))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.fields.pop()
            self.fields.append((name, text + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def test_the_console_keeps_a_skills_names_when_a_program_is_saved(world: World) -> None:
    staff = logged_in(world.base_url, SLUG)
    try:
        page = staff.get("/console/programs/soudage/edit")
        assert "weld metal parts | https://esco" in page.text
        assert "| souder des pièces métalliques" in page.text
        form = _Form()
        form.feed(page.text)
        fields: dict[str, list[str]] = {}
        for name, value in form.fields:
            fields.setdefault(name, []).append(value)
        saved = staff.post("/console/programs/soudage/edit", data=fields)
        assert saved.status_code == 303, saved.text
    finally:
        staff.close()
    [skill] = world.api.get(f"{API}/programs/soudage").json()["fields"]["skills"]
    assert skill["names"]["fr"] == "souder des pièces métalliques"


# Last: it revokes the institution's signing key, which the tests above do not expect.
def test_an_award_reissued_after_a_key_compromise_keeps_its_learners_language(
    world: World,
) -> None:
    french = world.issue(language="fr", email="reissue@example.ca")
    key_id = world.credential(french)["proof"]["verificationMethod"]
    since = {"key_id": key_id, "compromised_since": "2000-01-01T00:00:00Z"}
    assert world.api.post(f"{API}/keys/revoke", json=since).status_code == 200
    body = {"key_id": key_id, "limit": 500}
    reissued = world.api.post(f"{API}/keys/affected-awards/reissue", json=body)
    assert reissued.status_code == 200, reissued.text
    [new] = [
        item["award"]["id"]
        for item in reissued.json()["reissued"]
        if item["replaced_award_id"] == french
    ]
    achievement = _achievement(world.credential(new))
    assert (achievement["inLanguage"], achievement["name"]) == ("fr", "Initiation au soudage")
