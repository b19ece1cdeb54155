"""``passport issue-batch`` and ``passport worker``: cohorts from the command line.

The shell hands in the workspace opener of ``issuers.cli`` (session, master key, base URL).
``issue-batch`` validates the whole file first and prints every problem (exit code 2, nothing
stored); then, on SQLite, it issues the batch in this process behind a progress bar, and on
PostgreSQL it queues the batch for ``passport worker`` (any number of them) and follows its
progress. Interrupted batches resume: ``passport worker`` (or ``issue-batch --resume``) picks up
every pending row, and nothing is issued twice.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from sqlmodel import Session

from issuers.audit.log import cli_actor
from issuers.cli import Workspace, WorkspaceOpener, fail, reasons_on_failure
from issuers.cohorts import batches
from issuers.cohorts import jobs as batch_jobs
from issuers.cohorts.cohort_file import MAX_UPLOAD_BYTES
from issuers.cohorts.runner import BatchRunner
from issuers.institutions import get_institution
from issuers.programs.service import get_program

POLL_SECONDS = 1.0


def _now() -> datetime:
    return datetime.now(UTC)


def _runner(workspace: Workspace) -> BatchRunner:
    engine = workspace.session.get_bind()
    return batch_jobs.runner_for(
        engine,  # type: ignore[arg-type]
        workspace.master_keys.get,
        workspace.base_url,
        _now,
    )


def _database_url(workspace: Workspace) -> str:
    return workspace.session.get_bind().engine.url.render_as_string(hide_password=False)


def register_cohort_commands(
    app: typer.Typer,
    open_workspace: WorkspaceOpener,
    open_worker_workspace: WorkspaceOpener | None = None,
) -> None:
    """Add the cohort commands to the ``passport`` command line. ``passport worker`` opens
    ``open_worker_workspace`` when given (the shell adds its logging and metrics there)."""
    _register_batch_commands(app, open_workspace, open_worker_workspace or open_workspace)


def _register_batch_commands(
    app: typer.Typer, open_workspace: WorkspaceOpener, open_worker_workspace: WorkspaceOpener
) -> None:
    @app.command("issue-batch")
    def issue_batch(
        cohort: Annotated[Path, typer.Argument(help="CSV or JSON file of learners.")],
        program: Annotated[str, typer.Option(help="<institution-slug>/<program-slug>")],
        dry_run: Annotated[bool, typer.Option(help="Only validate the file.")] = False,
        wait: Annotated[bool, typer.Option(help="Follow the progress until done.")] = True,
    ) -> None:
        """Validate a cohort file, then issue a credential to every learner in it."""
        institution_slug, _, program_slug = program.partition("/")
        if not program_slug:
            fail("--program must be <institution-slug>/<program-slug>")
        try:
            if cohort.stat().st_size > MAX_UPLOAD_BYTES:
                fail(f"{cohort} is over {MAX_UPLOAD_BYTES} bytes")
            data = cohort.read_bytes()
        except OSError as unreadable:
            fail(f"{cohort}: {unreadable.strerror or unreadable}")
        with reasons_on_failure(), open_workspace() as workspace:
            session = workspace.session
            institution = get_institution(session, institution_slug)
            chosen = get_program(session, institution, program_slug)
            submission = batches.submit_batch(
                session,
                institution,
                chosen,
                data,
                cohort.name,
                actor=cli_actor(),
                now=_now(),
                dry_run=dry_run,
            )
            for error in submission.report.errors:
                typer.echo(f"{cohort.name}: {error}", err=True)
            if not submission.report.valid:
                fail(f"{len(submission.report.errors)} problem(s); nothing was issued")
            typer.echo(f"{submission.report.row_count} learners are valid")
            if submission.batch is None:
                return
            session.commit()
            _issue(workspace, submission.batch.id, submission.report.row_count, wait=wait)

    @app.command("worker")
    def worker(
        concurrency: Annotated[int, typer.Option(min=1, max=32)] = 2,
        wait: Annotated[bool, typer.Option(help="Keep waiting for new jobs.")] = True,
        stalled_after: Annotated[
            float,
            typer.Option(
                min=1, help="Seconds without a heartbeat after which a worker's jobs are retried."
            ),
        ] = batch_jobs.STALLED_AFTER_SECONDS,
    ) -> None:
        """Run cohort jobs (PostgreSQL: procrastinate; SQLite: resume unfinished batches)."""
        with reasons_on_failure(), open_worker_workspace() as workspace:
            engine = workspace.session.get_bind().engine
            runner = _runner(workspace)
            if not batch_jobs.uses_workers(engine):
                for thread in batch_jobs.resume_in_threads(engine, runner):
                    thread.join()
                typer.echo("no batch is left unfinished")
                return
            job_app = batch_jobs.create_job_app(
                _database_url(workspace), lambda: runner, stalled_after=stalled_after
            )
            batch_jobs.recover_at_start(job_app, engine, stalled_after)
            job_app.run_worker(queues=[batch_jobs.QUEUE], concurrency=concurrency, wait=wait)


def _issue(workspace: Workspace, batch_id: str, total: int, *, wait: bool) -> None:
    engine = workspace.session.get_bind().engine
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    runner = _runner(workspace)
    if batch_jobs.uses_workers(engine):
        batch_jobs.enqueue_batch(
            batch_jobs.create_job_app(_database_url(workspace), lambda: runner), engine, batch_id
        )
        typer.echo(f"batch {batch_id} is queued for `passport worker`")
        if not wait:
            return
    with Progress(*columns) as bar:
        task = bar.add_task("issuing", total=total)
        if batch_jobs.uses_workers(engine):
            while (state := _progress(workspace, batch_id)).state != "completed":
                bar.update(task, completed=state.done)
                time.sleep(POLL_SECONDS)
        else:
            runner.run(batch_id, progress=lambda count: bar.advance(task, count))
        final = _progress(workspace, batch_id)
        bar.update(task, completed=final.done)
    typer.echo(f"batch {batch_id}: {final.issued} issued, {final.existing} already issued before")


def _progress(workspace: Workspace, batch_id: str) -> batches.Progress:
    with Session(workspace.session.get_bind()) as session:
        return batches.batch_progress(session, batch_id)
