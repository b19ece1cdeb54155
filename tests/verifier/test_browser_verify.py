"""The employer page in chromium: the right headline for a valid, a tampered, a revoked credential
and one whose status list is unreachable, in English and in French; and a baked PNG upload."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from passport.app import create_app
from passport.database import prepare_database
from tests.passport.live_server import serving
from tests.storage import sqlite_url
from tests.verifier.support import (
    COLLEGE_EN,
    COLLEGE_FR,
    REVOKED_INDEX,
    Documents,
    Issuer,
    document_server,
    loopback_settings,
    png_badge,
    registry_file,
)

pytestmark = pytest.mark.browser

HEADLINES = {
    "valid": ("Verified", "Vérifié"),
    "tampered": ("Not verified", "Non vérifié"),
    "revoked": ("Not verified", "Non vérifié"),
    "unreachable": ("Could not fully check", "Vérification incomplète"),
}


@dataclass(frozen=True)
class Site:
    base_url: str
    credentials: dict[str, str]
    issuer: Issuer


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app with a signed registry naming the issuer, and a loopback status list server."""
    issuer, operator, documents = Issuer(), Issuer(), Documents()
    directory = tmp_path_factory.mktemp("browser-verify")
    with document_server(documents) as (_server, lists):
        documents.put("/status/1", issuer.status_list(f"{lists}/status/1"))
        valid = issuer.sign(issuer.credential(f"{lists}/status/1"))
        tampered = json.loads(json.dumps(valid))
        tampered["credentialSubject"]["result"][0]["value"] = "A+"
        credentials = {
            "valid": valid,
            "tampered": tampered,
            "revoked": issuer.sign(issuer.credential(f"{lists}/status/1", REVOKED_INDEX)),
            "unreachable": issuer.sign(issuer.credential(f"{lists}/status/gone")),
        }
        registry = registry_file(directory, {issuer.did: COLLEGE_EN}, operator)
        settings = loopback_settings(
            sqlite_url(directory), registry_files=(registry,), trusted_registry_keys=(operator.did,)
        )
        prepare_database(settings)
        with serving(create_app(settings)) as base_url:
            texts = {name: json.dumps(document) for name, document in credentials.items()}
            yield Site(base_url, texts, issuer)


def submit_pasted(page: Page, site: Site, name: str, lang: str) -> None:
    page.goto(f"{site.base_url}/verify?lang={lang}")
    page.fill("#credential", site.credentials[name])
    page.click("button[type=submit]")


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_headline_for_each_case_in_both_languages(
    page: Page, site: Site, name: str, lang: str
) -> None:
    submit_pasted(page, site, name, lang)
    english, french = HEADLINES[name]
    expect(page.locator("#verdict-headline")).to_have_text(english if lang == "en" else french)
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_valid_credential_names_the_registry_issuer_and_explains_each_check(
    page: Page, site: Site
) -> None:
    submit_pasted(page, site, "valid", "fr")
    expect(page.locator(".facts .issuer-name").first).to_have_text(COLLEGE_FR)
    expect(page.locator(".facts").first).to_contain_text("Amélie Tremblay")
    expect(page.locator(".facts").first).to_contain_text("Robotic Welding: Programming and Safety")
    expect(page.locator(".facts").first).to_contain_text("operate welding robots")
    expect(page.locator(".check-meaning").first).to_contain_text("Ce que cela signifie")
    download = page.locator("a[download]")
    expect(download).to_have_attribute("href", re.compile(r"^data:application/json"))


def test_revoked_credential_says_what_to_do_next(page: Page, site: Site) -> None:
    submit_pasted(page, site, "revoked", "en")
    first = page.locator(".check").first
    expect(first).to_have_attribute("data-check", "status")
    expect(first.locator(".check-next")).to_contain_text("Contact the institution")


def test_baked_png_upload(page: Page, site: Site, tmp_path: Path) -> None:
    token = site.issuer.sign(site.issuer.credential(), "vc+jwt")
    badge = tmp_path / "badge.png"
    badge.write_bytes(png_badge(token))
    page.goto(f"{site.base_url}/verify?lang=en")
    page.set_input_files("#file", str(badge))
    page.click("button[type=submit]")
    expect(page.locator("#verdict-headline")).to_have_text("Verified")
    expect(page.locator(".facts .issuer-name").first).to_have_text(COLLEGE_EN)


def test_unreadable_input_shows_the_reason(page: Page, site: Site) -> None:
    page.goto(f"{site.base_url}/verify?lang=en")
    page.fill("#credential", "this is not a credential")
    page.click("button[type=submit]")
    expect(page.locator(".verify-error")).to_contain_text("not a credential")
