"""The console's reads: award search and pages, batch counts, the audit log's pages; and the
request body limits keyed by route path template that let cohort uploads be large."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from starlette.types import Message, Receive, Scope, Send

from credentials.errors import InputTooLarge, InvalidInput, NotFound
from issuers.audit import log as audit
from issuers.audit.log import audit_page
from issuers.awards import service as awards
from issuers.awards import status_changes
from issuers.awards.search import AwardFilter, search_awards
from issuers.awards.service import AwardRequest, Learner
from issuers.cohorts.batches import submit_batch
from issuers.cohorts.cohort_file import MAX_UPLOAD_BYTES
from issuers.cohorts.progress import batch_status
from issuers.console.cohorts import ROUTE_BODY_LIMITS
from issuers.tables import Institution, Program
from passport.app import RequestSizeLimit
from tests.issuers.award_support import (
    NOW,
    Awarding,
    add_institution,
    awarding_fixture,  # noqa: F401
)

BATCH_PATH = "/api/v1/institutions/college-x/programs/welding/batches"


def issue_learners(awarding: Awarding, count: int) -> list[str]:
    with awarding.session() as session:
        context = awarding.context(session)
        ids = []
        for number in range(count):
            learner = Learner(f"Élodie Learner {number}", f"learner{number}@example.ca")
            request = AwardRequest(learner, external_id=f"E-{number}")
            moment = NOW + timedelta(minutes=number)
            ids.append(awards.issue_award(session, context, request, moment).id)
        session.commit()
    return ids


def test_search_pages_newest_first_and_filters(awarding: Awarding) -> None:
    ids = issue_learners(awarding, 5)
    with awarding.session() as session:
        institution = session.get(Institution, awarding.institution_id)
        assert institution is not None
        first = search_awards(session, institution, AwardFilter(), page=1, page_size=2)
        assert (first.total, first.pages, first.has_previous, first.has_next) == (5, 3, False, True)
        assert [item.award.id for item in first.items] == [ids[4], ids[3]]
        last = search_awards(session, institution, AwardFilter(), page=3, page_size=2)
        assert [item.award.id for item in last.items] == [ids[0]]
        assert last.has_previous and not last.has_next

        for text in ("Élodie Learner 2", "learner 2", "LEARNER2@EXAMPLE"):
            found = search_awards(session, institution, AwardFilter(text=text))
            assert [item.award.id for item in found.items] == [ids[2]], text
        by_id = search_awards(session, institution, AwardFilter(text="e-3"))
        assert [item.award.id for item in by_id.items] == [ids[3]]
        by_program = search_awards(session, institution, AwardFilter(program_slug="welding"))
        assert by_program.total == 5 and by_program.items[0].program.slug == "welding"
        assert search_awards(session, institution, AwardFilter(program_slug="other")).total == 0

        award = awards.get_award(session, institution, ids[1])
        status_changes.change_status(
            session, award, audit.AuditAction.REVOKE, actor="t", reason="test", now=NOW
        )
        session.commit()
        revoked = search_awards(session, institution, AwardFilter(state="revoked"))
        assert [item.award.id for item in revoked.items] == [ids[1]]
        assert search_awards(session, institution, AwardFilter(state="active")).total == 4
        with pytest.raises(InvalidInput, match="not a status"):
            search_awards(session, institution, AwardFilter(state="lost"))


def test_search_and_batches_stay_within_the_institution(awarding: Awarding) -> None:
    issue_learners(awarding, 1)
    with awarding.session() as session:
        other = add_institution(session, awarding.master, "college-y")
        mine = session.get(Institution, awarding.institution_id)
        program = session.get(Program, awarding.program_id)
        assert mine is not None and program is not None
        data = "external_id,name,email\nB-1,Anne Hébert,anne@example.ca\n".encode()
        submission = submit_batch(session, mine, program, data, "c.csv", actor="t", now=NOW)
        session.commit()
        assert submission.batch is not None
        assert search_awards(session, other, AwardFilter()).total == 0
        with pytest.raises(NotFound):
            batch_status(session, other, submission.batch.id)
        counts = batch_status(session, mine, submission.batch.id)
        assert (counts.done, counts.pending, counts.failed, counts.finished) == (0, 1, 0, False)


def test_audit_log_pages_backwards_by_event_id(awarding: Awarding) -> None:
    issue_learners(awarding, 1)
    with awarding.session() as session:
        institution = session.get(Institution, awarding.institution_id)
        assert institution is not None and institution.id is not None
        for number in range(5):
            audit.record(
                session,
                institution_id=institution.id,
                actor="t",
                action=audit.AuditAction.OFFER_CREATED,
                reason=f"event {number}",
                now=NOW,
            )
        session.commit()
        first = audit_page(session, institution, page_size=2)
        assert [event.reason for event in first.events] == ["event 4", "event 3"]
        second = audit_page(session, institution, before=first.older, page_size=2)
        assert [event.reason for event in second.events] == ["event 2", "event 1"]
        third = audit_page(session, institution, before=second.older, page_size=2)
        assert [event.reason for event in third.events] == ["event 0"]
        assert third.older is None


def run_limited(path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """Send one request through ``RequestSizeLimit``; the answer's status."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await receive()
        except InputTooLarge:  # as the app's error handler would: the 413 is already sent
            return
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    limits = {"/exact": 10, "/api/{slug}/batches": 100, **ROUTE_BODY_LIMITS}
    limited = RequestSizeLimit(app, max_bytes=5, base_url="https://x.example", path_limits=limits)
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "headers": headers, "method": "POST"}
    asyncio.run(limited(scope, receive, send))
    status: int = sent[0]["status"]
    return status


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [
        ("/other", 6, 413),
        ("/exact", 10, 204),
        ("/exact", 11, 413),
        ("/exact/more", 6, 413),
        ("/api/college-x/batches", 100, 204),
        ("/api/college-x/batches", 101, 413),
        ("/api/a/b/batches", 6, 413),  # a template segment never spans a "/"
    ],
)
def test_body_limits_are_keyed_by_route_path_template(path: str, size: int, status: int) -> None:
    assert run_limited(path, [], b"x" * size) == status  # counted as it arrives
    declared = [(b"content-length", str(size).encode())]
    assert run_limited(path, declared, b"x" * size) == status


def test_cohort_upload_routes_accept_fifty_megabytes_and_no_more() -> None:
    upload = [(b"content-length", str(MAX_UPLOAD_BYTES).encode())]
    assert run_limited(BATCH_PATH, upload, b"") == 204
    assert run_limited("/console/batches/new", upload, b"") == 204
    over = [(b"content-length", str(MAX_UPLOAD_BYTES + 1).encode())]
    assert run_limited(BATCH_PATH, over, b"") == 413
    assert run_limited("/api/v1/institutions/college-x/awards", upload, b"") == 413
