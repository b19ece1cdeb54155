"""End to end: an institution of this deployment issues an award and a claim link
(``issuers.awards.offers``); the learner claims it into their passport with the transaction code."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from sqlmodel import Session

from issuers.access import create_api_key
from issuers.api_models import InstitutionCreate, ProgramCreate
from issuers.awards.tables import Award
from issuers.institutions import create_institution
from issuers.programs.service import create_program
from passport.app import create_app
from passport.database import upgrade_database
from tests.passport.wallet.support import Learner, wallet_settings
from tests.storage import sqlite_url


@contextmanager
def serving_at(app: FastAPI, port: int) -> Iterator[None]:
    """The app on a port chosen in advance (its settings' base_url names it)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _restyled(app: FastAPI, award_id: str) -> str:
    """Rewrite the award's stored text in another valid JSON style (indented, non-ASCII
    escaped), as another serializer or an older release would have written it; the proof still
    verifies (it covers the canonical form). Our issuer's own style is json.dumps's default, the
    style a wallet that re-serializes would happen to reproduce: this one it would not."""
    with Session(app.state.engine) as session:
        award = session.get(Award, award_id)
        assert award is not None
        award.ldp_credential = json.dumps(json.loads(award.ldp_credential), indent=1)
        session.add(award)
        session.commit()
        return award.ldp_credential


def test_claim_an_award_of_this_deployment(tmp_path: Path) -> None:
    # did:web needs a DNS name: the deployment is "localhost" (loopback, allowed in tests only).
    base_url = f"http://localhost:{free_port()}"
    settings = wallet_settings(
        sqlite_url(tmp_path), base_url=base_url, fetch_allow_http_hosts=("localhost",)
    )
    upgrade_database(settings)
    app = create_app(settings)
    now = datetime.now(UTC)
    with Session(app.state.engine) as session:
        master = app.state.master_key_source.get()
        college = create_institution(
            session,
            master,
            now,
            base_url,
            InstitutionCreate(
                slug="college-x",
                legal_name_en="College X",
                legal_name_fr="Collège X",
                kind="college",
                website="https://college.example.ca",
                contact_email="registrar@college.example.ca",
            ),
        )
        create_program(
            session,
            college,
            ProgramCreate(
                slug="welding", name_en="Welding Basics", hours=40, delivery_mode="in_person"
            ),
            now,
        )
        _, key = create_api_key(session, college, "registrar", ["issue"], now)
        session.commit()
    with serving_at(app, int(base_url.rsplit(":", 1)[1])):
        learner = Learner(base_url)
        try:
            registrar = {"Authorization": f"Bearer {key}"}
            award = httpx.post(
                f"{base_url}/api/v1/institutions/college-x/programs/welding/awards",
                json={"name": "Amélie Côté", "email": "amelie@example.ca", "did": learner.did},
                headers=registrar,
            )
            assert award.status_code == 201, award.text
            issued_text = _restyled(app, award.json()["id"])
            offer = httpx.post(
                f"{base_url}/api/v1/institutions/college-x/awards/{award.json()['id']}/offers",
                json={"tx_code": True},
                headers=registrar,
            ).json()
            # Issue #13: a mistyped code is refused in the page's language and can be retried.
            mistyped = "000000" if offer["tx_code"] != "000000" else "111111"
            wrong = learner.post(
                "/passport/claim?lang=fr", {"offer": offer["offer_uri"], "tx_code": mistyped}
            )
            assert wrong.status_code == 400, wrong.text
            assert "le code de transaction est erroné" in wrong.text
            claimed = learner.post(
                "/passport/claim", {"offer": offer["offer_uri"], "tx_code": offer["tx_code"]}
            )
            assert claimed.status_code == 303, claimed.text
            location = claimed.headers["location"]
            page = learner.get(location, params={"lang": "en"}).text
            assert "Welding Basics" in page
            kept = learner.get(location.split("?")[0] + "/download/json").content
            assert kept == issued_text.encode("utf-8")  # byte for byte
            # The deployment's own did:web document and status list are read from its records
            # (passport.own_documents), never fetched over its own URL: verified, by name.
            assert '<h2 class="headline">Verified</h2>' in page
            assert "College X" in page
            again = learner.post(
                "/passport/claim?lang=fr",
                {"offer": offer["offer_uri"], "tx_code": offer["tx_code"]},
            )
            assert again.status_code == 400  # the code was used once
            assert "cette offre a expiré, a déjà été réclamée" in again.text
        finally:
            learner.close()
    app.state.engine.dispose()
