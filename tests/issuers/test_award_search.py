"""One award search serves the API and the console (issue 18): accented names are found by
both, on SQLite (whose ``lower`` folds ASCII letters only) and on PostgreSQL."""

from __future__ import annotations

from contextlib import closing

import httpx
from fastapi import FastAPI
from sqlmodel import Session

from infra.database import create_database_engine
from issuers.access import create_api_key, create_staff_user
from issuers.institutions import create_institution
from issuers.programs.service import create_program
from passport.app import create_app
from passport.database import migrate_to_head
from tests.issuers.issuer_support import NOW, institution_data, program_data
from tests.issuers.test_api import settings_for
from tests.issuers.test_award_console import PASSWORD, logged_in, staff_email
from tests.passport.live_server import serving
from tests.storage import database_url  # noqa: F401  (fixture)

SLUG = "college-a"
LEARNERS = {
    "Élodie Côté": "elodie@example.ca",
    "Zoë Ng": "zoe@example.ca",
    "Amélie Tremblay": "amelie@example.ca",
}
# What is typed in the search box -> the one learner it must find. SQLite folds only ASCII
# letters, so a query with a capital accented letter ("Élodie") is matched as typed.
QUERIES = {
    "Élodie": "Élodie Côté",
    "Élodie Côté": "Élodie Côté",
    "Côté": "Élodie Côté",
    "Zoë": "Zoë Ng",
    "amélie": "Amélie Tremblay",
}


def _prepared_app(url: str) -> tuple[FastAPI, str]:
    settings = settings_for(url)
    engine = create_database_engine(url)
    migrate_to_head(engine)
    engine.dispose()
    app = create_app(settings)
    master = app.state.master_key_source.get()
    with Session(app.state.engine) as session:
        institution = create_institution(
            session, master, NOW, settings.base_url, institution_data(SLUG)
        )
        create_staff_user(session, institution, staff_email(SLUG), PASSWORD, NOW)
        create_program(session, institution, program_data("welding"), NOW)
        _, key = create_api_key(session, institution, "registrar", ["issue"], NOW)
        session.commit()
    return app, key


def test_accented_names_are_found_through_the_api_and_the_console(
    database_url: str,  # noqa: F811
) -> None:
    app, key = _prepared_app(database_url)
    headers = {"Authorization": f"Bearer {key}"}
    with (
        serving(app) as url,
        httpx.Client(base_url=url, timeout=30, headers=headers) as api,
    ):
        for name, email in LEARNERS.items():
            answer = api.post(
                f"/api/v1/institutions/{SLUG}/programs/welding/awards",
                json={"name": name, "email": email},
            )
            assert answer.status_code == 201, answer.text
        with closing(logged_in(url, SLUG)) as console:
            for query, expected in QUERIES.items():
                found = api.get(f"/api/v1/institutions/{SLUG}/awards", params={"q": query})
                assert found.status_code == 200, found.text
                assert [award["learner_name"] for award in found.json()] == [expected], query
                page = console.get("/console/awards", params={"q": query})
                assert page.status_code == 200
                assert [name for name in LEARNERS if name in page.text] == [expected], query
