"""``passport audit verify [SLUG]``: check each institution's audit hash chain
(``issuers.audit.chain``).

One line per institution: ``ok`` with the number of chained events, of events from before the
chain, and the head hash (worth keeping outside the database: a chain rewritten from the start
would only show against it); or ``BROKEN`` naming the first event that does not hold. Exit code 1
when any chain is broken, 2 for an unknown institution.
"""

from __future__ import annotations

from typing import Annotated

import typer

from issuers.audit.chain import check_institution
from issuers.cli import WorkspaceOpener, reasons_on_failure
from issuers.institutions import get_institution, list_institutions

BROKEN_EXIT_CODE = 1


def register_audit_commands(app: typer.Typer, open_workspace: WorkspaceOpener) -> None:
    group = typer.Typer(help="Check the audit log.", no_args_is_help=True)

    @group.command("verify")
    def verify(
        slug: Annotated[
            str | None, typer.Argument(help="One institution's slug (default: every one).")
        ] = None,
    ) -> None:
        """Check the hash chain of the audit log; report the first broken link."""
        with reasons_on_failure(), open_workspace() as workspace:
            session = workspace.session
            chosen = (
                [get_institution(session, slug)] if slug is not None else list_institutions(session)
            )
            broken = False
            for institution in chosen:
                assert institution.id is not None
                report = check_institution(session, institution.id)
                if report.broken_event_id is not None:
                    broken = True
                    typer.echo(
                        f"{institution.slug}: BROKEN at audit event {report.broken_event_id}: "
                        f"{report.problem}"
                    )
                    continue
                typer.echo(
                    f"{institution.slug}: ok, {report.chained} event(s) chained, "
                    f"{report.before_chain} from before the chain, head {report.head or '-'}"
                )
        if broken:
            raise typer.Exit(BROKEN_EXIT_CODE)

    app.add_typer(group, name="audit")
