"""``passport institutions ...`` and ``passport keys rotate | revoke``: the deployment admin's
commands. Exit code 2 with a one-line reason on unusable input (never a traceback).

The shell hands in ``open_workspace``: a context manager giving a database session, the master
key and the deployment's base URL (issuers cannot import the shell's settings). Each command
commits once, at the end, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlmodel import Session

from credentials import PassportError
from issuers.access import create_api_key, create_staff_user
from issuers.api_models import ApiKeyCreate, InstitutionCreate, StaffUserCreate
from issuers.counters import SIGNED_CREDENTIAL_COUNTERS
from issuers.identity import counting_all, revoke_signing_key, rotate_institution_key
from issuers.institutions import create_institution, get_institution
from issuers.master_key import MasterKeySource

UNUSABLE_INPUT_EXIT_CODE = 2


@dataclass
class Workspace:
    session: Session
    master_keys: MasterKeySource
    base_url: str


WorkspaceOpener = Callable[[], AbstractContextManager[Workspace]]


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(UNUSABLE_INPUT_EXIT_CODE)


@contextmanager
def reasons_on_failure() -> Iterator[None]:
    try:
        yield
    except ValidationError as error:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
    except PassportError as error:
        fail(error.message)


def _parse_time(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{text!r} is not an ISO 8601 date and time")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def register_issuer_commands(app: typer.Typer, open_workspace: WorkspaceOpener) -> None:
    """Add ``institutions add|add-staff|add-api-key`` and ``keys rotate|revoke``."""
    _add_institution_commands(app, open_workspace)
    _add_key_commands(keys_group(app), open_workspace)


def _add_institution_commands(app: typer.Typer, open_workspace: WorkspaceOpener) -> None:
    institutions = typer.Typer(help="Institutions (deployment admin).", no_args_is_help=True)

    @institutions.command("add")
    def add(
        slug: Annotated[str, typer.Argument(help="Short name in addresses, e.g. college-x.")],
        name_en: Annotated[str, typer.Option(help="Legal name in English.")],
        name_fr: Annotated[str, typer.Option(help="Legal name in French.")],
        kind: Annotated[str, typer.Option(help="college, university, indigenous_institute...")],
        website: Annotated[str, typer.Option(help="https://...")],
        email: Annotated[str, typer.Option(help="Contact email.")],
        region: Annotated[str | None, typer.Option(help="Region, e.g. ON.")] = None,
        logo_url: Annotated[str | None, typer.Option(help="Logo URL.")] = None,
        did_key: Annotated[bool, typer.Option(help="Use a did:key (development).")] = False,
        jwt_format: Annotated[
            str, typer.Option(help="JWT form of awards: vc+jwt, or ob-jwt (OB 3.0 section 8.2).")
        ] = "vc+jwt",
    ) -> None:
        """Create an institution with its DID and signing key."""
        with reasons_on_failure(), open_workspace() as workspace:
            data = InstitutionCreate.model_validate(
                {
                    "slug": slug,
                    "legal_name_en": name_en,
                    "legal_name_fr": name_fr,
                    "kind": kind,
                    "website": website,
                    "contact_email": email,
                    "region": region,
                    "logo_url": logo_url,
                    "did_method": "did:key" if did_key else "did:web",
                    "jwt_format": jwt_format,
                }
            )
            now = datetime.now(UTC)
            master = workspace.master_keys.get()
            institution = create_institution(
                workspace.session, master, now, workspace.base_url, data
            )
            workspace.session.commit()
            typer.echo(f"created {institution.slug}: {institution.did}")

    @institutions.command("add-staff")
    def add_staff(
        slug: Annotated[str, typer.Argument(help="The institution.")],
        email: Annotated[str, typer.Option(help="The staff user's email (login).")],
        password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    ) -> None:
        """Create a console user of the institution (the password is asked for, not echoed)."""
        with reasons_on_failure(), open_workspace() as workspace:
            data = StaffUserCreate(email=email, password=password)
            institution = get_institution(workspace.session, slug)
            now = datetime.now(UTC)
            create_staff_user(workspace.session, institution, data.email, data.password, now)
            workspace.session.commit()
            typer.echo(f"created staff user {data.email} of {slug}")

    @institutions.command("add-api-key")
    def add_api_key(
        slug: Annotated[str, typer.Argument(help="The institution.")],
        label: Annotated[str, typer.Option(help="What the key is for.")],
        action: Annotated[list[str], typer.Option(help="issue, revoke, manage_programs...")],
    ) -> None:
        """Create an API key; it is printed once and only its hash is kept."""
        with reasons_on_failure(), open_workspace() as workspace:
            data = ApiKeyCreate.model_validate({"label": label, "actions": action})
            institution = get_institution(workspace.session, slug)
            now = datetime.now(UTC)
            _, key = create_api_key(workspace.session, institution, data.label, data.actions, now)
            workspace.session.commit()
            typer.echo(key)

    app.add_typer(institutions, name="institutions")


def _add_key_commands(keys: typer.Typer, open_workspace: WorkspaceOpener) -> None:
    @keys.command("rotate")
    def rotate(slug: Annotated[str, typer.Argument(help="The institution's slug.")]) -> None:
        """Make a new active key; the old one stays in the DID document, retired."""
        with reasons_on_failure(), open_workspace() as workspace:
            institution = get_institution(workspace.session, slug)
            now = datetime.now(UTC)
            master = workspace.master_keys.get()
            key = rotate_institution_key(workspace.session, master, now, institution)
            workspace.session.commit()
            typer.echo(f"new active key {key.id}")

    @keys.command("revoke")
    def revoke(
        key_id: Annotated[str, typer.Argument(help="The key id (verification method).")],
        compromised_since: Annotated[str, typer.Option(help="ISO 8601 time of compromise.")],
        unpublish: Annotated[bool, typer.Option(help="Remove it from the DID document.")] = False,
    ) -> None:
        """Mark a key compromised; report the credentials it signed since then."""
        since = _parse_time(compromised_since)
        with reasons_on_failure(), open_workspace() as workspace:
            session, now = workspace.session, datetime.now(UTC)
            counter = counting_all(session, SIGNED_CREDENTIAL_COUNTERS)
            master = workspace.master_keys.get()
            revocation = revoke_signing_key(
                session, master, now, key_id, since, counter, unpublish=unpublish
            )
            session.commit()
            count = revocation.credentials_signed_since_compromise
            typer.echo(f"revoked {key_id}; {count} credential(s) signed with it since {since}")
            if revocation.new_key is not None:
                typer.echo(f"new active key {revocation.new_key.id}")


def keys_group(app: typer.Typer) -> typer.Typer:
    """The existing ``passport keys`` group (made by the credential commands), or a new one."""
    for group in app.registered_groups:
        if group.name == "keys" and group.typer_instance is not None:
            return group.typer_instance
    keys = typer.Typer(help="Signing keys.", no_args_is_help=True)
    app.add_typer(keys, name="keys")
    return keys
