"""HTTP surface of cohorts: submit a cohort file, follow its batch's progress.

A cohort file is validated in full first (``issuers.cohorts.batches.submit_batch``); a good one
becomes a batch issued in the background: a thread of the app on SQLite, procrastinate workers
on PostgreSQL (``issuers.cohorts.jobs``). The console's upload pages start batches through
``start_batch_in_background`` too.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from infra import NowDep, SessionDep, get_now
from issuers.awards.api_models import BatchAccepted, BatchProgress, CohortValidation
from issuers.awards.routes import API, Issuing
from issuers.cohorts import batches
from issuers.cohorts import jobs as batch_jobs
from issuers.cohorts.progress import get_batch
from issuers.cohorts.runner import BatchRunner
from issuers.programs.service import get_program

logger = logging.getLogger(__name__)


def _app_runner(state: Any) -> BatchRunner:
    """The batch runner of this app (its engine, master key, base URL and clock)."""
    return batch_jobs.runner_for(
        state.engine,
        state.master_key_source.get,
        state.settings.base_url,
        get_now,
        mail=state.mail.enabled,
    )


def start_batch_in_background(request: Request, batch_id: str) -> None:
    """Run a submitted batch: a thread on SQLite, a procrastinate job on PostgreSQL (API and
    console both start batches through this)."""
    state = request.app.state
    batch_jobs.start_batch(state.engine, state.settings.database_url, _app_runner(state), batch_id)


def create_cohort_router() -> APIRouter:
    router = APIRouter(tags=["awards"])

    @router.post(f"{API}/programs/{{program_slug}}/batches", status_code=202)
    def submit(
        request: Request,
        institution: Issuing,
        program_slug: str,
        session: SessionDep,
        now: NowDep,
        data: Annotated[bytes, Body(media_type="text/csv")],
        filename: Annotated[str, Query(max_length=300)] = "cohort.csv",
        dry_run: bool = False,
    ) -> JSONResponse:
        program = get_program(session, institution, program_slug)
        submission = batches.submit_batch(
            session, institution, program, data, filename, actor="api", now=now, dry_run=dry_run
        )
        session.commit()
        batch_id = submission.batch.id if submission.batch else None
        if batch_id is not None:
            start_batch_in_background(request, batch_id)
        body = BatchAccepted(batch_id=batch_id, validation=CohortValidation.of(submission.report))
        status = 202 if submission.report.valid else 422
        return JSONResponse(body.model_dump(mode="json"), status_code=status)

    @router.get(f"{API}/batches/{{batch_id}}")
    def progress(institution: Issuing, batch_id: str, session: SessionDep) -> BatchProgress:
        get_batch(session, institution, batch_id)  # another institution's batch is not found
        return BatchProgress.of(batch_id, batches.batch_progress(session, batch_id))

    return router


def resume_batches(app: Any) -> None:
    """At start-up on SQLite, finish the batches a crash or restart interrupted (PostgreSQL
    batches are resumed by ``passport worker``)."""
    state = app.state
    try:
        if batch_jobs.uses_workers(state.engine):
            return
        batch_jobs.resume_in_threads(state.engine, _app_runner(state))
    except SQLAlchemyError:
        # The app must still start (and /healthz say 503) when the database is down; the
        # batches resume at the next start with the database back, nothing lost.
        logger.exception("could not resume unfinished batches at start-up")
