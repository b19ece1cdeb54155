"""Issue 15, the demo: ``passport demo`` seeds people for every journey, ``passport serve`` links
to the address it serves, and the passport claims this deployment's own offers in-process with
no fetch setting (offers of other deployments still meet the guarded fetcher)."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from issuers.awards import offers
from issuers.awards import service as awards
from issuers.awards.routes import context_for
from issuers.demo_staff import DEMO_PASSWORD
from issuers.institutions import get_institution
from issuers.programs.service import find_program
from passport.app import create_app
from passport.cli import app as cli
from passport.settings import Mode, Settings
from passport.wallet.tables import Learner as LearnerRow
from passport.wallet.tables import StoredCredential
from tests.passport.wallet.support import TEST_MASTER_KEY, Learner, Visitor
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at
from tests.storage import TEST_DATABASE_URL_VARIABLE, sqlite_url


@pytest.fixture(autouse=True)
def only_the_test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PASSPORT_") and name != TEST_DATABASE_URL_VARIABLE:
            monkeypatch.delenv(name)


def demo_settings(tmp_path: Path, port: int, mode: Mode = Mode.DEMO) -> Settings:
    return Settings(
        database_url=sqlite_url(tmp_path),
        mode=mode,
        master_key=TEST_MASTER_KEY,
        base_url=f"http://127.0.0.1:{port}",
    )


def run_demo(settings: Settings) -> Result:
    environment = {
        "PASSPORT_DATABASE_URL": settings.database_url,
        "PASSPORT_MODE": settings.mode.value,
        "PASSPORT_MASTER_KEY": TEST_MASTER_KEY,
        "PASSPORT_BASE_URL": settings.base_url,
    }
    result = CliRunner().invoke(cli, ["demo"], env=environment)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str]]:
    """A demo database seeded once (with no fetch setting at all) and its first output."""
    settings = demo_settings(tmp_path_factory.mktemp("demo"), free_port())
    yield settings, run_demo(settings).stdout


def test_demo_learners_claimed_credentials_of_two_institutions(
    seeded: tuple[Settings, str],
) -> None:
    settings, output = seeded
    assert "added 2 learners holding 4 claimed credentials" in output
    app = create_app(settings)
    with Session(app.state.engine) as session:
        for email in ("amira.haddad@example.com", "jean.tremblay@example.com"):
            learner = session.exec(select(LearnerRow).where(LearnerRow.email == email)).one()
            held = session.exec(
                select(StoredCredential).where(col(StoredCredential.learner_id) == learner.id)
            ).all()
            assert {stored.source for stored in held} == {"claim"}
            assert len({stored.issuer_id for stored in held}) == 2
    app.state.engine.dispose()
    request = re.search(r"presentation request: (\S+)", output)
    assert request is not None
    assert request[1].startswith(f"{settings.base_url}/presentation-requests/")


def test_demo_run_again_adds_no_people(seeded: tuple[Settings, str]) -> None:
    settings, _ = seeded
    assert "added 0 learners holding 0 claimed credentials" in run_demo(settings).stdout


def test_console_shows_the_demo_sign_ins_in_demo_mode_only(
    seeded: tuple[Settings, str],
) -> None:
    settings, _ = seeded
    port = int(settings.base_url.rsplit(":", 1)[1])
    for mode, shown in ((Mode.DEMO, True), (Mode.DEVELOPMENT, False)):
        app = create_app(settings.model_copy(update={"mode": mode}))
        with serving_at(app, port), httpx.Client(base_url=settings.base_url) as client:
            entry = client.get("/console", follow_redirects=True)
            assert entry.url.path == "/console/login"
            assert ("registrar@northern-lights.example.ca" in entry.text) is shown
            assert (DEMO_PASSWORD in entry.text) is shown
        app.state.engine.dispose()


def test_a_demo_registrar_and_learner_sign_in(seeded: tuple[Settings, str]) -> None:
    settings, _ = seeded
    app = create_app(settings)
    with serving_at(app, int(settings.base_url.rsplit(":", 1)[1])):
        with httpx.Client(base_url=settings.base_url) as registrar:
            form = registrar.get("/console/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form)
            assert csrf is not None
            signed_in = registrar.post(
                "/console/login",
                data={
                    "csrf": csrf[1],
                    "email": "registrar@northern-lights.example.ca",
                    "password": DEMO_PASSWORD,
                },
            )
            assert signed_in.headers["location"] == "/console/programs"
        learner = Visitor(settings.base_url)
        try:
            response = learner.post(
                "/passport/login",
                {"email": "amira.haddad@example.com", "password": DEMO_PASSWORD},
                csrf_from="/passport/login",
            )
            assert response.status_code == 303, response.text
            passport = learner.get("/passport").text
            assert "Industrial Welding" in passport
            assert "Python for Data Analysis" in passport
            # Hours come from what the issuer signed (learningHours): 120 + 40.
            assert "2 credentials, 160 hours of learning in total." in passport
            ids = re.findall(r'href="/passport/credentials/([0-9a-f-]{36})"', passport)
            shared = learner.post(
                "/passport/shares", {"credential": sorted(set(ids)), "expires": "7"}
            )
            link = re.search(r'id="share-link" readonly value="[^"]*(/s/[^"]+)"', shared.text)
            assert link is not None
            verify_page = httpx.get(f"{settings.base_url}/verify").text
            assert 'id="request-credentials" href="/presentation-requests/new"' in verify_page
            employer = httpx.get(f"{settings.base_url}{link[1]}").text
            assert re.search(r"<dt>Hours</dt><dd>120</dd>", employer)
            assert re.search(r"<dt>Hours</dt><dd>40</dd>", employer)
            printed = learner.post("/passport/print", {"credential": sorted(set(ids))}).text
            assert '<strong id="holder-name">Amira Haddad</strong>' in printed
            assert "This summary's link works until" in printed
            shares = learner.get("/passport/shares").text
            assert "Printed summary" in shares and "No expiry" not in shares
        finally:
            learner.close()
    app.state.engine.dispose()


def _offer_for(settings: Settings, learner_did: str) -> str:
    app = create_app(settings)
    now = datetime.now(UTC)
    with Session(app.state.engine) as session:
        master = app.state.master_key_source.get()
        institution = get_institution(session, "lakeshore-college")
        program = find_program(session, institution, "cybersecurity-operations")
        assert program is not None
        context = context_for(session, master, settings.base_url, institution, program, now)
        person = awards.Learner("Zoé Lavoie", "zoe@example.ca", learner_did)
        award = awards.issue_recorded(
            session, context, awards.AwardRequest(person), now, actor="test"
        )
        created = offers.create_offer(session, award, now)
        session.commit()
    app.state.engine.dispose()
    return offers.offer_uri(settings.base_url, created.secret)


def test_own_offers_are_claimed_in_process_and_others_meet_the_guard(
    seeded: tuple[Settings, str],
) -> None:
    settings, _ = seeded
    assert settings.fetch_allow_http_hosts == ()
    assert settings.fetch_allow_private_addresses is False
    app = create_app(settings)
    with serving_at(app, int(settings.base_url.rsplit(":", 1)[1])):
        learner = Learner(settings.base_url)
        try:
            link = _offer_for(settings, learner.did)
            claimed = learner.post("/passport/claim", {"offer": link})
            assert claimed.status_code == 303, claimed.text
            assert "Cybersecurity Operations" in learner.get(claimed.headers["location"]).text
            elsewhere = link.replace(
                quote(settings.base_url, safe=""), quote("http://127.0.0.2:9", safe="")
            )
            refused = learner.post("/passport/claim", {"offer": elsewhere})
            assert refused.status_code == 400
            assert "plain http is not allowed for 127.0.0.2" in refused.text
        finally:
            learner.close()
    app.state.engine.dispose()


def test_serve_links_name_the_served_port_unless_a_base_url_is_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served: list[Settings] = []
    monkeypatch.setattr(
        "passport.cli_server.uvicorn.run", lambda app, **_: served.append(app.state.settings)
    )
    environment = {"PASSPORT_DATABASE_URL": sqlite_url(tmp_path)}
    CliRunner().invoke(cli, ["serve", "--port", "8123"], env=environment)
    assert served[-1].base_url == "http://127.0.0.1:8123"
    environment["PASSPORT_BASE_URL"] = "https://passport.example.ca"
    CliRunner().invoke(cli, ["serve", "--port", "8123"], env=environment)
    assert served[-1].base_url == "https://passport.example.ca"


def pdf_text(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)


def test_pdfs_of_a_credential_a_summary_and_a_report(seeded: tuple[Settings, str]) -> None:
    settings, _ = seeded
    app = create_app(settings)
    with serving_at(app, int(settings.base_url.rsplit(":", 1)[1])):
        learner = Visitor(settings.base_url)
        try:
            learner.post(
                "/passport/login",
                {"email": "jean.tremblay@example.com", "password": DEMO_PASSWORD},
                csrf_from="/passport/login",
            )
            passport = learner.get("/passport").text
            ids = sorted(set(re.findall(r'href="/passport/credentials/([0-9a-f-]{36})"', passport)))
            one = pdf_text(learner.post(f"/passport/credentials/{ids[0]}/pdf?lang=fr"))
            assert "Vérifié le" in one and "Jean Tremblay" in one
            assert re.search(r"Heures\s*: (45|30)", one)
            summary = pdf_text(learner.post("/passport/summary.pdf", {"credential": ids}))
            assert "Jean Tremblay" in summary
            assert "2 credentials, 75 hours of learning in total." in summary
            assert "Soins" in summary and "Checked at" in summary
            shares = learner.get("/passport/shares").text
            assert "PDF: " in shares and "PDF summary" in shares and "No expiry" not in shares
            shared = learner.post("/passport/shares", {"credential": ids, "expires": "7"})
            link = re.search(r'id="share-link" readonly value="([^"]+)"', shared.text)
            assert link is not None
            report = pdf_text(httpx.get(f"{link[1]}/report.pdf"))
            assert "Verification report" in report and link[1] in report.replace("\n", "")
        finally:
            learner.close()
    app.state.engine.dispose()
