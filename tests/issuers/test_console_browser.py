"""The institution console in chromium: log in, create a program, rotate the signing key.

The browser is module-scoped, not shared with tests/passport's session-scoped one: importing
that fixture here would start a second Playwright while the first still runs, which the sync
API refuses. Pytest runs this module before tests/passport, so the two never overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from infra.database import create_database_engine
from issuers.access import create_staff_user
from issuers.institutions import create_institution
from passport.app import create_app, master_key_source
from passport.database import prepare_database
from tests.issuers.issuer_support import NOW, institution_data
from tests.issuers.test_api import settings_for
from tests.passport.live_server import serving
from tests.storage import sqlite_url

EMAIL = "registrar@college-a.example.ca"
PASSWORD = "a long enough password"


@pytest.fixture
def console(tmp_path: Path) -> Iterator[str]:
    settings = settings_for(sqlite_url(tmp_path))
    prepare_database(settings)
    engine = create_database_engine(settings.database_url)
    with Session(engine) as session:
        master = master_key_source(settings).get()
        data = institution_data("college-a")
        institution = create_institution(session, master, NOW, settings.base_url, data)
        create_staff_user(session, institution, EMAIL, PASSWORD, NOW)
        session.commit()
    engine.dispose()
    with serving(create_app(settings)) as base_url:
        yield base_url


def log_in(page: Page, base_url: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/console/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_log_in_create_a_program_and_rotate_the_key(page: Page, console: str) -> None:
    log_in(page, console, "wrong password")
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    log_in(page, console)
    expect(page.get_by_role("heading", name="Programs")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "lp_staff")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.get_by_role("link", name="Add a program").click()
    page.get_by_label("Short name in addresses").fill("welding")
    page.get_by_label("Name (English)").fill("Welding Basics")
    page.get_by_label("Hours").fill("5000")
    page.get_by_role("button", name="Save program").click()
    expect(page.get_by_role("alert")).to_contain_text("hours")
    page.get_by_label("Hours").fill("40")
    page.get_by_label("Delivery mode").select_option("online")
    page.get_by_label("NOC 2021 codes").fill("72106")
    page.get_by_role("button", name="Save program").click()
    expect(page.get_by_role("cell", name="Welding Basics")).to_be_visible()

    page.get_by_role("link", name="Signing keys").click()
    expect(page.get_by_role("cell", name=re.compile("#key-1$"))).to_be_visible()
    page.get_by_role("button", name="Rotate the signing key").click()
    expect(page.get_by_role("cell", name=re.compile("#key-2$"))).to_be_visible()
    expect(page.get_by_role("cell", name="Retired", exact=True)).to_be_visible()


def test_console_speaks_french(page: Page, console: str) -> None:
    page.goto(f"{console}/console/login?lang=fr")
    expect(page.get_by_role("heading")).to_have_text("Se connecter à la console de l'établissement")
    page.get_by_label("Courriel").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("link", name="Ajouter un programme")).to_be_visible()


def test_forms_without_the_csrf_token_are_refused(page: Page, console: str) -> None:
    log_in(page, console)
    response = page.request.post(f"{console}/console/keys/rotate", form={"csrf": "forged"})
    assert response.status == 403
    assert page.request.get(f"{console}/console/keys").text().count("#key-") == 1
    page.context.clear_cookies()
    page.goto(f"{console}/console/programs")
    assert page.url.endswith("/console/login")
