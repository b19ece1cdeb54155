"""``passport keys affected | revoke-affected | reissue KEY_ID``: the awards of a compromised key
from the shell (``issuers.key_compromise.affected_awards``; the runbook is docs/operations.md).

The institution is the key's owner. ``affected`` prints one tab-separated line per award
(id, state, issued at, learner email, replaced by); ``reissue`` prints each new award with the
claim offer and transaction code to send its learner, and runs again while some remain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlmodel import Session

from credentials import NotFound
from issuers.audit.log import cli_actor
from issuers.awards import offers
from issuers.cli import WorkspaceOpener, keys_group, reasons_on_failure
from issuers.identity import ISSUER_OWNER_KIND
from issuers.institutions import get_institution
from issuers.key_compromise.affected_awards import (
    MAX_PAGE,
    affected_awards,
    reissue_affected,
    revoke_affected,
)
from issuers.tables import Institution
from keys import KeyStore, MasterKey

KeyArgument = Annotated[str, typer.Argument(help="The compromised key id (verification method).")]


def _owner(session: Session, master: MasterKey, now: datetime, key_id: str) -> Institution:
    """The institution that owns ``key_id`` (``NotFound`` for any other key)."""
    kind, _, slug = KeyStore(session, master, now).get_key(key_id).owner_id.partition(":")
    if kind != ISSUER_OWNER_KIND:
        raise NotFound(f"{key_id!r} is not an institution's key")
    return get_institution(session, slug)


def register_key_compromise_commands(app: typer.Typer, open_workspace: WorkspaceOpener) -> None:
    """Add ``keys affected | revoke-affected | reissue`` to the ``passport keys`` group."""
    keys = keys_group(app)

    @keys.command("affected")
    def affected(
        key_id: KeyArgument,
        offset: Annotated[int, typer.Option(min=0)] = 0,
        limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE)] = 100,
    ) -> None:
        """List the awards KEY_ID signed (oldest first, one page)."""
        with reasons_on_failure(), open_workspace() as workspace:
            now, master = datetime.now(UTC), workspace.master_keys.get()
            institution = _owner(workspace.session, master, now, key_id)
            page = affected_awards(
                workspace.session, master, now, institution, key_id, offset=offset, limit=limit
            )
            typer.echo(f"# {page.total} award(s) signed with {key_id}")
            for award in page.awards:
                replaced = award.replaced_by or "-"
                issued = award.issued_at.isoformat()
                typer.echo(
                    f"{award.id}\t{award.state}\t{issued}\t{award.learner_email}\t{replaced}"
                )

    @keys.command("revoke-affected")
    def revoke_all(
        key_id: KeyArgument,
        reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
    ) -> None:
        """Revoke every award KEY_ID signed that still stands."""
        with reasons_on_failure(), open_workspace() as workspace:
            now, master = datetime.now(UTC), workspace.master_keys.get()
            institution = _owner(workspace.session, master, now, key_id)
            count = revoke_affected(
                workspace.session,
                master,
                now,
                institution,
                key_id,
                actor=cli_actor(),
                reason=reason,
            )
            workspace.session.commit()
            typer.echo(f"revoked {count} award(s) signed with {key_id}")

    @keys.command("reissue")
    def reissue(
        key_id: KeyArgument,
        limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE)] = 100,
    ) -> None:
        """Re-issue KEY_ID's awards with the active key; print each learner's new claim offer."""
        with reasons_on_failure(), open_workspace() as workspace:
            now, master = datetime.now(UTC), workspace.master_keys.get()
            institution = _owner(workspace.session, master, now, key_id)
            done, remaining = reissue_affected(
                workspace.session,
                master,
                now,
                institution,
                key_id,
                actor=cli_actor(),
                base_url=workspace.base_url,
                limit=limit,
            )
            workspace.session.commit()
            for item in done:
                uri = offers.offer_uri(workspace.base_url, item.offer.secret)
                typer.echo(
                    f"{item.old.id}\t{item.new.id}\t{item.new.learner_email}\t{uri}\t"
                    f"{item.offer.tx_code}"
                )
            typer.echo(f"# re-issued {len(done)}; {remaining} remaining", err=True)
