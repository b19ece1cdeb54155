"""``passport awards revoke|suspend|restore|clr``: an award's status and a learner's CLR.

The shell hands in the workspace opener of ``issuers.cli`` (session, master key, base URL);
unusable input exits with code 2 and a one-line reason (``issuers.cli.reasons_on_failure``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from issuers.audit.log import AuditAction, cli_actor
from issuers.awards import status_changes
from issuers.awards.tables import Award
from issuers.cli import WorkspaceOpener, fail, reasons_on_failure
from issuers.clr.records import issue_clr
from issuers.identity import signer_for_institution
from issuers.institutions import get_institution

Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")]
Actor = Annotated[
    str | None,
    typer.Option("--actor", help="Who does it (recorded with the OS user and host)."),
]


def _now() -> datetime:
    return datetime.now(UTC)


def register_award_commands(app: typer.Typer, open_workspace: WorkspaceOpener) -> None:
    """Add ``passport awards ...`` to the ``passport`` command line."""
    group = typer.Typer(
        help="Revoke, suspend or restore awarded credentials.", no_args_is_help=True
    )

    def change(action: AuditAction, award_id: str, reason: str, actor: str | None) -> None:
        with reasons_on_failure(), open_workspace() as workspace:
            award = workspace.session.get(Award, award_id)
            if award is None:
                fail(f"no award {award_id!r}")
            status_changes.change_status(
                workspace.session, award, action, actor=cli_actor(actor), reason=reason, now=_now()
            )
            workspace.session.commit()
            typer.echo(f"award {award_id} is now {award.state}")

    @group.command("revoke")
    def revoke(award_id: str, reason: Reason, actor: Actor = None) -> None:
        """Revoke an award for good."""
        change(AuditAction.REVOKE, award_id, reason, actor)

    @group.command("suspend")
    def suspend(award_id: str, reason: Reason, actor: Actor = None) -> None:
        """Suspend an award (it can be restored)."""
        change(AuditAction.SUSPEND, award_id, reason, actor)

    @group.command("restore")
    def restore(award_id: str, reason: Reason, actor: Actor = None) -> None:
        """Lift a suspension."""
        change(AuditAction.RESTORE, award_id, reason, actor)

    @group.command("clr")
    def clr(
        institution: Annotated[str, typer.Argument(help="The institution's slug.")],
        email: Annotated[str, typer.Option(help="The email the learner's awards were issued to.")],
        out: Annotated[Path, typer.Option(help="Where to write the signed ClrCredential.")],
    ) -> None:
        """Issue a learner's Comprehensive Learner Record (CLR 2.0) of their active awards."""
        with reasons_on_failure(), open_workspace() as workspace:
            session, now = workspace.session, _now()
            issuer = get_institution(session, institution)
            signer = signer_for_institution(session, workspace.master_keys.get(), now, issuer)
            record = issue_clr(session, issuer, email, signer, base_url=workspace.base_url, now=now)
            try:
                out.write_text(record.credential, encoding="utf-8")
            except OSError as error:
                fail(f"{out}: {error.strerror or error}")
            session.commit()
            typer.echo(f"CLR {record.credential_id} written to {out}")

    app.add_typer(group, name="awards")
