"""A cohort and a revocation through the console in chromium, checked by the verifier.

Staff upload a cohort (one name with accents), read the dry-run report of a bad row, fix it,
issue, watch the progress page (its external script polls the counts) reach "Completed", find
the awards, revoke one with a reason, and download it: the credential still verifies, and its
status list, fetched from the live server, reports it revoked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import FilePayload, Page, expect
from sqlmodel import Session

from infra.database import create_database_engine
from keys.store import LocalKeyStoreResolver
from passport.app import create_app
from passport.settings import Settings
from tests.issuers.test_award_console import PASSWORD, prepare_console, staff_email
from tests.passport.live_server import serving
from verifier.context import OfflineStatusLists, VerificationContext
from verifier.pipeline import verify_document

pytestmark = pytest.mark.browser

BAD_COHORT = (
    "external_id,name,email\n"
    "S-1,Héloïse Bélanger-Côté,heloise@example.ca\n"
    "S-2,Marc Ouellet,marc@example.ca\n"
    "S-3,Priya Natarajan,priya.example.ca\n"
    "S-4,Jean Tremblay,jean@example.ca\n"
    "S-5,Aiyana Whitehorse,aiyana@example.ca\n"
)
GOOD_COHORT = BAD_COHORT.replace("priya.example.ca", "priya@example.ca")


def cohort_file(text: str) -> FilePayload:
    return {"name": "cohort.csv", "mimeType": "text/csv", "buffer": text.encode()}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    settings = prepare_console(tmp_path, offers_suspension=False)
    with serving(create_app(settings)) as base_url:
        yield base_url, settings


def log_in(tab: Page, base_url: str) -> None:
    tab.goto(f"{base_url}/console/login")
    tab.get_by_label("Email").fill(staff_email("college-a"))
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("heading", name="Programs")).to_be_visible()


def upload(tab: Page, text: str, *, dry_run: bool) -> None:
    tab.get_by_label("Program").select_option("welding")
    tab.get_by_label("Cohort file").set_input_files(cohort_file(text))
    tab.get_by_label("Dry run").set_checked(dry_run)
    tab.get_by_role("button", name="Upload").click()


def verify_downloaded(tab: Page, base_url: str, settings: Settings, award_url: str) -> Any:
    """Verify the console's download with the verifier, the status list from the live server."""
    response = tab.request.get(f"{award_url}/credential.json")
    assert response.ok
    credential = json.loads(response.text())
    list_url = credential["credentialStatus"]["statusListCredential"]
    status_path = list_url.removeprefix(settings.base_url)
    status_list = httpx.get(f"{base_url}{status_path}").json()
    engine = create_database_engine(settings.database_url)
    try:
        context = VerificationContext(
            now=datetime.now(UTC),
            resolver=LocalKeyStoreResolver(lambda: Session(engine)),
            status_lists=OfflineStatusLists({list_url: status_list}, datetime.now(UTC)),
        )
        return verify_document(credential, context)
    finally:
        engine.dispose()


def test_upload_a_cohort_then_revoke_an_award(
    page: Page,
    live: tuple[str, Settings],
) -> None:
    base_url, settings = live
    log_in(page, base_url)
    page.get_by_role("link", name="Upload a cohort").first.click()

    upload(page, BAD_COHORT, dry_run=True)
    expect(page.get_by_role("alert")).to_contain_text("Nothing was issued")
    problem = page.get_by_role("row").filter(has_text="priya.example.ca")
    expect(problem.get_by_role("cell").nth(0)).to_have_text("4")
    expect(problem.get_by_role("cell").nth(1)).to_have_text("email")

    upload(page, GOOD_COHORT, dry_run=True)
    expect(page.get_by_role("status")).to_contain_text("No problems in 5 rows")
    upload(page, GOOD_COHORT, dry_run=False)
    expect(page.get_by_role("heading", name="Cohort cohort.csv")).to_be_visible()
    expect(page.get_by_text("Completed")).to_be_visible(timeout=30_000)
    expect(page.locator('[data-count="done"]')).to_have_text("5")
    expect(page.locator('[data-count="pending"]')).to_have_text("0")
    expect(page.locator('[data-count="failed"]')).to_have_text("0")

    page.get_by_role("link", name="See the awards").click()
    expect(page.get_by_role("status")).to_have_text("Awards found: 5")
    page.get_by_label("Learner name, email or external id").fill("bélanger")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Héloïse Bélanger-Côté").click()
    award_url = page.url

    page.get_by_role("link", name="Revoke…").click()
    page.get_by_role("button", name="Confirm revocation").click()
    expect(page).to_have_url(
        re.compile(r"/status\?action=revoke$")
    )  # the browser refused: reason required
    page.get_by_label("Reason (required)").fill("Académic misconduct: exam re-sat")
    page.get_by_role("button", name="Confirm revocation").click()
    expect(page.get_by_role("status")).to_contain_text("The credential was revoked.")
    expect(page.locator("#award-status")).to_have_text("Revoked")
    entry = page.get_by_role("row").filter(has_text="Académic misconduct: exam re-sat")
    expect(entry).to_contain_text("console:registrar@college-a.example.ca")
    expect(entry).to_contain_text("Revoked")

    report = verify_downloaded(page, base_url, settings, award_url)
    checks = {check.id: check for check in report.checks}
    assert checks["proof"].outcome.value == "passed"
    assert checks["status"].message_key == "status.revoked"
    assert not report.verified
