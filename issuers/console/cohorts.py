"""Console pages of cohort uploads: the upload form, its validation report, live progress.

A cohort file is validated in full first (``issuers.cohorts.batches.submit_batch``): with any bad
row, or in a dry run, nothing is stored and the page lists every problem with its line, column and
reason. A good file becomes a batch that issues in the background (a thread on SQLite,
``passport worker`` on PostgreSQL) while its page shows the done / pending / failed counts.

The progress page works without JavaScript: it has a "Refresh" link rather than an automatic
reload, which WCAG 2.2 (success criterion 2.2.4, Interruptions) asks be left to the user. With
JavaScript, ``issuers/static/batch_progress.js`` (an external file: the Content-Security-Policy
forbids inline scripts) polls ``progress.json`` and updates the counts in place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from credentials import InputTooLarge, InvalidInput, NotFound, PassportError
from infra import BaseUrlDep, NowDep, SessionDep
from issuers.awards import claim_links
from issuers.awards.api_models import CohortValidation
from issuers.awards.routes import API
from issuers.cohorts import batches
from issuers.cohorts.cohort_file import MAX_UPLOAD_BYTES, CohortReport
from issuers.cohorts.progress import BatchStatus, batch_status, recent_batches
from issuers.cohorts.routes import start_batch_in_background
from issuers.console.staff import CONSOLE, Pages, Staff, StaffDep, StaffFormDep, require_staff
from issuers.programs.service import get_program, list_programs

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
UPLOAD_PATH = f"{CONSOLE}/batches/new"
PROGRESS_SCRIPT = "batch_progress.js"
# The multipart framing around the file: boundaries, part headers, the other form fields.
MULTIPART_ALLOWANCE = 64 * 1024
# Request body limits of the cohort upload routes (``passport.app.RequestSizeLimit`` keys them
# by route path template); every other route keeps the deployment's default limit.
ROUTE_BODY_LIMITS = {
    f"{API}/programs/{{program_slug}}/batches": MAX_UPLOAD_BYTES,
    UPLOAD_PATH: MAX_UPLOAD_BYTES + MULTIPART_ALLOWANCE,
}


def progress_document(status: BatchStatus) -> dict[str, Any]:
    """The body of ``progress.json``: the counts the progress page shows."""
    return {
        "batch_id": status.batch.id,
        "state": status.batch.state,
        "total": status.batch.total_rows,
        "done": status.done,
        "issued": status.issued,
        "existing": status.existing,
        "pending": status.pending,
        "failed": status.failed,
        "finished": status.finished,
    }


async def read_upload(request: Request) -> tuple[str, bytes]:
    """The form's cohort file: its name and bytes, at most the upload cap."""
    upload = (await request.form()).get("cohort")  # the form StaffFormDep read (and closes)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput("choose a cohort file (CSV or JSON) to upload")
    filename, data = upload.filename, await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputTooLarge(f"the cohort file is over the limit of {MAX_UPLOAD_BYTES} bytes")
    return filename, data


def add_batch_routes(router: APIRouter, pages: Pages) -> None:
    """Add the upload, progress and script routes to the console's router."""

    def upload_page(
        request: Request,
        session: Session,
        staff: Staff,
        form: dict[str, str],
        *,
        report: CohortReport | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        return pages.page(
            request,
            "awards/batch_upload.html",
            staff,
            status,
            form=form,
            programs=list_programs(session, staff.institution),
            batches=recent_batches(session, staff.institution),
            report=None if report is None else CohortValidation.of(report),
            # Each problem's message template and data, for the page to say it in its language.
            problems=[] if report is None else report.errors,
            error=error,
        )

    @router.get("/batches/new")
    def new_batch(request: Request, session: SessionDep, staff: StaffDep) -> Response:
        return upload_page(request, session, staff, {"dry_run": "on"})

    @router.post("/batches/new")
    async def upload(
        request: Request, session: SessionDep, posted: StaffFormDep, now: NowDep
    ) -> Response:
        staff, form = posted.staff, posted.fields
        try:
            filename, data = await read_upload(request)
            program = get_program(session, staff.institution, form.get("program", ""))
            submission = batches.submit_batch(
                session,
                staff.institution,
                program,
                data,
                filename,
                actor=staff.actor,
                now=now,
                dry_run=form.get("dry_run") == "on",
            )
        except PassportError as error:
            session.rollback()
            # Another institution's program is "not found", as on the issue form; a file that
            # cannot be read is the form's own problem.
            status = 404 if isinstance(error, NotFound) else 422
            return upload_page(request, session, staff, form, error=error.message, status=status)
        if submission.batch is None:
            status = 200 if submission.report.valid else 422
            return upload_page(
                request, session, staff, form, report=submission.report, status=status
            )
        session.commit()
        start_batch_in_background(request, submission.batch.id)
        return RedirectResponse(f"{CONSOLE}/batches/{submission.batch.id}", status_code=303)

    @router.get("/batches/{batch_id}")
    def batch_page(
        batch_id: str, request: Request, session: SessionDep, staff: StaffDep
    ) -> Response:
        progress = batch_status(session, staff.institution, batch_id)
        return pages.page(request, "awards/batch.html", staff, progress=progress)

    @router.post("/batches/{batch_id}/claim-links.csv")
    async def cohort_claim_links(
        batch_id: str,
        session: SessionDep,
        posted: StaffFormDep,
        base_url: BaseUrlDep,
        now: NowDep,
    ) -> Response:
        """A fresh claim link per learner of the cohort (earlier links stop working)."""
        staff = posted.staff
        batch_status(session, staff.institution, batch_id)  # NotFound for another's batch
        links = claim_links.cohort_claim_links(
            session, staff.institution, batch_id, base_url, staff.actor, now
        )
        session.commit()
        return Response(
            claim_links.claim_links_csv(links),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="claim-links-{batch_id}.csv"',
                "Cache-Control": "no-store",
            },
        )

    @router.get("/batches/{batch_id}/progress.json")
    def batch_progress_json(
        batch_id: str, session: SessionDep, staff: Annotated[Staff, Depends(require_staff)]
    ) -> Response:
        status = batch_status(session, staff.institution, batch_id)
        return JSONResponse(progress_document(status), headers={"Cache-Control": "no-store"})

    @router.get(f"/static/{PROGRESS_SCRIPT}")
    def progress_script() -> FileResponse:
        return FileResponse(
            STATIC_DIR / PROGRESS_SCRIPT,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=3600"},
        )
