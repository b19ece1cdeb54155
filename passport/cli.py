"""The ``passport`` command line: one Typer app composed from the component command modules.

Exit codes: 0 success, 1 a verification that did not pass, 2 unusable input (with a one-line
reason on stderr, never a traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlmodel import Session

from infra import disposable_engine
from issuers import (
    Workspace,
    register_audit_commands,
    register_award_commands,
    register_cohort_commands,
    register_issuer_commands,
    register_key_compromise_commands,
)
from passport.app import master_key_source
from passport.cli_credentials import register_credential_commands
from passport.cli_ops import register_ops_commands
from passport.cli_server import checked_settings, register_server_commands
from passport.database import prepare_database
from passport.log_setup import configure_logging
from passport.worker_metrics import pushing_worker_metrics
from verifier import register_verifier_commands

app = typer.Typer(
    name="passport",
    help="Learner Passport: issue, hold and verify Open Badges 3.0 micro-credentials.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
register_credential_commands(app)
register_server_commands(app)
register_ops_commands(app)
register_verifier_commands(app)


@contextmanager
def _issuer_workspace() -> Iterator[Workspace]:
    """The configured database (migrated, or refused) and master key, for issuer commands,
    after the start-up checks."""
    settings = checked_settings()
    prepare_database(settings)
    with disposable_engine(settings.database_url) as engine, Session(engine) as session:
        yield Workspace(session, master_key_source(settings), settings.base_url)


@contextmanager
def _worker_workspace() -> Iterator[Workspace]:
    """``passport worker``'s workspace: logs in the deployment's format, and its metrics pushed
    through the database (``passport.worker_metrics``)."""
    settings = checked_settings()
    prepare_database(settings)
    # A fresh process has no log handler yet; one that embeds the CLI (tests) keeps its own.
    if not logging.getLogger().handlers:
        configure_logging(settings.effective_log_format)
    with (
        disposable_engine(settings.database_url) as engine,
        Session(engine) as session,
        pushing_worker_metrics(engine),
    ):
        yield Workspace(session, master_key_source(settings), settings.base_url)


register_issuer_commands(app, _issuer_workspace)
register_award_commands(app, _issuer_workspace)
register_cohort_commands(app, _issuer_workspace, _worker_workspace)
register_key_compromise_commands(app, _issuer_workspace)
register_audit_commands(app, _issuer_workspace)
