"""The awarding pages of the console over a real uvicorn server: issue, search, revoke, cohorts,
the audit log, and every cross-institution and CSRF-less attempt refused."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from infra.database import create_database_engine
from issuers.access import create_staff_user
from issuers.awards.tables import Award
from issuers.institutions import create_institution
from issuers.programs.service import create_program
from passport.app import create_app, master_key_source
from passport.database import prepare_database
from passport.settings import Settings
from tests.issuers.issuer_support import NOW, institution_data, program_data
from tests.issuers.test_api import settings_for
from tests.passport.live_server import serving
from tests.storage import sqlite_url

PASSWORD = "a long enough password"
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
COHORT_HEADER = "external_id,name,email\n"
PROGRESS_TIMEOUT_SECONDS = 30.0


def staff_email(slug: str) -> str:
    return f"registrar@{slug}.example.ca"


@dataclass(frozen=True)
class Console:
    base_url: str
    settings: Settings


def prepare_console(directory: Path, *, offers_suspension: bool = True) -> Settings:
    """A migrated database with two institutions, each with a staff user and a program."""
    settings = settings_for(sqlite_url(directory))
    prepare_database(settings)
    engine = create_database_engine(settings.database_url)
    with Session(engine) as session:
        master = master_key_source(settings).get()
        for slug in ("college-a", "college-b"):
            data = institution_data(slug, offers_suspension=offers_suspension)
            institution = create_institution(session, master, NOW, settings.base_url, data)
            create_staff_user(session, institution, staff_email(slug), PASSWORD, NOW)
            create_program(session, institution, program_data("welding"), NOW)
        session.commit()
    engine.dispose()
    return settings


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    settings = prepare_console(tmp_path_factory.mktemp("award-console"))
    with serving(create_app(settings)) as base_url:
        yield Console(base_url, settings)


def logged_in(base_url: str, slug: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30.0)
    token = csrf_of(client.get("/console/login"))
    answer = client.post(
        "/console/login",
        data={"csrf": token, "email": staff_email(slug), "password": PASSWORD},
    )
    assert answer.status_code == 303
    return client


def csrf_of(response: httpx.Response) -> str:
    found = CSRF_FIELD.search(response.text)
    assert found is not None, response.text
    return found.group(1)


@pytest.fixture(scope="module")
def staff_a(console: Console) -> Iterator[httpx.Client]:
    client = logged_in(console.base_url, "college-a")
    yield client
    client.close()


@pytest.fixture(scope="module")
def staff_b(console: Console) -> Iterator[httpx.Client]:
    client = logged_in(console.base_url, "college-b")
    yield client
    client.close()


def issue(client: httpx.Client, name: str, email: str, external_id: str = "") -> str:
    """Issue one award through the form; returns its id."""
    token = csrf_of(client.get("/console/awards/new"))
    form = {"csrf": token, "program": "welding", "name": name, "email": email}
    answer = client.post("/console/awards/new", data=form | {"external_id": external_id})
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.endswith("?done=issue")
    return location.removeprefix("/console/awards/").removesuffix("?done=issue")


def upload(client: httpx.Client, csv_text: str, *, dry_run: bool) -> httpx.Response:
    token = csrf_of(client.get("/console/batches/new"))
    form = {"csrf": token, "program": "welding"} | ({"dry_run": "on"} if dry_run else {})
    files = {"cohort": ("cohort.csv", csv_text.encode(), "text/csv")}
    return client.post("/console/batches/new", data=form, files=files)


def wait_for_batch(client: httpx.Client, batch_path: str) -> dict[str, object]:
    deadline = time.monotonic() + PROGRESS_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        progress: dict[str, object] = client.get(f"{batch_path}/progress.json").json()
        if progress["finished"]:
            return progress
        time.sleep(0.1)
    raise AssertionError("the batch did not finish")


def test_pages_need_a_login(console: Console) -> None:
    with httpx.Client(base_url=console.base_url) as anonymous:
        for path in ("/console/awards", "/console/batches/new", "/console/audit"):
            answer = anonymous.get(path)
            assert answer.status_code == 303
            assert answer.headers["location"] == "/console/login"
        assert anonymous.get("/console/batches/x/progress.json").status_code == 401


def test_issue_one_award_then_find_it_and_download_it(staff_a: httpx.Client) -> None:
    award_id = issue(staff_a, "Amélie Côté", "amelie@example.ca", "S-100")
    detail = staff_a.get(f"/console/awards/{award_id}?done=issue")
    assert "The credential was signed and issued." in detail.text
    assert "Amélie Côté" in detail.text
    assert "#key-1" in detail.text
    assert detail.headers["cache-control"] == "no-store"

    for query in ("côté", "S-100", "AMELIE@"):
        found = staff_a.get("/console/awards", params={"q": query})
        assert f"/console/awards/{award_id}" in found.text, query
    by_state = staff_a.get("/console/awards", params={"state": "revoked", "q": "S-100"})
    assert award_id not in by_state.text
    assert "Awards found: 0" in by_state.text
    by_program = staff_a.get("/console/awards", params={"program": "welding", "q": "S-100"})
    assert award_id in by_program.text
    assert staff_a.get("/console/awards", params={"state": "lost"}).status_code == 400

    credential = staff_a.get(f"/console/awards/{award_id}/credential.json").json()
    assert credential["credentialSubject"]["identifier"][0]["hashed"] is True
    assert "amelie@example.ca" not in str(credential)
    token = staff_a.get(f"/console/awards/{award_id}/credential.jwt").text
    assert token.count(".") == 2
    png = staff_a.get(f"/console/awards/{award_id}/credential.png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert "<svg" in staff_a.get(f"/console/awards/{award_id}/credential.svg").text


def test_issue_form_shows_what_to_fix(staff_a: httpx.Client) -> None:
    token = csrf_of(staff_a.get("/console/awards/new"))
    form = {"csrf": token, "program": "welding", "name": "Jo", "email": "not an email"}
    answer = staff_a.post("/console/awards/new", data=form)
    assert answer.status_code == 400
    assert "is not an email address" in answer.text
    assert 'value="Jo"' in answer.text


def test_claim_link_and_qr_code(staff_a: httpx.Client) -> None:
    award_id = issue(staff_a, "Noah Tremblay", "noah@example.ca")
    token = csrf_of(staff_a.get(f"/console/awards/{award_id}"))
    answer = staff_a.post(
        f"/console/awards/{award_id}/offer", data={"csrf": token, "tx_code": "on"}
    )
    assert answer.status_code == 200
    assert "openid-credential-offer://?credential_offer_uri=" in answer.text
    assert re.search(r"Code to give the learner separately: \d{6}", answer.text)
    qr_path = re.search(r'src="(/oid4vci/offers/[^"]+/qr\.svg)"', answer.text)
    assert qr_path is not None
    assert staff_a.get(qr_path.group(1)).headers["content-type"].startswith("image/svg+xml")
    assert "Claim link created" in staff_a.get(f"/console/awards/{award_id}").text


def test_status_changes_need_a_reason_and_a_confirmation(staff_a: httpx.Client) -> None:
    award_id = issue(staff_a, "Léa Roy", "lea@example.ca")
    confirm = staff_a.get(f"/console/awards/{award_id}/status", params={"action": "suspend"})
    assert "Confirm suspension" in confirm.text
    token = csrf_of(confirm)
    path = f"/console/awards/{award_id}/status"
    no_reason = staff_a.post(path, data={"csrf": token, "action": "suspend", "reason": " "})
    assert no_reason.status_code == 422
    assert "A reason is required" in no_reason.text

    for action, label in (("suspend", "Suspended"), ("restore", "Active"), ("revoke", "Revoked")):
        answer = staff_a.post(
            path, data={"csrf": token, "action": action, "reason": f"{action} it"}
        )
        assert answer.status_code == 303
        detail = staff_a.get(answer.headers["location"])
        assert f'<dd id="award-status">{label}</dd>' in detail.text
        assert f'"Reason">{action} it</td>' in detail.text
        assert "console:registrar@college-a.example.ca" in detail.text
    assert "Revocation is final" in detail.text
    again = staff_a.post(path, data={"csrf": token, "action": "restore", "reason": "undo"})
    assert again.status_code == 409
    assert "cannot be restored" in again.text


def test_cohort_upload_reports_bad_rows_then_issues_in_the_background(
    staff_a: httpx.Client,
) -> None:
    bad = COHORT_HEADER + "C-1,Chloé Gagnon,chloe@example.ca\nC-2,Marc Ouellet,not-an-email\n"
    report = upload(staff_a, bad, dry_run=True)
    assert report.status_code == 422
    assert re.search(
        r'"Line">3</td>\s*<td data-label="Column">email</td>\s*<td[^>]*>[^<]*not an email',
        report.text,
    )

    good = COHORT_HEADER + "C-1,Chloé Gagnon,chloe@example.ca\nC-2,Marc Ouellet,marc@example.ca\n"
    dry = upload(staff_a, good, dry_run=True)
    assert dry.status_code == 200
    assert "No problems in 2 rows" in dry.text
    assert "Chloé" not in staff_a.get("/console/awards", params={"q": "C-1"}).text

    submitted = upload(staff_a, good, dry_run=False)
    assert submitted.status_code == 303
    batch_path = submitted.headers["location"]
    page = staff_a.get(batch_path)
    assert "Learners in the file" in page.text
    progress = wait_for_batch(staff_a, batch_path)
    assert progress["done"] == 2 and progress["pending"] == 0 and progress["failed"] == 0
    finished = staff_a.get(batch_path)
    assert "Completed" in finished.text and "See the awards" in finished.text
    assert "batch_progress.js" not in finished.text
    assert "Chloé Gagnon" in staff_a.get("/console/awards", params={"q": "C-1"}).text

    audit_log = staff_a.get("/console/audit")
    assert "Cohort uploaded" in audit_log.text and "Cohort completed" in audit_log.text


def test_progress_script_is_an_external_file(staff_a: httpx.Client) -> None:
    script = staff_a.get("/console/static/batch_progress.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "data-progress-url" in script.text


def test_cohort_uploads_may_exceed_the_default_body_limit(
    console: Console, staff_a: httpx.Client
) -> None:
    rows = "".join(f"L-{n},Learner {n},learner{n}@example.ca\n" for n in range(3_000))
    assert len(rows) > console.settings.max_request_bytes
    report = upload(staff_a, COHORT_HEADER + rows, dry_run=True)
    assert report.status_code == 200
    assert "No problems in 3000 rows" in report.text
    token = csrf_of(staff_a.get("/console/awards/new"))
    too_big = staff_a.post("/console/awards/new", data={"csrf": token, "name": rows})
    assert too_big.status_code == 413


def test_audit_log_page_links_back_to_the_newest_entries(staff_a: httpx.Client) -> None:
    issue(staff_a, "Audit Learner", "audit@example.ca")
    newest = staff_a.get("/console/audit")
    assert "Audit Learner" not in newest.text  # the log names awards, not learners
    assert "issued for program welding" in newest.text
    assert "Newest entries" not in newest.text
    older = staff_a.get("/console/audit", params={"before": 1})
    assert "Newest entries" in older.text and "No entries." in older.text


def test_pages_speak_french(staff_a: httpx.Client) -> None:
    page = staff_a.get("/console/awards", params={"lang": "fr"})
    assert page.headers["content-language"] == "fr"
    assert "Attributions" in page.text
    upload_page = staff_a.get("/console/batches/new", params={"lang": "fr"})
    assert "Téléverser une cohorte" in upload_page.text
    staff_a.get("/console/awards", params={"lang": "en"})


def test_other_institutions_awards_and_batches_are_not_found(
    console: Console, staff_a: httpx.Client, staff_b: httpx.Client
) -> None:
    award_id = issue(staff_a, "Zoé Martin", "zoe@example.ca")
    submitted = upload(staff_a, COHORT_HEADER + "B-1,Ana Silva,ana@example.ca\n", dry_run=False)
    batch_path = submitted.headers["location"]
    token_b = csrf_of(staff_b.get("/console/awards/new"))
    for path in (
        f"/console/awards/{award_id}",
        f"/console/awards/{award_id}/credential.json",
        f"/console/awards/{award_id}/status?action=revoke",
        batch_path,
        f"{batch_path}/progress.json",
    ):
        assert staff_b.get(path).status_code == 404, path
    posts = {
        f"/console/awards/{award_id}/status": {"action": "revoke", "reason": "not yours"},
        f"/console/awards/{award_id}/offer": {},
    }
    for path, form in posts.items():
        assert staff_b.post(path, data={"csrf": token_b} | form).status_code == 404, path
    assert "Awards found: 0" in staff_b.get("/console/awards", params={"q": award_id}).text
    assert "Zoé" not in staff_b.get("/console/audit").text
    engine = create_database_engine(console.settings.database_url)
    with Session(engine) as session:
        assert session.exec(select(Award.state).where(Award.id == award_id)).one() == "active"
    engine.dispose()


def test_forms_without_the_csrf_token_are_refused(console: Console, staff_a: httpx.Client) -> None:
    award_id = issue(staff_a, "Sam Leblanc", "sam@example.ca")
    status_path = f"/console/awards/{award_id}/status"
    attempts = {
        "/console/awards/new": {"program": "welding", "name": "X", "email": "x@example.ca"},
        status_path: {"action": "revoke", "reason": "forged"},
        f"/console/awards/{award_id}/offer": {},
    }
    for path, form in attempts.items():
        for forged in ({}, {"csrf": "forged"}):
            answer = staff_a.post(path, data=form | forged)
            assert answer.status_code == 403, path
            assert answer.headers["content-type"] == "application/problem+json"
    files = {"cohort": ("c.csv", (COHORT_HEADER + "F-1,F,f@example.ca\n").encode(), "text/csv")}
    forged_upload = staff_a.post(
        "/console/batches/new", data={"program": "welding", "csrf": "forged"}, files=files
    )
    assert forged_upload.status_code == 403
    assert "Sam Leblanc" in staff_a.get(f"/console/awards/{award_id}").text
    assert "Active" in staff_a.get(f"/console/awards/{award_id}").text
    assert "Awards found: 0" in staff_a.get("/console/awards", params={"q": "F-1"}).text
